const catalog: RedisVersion[] = [];

/**
 * One entry of the Redis version catalog: an engine release, with or without
 * persistence, pinned to an exact official image tag.
 *
 * Tags are pinned to patch releases because the Docker provider never pulls a
 * tag that is already present on the host: a floating tag such as `redis:7.2`
 * would silently keep whatever patch release the host pulled first.
 */
export class RedisVersion {
  /** Redis 8.2 with RDB snapshots. */
  public static readonly V8_2 = RedisVersion.register('8.2', '8.2.2');
  /** Redis 8.2, memory only. */
  public static readonly V8_2_NORDB = RedisVersion.register('8.2-nordb', '8.2.2');
  /** Redis 8.0 with RDB snapshots. */
  public static readonly V8_0 = RedisVersion.register('8.0', '8.0.4');
  /** Redis 8.0, memory only. */
  public static readonly V8_0_NORDB = RedisVersion.register('8.0-nordb', '8.0.4');
  /** Redis 7.4 with RDB snapshots. */
  public static readonly V7_4 = RedisVersion.register('7.4', '7.4.6');
  /** Redis 7.4, memory only. */
  public static readonly V7_4_NORDB = RedisVersion.register('7.4-nordb', '7.4.6');
  /** Redis 7.2 with RDB snapshots. */
  public static readonly V7_2 = RedisVersion.register('7.2', '7.2.11');
  /** Redis 7.2, memory only. */
  public static readonly V7_2_NORDB = RedisVersion.register('7.2-nordb', '7.2.11');
  /** Redis 7.0 with RDB snapshots (end of life upstream). */
  public static readonly V7_0 = RedisVersion.register('7.0', '7.0.15', true);
  /** Redis 7.0, memory only (end of life upstream). */
  public static readonly V7_0_NORDB = RedisVersion.register('7.0-nordb', '7.0.15', true);
  /** Redis 6.2 with RDB snapshots. */
  public static readonly V6_2 = RedisVersion.register('6.2', '6.2.20');
  /** Redis 6.2, memory only. */
  public static readonly V6_2_NORDB = RedisVersion.register('6.2-nordb', '6.2.20');
  /** Redis 6.0 with RDB snapshots (end of life upstream). */
  public static readonly V6_0 = RedisVersion.register('6.0', '6.0.20', true);
  /** Redis 6.0, memory only (end of life upstream). */
  public static readonly V6_0_NORDB = RedisVersion.register('6.0-nordb', '6.0.20', true);
  /** Redis 5.0 with RDB snapshots (end of life upstream). */
  public static readonly V5_0 = RedisVersion.register('5.0', '5.0.14', true);
  /** Redis 5.0, memory only (end of life upstream). */
  public static readonly V5_0_NORDB = RedisVersion.register('5.0-nordb', '5.0.14', true);
  /** Redis 4.0 with RDB snapshots (end of life upstream). */
  public static readonly V4_0 = RedisVersion.register('4.0', '4.0.14', true);
  /** Redis 4.0, memory only (end of life upstream). */
  public static readonly V4_0_NORDB = RedisVersion.register('4.0-nordb', '4.0.14', true);

  /** The newest persistent version: what a database gets when `version` is not set. */
  public static readonly DEFAULT = RedisVersion.V8_2;

  /** Every version in the catalog, newest first, each persistent flavor before its memory-only one. */
  public static readonly ALL: RedisVersion[] = [...catalog];

  /** Every version name in the catalog, in the order of `ALL`. */
  public static readonly NAMES: string[] = catalog.map((v) => v.name);

  /**
   * Looks a version up by name, for example `"7.2"` or `"7.2-nordb"`.
   *
   * @returns the catalog entry, or undefined when the name is not in the catalog
   */
  public static find(name: string): RedisVersion | undefined {
    return catalog.find((v) => v.name === name);
  }

  /**
   * Looks a version up by name and throws, listing the valid names, when it is
   * not in the catalog.
   */
  public static of(name: string): RedisVersion {
    const found = RedisVersion.find(name);
    if (!found) {
      throw new Error(`unknown Redis version "${name}"; valid versions: ${RedisVersion.NAMES.join(', ')}`);
    }
    return found;
  }

  private static register(name: string, patchRelease: string, endOfLife = false): RedisVersion {
    const version = new RedisVersion(name, patchRelease, endOfLife);
    catalog.push(version);
    return version;
  }

  /** The catalog name, such as `7.2` or `7.2-nordb`. */
  public readonly name: string;
  /** The engine release line, such as `7.2`. */
  public readonly engineVersion: string;
  /** The exact upstream patch release the image is pinned to, such as `7.2.11`. */
  public readonly patchRelease: string;
  /** Major version number. */
  public readonly major: number;
  /** Minor version number. */
  public readonly minor: number;
  /** Whether the flavor writes RDB snapshots (false for `-nordb`). */
  public readonly persistent: boolean;
  /** Whether upstream no longer ships fixes for this release line. */
  public readonly endOfLife: boolean;
  /** The pinned official image reference, such as `redis:7.2.11`. */
  public readonly image: string;

  private constructor(name: string, patchRelease: string, endOfLife: boolean) {
    this.name = name;
    this.engineVersion = name.replace(/-nordb$/, '');
    this.patchRelease = patchRelease;
    const [major, minor] = this.engineVersion.split('.').map(Number);
    this.major = major;
    this.minor = minor;
    this.persistent = !name.endsWith('-nordb');
    this.endOfLife = endOfLife;
    this.image = `redis:${patchRelease}`;
  }

  /** Whether this engine release is at least `major.minor`. */
  public isAtLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }

  /** Whether this engine release is older than `other`'s, ignoring the flavor. */
  public isOlderThan(other: RedisVersion): boolean {
    return !this.isAtLeast(other.major, other.minor);
  }
}
