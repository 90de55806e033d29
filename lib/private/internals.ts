import { IConstruct } from 'constructs';

/** How a client of the library's own (a follower, a backup) authenticates to an instance. */
export interface InternalLogin {
  /** The ACL user; undefined before Redis 6, where only a password exists. */
  readonly user?: string;
  readonly password: string;
}

/** What the library's own connections to an instance need, kept off the public API. */
export interface InstanceInternals {
  /** What a follower of this instance sends as `masteruser` / `masterauth`. */
  readonly replication: InternalLogin;
  /** What the backup container logs in as: the `backup` user (6.0+), or the password before 6.0. */
  readonly backup: InternalLogin;
  /** The Docker host it runs on (see `dockerHostKey`). */
  readonly hostKey: string;
}

const internalsByInstance = new WeakMap<IConstruct, InstanceInternals>();

export function registerInternals(instance: IConstruct, internals: InstanceInternals): void {
  internalsByInstance.set(instance, internals);
}

/** Undefined for an `IRedisDatabase` this library did not build. */
export function internalsOf(instance: IConstruct): InstanceInternals | undefined {
  return internalsByInstance.get(instance);
}
