import { createHash } from 'crypto';

/** When backups are taken. */
export interface BackupScheduleData {
  /** Seconds after 00:00 UTC of the first backup of each day. */
  readonly startSecondsUtc: number;
  /** Hours between backups within a day; the day's cycle starts again at `startSecondsUtc`. */
  readonly everyHours: number;
  /** Test only: a backup every this many seconds (multiples of it since the epoch), instead of the two above. */
  readonly everySeconds?: number;
}

const DAY_SECONDS = 86_400;
const UTC_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The default first backup time of a database: a minute of the UTC day
 * derived from its handle, the same in every synth, so databases of a fleet
 * do not all fork for their snapshots at the same moment.
 */
export function defaultStartMinuteUtc(handle: string): number {
  return createHash('sha256').update(`cdktf-docker-redis backups ${handle}`).digest().readUInt32BE(0) % (DAY_SECONDS / 60);
}

/** Minutes after midnight UTC of an `HH:MM` text, or undefined when it is not one. */
export function parseUtcTime(text: string): number | undefined {
  const m = UTC_TIME.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function formatUtcTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Every backup time of the UTC day that starts at `dayStart` (epoch seconds), ascending; the last ones may fall on the next day. */
function timesOfDay(schedule: BackupScheduleData, dayStart: number): number[] {
  const times: number[] = [];
  for (let k = 0; k * schedule.everyHours < 24; k++) times.push(dayStart + schedule.startSecondsUtc + k * schedule.everyHours * 3600);
  return times;
}

/** Candidate times around `epochSeconds`: the cycles of the day before, the day and the day after. */
function timesAround(schedule: BackupScheduleData, epochSeconds: number): number[] {
  const day = epochSeconds - (epochSeconds % DAY_SECONDS);
  return [day - DAY_SECONDS, day, day + DAY_SECONDS].flatMap((d) => timesOfDay(schedule, d));
}

/** The first backup time after `epochSeconds`. */
export function nextBackupAfter(schedule: BackupScheduleData, epochSeconds: number): number {
  if (schedule.everySeconds) return epochSeconds - (epochSeconds % schedule.everySeconds) + schedule.everySeconds;
  return Math.min(...timesAround(schedule, epochSeconds).filter((t) => t > epochSeconds));
}

/** The last backup time at or before `epochSeconds`. */
export function lastBackupAtOrBefore(schedule: BackupScheduleData, epochSeconds: number): number {
  if (schedule.everySeconds) return epochSeconds - (epochSeconds % schedule.everySeconds);
  return Math.max(...timesAround(schedule, epochSeconds).filter((t) => t <= epochSeconds));
}

/** For messages and the script's header: "daily at 02:13 UTC" or "every 6 hours from 02:13 UTC". */
export function describeSchedule(schedule: BackupScheduleData): string {
  if (schedule.everySeconds) return `every ${schedule.everySeconds} seconds (test setting)`;
  const start = formatUtcTime(schedule.startSecondsUtc / 60);
  return schedule.everyHours === 24 ? `daily at ${start} UTC` : `every ${schedule.everyHours} hours from ${start} UTC each day`;
}
