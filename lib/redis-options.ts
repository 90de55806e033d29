import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { IConstruct } from 'constructs';
import { RedisLoggingOptions } from './logging/logging-options';
import { RedisMetricsOptions } from './metrics/metrics-options';
import { RedisVersion } from './redis-version';
import { RedisUser } from './users/redis-user';

/** What Redis does when it reaches `maxmemory`. */
export enum MaxmemoryPolicy {
  /** Refuse writes with an OOM error and keep every key: the only policy that never loses data. */
  NOEVICTION = 'noeviction',
  /** Evict the least recently used keys. */
  ALLKEYS_LRU = 'allkeys-lru',
  /** Evict the least frequently used keys. */
  ALLKEYS_LFU = 'allkeys-lfu',
  /** Evict random keys. */
  ALLKEYS_RANDOM = 'allkeys-random',
  /** Evict the least recently used keys that have an expiry set. */
  VOLATILE_LRU = 'volatile-lru',
  /** Evict the least frequently used keys that have an expiry set. */
  VOLATILE_LFU = 'volatile-lfu',
  /** Evict random keys that have an expiry set. */
  VOLATILE_RANDOM = 'volatile-random',
  /** Evict the keys with an expiry set that expire soonest. */
  VOLATILE_TTL = 'volatile-ttl',
}

/** Where TLS is terminated. */
export enum RedisTlsMode {
  /**
   * An HAProxy sidecar container terminates TLS and forwards to Redis's Unix
   * socket, in a small volume both containers mount. Works with every version.
   */
  SIDECAR = 'sidecar',
  /**
   * Redis terminates TLS itself (`tls-port`): one hop less, faster. Redis 6.0
   * and later, with an image built with TLS support (the official ones are).
   */
  NATIVE = 'native',
}

/** Docker restart policy of a database's containers. */
export enum RedisRestartPolicy {
  /** Never restart. */
  NO = 'no',
  /** Restart when the container exits with an error. */
  ON_FAILURE = 'on-failure',
  /** Always restart, also after `docker stop` once the daemon restarts. */
  ALWAYS = 'always',
  /** Restart unless someone stopped the container with `docker stop`. */
  UNLESS_STOPPED = 'unless-stopped',
}

/** One RDB snapshot rule: snapshot after `afterSeconds` if at least `minChanges` keys changed. */
export interface SavePoint {
  /** Seconds since the last snapshot. */
  readonly afterSeconds: number;
  /** Changed keys needed to trigger the snapshot. */
  readonly minChanges: number;
}

/**
 * How to reach a database or follower. Every field may be a Terraform token
 * that resolves at apply time.
 */
export interface RedisCredentials {
  /**
   * `redis://default:PASSWORD@HOST:PORT`, plaintext (`redis://:PASSWORD@…`
   * before Redis 6, which has no users). With `publishPlaintext: false`
   * there is no plaintext endpoint on the host, and this is `tlsUrl`.
   */
  readonly url: string;
  /** The same as `url` with `rediss://` and the TLS port; verify it with `caCertificatePem`. */
  readonly tlsUrl: string;
  /**
   * Plaintext URL for containers on the database's Docker network:
   * `redis://default:PASSWORD@HANDLE:6379`.
   */
  readonly networkUrl: string;
  /**
   * TLS URL for containers on the database's Docker network. Its host is a
   * network alias the certificate names (`HANDLE-tls` with the sidecar,
   * `HANDLE` with native TLS): verify it with `caCertificatePem`.
   */
  readonly networkTlsUrl: string;
  /** The host name clients use, as in the URLs and the certificate. */
  readonly host: string;
  /** Host port of the plaintext endpoint; the TLS port when `publishPlaintext` is false. */
  readonly port: number;
  /** Host port of the TLS endpoint. */
  readonly tlsPort: number;
  /** The Redis password (sensitive). */
  readonly password: string;
  /** PEM of the CA that signed the TLS certificate. */
  readonly caCertificatePem: string;
}

/**
 * The settings an instance runs with, defaults (and, for a follower, its
 * primary's settings) applied.
 */
export interface RedisInstanceSettings {
  /** Disk in GB: the data volume (persistent flavors) or the tmpfs data dir (memory-only). */
  readonly size: number;
  /** Whether Docker enforces `size` on the data volume. */
  readonly enforceSize: boolean;
  /** Memory limit of the Redis container in MB. */
  readonly containerSizeMb: number;
  /** Redis `maxmemory` in MB, derived from `containerSizeMb`. */
  readonly maxmemoryMb: number;
  /** What Redis does at `maxmemory`. */
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  /** Host name in the URLs and the certificate. */
  readonly hostname: string;
  /** Host address the TLS endpoint is published on. */
  readonly hostIp: string;
  /** Host address the plaintext endpoint is published on, when `publishPlaintext`. */
  readonly plaintextHostIp: string;
  /** Whether the plaintext port is published on the Docker host at all. */
  readonly publishPlaintext: boolean;
  /** The sources allowed to connect to the TLS endpoint; empty: any source. */
  readonly allowedSources: string[];
  /** Where TLS is terminated. */
  readonly tlsMode: RedisTlsMode;
  /** Whether Redis also writes an append-only file. */
  readonly appendOnly: boolean;
}

/** A Redis database or follower that followers can replicate from. */
export interface IRedisDatabase extends IConstruct {
  /** The handle that names its Docker objects. */
  readonly handle: string;
  /** The catalog version it runs. */
  readonly version: RedisVersion;
  /** How clients reach it from the Docker host. */
  readonly credentials: RedisCredentials;
  /** The Docker network on which `networkHost` resolves. */
  readonly networkName: string;
  /** Host name of its Redis on `networkName`; Redis listens there on `networkPort`. */
  readonly networkHost: string;
  /** Port of its Redis on `networkName`. */
  readonly networkPort: number;
  /** The settings it runs with; a follower on the same Docker host inherits them unless given. */
  readonly settings: RedisInstanceSettings;
}

/** Options shared by databases and followers. */
export interface RedisInstanceOptions {
  /**
   * The Docker host this instance runs on: every Docker resource of it uses
   * this provider. Handles and host ports need only be unique per host.
   *
   * @default - the stack's default Docker provider
   */
  readonly provider?: DockerProvider;

  /**
   * Names every Docker object of this instance (containers, volume, network).
   * Lowercase letters, digits and dashes, at most 41 characters.
   *
   * @default - the construct id, lowercased, other characters replaced by dashes
   */
  readonly handle?: string;

  /**
   * Disk in GB, not memory: memory is `containerSizeMb`. Persistent flavors
   * get a Docker volume of this size for their snapshots (see `enforceSize`).
   * Memory-only (`-nordb`) flavors keep their data in memory and get a tmpfs
   * data directory of this size that holds no data (it is there for a manual
   * `SAVE`, and for the received snapshot of a Redis 4.0/5.0 follower, whose
   * full sync goes through it); a tmpfs counts against the container's memory
   * limit, so keep it at 1, as Aptible recommends for memory-only databases.
   *
   * @default - 10 for persistent flavors, 1 for memory-only flavors; a follower on its primary's host inherits its primary's size when both are persistent
   */
  readonly size?: number;

  /**
   * Pass `size` to Docker's local volume driver so the volume cannot grow past
   * it. Docker enforces this only where its data root is XFS mounted with
   * project quotas; elsewhere creating the volume fails.
   *
   * @default - false: the size is recorded in a volume label only, and a warning says so; a follower inherits its persistent primary's setting
   */
  readonly enforceSize?: boolean;

  /**
   * Guard the data volume with Terraform's `prevent_destroy`, so that a plan
   * that would delete or replace it fails instead.
   *
   * @default true
   */
  readonly preventDestroy?: boolean;

  /**
   * Memory limit of the Redis container in MB, at least 256: what decides how
   * much data a database holds. Redis `maxmemory` is derived from it: half of
   * it for persistent flavors (the snapshot fork can need as much again), 80 %
   * for memory-only flavors.
   *
   * @default - 1024; a follower inherits its primary's
   */
  readonly containerSizeMb?: number;

  /**
   * What Redis does at `maxmemory`.
   *
   * @default - MaxmemoryPolicy.NOEVICTION; a follower inherits its primary's
   */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;

  /**
   * Host name clients use: it goes into the credential URLs and the
   * certificate's subject alternative names.
   *
   * @default - "localhost"; a follower on its primary's host inherits its primary's
   */
  readonly hostname?: string;

  /**
   * Host address the TLS endpoint is published on. Set `127.0.0.1` to keep
   * the database off the network. The plaintext endpoint has its own address,
   * `plaintextHostIp`.
   *
   * @default - "0.0.0.0"; a follower on its primary's host inherits its primary's
   */
  readonly hostIp?: string;

  /**
   * Host address the plaintext endpoint (`url`, container port 6379) is
   * published on. Anything but loopback sends passwords and every command
   * and value in clear to whoever reaches it, and gets a warning. Note that
   * on Docker 20.10 a port published on 127.0.0.1 is still reachable from
   * any source that routes to the bridge subnet (README, "Security"):
   * `publishPlaintext: false` is the real off switch.
   *
   * @default - "127.0.0.1"; a follower on its primary's host inherits its primary's
   */
  readonly plaintextHostIp?: string;

  /**
   * Publish the plaintext endpoint on the Docker host. With `false` only the
   * TLS port is published; apps on the database's Docker network keep
   * `networkUrl`, `credentials.url` and `port` hold the TLS URL and port
   * (the same as `tlsUrl` and `tlsPort`), and the outputs `HANDLE_url` and
   * `HANDLE_user_NAME_url` are not created.
   *
   * @default - true; a follower on its primary's host inherits its primary's
   */
  readonly publishPlaintext?: boolean;

  /**
   * The only sources, up to 50 IPv4 or IPv6 CIDRs (`10.0.0.0/8`,
   * `2001:db8::/32`), that may connect to the published TLS endpoint: the
   * TLS sidecar closes any other connection before the TLS handshake. The
   * sidecar sees the address Docker hands it: a client connecting through
   * loopback, or any client of an engine run with `--iptables=false`, shows
   * as the Docker network's gateway (README, "Security"). Needs the sidecar:
   * native TLS mode has no proxy to enforce it and is refused.
   *
   * @default - any source; a follower on its primary's host inherits its primary's
   */
  readonly allowedSources?: string[];

  /**
   * The address under which the other nodes of this database (its primary,
   * its followers, Sentinels) reach this instance's published ports, when it
   * is not the address Docker shows from inside (another host, NAT). Rendered
   * as `replica-announce-ip` and `replica-announce-port` (`slave-announce-*`
   * before Redis 5) with the TLS host port in native TLS mode and the
   * plaintext one otherwise, so `INFO replication` and Sentinel list an
   * address that works; the generated certificate names it. Needs that host
   * port fixed (`port` / `tlsPort`), since the config cannot name a port
   * Docker picks when the container starts.
   *
   * @default - none: peers see the address Docker's network shows them
   */
  readonly announceAddress?: string;

  /**
   * Further DNS names or IPv4 addresses the generated TLS certificate names,
   * besides `hostname`, `announceAddress`, the network aliases and loopback:
   * for example the address followers on other Docker hosts use as their
   * `primaryAddress`. Ignored with supplied TLS material, which must name
   * them itself.
   *
   * @default - none
   */
  readonly tlsHostnames?: string[];

  /**
   * Redis password, at least 16 URL-safe characters (letters, digits, `-`, `_`,
   * `.`, `~`). It is written into the uploaded redis.conf only, never into the
   * environment or a command line, and marked `sensitive()`, so plans never
   * print it.
   *
   * @default - a generated 40-character `random_password`
   */
  readonly password?: string;

  /**
   * PEM of the TLS server certificate, followed by any intermediate
   * certificates. Give it with `tlsPrivateKeyPem` and `tlsCaCertificatePem`.
   *
   * @default - a certificate signed by a CA generated for this instance
   */
  readonly tlsCertificatePem?: string;

  /**
   * PEM of the TLS certificate's private key, marked `sensitive()`, so plans
   * never print it.
   *
   * @default - generated with the certificate
   */
  readonly tlsPrivateKeyPem?: string;

  /**
   * PEM of the CA that signed `tlsCertificatePem`, published in the outputs for clients.
   *
   * @default - the generated CA
   */
  readonly tlsCaCertificatePem?: string;

  /**
   * Where TLS is terminated.
   *
   * @default - RedisTlsMode.SIDECAR; a follower inherits its primary's
   */
  readonly tlsMode?: RedisTlsMode;

  /**
   * RDB snapshot rules of a persistent flavor. An empty list turns snapshots off.
   *
   * @default - save 900 1, save 300 10, save 60 10000
   */
  readonly saveSchedule?: SavePoint[];

  /**
   * Also write an append-only file with `appendfsync everysec`: at most about one
   * second of writes is lost in a crash. Persistent flavors only.
   *
   * @default - false; a persistent follower inherits its persistent primary's
   */
  readonly appendOnly?: boolean;

  /**
   * Redis image, for private registries and air-gapped hosts. Pin a patch
   * tag or a digest: the Docker provider never pulls a tag the host already has.
   *
   * @default - the catalog's pinned official `redis` image for the version
   */
  readonly image?: string;

  /**
   * HAProxy image of the TLS sidecar (and of a cross-host follower's
   * replication tunnel). Its containers run as the image's `haproxy` user,
   * which the official images have.
   *
   * @default "haproxy:3.2.22"
   */
  readonly tlsSidecarImage?: string;

  /**
   * A Prometheus exporter (oliver006/redis_exporter) in a container
   * `HANDLE-metrics` on the instance's network, reading the server over TLS
   * with the certificate verified, as the library's `exporter` user (Redis 6.0
   * and later, Valkey); its endpoint URL is `metricsUrl` and the output
   * `HANDLE_metrics_url`.
   *
   * @default - no exporter; a follower inherits its primary's `metrics`
   */
  readonly metrics?: RedisMetricsOptions;

  /**
   * Image of the metrics exporter, for private registries and air-gapped
   * hosts. Pin a tag or a digest.
   *
   * @default "oliver006/redis_exporter:v1.93.0"
   */
  readonly metricsImage?: string;

  /**
   * Where every container of the instance logs (Redis, its TLS sidecar or
   * replication tunnel, the backup and metrics containers). A change replaces
   * them all: Docker applies a log driver only when it creates a container.
   *
   * @default - Docker's json-file driver with `max-size` 10m and `max-file` 3
   */
  readonly logging?: RedisLoggingOptions;

  /**
   * Docker restart policy of the containers. Whatever the policy, a refresh
   * (`cdktf diff`, `plan`) leaves a container someone stopped alone (the
   * containers set `must_run = false`); the next deploy replaces and starts
   * it, keeping a persistent database's data.
   *
   * @default RedisRestartPolicy.UNLESS_STOPPED
   */
  readonly restart?: RedisRestartPolicy;

  /**
   * Further redis.conf directives, name to value. The directives the construct
   * owns (port, dir, requirepass, save, appendonly, replicaof, maxmemory,
   * every tls-*, ...) are refused: use the props instead. So are
   * enable-protected-configs, enable-debug-command and enable-module-command
   * other than `no` (the construct renders them `no` from 7.0), loadmodule,
   * rename-command, cluster-*, and values holding `${` or `%{`, which
   * Terraform would read as a template. A value known only at deploy is
   * checked then: a line break fails the plan.
   *
   * @default - none
   */
  readonly config?: { [directive: string]: string };

  /**
   * Application users (Redis 6.0 and later, Valkey), each with its own
   * password and only the permissions it is given; read their credentials
   * with `credentialsFor(name)` or the outputs `HANDLE_user_NAME_url` and
   * `HANDLE_user_NAME_tls_url`. The users live in an ACL file in the Redis
   * container: changing them replaces the container (a memory-only database
   * starts empty).
   *
   * @default - none: only the `default` user, with `password`
   */
  readonly users?: RedisUser[];

  /**
   * Create Terraform outputs `HANDLE_url`, `HANDLE_tls_url`,
   * `HANDLE_network_url`, `HANDLE_network_tls_url` and
   * `HANDLE_ca_certificate` (all sensitive).
   *
   * @default true
   */
  readonly createOutputs?: boolean;
}
