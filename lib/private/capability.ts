/**
 * The one way a capability (lib/users, lib/failover, lib/metrics, lib/backup)
 * contributes to an instance. The composition (lib/instance) first runs each
 * entry's checks on the props, then builds the shared parts (instance-core.ts)
 * and asks each capability its checks made, in the list's order, for what it
 * adds before the Redis node is built and what it builds beside it.
 * Everything here is shared by every capability; nothing under lib/private
 * knows any capability (test/unit/layering.test.ts).
 */
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { ContainerLogging } from '../logging/container-logging';
import { IRedisDatabase, RedisInstanceOptions, RedisInstanceSettings } from '../redis-options';
import { RedisVersion } from '../redis-version';
import { DeployTimeValue } from './deploy-time-checks';
import { EngineFiles } from './engine';
import { InstanceCheck } from './instance-checks';
import { FailoverSecrets, InstanceInternals, InternalLogin, UserDefinition } from './internals';
import { Volume } from './lean-resources';
import { ConfAuthData, RedisConfInput, ReplicaOfData } from './redis-conf';
import { NodeStartup, RedisNode, ReplicationTunnelSpec, ServerFile } from './redis-node';
import { HostPortRequest } from './stack-registry';
import { GeneratedCa, TlsMaterial } from './tls-material';

/** What a public construct resolved from its props and hands to the composition, capabilities aside. */
export interface InstanceSpec {
  /** `database` or `follower`: the containers' role label. */
  readonly kind: string;
  readonly handle: string;
  readonly version: RedisVersion;
  readonly options: RedisInstanceOptions;
  readonly settings: RedisInstanceSettings;
  readonly hostPort?: number;
  readonly hostTlsPort?: number;
  readonly networkName: string;
  /** The primary's replication login and its address on its Docker network, for a follower. */
  readonly replicaOf?: ReplicaOfData;
  /** The primary's secrets, for a follower that shares them (`sharePrimaryCredentials`). */
  readonly shared?: FailoverSecrets;
}

/** An app user's password (a sensitive token) and the scope of its resources and outputs, `Users/NAME`. */
export interface AppUser {
  readonly password: string;
  readonly scope: Construct;
}

/**
 * Who may connect to an instance: what the shared parts need from the users
 * capability (lib/users, `buildInstanceUsers`) before any other capability
 * contributes, since the config, the healthcheck and every internal login
 * read it.
 */
export interface InstanceAccess {
  readonly confAuth: ConfAuthData;
  /** The ACL file and the health user's password file, or nothing before Redis 6. */
  readonly files: readonly ServerFile[];
  /** The Docker healthcheck: an authenticated PING whose secret never appears in a command line. */
  readonly healthcheckScript: string;
  /**
   * The URL's username of the `default` user. From Redis 6 on it must be
   * named: clients such as redis-cli send the URL's username with AUTH even
   * when it is empty, which Redis refuses. Before 6, AUTH takes only a
   * password, so the username stays empty.
   */
  readonly defaultUrlUser: string;
  /** What followers of this instance log in as. */
  readonly replication: InternalLogin;
  /** What the metrics exporter logs in as; undefined before Redis 6, which has no users. */
  readonly exporter?: InternalLogin;
  /** What its backup container logs in as. */
  readonly backup: InternalLogin;
  /** The app users, by name. */
  readonly appUsers: ReadonlyMap<string, AppUser>;
  /** The secret the internal users' passwords derive from; undefined before Redis 6. */
  readonly internalSecret?: string;
  /** The internal user `sentinel`'s login; undefined before Redis 6. */
  readonly sentinel?: InternalLogin;
}

/** One instance as every capability sees it once its secrets, TLS material and volumes exist, before its node. */
export interface Instance extends InstanceSpec {
  /** The public construct: capabilities add their constructs here, under the ids the contract lists. */
  readonly scope: Construct;
  readonly files: EngineFiles;
  /** The `default` user's password (a sensitive token), and the literal prop when given. */
  readonly password: string;
  readonly literalPassword?: string;
  /** The app users as declared (`users`, or the shared primary's). */
  readonly userDefinitions: readonly UserDefinition[];
  readonly access: InstanceAccess;
  readonly tls: TlsMaterial;
  /** The generated CA; undefined with supplied TLS material. */
  readonly generatedCa?: GeneratedCa;
  /** Whether Redis terminates TLS itself (`RedisTlsMode.NATIVE`) rather than the sidecar. */
  readonly nativeTls: boolean;
  /** The TLS endpoint's name on the Docker network. */
  readonly networkTlsHost: string;
  /** The `docker_network` behind `networkName`, when this stack declares it. */
  readonly network?: TerraformResource;
  /** Persistent versions only. */
  readonly dataVolume?: Volume;
  /** Sidecar mode only: Redis's Unix socket. */
  readonly socketVolume?: Volume;
  readonly restart: string;
  readonly logging: ContainerLogging;
}

/** An instance once its Redis node exists: what companion containers are built from. */
export interface BuiltInstance extends Instance {
  /** The Redis image: it has the server's cli and a shell, which companions may reuse. */
  readonly redisImageId: string;
  readonly node: RedisNode;
}

/** What a capability adds to the Redis node, before it is built. Every field is optional; lists are joined in the list's order. */
export interface NodeContribution {
  /** Files for the server, after its config: root-owned, readable by Redis's group only. */
  readonly serverFiles?: readonly ServerFile[];
  /**
   * A change of the config's input, applied in the list's order when the
   * config is rendered at synth (a failover group is built after its nodes).
   */
  readonly conf?: (input: RedisConfInput) => RedisConfInput;
  /** Another start than `server config`, decided at synth; the first capability whose answer is defined wins. */
  readonly start?: () => { readonly entrypoint: string[]; readonly command: string[] } | undefined;
  /** A script run before the server in the Redis container; at most one capability gives one, and it takes precedence over `start`. */
  readonly startup?: NodeStartup;
  /** The CA (native TLS) Redis verifies the servers it connects to with, and where it goes. */
  readonly peerCa?: { readonly file: string; readonly pem: string };
  /** An HAProxy container inside the node that carries replication to another host. */
  readonly replicationTunnel?: ReplicationTunnelSpec;
  /** Values known only at deploy that land in the node's files: each gets a precondition on the Redis container. */
  readonly deployTimeValues?: readonly DeployTimeValue[];
  /** What other constructs read of the instance (followers, failover groups), beside what the shared parts record. */
  readonly internals?: Partial<InstanceInternals>;
}

/** What the public constructs show beyond credentials, each filled by the capability that has it. */
export interface InstanceAttributes {
  /** `http://HOST:PORT/metrics` of the exporter. */
  readonly metricsUrl?: string;
}

/** What a capability builds beside the node: companion containers and their outputs. */
export interface CompanionContribution {
  readonly attributes?: InstanceAttributes;
}

/**
 * A capability of an instance, made by its entry's `check` from what that
 * resolved of the props. Its constructs go under `instance.scope` with ids of
 * their own, listed in docs/architecture.md ("Contracts not to break
 * casually"); moving existing ones into a new scope would change their
 * Terraform logical ids, which are hashed from construct paths.
 */
export interface Capability {
  /** Its folder's name, for messages. */
  readonly name: string;
  /** Before the node: files, config, start, preconditions, internals. */
  node?(instance: Instance): NodeContribution;
  /** After the node, in the list's order: companion containers and outputs. */
  companions?(instance: BuiltInstance): CompanionContribution;
}

/**
 * What a capability's synth-time checks read, once the public construct has
 * checked what every instance shares (lib/private/instance-checks.ts) and
 * knows the version and settings.
 */
export interface CheckRequest {
  /** Who is checked: problems go to its list, warnings to its construct. */
  readonly check: InstanceCheck;
  /** `database` or `follower`. */
  readonly kind: string;
  readonly version: RedisVersion;
  /**
   * The props as given. A construct's own props beyond the shared options
   * (a database's `backup`) are read by the capability they belong to, which
   * also refuses them where they do not belong: JavaScript callers can pass
   * any prop to any construct.
   */
  readonly props: RedisInstanceOptions;
  readonly settings: RedisInstanceSettings;
  /** The host ports it asked for (`port`, `tlsPort`), undefined where Docker chooses. */
  readonly ports: readonly HostPortRequest[];
  /** A follower's primary; undefined for a database. */
  readonly primary?: PrimaryCheckRequest;
}

/** What a follower's checks read of its primary. */
export interface PrimaryCheckRequest {
  readonly database: IRedisDatabase;
  /** Undefined when the primary is no RedisDatabase or RedisFollower, which the follower itself reports. */
  readonly internals?: InstanceInternals;
  /** Whether the follower is on its primary's Docker host. */
  readonly sameHost: boolean;
  /** The follower's `primaryAddress` prop. */
  readonly address?: string;
}

/**
 * A capability folder's one entry in the composition: its checks, which
 * return the capability built from what they resolved. The composition runs
 * every entry's checks before anything is built, so the public construct
 * reports every problem at once and builds nothing from bad props.
 */
export interface CapabilityEntry {
  /** Its folder's name. */
  readonly name: string;
  /**
   * Where its checks run among the entries' (lower first). Messages keep the
   * order users have always read them in, while the list's order, which is
   * plan order, stays as it is.
   */
  readonly checkOrder: number;
  /** Adds its problems to `request.check`, warns there, and returns the capability to build. */
  check(request: CheckRequest): Capability;
}
