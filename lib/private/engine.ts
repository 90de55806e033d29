/**
 * What differs between the servers the catalog runs, decided in one place
 * from the engine and its release line. Valkey forked from Redis 7.2.4 and
 * keeps everything Redis 7.2 has, so Valkey entries count as Redis 7.2 for
 * the features below; features Redis added after 7.2 are checked per engine.
 */

export type EngineName = 'redis' | 'valkey';

export interface EngineRelease {
  readonly engine: EngineName;
  readonly major: number;
  readonly minor: number;
}

/** The binaries and paths of an engine's official image (docker-library/redis, valkey-io/valkey-container). */
export interface EngineFiles {
  /** "Redis" or "Valkey". */
  readonly productName: string;
  /** For messages, such as "Redis 7.2" or "Valkey 8.1". */
  readonly displayName: string;
  readonly serverBinary: string;
  readonly cliBinary: string;
  /** Sentinel: the server binary's `sentinel` mode under its own name. */
  readonly sentinelBinary: string;
  /** Where the construct uploads the config file; the official images read none by default. */
  readonly configPath: string;
  /** The directory of the config file and the other files the construct uploads for the server. */
  readonly configDir: string;
  /** Directory of the native TLS files. */
  readonly tlsDir: string;
}

export function engineFiles(release: EngineRelease): EngineFiles {
  const engine = release.engine;
  const productName = engine === 'redis' ? 'Redis' : 'Valkey';
  return {
    productName,
    displayName: `${productName} ${release.major}.${release.minor}`,
    serverBinary: `${engine}-server`,
    cliBinary: `${engine}-cli`,
    sentinelBinary: `${engine}-sentinel`,
    configPath: `/usr/local/etc/${engine}/${engine}.conf`,
    configDir: `/usr/local/etc/${engine}`,
    tlsDir: `/usr/local/etc/${engine}/tls`,
  };
}

/** The Redis release line whose features this release has. */
function redisEquivalent(release: EngineRelease): [number, number] {
  return release.engine === 'valkey' ? [7, 2] : [release.major, release.minor];
}

function atLeast(release: EngineRelease, major: number, minor: number): boolean {
  const [m, n] = redisEquivalent(release);
  return m > major || (m === major && n >= minor);
}

export interface EngineFeatures {
  /** `slaveof` / `slave-read-only` instead of `replicaof` / `replica-read-only` (Redis 4.0). */
  readonly legacyReplicaDirectives: boolean;
  /** Users and ACLs, `masteruser`, usernames in AUTH (Redis 6.0). */
  readonly acl: boolean;
  /** Pub/Sub channel rules in ACLs, `&pattern` and `allchannels` (Redis 6.2). */
  readonly aclChannels: boolean;
  /** `tls-port` and friends (Redis 6.0, in images built with TLS). */
  readonly nativeTls: boolean;
  /** `repl-diskless-load` (Redis 6.0). */
  readonly disklessLoad: boolean;
  /** New ACL users get every Pub/Sub channel unless `acl-pubsub-default resetchannels` (Redis 6.2 only). */
  readonly allChannelsByDefault: boolean;
  /** `enable-protected-configs`, `enable-debug-command`, `enable-module-command` (Redis 7.0). */
  readonly adminSwitches: boolean;
}

export function engineFeatures(release: EngineRelease): EngineFeatures {
  return {
    legacyReplicaDirectives: !atLeast(release, 5, 0),
    acl: atLeast(release, 6, 0),
    aclChannels: atLeast(release, 6, 2),
    nativeTls: atLeast(release, 6, 0),
    disklessLoad: atLeast(release, 6, 0),
    allChannelsByDefault: atLeast(release, 6, 2) && !atLeast(release, 7, 0),
    adminSwitches: atLeast(release, 7, 0),
  };
}
