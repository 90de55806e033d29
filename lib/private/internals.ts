import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { IConstruct } from 'constructs';
import { RedisInstanceOptions } from '../redis-options';
import { GeneratedCa } from './tls-material';

/** An app user as the `users` prop declares it. */
export type UserDefinition = NonNullable<RedisInstanceOptions['users']>[number];

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
  /** The DNS names and IPv4 addresses its generated certificate names; undefined with supplied TLS material. */
  readonly certificateNames?: readonly string[];
  /** Its supplied certificate's PEM (a token when not literal); undefined with generated material. */
  readonly suppliedCertificatePem?: string;
  /** What members of its failover group share with it; see `FailoverSecrets`. */
  readonly secrets: FailoverSecrets;
  /** How Sentinel logs in to it; undefined before Redis 6. */
  readonly sentinel?: InternalLogin;
  readonly provider?: DockerProvider;
  /** The Redis image reference its containers run. */
  readonly imageReference: string;
  /** Its published host ports; undefined where Docker picks them. */
  readonly hostPort?: number;
  readonly hostTlsPort?: number;
  readonly announceAddress?: string;
  /** What the metrics exporter logs in as (Redis 6.0 and later). */
  readonly exporter?: InternalLogin;
  /** Its exporter's host address and port, when it runs one: what its followers inherit (lib/metrics, `ResolvedMetrics`). */
  readonly metrics?: { readonly hostIp: string; readonly port?: number };
  /** Whether it is created from a backup (`restoreFrom`): its first start runs the restore script. */
  readonly restoring?: boolean;
}

/**
 * A failover group is one database with several nodes: followers that share
 * their primary's secrets use its password, internal secret (and so the
 * internal users' passwords), app users and CA, so that after a promotion
 * clients, `masterauth` and certificate checks stay right.
 */
export interface FailoverSecrets {
  /** The `default` user's password (a sensitive token), and the literal prop when given. */
  readonly password: string;
  readonly literalPassword?: string;
  /** Undefined before Redis 6. */
  readonly internalSecret?: string;
  /** The app users, each with its password (given or generated). */
  readonly users: readonly UserDefinition[];
  /** The generated CA; undefined with supplied TLS material. */
  readonly ca?: GeneratedCa;
}

/** What a failover group asks of one of its nodes, decided when the group is built, after the node. */
export interface FailoverMembership {
  /** The group's name, for messages. */
  readonly group: string;
  /** Where the node replicates from at its first start: its primary's announced address; undefined for the primary. */
  readonly initialReplicaOf?: { readonly host: string; readonly port: string };
  /** Replicate over TLS (native TLS groups), from whichever node Sentinel names. */
  readonly tlsReplication: boolean;
}

const membershipByInstance = new WeakMap<IConstruct, FailoverMembership>();

export function registerFailoverMembership(instance: IConstruct, membership: FailoverMembership): void {
  membershipByInstance.set(instance, membership);
}

export function failoverMembershipOf(instance: IConstruct): FailoverMembership | undefined {
  return membershipByInstance.get(instance);
}

const internalsByInstance = new WeakMap<IConstruct, InstanceInternals>();

export function registerInternals(instance: IConstruct, internals: InstanceInternals): void {
  internalsByInstance.set(instance, internals);
}

/** Undefined for an `IRedisDatabase` this library did not build. */
export function internalsOf(instance: IConstruct): InstanceInternals | undefined {
  return internalsByInstance.get(instance);
}
