import { MaxmemoryPolicy, RedisInstanceOptions, RedisInstanceSettings, RedisTlsMode } from '../redis-options';
import { RedisVersion } from '../redis-version';

export const DEFAULT_PERSISTENT_SIZE_GB = 10;
/** Aptible's advice for memory-only flavors: their disk holds no data. */
export const DEFAULT_MEMORY_ONLY_SIZE_GB = 1;
export const DEFAULT_CONTAINER_SIZE_MB = 1024;
export const DEFAULT_HOSTNAME = 'localhost';
/** Of the TLS endpoint. */
export const DEFAULT_HOST_IP = '0.0.0.0';
/** Plaintext stays on the host: off it, passwords and data would travel in clear. */
export const DEFAULT_PLAINTEXT_HOST_IP = '127.0.0.1';

/**
 * Share of the container memory Redis may fill. A snapshot or AOF rewrite
 * forks Redis, and every page written during the fork is copied: with
 * persistence on, only half is safe to fill.
 */
export function maxmemoryMbFor(containerSizeMb: number, persistent: boolean): number {
  return Math.floor(containerSizeMb * (persistent ? 0.5 : 0.8));
}

/** What a follower takes from its primary when its own props leave a setting out. */
export interface InheritedSettings {
  readonly settings: RedisInstanceSettings;
  readonly persistent: boolean;
  /** Host-bound settings (`hostIp`, `plaintextHostIp`, `publishPlaintext`, `allowedSources`, `hostname`) only carry over on the same Docker host. */
  readonly sameHost: boolean;
}

/**
 * Applies defaults, and for a follower its primary's settings: a replica must
 * hold its primary's whole data set (replicas do not evict at `maxmemory`) and
 * should not be more exposed than its primary. Disk and persistence settings
 * only carry over between persistent flavors; a memory-only flavor has no
 * volume and no AOF.
 */
export function resolveSettings(version: RedisVersion, options: RedisInstanceOptions, from?: InheritedSettings): RedisInstanceSettings {
  const inherited = from?.settings;
  const sameFlavorDisk = version.persistent && from?.persistent === true ? inherited : undefined;
  const hostBound = from?.sameHost ? inherited : undefined;
  const containerSizeMb = options.containerSizeMb ?? inherited?.containerSizeMb ?? DEFAULT_CONTAINER_SIZE_MB;
  return {
    size: options.size ?? sameFlavorDisk?.size ?? (version.persistent ? DEFAULT_PERSISTENT_SIZE_GB : DEFAULT_MEMORY_ONLY_SIZE_GB),
    enforceSize: options.enforceSize ?? sameFlavorDisk?.enforceSize ?? false,
    containerSizeMb,
    maxmemoryMb: maxmemoryMbFor(containerSizeMb, version.persistent),
    maxmemoryPolicy: options.maxmemoryPolicy ?? inherited?.maxmemoryPolicy ?? MaxmemoryPolicy.NOEVICTION,
    hostname: options.hostname ?? hostBound?.hostname ?? DEFAULT_HOSTNAME,
    hostIp: options.hostIp ?? hostBound?.hostIp ?? DEFAULT_HOST_IP,
    plaintextHostIp: options.plaintextHostIp ?? hostBound?.plaintextHostIp ?? DEFAULT_PLAINTEXT_HOST_IP,
    publishPlaintext: options.publishPlaintext ?? hostBound?.publishPlaintext ?? true,
    allowedSources: options.allowedSources ?? hostBound?.allowedSources ?? [],
    tlsMode: options.tlsMode ?? inherited?.tlsMode ?? RedisTlsMode.SIDECAR,
    appendOnly: options.appendOnly ?? sameFlavorDisk?.appendOnly ?? false,
  };
}
