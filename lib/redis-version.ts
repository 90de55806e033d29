import { catalogPin } from './private/version-pins';

/** The server a catalog entry runs. */
export enum RedisEngine {
  /** Redis (redis.io). BSD-3 up to 7.2; 7.4 RSALv2/SSPLv1; 8.0 and later RSALv2/SSPLv1/AGPLv3. */
  REDIS = 'redis',
  /** Valkey (valkey.io), the Linux Foundation fork of Redis 7.2.4. BSD-3. */
  VALKEY = 'valkey',
}

interface CatalogEntrySpec {
  readonly engine: RedisEngine;
  /** Release line, such as `7.2`. */
  readonly line: string;
  readonly patchRelease: string;
  /** The RDB format version this release writes (`RDB_VERSION` in its `rdb.h`). */
  readonly rdbFormat: number;
  readonly license: string;
  readonly endOfLife?: boolean;
}

const BSD = 'BSD-3-Clause';
const SOURCE_AVAILABLE = 'RSALv2 OR SSPLv1';
const AGPL_OR_SOURCE_AVAILABLE = 'RSALv2 OR SSPLv1 OR AGPLv3';

const catalog: RedisVersion[] = [];

/** The patch and upstream status of a line, from the one record of pins. */
function pinned(engine: RedisEngine, line: string): Pick<CatalogEntrySpec, 'patchRelease' | 'endOfLife'> {
  const pin = catalogPin(engine, line);
  return { patchRelease: pin.pinned, endOfLife: pin.upstream === 'end of life' };
}

/**
 * One entry of the version catalog: an engine release, with or without
 * persistence, pinned to an exact official image tag.
 *
 * Tags are pinned to patch releases because the Docker provider never pulls a
 * tag that is already present on the host: a floating tag such as `redis:7.2`
 * would silently keep whatever patch release the host pulled first.
 */
export class RedisVersion {
  /** Redis 8.2 with RDB snapshots. */
  public static readonly V8_2 = RedisVersion.redis({ line: '8.2', rdbFormat: 12, license: AGPL_OR_SOURCE_AVAILABLE });
  /** Redis 8.2, memory only. */
  public static readonly V8_2_NORDB = RedisVersion.V8_2.memoryOnly();
  /** Redis 8.0 with RDB snapshots (end of life upstream: it left the official images in May 2026). */
  public static readonly V8_0 = RedisVersion.redis({ line: '8.0', rdbFormat: 12, license: AGPL_OR_SOURCE_AVAILABLE });
  /** Redis 8.0, memory only (end of life upstream). */
  public static readonly V8_0_NORDB = RedisVersion.V8_0.memoryOnly();
  /** Redis 7.4 with RDB snapshots. */
  public static readonly V7_4 = RedisVersion.redis({ line: '7.4', rdbFormat: 12, license: SOURCE_AVAILABLE });
  /** Redis 7.4, memory only. */
  public static readonly V7_4_NORDB = RedisVersion.V7_4.memoryOnly();
  /** Redis 7.2 with RDB snapshots. */
  public static readonly V7_2 = RedisVersion.redis({ line: '7.2', rdbFormat: 11, license: BSD });
  /** Redis 7.2, memory only. */
  public static readonly V7_2_NORDB = RedisVersion.V7_2.memoryOnly();
  /** Redis 7.0 with RDB snapshots (end of life upstream). */
  public static readonly V7_0 = RedisVersion.redis({ line: '7.0', rdbFormat: 10, license: BSD });
  /** Redis 7.0, memory only (end of life upstream). */
  public static readonly V7_0_NORDB = RedisVersion.V7_0.memoryOnly();
  /** Redis 6.2 with RDB snapshots. */
  public static readonly V6_2 = RedisVersion.redis({ line: '6.2', rdbFormat: 9, license: BSD });
  /** Redis 6.2, memory only. */
  public static readonly V6_2_NORDB = RedisVersion.V6_2.memoryOnly();
  /** Redis 6.0 with RDB snapshots (end of life upstream). */
  public static readonly V6_0 = RedisVersion.redis({ line: '6.0', rdbFormat: 9, license: BSD });
  /** Redis 6.0, memory only (end of life upstream). */
  public static readonly V6_0_NORDB = RedisVersion.V6_0.memoryOnly();
  /** Redis 5.0 with RDB snapshots (end of life upstream). */
  public static readonly V5_0 = RedisVersion.redis({ line: '5.0', rdbFormat: 9, license: BSD });
  /** Redis 5.0, memory only (end of life upstream). */
  public static readonly V5_0_NORDB = RedisVersion.V5_0.memoryOnly();
  /** Redis 4.0 with RDB snapshots (end of life upstream). */
  public static readonly V4_0 = RedisVersion.redis({ line: '4.0', rdbFormat: 8, license: BSD });
  /** Redis 4.0, memory only (end of life upstream). */
  public static readonly V4_0_NORDB = RedisVersion.V4_0.memoryOnly();

  /** Valkey 9.1 with RDB snapshots. Writes RDB format 80, which no Redis and no Valkey 8 reads. */
  public static readonly VALKEY_9_1 = RedisVersion.valkey({ line: '9.1', rdbFormat: 80 });
  /** Valkey 9.1, memory only. */
  public static readonly VALKEY_9_1_NORDB = RedisVersion.VALKEY_9_1.memoryOnly();
  /** Valkey 9.0 with RDB snapshots. Writes RDB format 80, which no Redis and no Valkey 8 reads. */
  public static readonly VALKEY_9_0 = RedisVersion.valkey({ line: '9.0', rdbFormat: 80 });
  /** Valkey 9.0, memory only. */
  public static readonly VALKEY_9_0_NORDB = RedisVersion.VALKEY_9_0.memoryOnly();
  /** Valkey 8.1 with RDB snapshots. */
  public static readonly VALKEY_8_1 = RedisVersion.valkey({ line: '8.1', rdbFormat: 11 });
  /** Valkey 8.1, memory only. */
  public static readonly VALKEY_8_1_NORDB = RedisVersion.VALKEY_8_1.memoryOnly();
  /** Valkey 8.0 with RDB snapshots. */
  public static readonly VALKEY_8_0 = RedisVersion.valkey({ line: '8.0', rdbFormat: 11 });
  /** Valkey 8.0, memory only. */
  public static readonly VALKEY_8_0_NORDB = RedisVersion.VALKEY_8_0.memoryOnly();

  /** The newest persistent Redis version: what a database gets when `version` is not set. */
  public static readonly DEFAULT = RedisVersion.V8_2;

  /**
   * Every version in the catalog: Redis newest first, then Valkey newest first,
   * each persistent flavor before its memory-only one. Frozen: the catalog is
   * the library's, not the app's, so `push` throws.
   */
  public static readonly ALL: RedisVersion[] = Object.freeze([...catalog]) as RedisVersion[];

  /** Every version name in the catalog, in the order of `ALL`. Frozen like `ALL`. */
  public static readonly NAMES: string[] = Object.freeze(catalog.map((v) => v.name)) as string[];

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

  private static redis(spec: Omit<CatalogEntrySpec, 'engine' | 'patchRelease' | 'endOfLife'>): RedisVersion {
    return RedisVersion.register({ engine: RedisEngine.REDIS, ...pinned(RedisEngine.REDIS, spec.line), ...spec }, true);
  }

  private static valkey(spec: Omit<CatalogEntrySpec, 'engine' | 'license' | 'patchRelease' | 'endOfLife'>): RedisVersion {
    return RedisVersion.register({ engine: RedisEngine.VALKEY, license: BSD, ...pinned(RedisEngine.VALKEY, spec.line), ...spec }, true);
  }

  private static register(spec: CatalogEntrySpec, persistent: boolean): RedisVersion {
    const version = new RedisVersion(spec, persistent);
    catalog.push(version);
    return version;
  }

  /** The catalog name, such as `7.2`, `7.2-nordb` or `valkey-8.1`. */
  public readonly name: string;
  /** The server this entry runs. */
  public readonly engine: RedisEngine;
  /** The engine's release line, such as `7.2` (for Valkey entries, Valkey's own numbering). */
  public readonly engineVersion: string;
  /** The exact upstream patch release the image is pinned to, such as `7.2.11`. */
  public readonly patchRelease: string;
  /** Major version number of the engine release. */
  public readonly major: number;
  /** Minor version number of the engine release. */
  public readonly minor: number;
  /** Whether the flavor writes RDB snapshots (false for `-nordb`). */
  public readonly persistent: boolean;
  /** Whether upstream no longer ships fixes for this release line. */
  public readonly endOfLife: boolean;
  /** The pinned official image reference, such as `redis:7.2.11`. */
  public readonly image: string;
  /** The RDB format version the engine writes; what a follower or a restore must be able to read. */
  public readonly rdbFormat: number;
  /** The engine release's license, as an SPDX-style expression. */
  public readonly license: string;

  private constructor(spec: CatalogEntrySpec, persistent: boolean) {
    const prefix = spec.engine === RedisEngine.REDIS ? '' : `${spec.engine}-`;
    this.name = `${prefix}${spec.line}${persistent ? '' : '-nordb'}`;
    this.engine = spec.engine;
    this.engineVersion = spec.line;
    this.patchRelease = spec.patchRelease;
    const [major, minor] = spec.line.split('.').map(Number);
    this.major = major;
    this.minor = minor;
    this.persistent = persistent;
    this.endOfLife = spec.endOfLife ?? false;
    this.image = spec.engine === RedisEngine.REDIS ? `redis:${spec.patchRelease}` : `valkey/valkey:${spec.patchRelease}`;
    this.rdbFormat = spec.rdbFormat;
    this.license = spec.license;
  }

  /** The persistent entry of the same release, for example `7.2` for `7.2-nordb`. */
  public get persistentFlavor(): RedisVersion {
    return catalog.find((v) => v.persistent && v.image === this.image)!;
  }

  /**
   * Whether this engine release is at least `major.minor` of the same engine.
   * Across engines, compare features or `rdbFormat` instead.
   */
  public isAtLeast(major: number, minor: number): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }

  /** Whether this is an older release of the same engine than `other`, ignoring the flavor. */
  public isOlderThan(other: RedisVersion): boolean {
    return this.engine === other.engine && !this.isAtLeast(other.major, other.minor);
  }

  private memoryOnly(): RedisVersion {
    const { engine, engineVersion: line, patchRelease, rdbFormat, license, endOfLife } = this;
    return RedisVersion.register({ engine, line, patchRelease, rdbFormat, license, endOfLife }, false);
  }
}
