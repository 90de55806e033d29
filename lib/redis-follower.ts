import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { IRedisDatabase, RedisCredentials, RedisInstanceOptions } from './redis-options';
import { RedisVersion } from './redis-version';
import { buildRedisService, checkInstanceOptions, lookUpVersion, resolveHandle } from './private/redis-service';
import { REDIS_PORT } from './private/redis-node';
import { ProblemList } from './private/validation';

/** Props of a {@link RedisFollower}. */
export interface RedisFollowerProps extends RedisInstanceOptions {
  /** The database (or follower) to replicate from. */
  readonly primary: IRedisDatabase;

  /**
   * Catalog version; never older than the primary's, since a replica cannot
   * load the snapshot format of a newer release.
   *
   * @default - the primary's version
   */
  readonly version?: string;

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

/**
 * A read-only replica of a Redis database (or of another follower), with its
 * own TLS sidecar, password and credentials. It replicates over the primary's
 * Docker network, authenticating with the primary's password.
 */
export class RedisFollower extends Construct implements IRedisDatabase {
  public readonly handle: string;
  public readonly version: RedisVersion;
  public readonly credentials: RedisCredentials;
  public readonly networkName: string;
  public readonly networkHost: string;
  public readonly networkPort: number;
  /** The database this follower replicates from. */
  public readonly primary: IRedisDatabase;

  constructor(scope: Construct, id: string, props: RedisFollowerProps) {
    super(scope, id);
    this.handle = resolveHandle(id, props.handle);
    this.primary = props.primary;
    const owner = `RedisFollower ${this.handle}`;
    const problems = new ProblemList(owner);

    const version = lookUpVersion(problems, props.version ?? props.primary.version.name);
    if (version?.isOlderThan(props.primary.version)) {
      problems.add(
        `\`version\` "${version.name}" is older than the primary's "${props.primary.version.name}": a follower must run ${props.primary.version.engineVersion} or newer`,
      );
    }
    checkInstanceOptions(this, problems, owner, this.handle, version, props, props.port, props.tlsPort);
    problems.throwIfAny();
    this.version = version!;

    if (!props.primary.version.persistent) {
      Annotations.of(this).addWarning(
        `${owner}: its primary ${props.primary.handle} is memory-only; when the primary restarts empty, this follower replicates the empty data set and loses everything`,
      );
    }

    this.networkName = props.primary.networkName;
    this.networkHost = this.handle;
    this.networkPort = REDIS_PORT;

    this.credentials = buildRedisService(this, {
      kind: 'follower',
      handle: this.handle,
      version: this.version,
      options: props,
      hostPort: props.port,
      hostTlsPort: props.tlsPort,
      networkName: this.networkName,
      replicaOf: {
        host: props.primary.networkHost,
        port: props.primary.networkPort,
        password: props.primary.credentials.password,
      },
    });
  }
}
