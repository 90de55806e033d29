import { RedisVersion } from '../redis-version';

/**
 * Backup file names: `<handle>-<version>-<UTC timestamp>.rdb`, such as
 * `cache-7.2-20261129T021300Z.rdb`. The timestamp is when the snapshot was
 * requested, to the second; its fixed width makes names sort by time.
 */
export const BACKUP_EXTENSION = '.rdb';
/** Beside each backup: its BLAKE2b-512 checksum in `b2sum` format (`b2sum -c` checks it). */
export const CHECKSUM_EXTENSION = '.b2sum';

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `20261129T021300Z` for 2026-11-29 02:13:00 UTC. */
export function backupStamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The time a stamp names, or undefined when it is not one. */
export function parseBackupStamp(stamp: string): Date | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return backupStamp(at) === stamp ? at : undefined;
}

export function backupFileName(handle: string, versionName: string, at: Date): string {
  return `${handle}-${versionName}-${backupStamp(at)}${BACKUP_EXTENSION}`;
}

export interface ParsedBackupName {
  readonly handle: string;
  readonly version: RedisVersion;
  readonly takenAt: Date;
}

/**
 * What a backup's file name says, or undefined for a name this library does
 * not write. Handles and catalog names both contain dashes, so the longest
 * catalog name that fits wins (`valkey-8.1-nordb` over `8.1-nordb`).
 */
export function parseBackupFileName(fileName: string): ParsedBackupName | undefined {
  const m = /^([a-z0-9][a-z0-9.-]*)-(\d{8}T\d{6}Z)\.rdb$/.exec(fileName);
  if (!m) return undefined;
  const takenAt = parseBackupStamp(m[2]);
  if (!takenAt) return undefined;
  const candidates = RedisVersion.ALL
    .filter((v) => m[1].endsWith(`-${v.name}`) && m[1].length > v.name.length + 1)
    .sort((a, b) => b.name.length - a.name.length);
  if (candidates.length === 0) return undefined;
  const version = candidates[0];
  return { handle: m[1].slice(0, -(version.name.length + 1)), version, takenAt };
}
