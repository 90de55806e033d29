import { RedisEngine, RedisVersion } from '../redis-version';
import { engineFiles } from './engine';

/**
 * The newest RDB format Valkey reads from another engine. Valkey forked from
 * Redis 7.2 (format 11); Redis 7.4 and later write format 12, which Valkey
 * refuses unless its version check is relaxed (8.1+, `rdb-version-check
 * relaxed`). The library never relaxes it: format 12 can carry data types
 * Valkey does not know, and a replica or restore must not drop data silently.
 */
const VALKEY_FOREIGN_RDB_LIMIT = 11;

function reads(reader: RedisVersion, format: number): boolean {
  if (format === reader.rdbFormat) return true;
  if (reader.engine === RedisEngine.VALKEY) return format <= VALKEY_FOREIGN_RDB_LIMIT;
  return format <= reader.rdbFormat;
}

function described(version: RedisVersion): string {
  return `"${version.name}" (${engineFiles(version).productName} ${version.engineVersion}, RDB format ${version.rdbFormat})`;
}

/**
 * Why `reader` cannot load data written by `writer` (a follower's full sync
 * from its primary, or a restore of a backup), or undefined when it can. One
 * table of RDB formats decides across engines; within one engine a reader
 * must also not be an older release, since replication streams carry
 * commands an older server may not know.
 */
export function incompatibility(writer: RedisVersion, reader: RedisVersion): string | undefined {
  if (reader.isOlderThan(writer)) {
    return `${described(reader)} is older than ${described(writer)}: it must run ${writer.engineVersion} or newer`;
  }
  if (!reads(reader, writer.rdbFormat)) {
    return `${described(reader)} cannot read what ${described(writer)} writes`;
  }
  return undefined;
}

/** The RDB formats `reader` loads: its own, and every format up to `upTo`. */
export function rdbFormatsReadBy(reader: RedisVersion): { readonly own: number; readonly upTo: number } {
  return { own: reader.rdbFormat, upTo: reader.engine === RedisEngine.VALKEY ? Math.min(reader.rdbFormat, VALKEY_FOREIGN_RDB_LIMIT) : reader.rdbFormat };
}

/**
 * Why `reader` cannot load a backup `writer` took, or undefined when it can.
 * Unlike a follower's sync, a restore carries no commands: only the RDB
 * format decides.
 */
export function restoreIncompatibility(writer: RedisVersion, reader: RedisVersion): string | undefined {
  return reads(reader, writer.rdbFormat) ? undefined : `${described(reader)} cannot read what ${described(writer)} writes`;
}
