import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { refuseBackupProps } from './backup/backup-checks';
import { IRedisDatabase, RedisCredentials, RedisInstanceOptions, RedisInstanceSettings } from './redis-options';
import { RedisVersion } from './redis-version';
import { incompatibility } from './private/compatibility';
import { engineFeatures } from './private/engine';
import { dockerHostName } from './private/docker-hosts';
import { internalsOf } from './private/internals';
import { checkInstanceOptions, checkInstanceSettings, InstanceCheck, lookUpVersion } from './private/instance-checks';
import { REDIS_PORT } from './private/redis-node';
import { buildRedisService, networkTlsHostFor } from './private/redis-service';
import { resolveSettings } from './private/settings';
import { HostPortRequest } from './private/stack-registry';
import { checkUsers } from './users/user-checks';

/** Props of a {@link RedisFollower}. */
export interface RedisFollowerProps extends RedisInstanceOptions {
  /** The database (or follower) to replicate from. */
  readonly primary: IRedisDatabase;

  /**
   * Catalog version; never older than the primary's, and able to read the
   * primary's snapshot format (see README, "Versions"). JavaScript callers may
   * pass the catalog name as a string.
   *
   * @default - the primary's version
   */
  readonly version?: RedisVersion;

  /**
   * Host port of the plaintext endpoint.
   *
   * @default - Docker chooses a free port; read it from `credentials.port`
   */
  readonly port?: number;

  /**
   * Host port of the TLS endpoint.
   *
   * @default - Docker chooses a free port; read it from `credentials.tlsPort`
   */
  readonly tlsPort?: number;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

/**
 * A read-only replica of a Redis database (or of another follower), with its
 * own TLS sidecar, password and credentials. It replicates over the primary's
 * Docker network, as the primary's replication user (its password before
 * Redis 6), and takes the
 * primary's settings (memory, disk, policy, TLS mode, published address, host
 * name) unless its props say otherwise.
 */
export class RedisFollower extends Construct implements IRedisDatabase, ITerraformDependable {
  public readonly handle: string;
  public readonly version: RedisVersion;
  public readonly credentials: RedisCredentials;
  public readonly networkName: string;
  public readonly networkHost: string;
  public readonly networkPort: number;
  public readonly settings: RedisInstanceSettings;
  /** The Terraform address other resources' `dependsOn` waits for: its last container. */
  public readonly fqn: string;
  private readonly appCredentials: ReadonlyMap<string, RedisCredentials>;
  /** The database this follower replicates from. */
  public readonly primary: IRedisDatabase;

  constructor(scope: Construct, id: string, props: RedisFollowerProps) {
    super(scope, id);
    const check = new InstanceCheck(this, 'RedisFollower', id, props.handle, props.provider);
    this.handle = check.handle;
    this.primary = props.primary;
    const primary = props.primary;
    const ports: HostPortRequest[] = [
      { prop: 'port', port: props.port, isDefault: false },
      { prop: 'tlsPort', port: props.tlsPort, isDefault: false },
    ];
    const primaryInternals = internalsOf(primary);
    if (!primaryInternals) {
      check.problems.add(`\`primary\` must be a RedisDatabase or RedisFollower: this library knows how to replicate only from those, got ${primary.node.path}`);
    } else if (primaryInternals.hostKey !== check.hostKey) {
      check.problems.add(
        `\`provider\` puts this follower on ${dockerHostName(check.hostKey)} and its primary ${primary.handle} on ${dockerHostName(primaryInternals.hostKey)}: ` +
        'followers on another Docker host than their primary are not supported yet; give both the same provider',
      );
    }
    const primaryLogin = primaryInternals?.replication;
    const version = lookUpVersion(check, props.version, primary.version);
    if (version) {
      const reason = incompatibility(primary.version, version);
      if (reason) check.problems.add(`\`version\` cannot replicate from its primary ${primary.handle}: ${reason}`);
    }
    checkInstanceOptions(check, props, ports);
    refuseBackupProps(check, props);
    const settings = version && resolveSettings(version, props, {
      settings: primary.settings,
      persistent: primary.version.persistent,
      sameHost: true,
    });
    if (version && settings) {
      checkInstanceSettings(check, version, props, settings, ports, networkTlsHostFor(this.handle, settings.tlsMode));
      checkUsers(check, version, props.users);
      this.warnAboutPrimary(check, version, settings);
    }
    check.problems.throwIfAny();
    this.version = version!;
    this.settings = settings!;

    this.networkName = primary.networkName;
    this.networkHost = this.handle;
    this.networkPort = REDIS_PORT;

    const service = buildRedisService(this, {
      kind: 'follower',
      handle: this.handle,
      version: this.version,
      options: props,
      settings: this.settings,
      hostPort: props.port,
      hostTlsPort: props.tlsPort,
      networkName: this.networkName,
      replicaOf: {
        host: primary.networkHost,
        port: primary.networkPort,
        user: primaryLogin!.user,
        password: primaryLogin!.password,
      },
    });
    this.credentials = service.credentials;
    this.appCredentials = service.appCredentials;
    this.fqn = service.dependableFqn;
  }

  /**
   * The credentials of the app user `name`, one of the `users` prop: the same
   * endpoints as `credentials`, with that user's name and password.
   */
  public credentialsFor(name: string): RedisCredentials {
    const found = this.appCredentials.get(name);
    if (!found) {
      const known = [...this.appCredentials.keys()];
      throw new Error(`${this.node.path}: no user "${name}" in \`users\`${known.length > 0 ? `; its users are ${known.join(', ')}` : ' (none is declared)'}`);
    }
    return found;
  }

  private warnAboutPrimary(check: InstanceCheck, version: RedisVersion, settings: RedisInstanceSettings): void {
    const primary = this.primary;
    const theirs = primary.settings;
    if (!primary.version.persistent) {
      check.warn(`its primary ${primary.handle} is memory-only; when the primary restarts empty, this follower replicates the empty data set and loses everything`);
    }
    if (settings.containerSizeMb < theirs.containerSizeMb) {
      check.warn(
        `\`containerSizeMb\` ${settings.containerSizeMb} is less than its primary ${primary.handle}'s ${theirs.containerSizeMb}: a replica keeps the primary's whole data set and does not evict at \`maxmemory\`, ` +
        `so once the primary holds more than this container's memory the follower is OOM-killed and replication restarts over and over`,
      );
    }
    if (version.persistent && primary.version.persistent && settings.size < theirs.size) {
      check.warn(`\`size\` ${settings.size} GB is less than its primary ${primary.handle}'s ${theirs.size} GB: the follower writes the same snapshots, and a full disk stops its snapshots and replication`);
    }
    const wider = (settings.hostIp === '0.0.0.0' && theirs.hostIp !== '0.0.0.0') || (isLoopback(theirs.hostIp) && !isLoopback(settings.hostIp));
    if (wider) {
      check.warn(`\`hostIp\` ${settings.hostIp} publishes this copy of the data more widely than its primary ${primary.handle} (${theirs.hostIp}): it can be reached where the primary cannot`);
    }
    if (!version.persistent && !engineFeatures(version).disklessLoad) {
      check.warn(`memory-only ${version.name} cannot load a full sync from the socket (Redis 6.0 added that): the primary's snapshot is written to the tmpfs data dir first and counts against \`containerSizeMb\` ${settings.containerSizeMb} until it is loaded`);
    }
  }
}
