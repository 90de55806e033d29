import { Network } from '@cdktf/provider-docker/lib/network';
import { Construct } from 'constructs';
import { IRedisDatabase, RedisCredentials, RedisInstanceOptions } from './redis-options';
import { RedisVersion } from './redis-version';
import { buildRedisService, checkInstanceOptions, lookUpVersion, resolveHandle } from './private/redis-service';
import { dockerLabels, REDIS_PORT } from './private/redis-node';
import { ProblemList } from './private/validation';

/** Props of a {@link RedisDatabase}. */
export interface RedisDatabaseProps extends RedisInstanceOptions {
  /**
   * Catalog version, such as `"7.2"` (RDB snapshots) or `"7.2-nordb"` (memory
   * only). `RedisVersion.NAMES` lists them.
   *
   * @default - the newest persistent version (`RedisVersion.DEFAULT`)
   */
  readonly version?: string;

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
}

/**
 * A Redis database on a Docker host: Redis with its config, a data volume (or
 * a tmpfs for memory-only versions), a TLS sidecar, a password and two
 * credentials, `redis://` and `rediss://`.
 */
export class RedisDatabase extends Construct implements IRedisDatabase {
  public readonly handle: string;
  public readonly version: RedisVersion;
  public readonly credentials: RedisCredentials;
  public readonly networkName: string;
  public readonly networkHost: string;
  public readonly networkPort: number;

  constructor(scope: Construct, id: string, props: RedisDatabaseProps = {}) {
    super(scope, id);
    this.handle = resolveHandle(id, props.handle);
    const owner = `RedisDatabase ${this.handle}`;
    const problems = new ProblemList(owner);

    const version = lookUpVersion(problems, props.version ?? RedisVersion.DEFAULT.name);
    const port = props.port ?? 6379;
    const tlsPort = props.tlsPort ?? 6380;
    checkInstanceOptions(this, problems, owner, this.handle, version, props, port, tlsPort);
    problems.throwIfAny();
    this.version = version!;

    this.networkName = props.network?.name ?? new Network(this, 'Network', {
      name: this.handle,
      labels: dockerLabels({ handle: this.handle }),
    }).name;
    this.networkHost = this.handle;
    this.networkPort = REDIS_PORT;

    this.credentials = buildRedisService(this, {
      kind: 'database',
      handle: this.handle,
      version: this.version,
      options: props,
      hostPort: port,
      hostTlsPort: tlsPort,
      networkName: this.networkName,
    });
  }
}
