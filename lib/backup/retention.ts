/**
 * Which backups pruning removes: pure functions of a backup directory's
 * files, the policy and the clock, so a table of cases pins them down. The
 * backup container's script implements the same rules in sh (lib/backup/backup-script.ts);
 * the integration suite runs both on the same cases.
 *
 * Of a database's scheduled backups:
 * - The newest (at or before now) is always kept.
 * - `daily`: the last backup of each of the `daily` most recent UTC days that
 *   have a backup; `monthly` and `yearly` the same for months and years. Days
 *   without backups (a stopped host) do not use up the count.
 * - A backup dated after now (the clock went back, or was wrong when it was
 *   taken) is kept and not counted: it may be the newest one.
 *
 * Backups taken on demand are kept until someone deletes them, and no file
 * the database's backup container did not write is ever removed: a backup is
 * the database's only when its name carries its handle and a catalog version
 * and its `.meta` file says this library wrote it for that handle.
 */

export interface RetentionPolicy {
  readonly daily: number;
  readonly monthly: number;
  readonly yearly: number;
}

/** `-YYYYMMDDTHHMMSSZ.rdb` at the end of a backup's name: the time it was taken, in UTC. */
const NAME_STAMP = /-(\d{8})T(\d{6})Z\.rdb$/;

/** `YYYYMMDDHHMMSS` in UTC: compares as a number, and its prefixes are the day, month and year. */
function stampNumber(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '').replace(/[-:T]/g, '');
}

/** Backup names with their times, newest first; the same second, the greater name first (as `sort -r` orders the script's lines). Other names are left out. */
function newestFirst(names: readonly string[]): Array<{ name: string; stamp: string }> {
  return names
    .flatMap((name) => {
      const m = NAME_STAMP.exec(name);
      return m ? [{ name, stamp: `${m[1]}${m[2]}` }] : [];
    })
    .sort((a, b) => (a.stamp !== b.stamp ? (a.stamp < b.stamp ? 1 : -1) : a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** Of backup names (each ending in its UTC time), the ones the policy keeps at `now`, newest first. Other names are left out. */
export function backupsToKeep(names: readonly string[], policy: RetentionPolicy, now: Date): string[] {
  const nowStamp = stampNumber(now);
  const sorted = newestFirst(names);
  const kept: string[] = [];
  let newestSeen = false;
  const buckets = [
    { width: 8, limit: policy.daily, last: '', used: 0 },
    { width: 6, limit: policy.monthly, last: '', used: 0 },
    { width: 4, limit: policy.yearly, last: '', used: 0 },
  ];
  for (const backup of sorted) {
    if (backup.stamp > nowStamp) {
      kept.push(backup.name);
      continue;
    }
    let keep = !newestSeen;
    newestSeen = true;
    for (const bucket of buckets) {
      const period = backup.stamp.slice(0, bucket.width);
      if (period === bucket.last) continue;
      bucket.last = period;
      if (bucket.used < bucket.limit) {
        bucket.used++;
        keep = true;
      }
    }
    if (keep) kept.push(backup.name);
  }
  return kept;
}

/** A file of a backup directory, with the `key=value` lines of its `NAME.meta` when there is one. */
export interface BackupDirectoryFile {
  readonly name: string;
  readonly meta?: Readonly<Record<string, string>>;
}

export interface PrunePlan {
  /** The database's backups that stay, newest first: kept by the policy, or taken on demand. */
  readonly keep: readonly string[];
  /** The database's scheduled backups the policy does not keep (each with its `.b2sum` and `.meta`). */
  readonly remove: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What pruning the backups of `handle` in a directory does at `now`. */
export function prunePlan(handle: string, files: readonly BackupDirectoryFile[], knownVersions: readonly string[], policy: RetentionPolicy, now: Date): PrunePlan {
  const pattern = new RegExp(`^${escapeRegExp(handle)}-(.*)-\\d{8}T\\d{6}Z\\.rdb$`);
  const metas = new Map(files.filter((f) => f.meta !== undefined).map((f) => [f.name, f.meta!]));
  const own = files.filter((f) => {
    const version = pattern.exec(f.name)?.[1];
    const meta = metas.get(`${f.name}.meta`);
    return version !== undefined && knownVersions.includes(version) && meta?.writer === 'cdktf-docker-redis' && meta.handle === handle && meta.version === version;
  });
  const onDemand = own.filter((f) => metas.get(`${f.name}.meta`)?.trigger === 'on-demand').map((f) => f.name);
  const scheduled = own.map((f) => f.name).filter((name) => !onDemand.includes(name));
  const kept = backupsToKeep(scheduled, policy, now);
  return {
    keep: newestFirst([...kept, ...onDemand]).map((b) => b.name),
    remove: scheduled.filter((name) => !kept.includes(name)),
  };
}
