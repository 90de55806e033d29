import { createHash } from 'crypto';
import { Precondition, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { ContainerConfig, ContainerHealthcheck, containerHealthcheckToTerraform } from '@cdktf/provider-docker/lib/container';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { ContainerLogging } from '../logging/container-logging';
import { deferredString } from './deferred';
import { DockerContainer } from './docker-container';
import { EngineFiles } from './engine';
import { Network, Volume } from './lean-resources';
import { TlsMaterial } from './tls-material';

/** Where things live inside the containers; fixed so configs and tests agree. */
const TLS_PROXY_CONF_PATH = '/usr/local/etc/haproxy/haproxy.cfg';
export const TLS_PEM_PATH = '/usr/local/etc/haproxy/certs/server.pem';
export const DATA_DIR = '/data';
/** Redis's Unix socket for the sidecar lives here, in a volume both containers mount. */
export const SOCKET_DIR = '/run/redis';
export const SOCKET_PATH = `${SOCKET_DIR}/redis.sock`;
export const REDIS_PORT = 6379;
/** The TLS port inside the container, served by the sidecar or by Redis itself. */
export const TLS_PORT = 6380;
/** The `redis` user of the official image (and of the test images). */
export const REDIS_UID = 999;
export const LABEL_PREFIX = 'cdktf-docker-redis';

/**
 * Docker stops a container with this many seconds before SIGKILL. Redis
 * writes its final snapshot on SIGTERM; without time for it the provider's
 * default of 0 kills Redis before it can save.
 */
const REDIS_STOP_GRACE_SECONDS = 60;
const TLS_SIDECAR_MEMORY_MB = 512;
/**
 * HAProxy (the sidecar and the replication tunnel) exits at once on SIGTERM,
 * closing its connections, and keeps no state; the provider's unset default
 * of 0 would still SIGKILL it before it closes them. 10 s is Docker's own
 * default for a stop, the margin a loaded host needs to schedule the exit.
 */
const HAPROXY_STOP_GRACE_SECONDS = 10;

interface RedisNodeData {
  /** A Docker volume mounted at the data directory (persistent flavors). */
  readonly volume?: Volume;
  /** A tmpfs data directory of this many GB (memory-only flavors). */
  readonly tmpfsSizeGb?: number;
}

export interface TlsSidecarSpec {
  readonly imageId: string;
  /** The sidecar's name on the network, which the certificate names. */
  readonly networkAlias: string;
  /** Volume holding Redis's Unix socket, mounted at SOCKET_DIR in both containers. */
  readonly socketVolume: Volume;
  readonly conf: string;
  /** Server certificate, chain and private key in one PEM, as HAProxy reads it. */
  readonly pem: string;
}

/** The PEMs Redis reads itself (Redis 6.0+) and where it reads them. */
export interface NativeTlsSpec {
  readonly material: TlsMaterial;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** The CA that verifies the primary of a follower replicating over TLS, and where it goes. */
  readonly primaryCa?: { readonly file: string; readonly pem: string };
}

/** An HAProxy container a follower replicates through, which carries replication over TLS to a primary on another host. */
export interface ReplicationTunnelSpec {
  readonly imageId: string;
  /** Its name on the follower's network, which the follower's `replicaof` names. */
  readonly networkAlias: string;
  readonly conf: string;
  /** The primary's CA certificate. */
  readonly caPem: string;
}

export const TUNNEL_CA_PATH = '/usr/local/etc/haproxy/primary-ca.pem';
const TUNNEL_MEMORY_MB = 128;

/** A file the server reads: root-owned and readable by its group, which Redis joins, and by no other user. */
export interface ServerFile {
  readonly file: string;
  readonly content: string;
}

/** A mount of a volume or a host directory. */
export interface NodeMount {
  readonly volumeName?: string;
  readonly hostPath?: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/** A script that runs before the server, as the Redis container's entrypoint, ending in `exec` of its arguments: the server and its config. */
export interface NodeStartup {
  /** Uploaded with the server files, and run by `sh`. */
  readonly script: ServerFile;
  /** What it reads besides the data directory. */
  readonly mounts: readonly NodeMount[];
}

export interface RedisNodeSpec {
  readonly handle: string;
  /** The Docker host of both containers. */
  readonly provider?: DockerProvider;
  /** The engine's binaries and config path in its image. */
  readonly files: EngineFiles;
  readonly redisImageId: string;
  /** How the Redis container starts (tokens may resolve at synth); default: the server binary with the config path. */
  readonly entrypoint?: string[];
  readonly command?: string[];
  /** The config file and whatever it names (ACL file, secrets). */
  readonly serverFiles: readonly ServerFile[];
  /** Shell of the Docker healthcheck; it must not contain `${` or `%{`, which Terraform would interpolate. */
  readonly healthcheckScript: string;
  /** Exactly one of `tlsSidecar` and `nativeTls`. */
  readonly tlsSidecar?: TlsSidecarSpec;
  readonly nativeTls?: NativeTlsSpec;
  readonly replicationTunnel?: ReplicationTunnelSpec;
  readonly networkName: string;
  /** The `docker_network` behind `networkName`, when this stack declares it. */
  readonly network?: TerraformResource;
  /** Host address of the TLS port. */
  readonly hostIp: string;
  /** Host address of the plaintext port; undefined publishes no plaintext port. */
  readonly plaintextHostIp?: string;
  /** Host port of plaintext Redis; undefined lets Docker choose one. */
  readonly hostPort?: number;
  /** Host port of the TLS endpoint; undefined lets Docker choose one. */
  readonly hostTlsPort?: number;
  readonly containerSizeMb: number;
  readonly restart: string;
  readonly data: RedisNodeData;
  readonly role: string;
  /** Log driver and options of every container. */
  readonly logging: ContainerLogging;
  readonly startup?: NodeStartup;
  /** Checks of values that reach its files and that Terraform knows only at deploy (deploy-time-checks.ts). */
  readonly preconditions?: Precondition[];
}

/**
 * Every container the library creates drops every capability and may never
 * gain privileges (setuid binaries, file capabilities). None adds one back:
 * each runs as an unprivileged user from its first process (Redis, Sentinel
 * and the backups as 999, HAProxy as `haproxy`, the exporter as 59000),
 * binds only ports above 1024 and reads its root-owned uploads through its
 * groups, none of which needs a capability; Docker itself creates the tmpfs
 * and volume mounts. Written as Docker reads them back (`ALL` as it is; an
 * added one would be upper-case `CAP_X`, in sorted order): `capabilities` and
 * `security_opts` force a new container, so any other spelling would
 * replace it on every apply.
 */
export const CONTAINER_HARDENING: Pick<ContainerConfig, 'capabilities' | 'securityOpts'> = {
  capabilities: { drop: ['ALL'] },
  securityOpts: ['no-new-privileges'],
};

/** The official HAProxy image's unprivileged user (uid 99); its containers run as it from the start. */
const HAPROXY_USER = 'haproxy';

/**
 * What Terraform ignores on read-back, because the daemon, not the plan,
 * decides what Docker stores (kreuzwerker/docker 3.6.2,
 * resource_docker_container_funcs.go, Read):
 *
 * - `log_opts` (driver and options: lib/logging, `containerLogging`): Docker
 *   merges its daemon's default `log-opts` into the options of every container
 *   that uses the daemon's default driver, Read brings them back, and
 *   `log_opts` forces a new container (provider issues 473 and 873).
 * - `ulimit`: Docker stores the daemon's `default-ulimits` in every container
 *   for each name the container does not set, Read brings them all back, and
 *   `ulimit` forces a new container: on such a host every plan would replace
 *   every container.
 * - `memory_swap`: without swap accounting in the kernel Docker stores -1
 *   whatever was asked, and Read writes -1 back: an update on every plan. It
 *   always equals `memory` here, so hashing it also makes a memory change
 *   replace the container rather than update it in place: an update would send
 *   the new memory with the ignored old swap limit, which Docker refuses when
 *   the memory grows past it.
 *
 * Each is in the settings hash wherever the library sets it, so a change of
 * the library's own value still replaces the container.
 */
export const IGNORED_READ_BACK = ['log_opts', 'ulimit', 'memory_swap'];

/**
 * Open files for the servers that accept clients (Redis, Sentinel, HAProxy):
 * Redis's default `maxclients` 10000 plus the 32 descriptors it reserves for
 * itself. Without it a daemon's `default-ulimits` (1024 on some
 * distributions' Docker packages) silently lowers `maxclients` to about 990,
 * and HAProxy's connection limit with it. No higher, so that engines that
 * cannot raise a limit above their own (rootless Docker) can still start it.
 */
export const SERVER_ULIMITS = [{ name: 'nofile', soft: 10032, hard: 10032 }];

/**
 * Container settings a changed value of which the provider (kreuzwerker/docker
 * 3.6.2) would never apply: its update sends only restart, memory and CPU
 * settings to Docker (resource_docker_container_funcs.go), so a new
 * `healthcheck` or `tmpfs` is stored but never reaches the container, and Read
 * brings the old one back on every plan; `log_opts` changes are ignored (see
 * above). Labels force a new container, so this label, a hash of these settings
 * as Terraform sees them, makes a change of any of them replace the container.
 */
export const SETTINGS_HASH_LABEL = `${LABEL_PREFIX}.settings-sha256`;

export interface HashedSettings {
  readonly healthcheck?: unknown;
  readonly tmpfs?: Record<string, string>;
  readonly log_opts: Record<string, string>;
  readonly memory_swap: number;
  readonly ulimit?: ReadonlyArray<{ readonly name: string; readonly soft: number; readonly hard: number }>;
}

/** JSON with sorted keys and without undefined values, so equal settings always hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function settingsHash(settings: HashedSettings): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

/**
 * `type.logical_id`, as `replace_triggered_by` needs it in JSON: cdktf renders
 * a resource given there as `${type.logical_id}`, which Terraform refuses in
 * JSON ("Invalid character"). Deferred, because the logical id may be
 * overridden after the container is built.
 */
function resourceAddress(resource: TerraformResource): string {
  return deferredString(() => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`);
}

/**
 * `replace_triggered_by` of a container: the network and volumes it names.
 * Containers name them, and names stay the same when those are replaced (a
 * label or option change): without this, Terraform would keep the container
 * and the provider's delete of the network or volume would fail after 30 s of
 * "in use" retries.
 */
export function replacedWith(...resources: Array<TerraformResource | undefined>): string[] {
  return resources.filter((r): r is TerraformResource => r !== undefined).map(resourceAddress);
}

/** The labels of one of an instance's containers: handle, role, component, and the hash of its settings the provider would not apply. */
export function componentLabels(handle: string, role: string, component: string, settings: HashedSettings, extra: Record<string, string> = {}) {
  return [
    ...dockerLabels({ handle, role, component, ...extra }),
    { label: SETTINGS_HASH_LABEL, value: settingsHash(settings) },
  ];
}

/** Docker labels under this library's prefix, sorted so plans stay stable. */
export function dockerLabels(values: Record<string, string>) {
  return Object.keys(values)
    .sort()
    .map((key) => ({ label: `${LABEL_PREFIX}.${key}`, value: values[key] }));
}

/**
 * The network a database, or a follower on another host, makes for itself,
 * named after its handle. `ipv6` is the engine's to choose and ignored when
 * read back: an engine whose daemon.json `default-network-opts` enable IPv6
 * on bridge networks (Docker 25 and later) creates it with IPv6, the
 * provider's Read sets `ipv6 = true`, and `ipv6` forces a new network without
 * being Computed (kreuzwerker/docker v3.6.2, resource_docker_network.go):
 * every plan would replace the network and every container on it.
 */
export function ownNetwork(scope: Construct, handle: string, provider: DockerProvider | undefined): Network {
  return new Network(scope, 'Network', {
    provider,
    name: handle,
    labels: dockerLabels({ handle }),
    lifecycle: { ignoreChanges: ['ipv6'] },
  });
}

/**
 * The one place that builds "a Redis container with its TLS endpoint".
 *
 * - `HANDLE` runs Redis on the database network, under the alias `HANDLE`
 *   that followers and the sidecar use, and publishes the plaintext port (and
 *   the TLS port when Redis terminates TLS itself, in native mode).
 * - `HANDLE-tls` runs HAProxy in its own network namespace: it publishes the
 *   TLS port, terminates TLS and forwards to Redis's Unix socket in the
 *   `HANDLE-run` volume both containers mount.
 *
 * Each container has its own namespace on purpose. Containers sharing one
 * (`network_mode = "container:…"`) lose their network when its owner
 * restarts, and after a host reboot Docker starts them in any order and
 * leaves those that came up before their owner exited (moby issue 50326):
 * Redis would stay down after every reboot.
 */
export class RedisNode extends Construct {
  /** Host port of plaintext Redis, or of the TLS endpoint when none is published (a token when Docker chooses it). */
  public readonly hostPort: number;
  /** Host port of the TLS endpoint (a token when Docker chooses it). */
  public readonly hostTlsPort: number;
  /** The container created last: depending on it means both endpoints exist. */
  public readonly dependableFqn: string;

  constructor(scope: Construct, id: string, spec: RedisNodeSpec) {
    super(scope, id);
    const roleLabels = (component: string, settings: HashedSettings, extra: Record<string, string> = {}) =>
      componentLabels(spec.handle, spec.role, component, settings, extra);
    const port = (internal: number, external: number | undefined, ip: string) => ({ internal, external, ip, protocol: 'tcp' });
    const plaintextPorts = spec.plaintextHostIp === undefined ? [] : [port(REDIS_PORT, spec.hostPort, spec.plaintextHostIp)];

    // Shows the size in `docker inspect`; the settings hash is what replaces the container when it changes.
    const dataLabels: Record<string, string> = spec.data.tmpfsSizeGb === undefined ? {} : { 'tmpfs-size-gb': String(spec.data.tmpfsSizeGb) };
    const socketVolumeName = spec.tlsSidecar?.socketVolume.name;

    // Uploads are owned by root. The config and the files it names hold
    // secrets (masterauth, the health user's password): readable by group
    // root, which Redis (uid 999) joins below, and by nobody else.
    const uploads = [...spec.serverFiles, ...(spec.startup ? [spec.startup.script] : [])].map((f) => ({ ...f, permissions: '0640' }));
    if (spec.nativeTls) {
      const { material, certFile, caFile, keyFile } = spec.nativeTls;
      uploads.push(
        { file: certFile, content: material.certificatePem, permissions: '0644' },
        { file: caFile, content: material.caCertificatePem, permissions: '0644' },
        { file: keyFile, content: material.privateKeyPem, permissions: '0640' },
      );
      if (spec.nativeTls.primaryCa) uploads.push({ file: spec.nativeTls.primaryCa.file, content: spec.nativeTls.primaryCa.pem, permissions: '0644' });
    }

    const redisHealthcheck: ContainerHealthcheck = {
      test: ['CMD-SHELL', spec.healthcheckScript],
      interval: '10s',
      timeout: '5s',
      retries: 3,
      startPeriod: '30s',
    };
    const tmpfs = spec.data.tmpfsSizeGb === undefined ? undefined : {
      [DATA_DIR]: `size=${spec.data.tmpfsSizeGb}g,uid=${REDIS_UID},gid=${REDIS_UID},mode=0700`,
    };
    const redis = new DockerContainer(this, 'Redis', {
      provider: spec.provider,
      name: spec.handle,
      image: spec.redisImageId,
      entrypoint: spec.startup ? ['sh', spec.startup.script.file] : spec.entrypoint ?? [spec.files.serverBinary],
      command: spec.startup ? [spec.files.serverBinary, spec.files.configPath] : spec.command ?? [spec.files.configPath],
      user: `${REDIS_UID}:${REDIS_UID}`,
      groupAdd: ['0'],
      ...CONTAINER_HARDENING,
      hostname: spec.handle,
      networksAdvanced: [{ name: spec.networkName, aliases: [spec.handle] }],
      ports: spec.nativeTls ? [...plaintextPorts, port(TLS_PORT, spec.hostTlsPort, spec.hostIp)] : plaintextPorts,
      memory: spec.containerSizeMb,
      memorySwap: spec.containerSizeMb,
      restart: spec.restart,
      // The provider's default (true) deletes a stopped container at the next
      // refresh, even in `cdktf diff`; a database someone stopped on purpose
      // stays until a deploy, which replaces and starts it (README, "Day two").
      mustRun: false,
      stopTimeout: REDIS_STOP_GRACE_SECONDS,
      destroyGraceSeconds: REDIS_STOP_GRACE_SECONDS,
      upload: uploads,
      healthcheck: redisHealthcheck,
      volumes: [
        ...(spec.data.volume === undefined ? [] : [{ volumeName: spec.data.volume.name, containerPath: DATA_DIR }]),
        ...(socketVolumeName === undefined ? [] : [{ volumeName: socketVolumeName, containerPath: SOCKET_DIR }]),
        ...(spec.startup?.mounts ?? []),
      ],
      tmpfs,
      ulimit: SERVER_ULIMITS,
      labels: roleLabels('redis', {
        healthcheck: containerHealthcheckToTerraform(redisHealthcheck), tmpfs, log_opts: spec.logging.logOpts, memory_swap: spec.containerSizeMb, ulimit: SERVER_ULIMITS,
      }, dataLabels),
      ...spec.logging,
      lifecycle: {
        ignoreChanges: IGNORED_READ_BACK,
        replaceTriggeredBy: replacedWith(spec.network, spec.data.volume, spec.tlsSidecar?.socketVolume),
        ...(spec.preconditions && spec.preconditions.length > 0 ? { precondition: spec.preconditions } : {}),
      },
    });

    if (spec.replicationTunnel) {
      const tunnel = spec.replicationTunnel;
      new DockerContainer(this, 'ReplicationTunnel', {
        provider: spec.provider,
        name: `${spec.handle}-tunnel`,
        image: tunnel.imageId,
        entrypoint: ['haproxy'],
        command: ['-W', '-db', '-f', TLS_PROXY_CONF_PATH],
        // Its files are world-readable (a config and a CA certificate), and it binds a port above 1024: no root needed.
        user: HAPROXY_USER,
        ...CONTAINER_HARDENING,
        hostname: tunnel.networkAlias,
        // On the follower's network only, publishing nothing: the one way to the primary is through TLS.
        networksAdvanced: [{ name: spec.networkName, aliases: [tunnel.networkAlias] }],
        memory: TUNNEL_MEMORY_MB,
        memorySwap: TUNNEL_MEMORY_MB,
        restart: spec.restart,
        mustRun: false,
        destroyGraceSeconds: HAPROXY_STOP_GRACE_SECONDS,
        upload: [
          { file: TLS_PROXY_CONF_PATH, content: tunnel.conf, permissions: '0644' },
          { file: TUNNEL_CA_PATH, content: tunnel.caPem, permissions: '0644' },
        ],
        labels: roleLabels('tunnel', { log_opts: spec.logging.logOpts, memory_swap: TUNNEL_MEMORY_MB }),
        ...spec.logging,
        lifecycle: {
          ignoreChanges: IGNORED_READ_BACK,
          replaceTriggeredBy: replacedWith(spec.network),
        },
      });
    }

    if (spec.tlsSidecar) {
      const sidecar = new DockerContainer(this, 'TlsSidecar', {
        provider: spec.provider,
        name: `${spec.handle}-tls`,
        image: spec.tlsSidecar.imageId,
        entrypoint: ['haproxy'],
        command: ['-W', '-db', '-f', TLS_PROXY_CONF_PATH],
        // Redis's group for its Unix socket (770), and group root for the key's 0640 root-owned PEM: no root needed.
        user: `${HAPROXY_USER}:${REDIS_UID}`,
        groupAdd: ['0'],
        ...CONTAINER_HARDENING,
        hostname: spec.tlsSidecar.networkAlias,
        networksAdvanced: [{ name: spec.networkName, aliases: [spec.tlsSidecar.networkAlias] }],
        ports: [port(TLS_PORT, spec.hostTlsPort, spec.hostIp)],
        volumes: [{ volumeName: socketVolumeName!, containerPath: SOCKET_DIR }],
        // Without memory_swap Docker allows as much swap again and stores twice the memory, which the provider reads back as a change on every plan.
        memory: TLS_SIDECAR_MEMORY_MB,
        memorySwap: TLS_SIDECAR_MEMORY_MB,
        restart: spec.restart,
        mustRun: false,
        destroyGraceSeconds: HAPROXY_STOP_GRACE_SECONDS,
        upload: [
          { file: TLS_PROXY_CONF_PATH, content: spec.tlsSidecar.conf, permissions: '0644' },
          { file: TLS_PEM_PATH, content: spec.tlsSidecar.pem, permissions: '0640' },
        ],
        ulimit: SERVER_ULIMITS,
        labels: roleLabels('tls', { log_opts: spec.logging.logOpts, memory_swap: TLS_SIDECAR_MEMORY_MB, ulimit: SERVER_ULIMITS }),
        // Only ordering: whoever depends on the sidecar then also waits for Redis.
        dependsOn: [redis],
        ...spec.logging,
        lifecycle: {
          ignoreChanges: IGNORED_READ_BACK,
          replaceTriggeredBy: replacedWith(spec.network, spec.tlsSidecar.socketVolume),
        },
      });
      this.hostTlsPort = spec.hostTlsPort ?? sidecar.publishedPort(0);
      this.dependableFqn = sidecar.fqn;
    } else {
      this.hostTlsPort = spec.hostTlsPort ?? redis.publishedPort(plaintextPorts.length);
      this.dependableFqn = redis.fqn;
    }
    // Without a published plaintext port, `hostPort` is the TLS one: see `publishPlaintext`.
    this.hostPort = plaintextPorts.length === 0 ? this.hostTlsPort : spec.hostPort ?? redis.publishedPort(0);
  }
}

/**
 * The settings every container of an instance shares, for the containers
 * other modules add beside `RedisNode` (the metrics exporter): dropped
 * capabilities, labels with the settings hash, logging with Terraform
 * ignoring its read-back, and replacement with the network the
 * container names.
 */
export function companionContainerSettings(spec: { handle: string; role: string; component: string; network?: TerraformResource; memoryMb: number; logging: ContainerLogging }):
Pick<ContainerConfig, 'labels' | 'logDriver' | 'logOpts' | 'lifecycle' | 'capabilities' | 'securityOpts' | 'memory' | 'memorySwap'> {
  return {
    ...CONTAINER_HARDENING,
    // memory_swap equal to memory: no swap, and the form Docker stores where swap accounting is on.
    memory: spec.memoryMb,
    memorySwap: spec.memoryMb,
    labels: [
      ...dockerLabels({ handle: spec.handle, role: spec.role, component: spec.component }),
      { label: SETTINGS_HASH_LABEL, value: settingsHash({ log_opts: spec.logging.logOpts, memory_swap: spec.memoryMb }) },
    ],
    ...spec.logging,
    lifecycle: {
      ignoreChanges: IGNORED_READ_BACK,
      replaceTriggeredBy: spec.network ? [resourceAddress(spec.network)] : [],
    },
  };
}
