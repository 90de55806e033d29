/**
 * Backups of a database (`RedisDatabaseProps.backup`): a container beside
 * Redis that takes a snapshot on a schedule and on demand (`npx
 * cdktf-docker-redis backup HANDLE`), keeps them by a retention policy, and
 * writes them where they outlive the database.
 */
export interface RedisBackupOptions {
  /**
   * Take backups. On a memory-only (`-nordb`) version a backup captures what
   * is in memory, and the backups are then the only copy of the data that
   * survives a restart (a warning says so); it needs Redis 6.0 or later there.
   *
   * @default - true for persistent versions, false for memory-only ones
   */
  readonly enabled?: boolean;

  /**
   * Hours between backups, an integer from 1 to 24. Each UTC day's cycle
   * starts at `startAtUtc`: with 6, backups are taken at `startAtUtc` and 6,
   * 12 and 18 hours after it.
   *
   * @default 24
   */
  readonly everyHours?: number;

  /**
   * The first backup time of each day, `HH:MM` in UTC.
   *
   * @default - a minute of the day derived from the handle, the same in every synth, so a fleet of databases does not snapshot all at once
   */
  readonly startAtUtc?: string;

  /**
   * Keep the last backup of each of this many most recent days that have a
   * backup. The newest backup is always kept, whatever the counts.
   *
   * @default 30
   */
  readonly retainDaily?: number;

  /**
   * Keep the last backup of each of this many most recent months that have a
   * backup (the current month counts).
   *
   * @default 12
   */
  readonly retainMonthly?: number;

  /**
   * Keep the last backup of each of this many most recent years that have a
   * backup (the current year counts).
   *
   * @default 0
   */
  readonly retainYearly?: number;

  /**
   * An absolute directory on the Docker host for the backups, such as a mount
   * of other storage: it must exist and be writable by uid 999 (`install -d
   * -o 999 -g 999 -m 0700 DIR`). Several databases may share one: each prunes
   * only its own files.
   *
   * @default - the Docker volume `HANDLE-backups`, which Docker creates when the backup container first mounts it and which no Terraform resource owns, so `cdktf destroy` leaves it (and the backups) in place
   */
  readonly hostPath?: string;

  /**
   * Test only: take a backup every this many seconds instead of following
   * `everyHours` and `startAtUtc`; a warning says it is set. The e2e suite
   * uses it to watch a scheduled backup happen; the backup and the pruning
   * are the real ones. Never use it in production.
   *
   * @default - not set: the schedule of `everyHours` and `startAtUtc`
   */
  readonly everySecondsForTesting?: number;
}
