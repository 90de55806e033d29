import { RetentionPolicy } from './retention';
import { BackupScheduleData, describeSchedule } from './schedule';
import { fillShell, shellFile, shellQuote } from '../private/shell-template';
import { RDB_FORMAT_LINES } from './rdb-format-sh';

/**
 * Renders the backup container's script from plain data. Pure and
 * deterministic: the same input gives the same text, so a plan changes only
 * when the backup settings do. It needs only what the official Redis and
 * Valkey images have: a POSIX sh, GNU coreutils (b2sum, sync, stat, timeout)
 * and the engine's cli.
 *
 * The script is backup.sh beside this file, filled in (lib/private/shell-template.ts).
 * The text reaches the container as an upload's content, which Terraform
 * reads as a template: it must hold no `${` and no `%{` (a unit test checks),
 * so the shell code uses `$name` and never `${name}`.
 */

/** How the script reaches the server and takes a snapshot. */
export type SnapshotMethod =
  /** `cli --rdb` as the backup ACL user, the password piped in with `--askpass` (Redis 6.0+, Valkey). */
  | 'replication'
  /** `BGSAVE`, then a copy of the server's dump.rdb from its data volume, mounted read-only, as the backup user when there is one. */
  | 'bgsave';

export interface BackupScriptData {
  readonly handle: string;
  /** Catalog name, such as `7.2`, `7.2-nordb` or `valkey-8.1`: part of every file name. */
  readonly versionName: string;
  readonly engine: string;
  /** For messages, such as "Redis 7.2". */
  readonly displayName: string;
  readonly cliBinary: string;
  /** Where backups go, inside the container. */
  readonly backupDir: string;
  /** The file holding the password, readable by the container's user only through its group. */
  readonly secretFile: string;
  /** The server's Unix socket, or its host and port on the Docker network. */
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly method: SnapshotMethod;
  /** The ACL user: needed by the `replication` method; before 6.0 there is none, only the password. */
  readonly user?: string;
  /** The server's dump.rdb, for the `bgsave` method. */
  readonly redisDumpFile?: string;
  readonly schedule: BackupScheduleData;
  readonly retention: RetentionPolicy;
  /** Every catalog name: a file is this database's only if its name carries one of them. */
  readonly knownVersions: readonly string[];
  /** The most one backup may take, in seconds, before it is ended and reported failed. */
  readonly timeoutSeconds: number;
  /** What a failed snapshot may be due to on this engine, logged after the cli's own messages. */
  readonly failureHint?: string;
  /** A directory of the container's own filesystem for the lock and the status (not the backup directory, which others may share). */
  readonly stateDir: string;
}

/** backup.sh: its head, up to the first blank line, is the database's; the body after it is one text for every database. */
function template(): { head: string; body: string } {
  const text = shellFile(__dirname, 'backup.sh');
  const blank = text.indexOf('\n\n');
  return { head: text.slice(0, blank + 1), body: text.slice(blank + 1) };
}

/** The whole script, as the container gets it. */
export function renderBackupScript(data: BackupScriptData): string {
  return `${renderBackupScriptHead(data)}${BACKUP_SCRIPT_BODY}`;
}

/** The script's first lines: what the database and its settings decide. The rest, `BACKUP_SCRIPT_BODY`, is the same for every database. */
export function renderBackupScriptHead(data: BackupScriptData): string {
  if ((data.socketPath === undefined) === (data.host === undefined)) throw new Error('give exactly one of socketPath and host');
  if (data.method === 'replication' && data.user === undefined) throw new Error('the replication method needs the backup user');
  if (data.method === 'bgsave' && data.redisDumpFile === undefined) throw new Error('the bgsave method needs the server\'s dump file');
  const connect = data.socketPath !== undefined ? `-s ${data.socketPath}` : `-h ${data.host} -p ${data.port}`;
  return fillShell(template().head, {
    DATABASE: data.handle,
    DISPLAY_NAME: data.displayName,
    SCHEDULE: describeSchedule(data.schedule),
    HANDLE: shellQuote(data.handle),
    VERSION: shellQuote(data.versionName),
    ENGINE: shellQuote(data.engine),
    PRODUCT: shellQuote(data.displayName),
    CLI: shellQuote(data.cliBinary),
    CONNECT: shellQuote(connect),
    DIR: shellQuote(data.backupDir),
    SECRET: shellQuote(data.secretFile),
    METHOD: shellQuote(data.method),
    BACKUP_USER: shellQuote(data.user ?? ''),
    REDIS_DUMP: shellQuote(data.redisDumpFile ?? ''),
    START_SECONDS: `${data.schedule.startSecondsUtc}`,
    EVERY_HOURS: `${data.schedule.everyHours}`,
    EVERY_SECONDS: `${data.schedule.everySeconds ?? 0}`,
    RETAIN_DAILY: `${data.retention.daily}`,
    RETAIN_MONTHLY: `${data.retention.monthly}`,
    RETAIN_YEARLY: `${data.retention.yearly}`,
    TIMEOUT_SECONDS: `${data.timeoutSeconds}`,
    KNOWN_VERSIONS: shellQuote(` ${data.knownVersions.join(' ')} `),
    STATE: shellQuote(data.stateDir),
    FAILURE_HINT: shellQuote(data.failureHint ?? ''),
  });
}

/** The body of backup.sh, with the shared sh functions in place. */
export const BACKUP_SCRIPT_BODY = fillShell(template().body, { RDB_FORMAT: RDB_FORMAT_LINES });
