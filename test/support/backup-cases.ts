import { RetentionPolicy } from '../../lib/backup/retention';
import { BackupScheduleData } from '../../lib/backup/schedule';

/**
 * Tables of cases for backup schedules and retention, shared by the unit
 * suite (the TypeScript functions) and the integration suite (the backup
 * script's sh on the same cases, in the real images).
 */

/** `2026-11-29 02:13:07` as a UTC time. */
export function utc(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

export interface RetentionCase {
  readonly title: string;
  readonly policy: RetentionPolicy;
  readonly now: string;
  /** Times of the scheduled backups, in any order. */
  readonly backups: readonly string[];
  /** Times of the ones kept, newest first. */
  readonly kept: readonly string[];
}

/** Daily backups at 02:00 on each of `days` days ending with `last`, newest first. */
function dailyBackups(last: string, days: number): string[] {
  const end = utc(`${last} 02:00:00`).getTime();
  return Array.from({ length: days }, (_, i) => new Date(end - i * 86_400_000).toISOString().replace('T', ' ').replace('.000Z', ''));
}

export const RETENTION_CASES: readonly RetentionCase[] = [
  {
    title: 'an empty directory keeps nothing',
    policy: { daily: 30, monthly: 12, yearly: 0 }, now: '2026-11-29 12:00:00', backups: [], kept: [],
  },
  {
    title: 'the default policy keeps every daily backup of the last 30 days',
    policy: { daily: 30, monthly: 12, yearly: 0 }, now: '2026-11-29 12:00:00',
    backups: dailyBackups('2026-11-29', 30), kept: dailyBackups('2026-11-29', 30),
  },
  {
    title: 'several backups a day: the last of each day, and the newest of today',
    policy: { daily: 2, monthly: 0, yearly: 0 }, now: '2026-11-29 20:00:00',
    backups: ['2026-11-29 02:00:00', '2026-11-29 08:00:00', '2026-11-29 14:00:00', '2026-11-28 02:00:00', '2026-11-28 20:00:00', '2026-11-27 20:00:00'],
    kept: ['2026-11-29 14:00:00', '2026-11-28 20:00:00'],
  },
  {
    title: 'gaps of days: the count is of days that have a backup, so a stopped host does not empty the history',
    policy: { daily: 3, monthly: 0, yearly: 0 }, now: '2026-11-29 12:00:00',
    backups: ['2026-11-29 02:00:00', '2026-11-20 02:00:00', '2026-11-10 02:00:00', '2026-11-09 02:00:00', '2026-11-01 02:00:00'],
    kept: ['2026-11-29 02:00:00', '2026-11-20 02:00:00', '2026-11-10 02:00:00'],
  },
  {
    title: 'month ends: the last backup of each month, the current month counting',
    policy: { daily: 1, monthly: 3, yearly: 0 }, now: '2026-12-01 12:00:00',
    backups: ['2026-12-01 00:00:00', '2026-11-30 23:59:59', '2026-11-15 02:00:00', '2026-10-31 23:59:59', '2026-10-01 00:00:00', '2026-09-30 23:59:59', '2026-08-31 02:00:00'],
    kept: ['2026-12-01 00:00:00', '2026-11-30 23:59:59', '2026-10-31 23:59:59'],
  },
  {
    title: 'year ends: the last backup of each year, December 31 against January 1',
    policy: { daily: 1, monthly: 0, yearly: 3 }, now: '2027-01-01 00:30:00',
    backups: ['2027-01-01 00:00:00', '2026-12-31 23:59:59', '2026-06-01 02:00:00', '2025-12-31 02:00:00', '2025-01-01 00:00:00', '2024-12-31 23:59:59', '2023-12-31 02:00:00'],
    kept: ['2027-01-01 00:00:00', '2026-12-31 23:59:59', '2025-12-31 02:00:00'],
  },
  {
    title: 'a leap day is a day like any other',
    policy: { daily: 2, monthly: 0, yearly: 0 }, now: '2028-03-01 12:00:00',
    backups: ['2028-03-01 02:00:00', '2028-02-29 02:00:00', '2028-02-28 02:00:00'],
    kept: ['2028-03-01 02:00:00', '2028-02-29 02:00:00'],
  },
  {
    title: 'daily, monthly and yearly together over 400 days keep the union, each backup once',
    policy: { daily: 3, monthly: 2, yearly: 1 }, now: '2026-11-29 12:00:00',
    backups: dailyBackups('2026-11-29', 400),
    kept: ['2026-11-29 02:00:00', '2026-11-28 02:00:00', '2026-11-27 02:00:00', '2026-10-31 02:00:00'],
  },
  {
    title: 'yearly over 400 days reaches into the year before',
    policy: { daily: 1, monthly: 0, yearly: 2 }, now: '2026-11-29 12:00:00',
    backups: dailyBackups('2026-11-29', 400), kept: ['2026-11-29 02:00:00', '2025-12-31 02:00:00'],
  },
  {
    title: 'with every count at 0 the newest backup is still kept',
    policy: { daily: 0, monthly: 0, yearly: 0 }, now: '2026-11-29 12:00:00',
    backups: ['2026-11-29 02:00:00', '2026-11-28 02:00:00'], kept: ['2026-11-29 02:00:00'],
  },
  {
    title: 'clock skew: backups dated after now are kept and not counted, and the newest one before now is kept too',
    policy: { daily: 1, monthly: 0, yearly: 0 }, now: '2026-11-29 12:00:00',
    backups: ['2026-12-05 02:00:00', '2026-11-29 12:00:01', '2026-11-29 12:00:00', '2026-11-29 02:00:00', '2026-11-28 02:00:00'],
    kept: ['2026-12-05 02:00:00', '2026-11-29 12:00:01', '2026-11-29 12:00:00'],
  },
  {
    title: 'clock skew: a clock set back by days keeps the newest backup it can date, not only the ones from "before"',
    policy: { daily: 2, monthly: 0, yearly: 0 }, now: '2026-11-20 12:00:00',
    backups: ['2026-11-29 02:00:00', '2026-11-28 02:00:00', '2026-11-20 02:00:00', '2026-11-19 02:00:00', '2026-11-18 02:00:00'],
    kept: ['2026-11-29 02:00:00', '2026-11-28 02:00:00', '2026-11-20 02:00:00', '2026-11-19 02:00:00'],
  },
];

export interface ScheduleCase {
  readonly title: string;
  readonly schedule: BackupScheduleData;
  readonly now: string;
  readonly next: string;
  readonly last: string;
}

export const SCHEDULE_CASES: readonly ScheduleCase[] = [
  {
    title: 'daily at 02:13: before it the next is today, after it tomorrow',
    schedule: { startSecondsUtc: 133 * 60, everyHours: 24 }, now: '2026-11-29 01:00:00', next: '2026-11-29 02:13:00', last: '2026-11-28 02:13:00',
  },
  {
    title: 'daily at 02:13, exactly at it: that one is the last, the next is tomorrow',
    schedule: { startSecondsUtc: 133 * 60, everyHours: 24 }, now: '2026-11-29 02:13:00', next: '2026-11-30 02:13:00', last: '2026-11-29 02:13:00',
  },
  {
    title: 'every 6 hours from 02:13',
    schedule: { startSecondsUtc: 133 * 60, everyHours: 6 }, now: '2026-11-29 15:00:00', next: '2026-11-29 20:13:00', last: '2026-11-29 14:13:00',
  },
  {
    title: 'every 6 hours from 02:13, before the first of the day: the last was yesterday evening',
    schedule: { startSecondsUtc: 133 * 60, everyHours: 6 }, now: '2026-11-29 01:00:00', next: '2026-11-29 02:13:00', last: '2026-11-28 20:13:00',
  },
  {
    title: 'every 5 hours, which 24 does not divide: the day\'s cycle starts again at the first time',
    schedule: { startSecondsUtc: 2 * 3600, everyHours: 5 }, now: '2026-11-29 23:00:00', next: '2026-11-30 02:00:00', last: '2026-11-29 22:00:00',
  },
  {
    title: 'a start late in the day: its cycle runs on into the next day',
    schedule: { startSecondsUtc: 22 * 3600, everyHours: 8 }, now: '2026-11-29 03:00:00', next: '2026-11-29 06:00:00', last: '2026-11-28 22:00:00',
  },
  {
    title: 'across a month and a year end',
    schedule: { startSecondsUtc: 30 * 60, everyHours: 24 }, now: '2026-12-31 23:00:00', next: '2027-01-01 00:30:00', last: '2026-12-31 00:30:00',
  },
  {
    title: 'the test setting: multiples of its seconds since the epoch',
    schedule: { startSecondsUtc: 0, everyHours: 24, everySeconds: 20 }, now: '2026-11-29 12:00:07', next: '2026-11-29 12:00:20', last: '2026-11-29 12:00:00',
  },
];
