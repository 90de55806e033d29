/**
 * Renders the start script of a database created with `restoreFrom`: the
 * Redis container's entrypoint, which on the database's first start seeds its
 * data directory from a backup and then runs the server it is given as
 * arguments: restore.sh beside this file, filled in. Pure and deterministic,
 * like the other renderers; it must hold no `${` and no `%{` (Terraform would
 * read them in the upload's content).
 *
 * The first start is told from every later one by a marker file in the data
 * directory, written last: later starts, and the containers that replace this
 * one (an upgrade, any replacing change), find it and start the server at
 * once. A data directory that holds anything without the marker is not a new
 * database, and is refused.
 */
import { fillShell, shellFile, shellQuote } from '../private/shell-template';
import { RDB_FORMAT_LINES } from './rdb-format-sh';

export interface RestoreScriptData {
  readonly handle: string;
  /** The restoring database's catalog name and its display name, such as `7.0` and "Redis 7.0". */
  readonly readerName: string;
  readonly readerDisplayName: string;
  readonly serverBinary: string;
  readonly cliBinary: string;
  /** `redis-check-rdb` or `valkey-check-rdb`. */
  readonly checkBinary: string;
  readonly configPath: string;
  readonly dataDir: string;
  /** The server's `dbfilename`. */
  readonly dumpFileName: string;
  /** The backup inside the container (a read-only mount), and how messages name it. */
  readonly sourcePath: string;
  readonly sourceLabel: string;
  /** RDB formats the reader loads: its own, and every format up to `readsUpTo`. */
  readonly ownFormat: number;
  readonly readsUpTo: number;
  /** Who writes each RDB format, for messages: `{ 12: 'Redis 7.4, 8.0 or 8.2' }`. */
  readonly formatWriters: Readonly<Record<number, string>>;
  /** With AOF on, the server loads only the AOF: the restored RDB is turned into one first. */
  readonly appendOnly: boolean;
  /** How the temporary server of the AOF conversion is entered: ACL file (6.0+) or `requirepass`. */
  readonly auth: 'acl' | 'requirepass';
  /** The config has a `tls-port`, which the temporary server must not open. */
  readonly nativeTls: boolean;
  /** The most a wait on the server (loading, AOF rewrite) may take, in seconds. */
  readonly timeoutSeconds: number;
  /**
   * The engine loads with the checks of its check-rdb (`sanitize-dump-payload yes`, Redis 6.2+, Valkey):
   * the server's own load is the check, and runs while the backup is copied. Before, check-rdb runs first.
   */
  readonly sanitizedLoad: boolean;
  /** The health user's password file, for knowing when the server serves (sanitized loads only). */
  readonly healthSecretFile?: string;
  /** The server's port. */
  readonly port: number;
}

export function renderRestoreScript(data: RestoreScriptData): string {
  const formats = Object.keys(data.formatWriters).map(Number).sort((a, b) => a - b);
  const reads = data.readsUpTo === data.ownFormat ? `RDB formats up to ${data.ownFormat}` : `RDB formats up to ${data.readsUpTo} and ${data.ownFormat}`;
  return fillShell(shellFile(__dirname, 'restore.sh'), {
    DATABASE: data.handle,
    DISPLAY_NAME: data.readerDisplayName,
    SOURCE_LABEL: data.sourceLabel,
    READER: shellQuote(`${data.readerDisplayName} (this database, version ${data.readerName})`),
    READER_NAME: shellQuote(data.readerName),
    SERVER: shellQuote(data.serverBinary),
    CLI: shellQuote(data.cliBinary),
    CHECK: shellQuote(data.checkBinary),
    CONF: shellQuote(data.configPath),
    DATA: shellQuote(data.dataDir),
    DUMP: shellQuote(`${data.dataDir}/${data.dumpFileName}`),
    SRC: shellQuote(data.sourcePath),
    LABEL: shellQuote(data.sourceLabel),
    OWN_FORMAT: `${data.ownFormat}`,
    READS_UP_TO: `${data.readsUpTo}`,
    READS: shellQuote(reads),
    APPEND_ONLY: data.appendOnly ? '1' : '0',
    AUTH: shellQuote(data.auth),
    TLS_OFF: shellQuote(data.nativeTls ? '--tls-port 0' : ''),
    TIMEOUT_SECONDS: `${data.timeoutSeconds}`,
    SANITIZE: shellQuote(data.sanitizedLoad ? '--sanitize-dump-payload yes' : ''),
    HEALTH_SECRET: shellQuote(data.healthSecretFile ?? ''),
    PORT: `${data.port}`,
    WRITERS: formats.map((f) => `${f}) echo ${shellQuote(data.formatWriters[f])} ;;`),
    RDB_FORMAT: RDB_FORMAT_LINES,
  });
}
