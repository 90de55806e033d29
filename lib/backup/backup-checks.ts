import { Token } from 'cdktf';
import { RedisVersion } from '../redis-version';
import { restoreIncompatibility } from '../private/compatibility';
import { engineFeatures, engineFiles } from '../private/engine';
import { InstanceCheck } from '../private/instance-checks';
import { RedisBackupFile } from './backup-file';
import { RedisBackupOptions } from './backup-options';
import { BACKUP_EXTENSION, CHECKSUM_EXTENSION, parseBackupFileName } from './names';
import { RetentionPolicy } from './retention';
import { BackupScheduleData, defaultStartMinuteUtc, parseUtcTime } from './schedule';

const DEFAULT_EVERY_HOURS = 24;
const DEFAULT_RETENTION: RetentionPolicy = { daily: 30, monthly: 12, yearly: 0 };
const OPTION_NAMES: ReadonlyArray<keyof RedisBackupOptions> = [
  'enabled', 'everyHours', 'startAtUtc', 'retainDaily', 'retainMonthly', 'retainYearly', 'hostPath', 'everySecondsForTesting',
];
/** Docker's rule for volume names (daemon/names). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Backups as the construct builds them: every default applied. */
export interface ResolvedBackup {
  readonly schedule: BackupScheduleData;
  readonly retention: RetentionPolicy;
  /** A directory on the Docker host, or undefined for the volume `HANDLE-backups`. */
  readonly hostPath?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Why `path` is not a directory or file path a bind mount takes, or
 * undefined: absolute, without `.` or `..` segments, empty segments or a
 * trailing slash (Docker would mount another directory than the one written),
 * and without `:` or `,`, which separate the fields of Docker's volume syntax.
 */
/** Terraform reads these as the start of a template sequence in any string, the uploaded scripts included. */
const TEMPLATE_SEQUENCE = /[$%]\{/;

function hostPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'is relative';
  if (path === '/') return 'is the root directory';
  if (/[:,\n\r\t]/.test(path)) return 'holds a ":", "," or a control character, which Docker\'s volume syntax cannot carry';
  if (TEMPLATE_SEQUENCE.test(path)) return 'holds "${" or "%{", which Terraform would read as a template in the scripts that name it';
  if (path.endsWith('/') || path.split('/').slice(1).some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'is not normalized (empty, "." or ".." segments, or a trailing slash)';
  }
  return undefined;
}

function integerIn(check: InstanceCheck, prop: string, value: unknown, min: number, max: number | undefined, unit: string): void {
  if (value === undefined || (typeof value === 'number' && Token.isUnresolved(value))) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    check.problems.add(`\`${prop}\` must be an integer ${range}${unit ? ` (${unit})` : ''}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Checks `backup` and applies its defaults; undefined when the database takes
 * no backups. Options that would have no effect are not dropped silently: a
 * warning names them.
 */
export function checkBackup(check: InstanceCheck, version: RedisVersion, value: unknown): ResolvedBackup | undefined {
  const { problems } = check;
  if (value !== undefined && !isPlainObject(value)) {
    problems.add(`\`backup\` must be a RedisBackupOptions object such as { retainDaily: 7 }, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const options = (value ?? {}) as RedisBackupOptions;
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as string[]).includes(key)) {
      problems.add(`\`backup.${key}\` is not a backup option; the options are ${OPTION_NAMES.join(', ')}`);
    }
  }
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    problems.add(`\`backup.enabled\` must be true or false, got ${JSON.stringify(options.enabled)}`);
  }
  integerIn(check, 'backup.everyHours', options.everyHours, 1, 24, '');
  integerIn(check, 'backup.retainDaily', options.retainDaily, 0, undefined, 'days');
  integerIn(check, 'backup.retainMonthly', options.retainMonthly, 0, undefined, 'months');
  integerIn(check, 'backup.retainYearly', options.retainYearly, 0, undefined, 'years');
  integerIn(check, 'backup.everySecondsForTesting', options.everySecondsForTesting, 1, 86_400, 'seconds');
  let startMinute: number | undefined;
  if (options.startAtUtc !== undefined) {
    startMinute = typeof options.startAtUtc === 'string' ? parseUtcTime(options.startAtUtc) : undefined;
    if (startMinute === undefined) problems.add(`\`backup.startAtUtc\` must be a UTC time "HH:MM" from "00:00" to "23:59", got ${JSON.stringify(options.startAtUtc)}`);
  }
  if (options.hostPath !== undefined && !Token.isUnresolved(options.hostPath)) {
    const problem = typeof options.hostPath === 'string' ? hostPathProblem(options.hostPath) : 'is not a string';
    if (problem) problems.add(`\`backup.hostPath\` must be an absolute, normalized directory path on the Docker host such as "/srv/backups", got ${JSON.stringify(options.hostPath)}, which ${problem}`);
  }
  if (options.everySecondsForTesting !== undefined && (options.everyHours !== undefined || options.startAtUtc !== undefined)) {
    problems.add('`backup.everySecondsForTesting` replaces `backup.everyHours` and `backup.startAtUtc`: give either it or them');
  }

  const enabled = options.enabled ?? version.persistent;
  if (!enabled) {
    const ignored = OPTION_NAMES.filter((name) => name !== 'enabled' && options[name] !== undefined);
    if (ignored.length > 0) {
      const why = options.enabled === false ? '`backup.enabled` is false' : `memory-only "${version.name}" takes no backups unless \`backup.enabled\` is true`;
      check.warn(`${ignored.map((name) => `\`backup.${name}\``).join(', ')} ${ignored.length === 1 ? 'has' : 'have'} no effect: ${why}`);
    }
    return undefined;
  }
  if (!version.persistent) {
    if (!engineFeatures(version).acl) {
      problems.add(
        `\`backup.enabled\` on memory-only "${version.name}" needs Redis 6.0 or later: before 6.0 the cli cannot receive a snapshot ` +
        'unless the server first writes it into its data directory, which here is a tmpfs counted against the container\'s memory',
      );
    } else {
      check.warn(
        `backups of memory-only "${version.name}" capture what is in memory: they are the only copy of the data that outlives a restart ` +
        '(each one forks Redis, and pages written meanwhile are copied, within `containerSizeMb`)',
      );
    }
  }
  const retention: RetentionPolicy = {
    daily: options.retainDaily ?? DEFAULT_RETENTION.daily,
    monthly: options.retainMonthly ?? DEFAULT_RETENTION.monthly,
    yearly: options.retainYearly ?? DEFAULT_RETENTION.yearly,
  };
  if (retention.daily === 0 && retention.monthly === 0 && retention.yearly === 0) {
    check.warn('`backup.retainDaily`, `retainMonthly` and `retainYearly` are all 0: only the newest backup is kept, and a bad write noticed after the next backup is in every copy');
  }
  if (options.everySecondsForTesting !== undefined) {
    check.warn(`\`backup.everySecondsForTesting\` is set: a backup every ${options.everySecondsForTesting} seconds, a setting for tests only`);
  }
  return {
    schedule: {
      startSecondsUtc: (startMinute ?? defaultStartMinuteUtc(check.handle)) * 60,
      everyHours: options.everyHours ?? DEFAULT_EVERY_HOURS,
      everySeconds: options.everySecondsForTesting,
    },
    retention,
    hostPath: options.hostPath,
  };
}

/** Checks `restoreFrom`: a RedisBackupFile naming an RDB file a persistent version of this engine can load. */
export function checkRestore(check: InstanceCheck, version: RedisVersion, value: unknown): RedisBackupFile | undefined {
  if (value === undefined) return undefined;
  const { problems } = check;
  if (!(value instanceof RedisBackupFile)) {
    problems.add(`\`restoreFrom\` must be a RedisBackupFile, such as RedisBackupFile.inVolume('cache-backups', 'cache-7.2-20261129T021300Z.rdb'), got ${JSON.stringify(value)}`);
    return undefined;
  }
  const before = problems.count;
  if (!version.persistent) {
    problems.add(
      `\`restoreFrom\` needs a persistent version, got memory-only "${version.name}": its data directory is empty after every restart, ` +
      `so the restore would run again at each one and bring the backup back; restore into "${version.persistentFlavor.name}"`,
    );
  }
  const file = value.fileName;
  if (value.volumeName !== undefined && !Token.isUnresolved(value.volumeName) && !VOLUME_NAME.test(value.volumeName)) {
    problems.add(`\`restoreFrom\` volume name must be a Docker volume name (letters, digits, "_", "." and "-", starting with a letter or digit), got ${JSON.stringify(value.volumeName)}`);
  }
  if (value.hostPath !== undefined && !Token.isUnresolved(value.hostPath)) {
    const problem = hostPathProblem(value.hostPath) ?? (value.hostPath.lastIndexOf('/') === 0 ? 'is in the root directory, which would be mounted whole' : undefined);
    if (problem) problems.add(`\`restoreFrom\` must be an absolute, normalized file path on the Docker host such as "/srv/backups/cache-7.2-20261129T021300Z.rdb", got ${JSON.stringify(value.hostPath)}, which ${problem}`);
  }
  if (!Token.isUnresolved(file)) {
    if (file.includes('/') || file === '' || file.startsWith('.') || /[:,\n\r\t]/.test(file) || TEMPLATE_SEQUENCE.test(file)) {
      problems.add(`\`restoreFrom\` file name must be a plain name at the top of the volume, such as "cache-7.2-20261129T021300Z.rdb", got ${JSON.stringify(file)}`);
    } else if (!file.endsWith(BACKUP_EXTENSION)) {
      const aof = /\.aof|appendonly/.test(file) ? ': an AOF cannot be restored; take a backup of the database it belongs to instead' : '';
      problems.add(`\`restoreFrom\` must name an RDB file (NAME${BACKUP_EXTENSION}, with NAME${BACKUP_EXTENSION}${CHECKSUM_EXTENSION} beside it), got ${JSON.stringify(file)}${aof}`);
    }
  }
  const parsed = Token.isUnresolved(file) ? undefined : parseBackupFileName(file);
  if (parsed) {
    const reason = restoreIncompatibility(parsed.version, version);
    if (reason) {
      problems.add(`\`restoreFrom\` ${file} is a backup of a "${parsed.version.name}" database, and "${version.name}" cannot load it: ${reason}; restore it into "${parsed.version.persistentFlavor.name}" or a version that reads its format`);
    }
  }
  if (problems.count === before) {
    check.warn(
      `\`restoreFrom\` seeds the database from ${value} on its first start only; later starts skip it. ` +
      `Added to a database that already has data, it makes ${engineFiles(version).productName} refuse to start (its log says why)`,
    );
  }
  return value;
}

/** A follower is a copy of its primary, not a backup of it: JavaScript callers get told so. */
export function refuseBackupProps(check: InstanceCheck, props: object): void {
  for (const prop of ['backup', 'restoreFrom']) {
    if ((props as Record<string, unknown>)[prop] !== undefined) {
      check.problems.add(`\`${prop}\` is not a RedisFollower prop: a follower is not a backup and is never restored; set \`${prop}\` on its primary`);
    }
  }
}
