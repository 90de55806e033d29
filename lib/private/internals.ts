import { IConstruct } from 'constructs';
import { ResolvedMetrics } from '../metrics/metrics-checks';

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
  /** The Docker host it runs on (see `dockerHostKey`). */
  readonly hostKey: string;
  /** What the metrics exporter logs in as (Redis 6.0 and later). */
  readonly exporter?: InternalLogin;
  /** Its exporter's settings, when it runs one: what its followers inherit. */
  readonly metrics?: ResolvedMetrics;
}

const internalsByInstance = new WeakMap<IConstruct, InstanceInternals>();

export function registerInternals(instance: IConstruct, internals: InstanceInternals): void {
  internalsByInstance.set(instance, internals);
}

/** Undefined for an `IRedisDatabase` this library did not build. */
export function internalsOf(instance: IConstruct): InstanceInternals | undefined {
  return internalsByInstance.get(instance);
}
