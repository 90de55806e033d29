import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { IRedisDatabase, RedisCredentials, RedisInstanceOptions, RedisInstanceSettings } from './redis-options';
import { RedisVersion } from './redis-version';
import { incompatibility } from './private/compatibility';
import { engineFeatures } from './private/engine';
import { internalsOf } from './private/internals';
import { checkInstanceOptions, checkInstanceSettings, InstanceCheck, lookUpVersion } from './private/instance-checks';
import { ownNetwork, REDIS_PORT } from './private/redis-node';
import { buildInstance, checkCapabilities } from './instance/build-instance';
import { Capability } from './private/capability';
import { networkTlsHostFor } from './private/instance-core';
import { resolveSettings } from './private/settings';
import { HostPortRequest, recordNetwork } from './private/stack-registry';
import { withoutTokenTraces } from './private/token-traces';
import { appUserCredentials } from './users/instance-users';
import { isLoopback } from './private/validation';

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

  /**
   * Where this follower's Docker host reaches its primary's published ports:
   * a host name or IPv4 address. Required, and only allowed, when `provider`
   * puts the follower on another Docker host than its primary. It then
   * replicates only over TLS to the primary's TLS port, verified against the
   * primary's own CA: natively (`tls-replication yes`) in native TLS mode,
   * else through an HAProxy tunnel on this host that also checks the host
   * name. The primary's certificate must name this address (its
   * `announceAddress` or `tlsHostnames`).
   *
   * @default - none: the follower replicates over its primary's Docker network
   */
  readonly primaryAddress?: string;

  /**
   * Use the primary's password, app users, internal users' secret and CA
   * instead of generating its own (its certificate is signed by the
   * primary's CA): the follower is then another node of the same database,
   * as a `RedisFailover` group needs, so after a promotion clients,
   * `masterauth` and certificate checks stay right. `password`, `users` and
   * TLS material must then be left out. Changing it on a deployed follower
   * replaces its config (and its generated secrets).
   *
   * @default false - the follower has its own password, users and CA
   */
  readonly sharePrimaryCredentials?: boolean;
}

/**
 * A read-only replica of a Redis database (or of another follower), with its
 * own TLS endpoint, password and credentials. On its primary's Docker host it
 * replicates over the primary's Docker network; on another host (`provider`
 * and `primaryAddress`) only over TLS, verified against the primary's CA. It
 * logs in as the primary's replication user (its password before Redis 6),
 * and takes the primary's settings (memory, disk, policy, TLS mode, and on
 * the same host its published address and host name) unless its props say
 * otherwise.
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
  /** `http://HOST:PORT/metrics` of its exporter, when `metrics` is enabled (its own, or its primary's). */
  public readonly metricsUrl?: string;
  private readonly appCredentials: ReadonlyMap<string, RedisCredentials>;
  /** The database this follower replicates from. */
  public readonly primary: IRedisDatabase;
  /** Whether it uses its primary's password, users and CA (`sharePrimaryCredentials`). */
  public readonly sharesPrimaryCredentials: boolean;

  constructor(scope: Construct, id: string, props: RedisFollowerProps) {
    super(scope, id);
    const check = new InstanceCheck(this, 'RedisFollower', id, props.handle, props.provider);
    this.handle = check.handle;
    this.primary = props.primary;
    this.sharesPrimaryCredentials = props.sharePrimaryCredentials ?? false;
    const primary = props.primary;
    const ports: HostPortRequest[] = [
      { prop: 'port', port: props.port, isDefault: false },
      { prop: 'tlsPort', port: props.tlsPort, isDefault: false },
    ];
    const primaryInternals = internalsOf(primary);
    if (!primaryInternals) {
      check.problems.add(`\`primary\` must be a RedisDatabase or RedisFollower: this library knows how to replicate only from those, got ${primary.node.path}`);
    }
    const sameHost = primaryInternals === undefined || primaryInternals.hostKey === check.hostKey;
    if (props.sharePrimaryCredentials) {
      const own = (['password', 'users', 'tlsCertificatePem', 'tlsPrivateKeyPem', 'tlsCaCertificatePem'] as const).filter((prop) => props[prop] !== undefined);
      if (own.length > 0) check.problems.add(`\`${own.join('`, `')}\` cannot be given with \`sharePrimaryCredentials\`, which takes them from ${primary.handle}: leave them out`);
      if (primaryInternals && !primaryInternals.secrets.ca) {
        check.problems.add(`\`sharePrimaryCredentials\` needs ${primary.handle}'s generated CA to sign this follower's certificate, and ${primary.handle} has supplied TLS material: let both generate theirs`);
      }
    }
    const primaryLogin = primaryInternals?.replication;
    const version = lookUpVersion(check, props.version, primary.version);
    if (version) {
      const reason = incompatibility(primary.version, version);
      if (reason) check.problems.add(`\`version\` cannot replicate from its primary ${primary.handle}: ${reason}`);
    }
    checkInstanceOptions(check, props, ports);
    const settings = version && resolveSettings(version, props, {
      settings: primary.settings,
      persistent: primary.version.persistent,
      sameHost,
    });
    let capabilities: readonly Capability[] = [];
    if (version && settings) {
      checkInstanceSettings(check, version, props, settings, ports, networkTlsHostFor(this.handle, settings.tlsMode));
      this.warnAboutPrimary(check, version, settings, sameHost);
      capabilities = checkCapabilities({
        check, kind: 'follower', version, props, settings, ports,
        primary: { database: primary, internals: primaryInternals, sameHost, address: props.primaryAddress },
      });
    }
    check.problems.throwIfAny();
    this.version = version!;
    this.settings = settings!;

    const { networkName, service } = withoutTokenTraces(() => {
      let name = primary.networkName;
      if (!sameHost) {
        // The primary's network is on another host: a follower there gets a network of its own, as a database does.
        const network = ownNetwork(this, this.handle, props.provider);
        name = network.name;
        recordNetwork(this, name, network);
      }
      return {
        networkName: name,
        service: buildInstance(this, {
          kind: 'follower',
          handle: this.handle,
          version: this.version,
          options: props,
          settings: this.settings,
          hostPort: props.port,
          hostTlsPort: props.tlsPort,
          networkName: name,
          replicaOf: {
            host: primary.networkHost,
            port: primary.networkPort,
            user: primaryLogin!.user,
            password: primaryLogin!.password,
          },
          shared: props.sharePrimaryCredentials ? primaryInternals!.secrets : undefined,
          capabilities,
        }),
      };
    });
    this.networkName = networkName;
    this.networkHost = this.handle;
    this.networkPort = REDIS_PORT;
    this.credentials = service.credentials;
    this.appCredentials = service.appCredentials;
    this.fqn = service.dependableFqn;
    this.metricsUrl = service.metricsUrl;
  }

  /**
   * The credentials of the app user `name`, one of the `users` prop: the same
   * endpoints as `credentials`, with that user's name and password.
   */
  public credentialsFor(name: string): RedisCredentials {
    return appUserCredentials(this, this.appCredentials, name);
  }

  private warnAboutPrimary(check: InstanceCheck, version: RedisVersion, settings: RedisInstanceSettings, sameHost: boolean): void {
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
    const wider = (mine: string, primarys: string) => sameHost && ((mine === '0.0.0.0' && primarys !== '0.0.0.0') || (isLoopback(primarys) && !isLoopback(mine)));
    if (wider(settings.hostIp, theirs.hostIp)) {
      check.warn(`\`hostIp\` ${settings.hostIp} publishes this copy of the data more widely than its primary ${primary.handle} (${theirs.hostIp}): it can be reached where the primary cannot`);
    }
    const theirPlaintext = theirs.publishPlaintext ? theirs.plaintextHostIp : undefined;
    if (sameHost && settings.publishPlaintext && (theirPlaintext === undefined || wider(settings.plaintextHostIp, theirPlaintext))) {
      check.warn(
        `\`plaintextHostIp\` ${settings.plaintextHostIp} publishes this copy of the data in plaintext more widely than its primary ${primary.handle} ` +
        `(${theirPlaintext ?? 'no plaintext port'}): it can be read in clear where the primary cannot`,
      );
    }
    if (!version.persistent && !engineFeatures(version).disklessLoad) {
      check.warn(`memory-only ${version.name} cannot load a full sync from the socket (Redis 6.0 added that): the primary's snapshot is written to the tmpfs data dir first and counts against \`containerSizeMb\` ${settings.containerSizeMb} until it is loaded`);
    }
  }
}
