import { ITerraformDependable } from 'cdktf';
import { Network } from '@cdktf/provider-docker/lib/network';
import { Construct } from 'constructs';
import { RedisBackupFile } from './backup/backup-file';
import { RedisBackupOptions } from './backup/backup-options';
import { IRedisDatabase, RedisCredentials, RedisInstanceOptions, RedisInstanceSettings } from './redis-options';
import { RedisVersion } from './redis-version';
import { checkInstanceOptions, checkInstanceSettings, InstanceCheck, lookUpVersion } from './private/instance-checks';
import { ownNetwork, REDIS_PORT } from './private/redis-node';
import { buildInstance, checkCapabilities } from './instance/build-instance';
import { Capability } from './private/capability';
import { networkTlsHostFor } from './private/instance-core';
import { resolveSettings } from './private/settings';
import { HostPortRequest, recordNetwork } from './private/stack-registry';
import { withoutTokenTraces } from './private/token-traces';
import { appUserCredentials } from './users/instance-users';

const DEFAULT_PORT = 6379;
const DEFAULT_TLS_PORT = 6380;

/** Props of a {@link RedisDatabase}. */
export interface RedisDatabaseProps extends RedisInstanceOptions {
  /**
   * Catalog version: `RedisVersion.V7_2` (RDB snapshots), `RedisVersion.V7_2_NORDB`
   * (memory only), or `RedisVersion.of('7.2')`. JavaScript callers may pass
   * the catalog name as a string (`'7.2'`).
   *
   * @default RedisVersion.DEFAULT - the newest persistent Redis version
   */
  readonly version?: RedisVersion;

  /**
   * Host port of the plaintext endpoint.
   *
   * @default 6379
   */
  readonly port?: number;

  /**
   * Host port of the TLS endpoint.
   *
   * @default 6380
   */
  readonly tlsPort?: number;

  /**
   * An existing Docker network to attach to, shared with the apps that use
   * the database.
   *
   * @default - a network named after the handle, which followers and apps can join
   */
  readonly network?: Network;

  /**
   * Backups: on a schedule and on demand, kept by a retention policy, in a
   * place that outlives the database (see README, "Backups").
   *
   * @default - daily backups, 30 daily and 12 monthly kept, in the Docker volume `HANDLE-backups`, for persistent versions; none for memory-only ones
   */
  readonly backup?: RedisBackupOptions;

  /**
   * A backup to seed this new database from, on its first start only (a
   * marker in the data directory records that it happened). The file's
   * checksum and contents are verified first; a data directory that already
   * holds data is refused. Persistent versions only.
   *
   * @default - the database starts empty
   */
  readonly restoreFrom?: RedisBackupFile;
}

/**
 * A Redis database on a Docker host: Redis with its config, a data volume (or
 * a tmpfs for memory-only versions), a TLS sidecar, a password and
 * credentials, `redis://` and `rediss://`, for the host and for the Docker
 * network. Other resources can `dependsOn` it: they then wait until its
 * containers exist.
 */
export class RedisDatabase extends Construct implements IRedisDatabase, ITerraformDependable {
  public readonly handle: string;
  public readonly version: RedisVersion;
  public readonly credentials: RedisCredentials;
  public readonly networkName: string;
  public readonly networkHost: string;
  public readonly networkPort: number;
  public readonly settings: RedisInstanceSettings;
  /** The Terraform address other resources' `dependsOn` waits for: its last container. */
  public readonly fqn: string;
  /** `http://HOST:PORT/metrics` of its exporter, when `metrics` is enabled. */
  public readonly metricsUrl?: string;
  private readonly appCredentials: ReadonlyMap<string, RedisCredentials>;

  constructor(scope: Construct, id: string, props: RedisDatabaseProps = {}) {
    super(scope, id);
    const check = new InstanceCheck(this, 'RedisDatabase', id, props.handle, props.provider);
    this.handle = check.handle;
    const ports: HostPortRequest[] = [
      { prop: 'port', port: props.port ?? DEFAULT_PORT, isDefault: props.port === undefined },
      { prop: 'tlsPort', port: props.tlsPort ?? DEFAULT_TLS_PORT, isDefault: props.tlsPort === undefined },
    ];
    const version = lookUpVersion(check, props.version, RedisVersion.DEFAULT);
    checkInstanceOptions(check, props, ports);
    const settings = version && resolveSettings(version, props);
    let capabilities: readonly Capability[] = [];
    if (version && settings) {
      checkInstanceSettings(check, version, props, settings, ports, networkTlsHostFor(this.handle, settings.tlsMode));
      capabilities = checkCapabilities({ check, kind: 'database', version, props, settings, ports });
    }
    check.problems.throwIfAny();
    this.version = version!;
    this.settings = settings!;

    const { networkName, service } = withoutTokenTraces(() => {
      const network = props.network ?? ownNetwork(this, this.handle, props.provider);
      const name = network.name;
      recordNetwork(this, name, network);
      return {
        networkName: name,
        service: buildInstance(this, {
          kind: 'database',
          handle: this.handle,
          version: this.version,
          options: props,
          settings: this.settings,
          hostPort: ports[0].port,
          hostTlsPort: ports[1].port,
          networkName: name,
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
}
