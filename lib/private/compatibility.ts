import { RedisEngine, RedisVersion } from '../redis-version';
import { engineFiles } from './engine';

/**
 * The newest RDB format Valkey reads from another engine. Valkey forked from
 * Redis 7.2 (format 11); Redis 7.4 and later write format 12, which Valkey
 * refuses under its default `rdb-version-check strict`. Valkey 8.1's
 * `relaxed` setting accepts only newer Valkey formats (valkey-io/valkey#1604);
 * from 9.0 it also accepts format 12 as long as the file holds no type or
 * opcode Valkey does not know (valkey-io/valkey#2543). The library never
 * relaxes the check: a Redis file with such a type makes the load fail
 * halfway, and a follower or restore must not depend on what keys happen to
 * be in the data.
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
 * Why `reader` cannot load an RDB file `writer` wrote, or undefined when it
 * can: the table of RDB formats alone, which the integration suite holds
 * against every test image.
 */
export function rdbFormatIncompatibility(writer: RedisVersion, reader: RedisVersion): string | undefined {
  return reads(reader, writer.rdbFormat) ? undefined : `${described(reader)} cannot read what ${described(writer)} writes`;
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
  return rdbFormatIncompatibility(writer, reader);
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
