import { fillShellCommand, shellFile } from '../private/shell-template';

/**
 * The sh function both the backup and the restore script use to read the
 * RDB format number from a file's header (`REDIS0011` is 11, `VALKEY080` is
 * 80): the backup records it, the restore checks it against what the engine
 * reads. One text, rdb-format.sh, so the two never disagree on what a header means.
 */
export const RDB_FORMAT_FUNCTION = fillShellCommand(shellFile(__dirname, 'rdb-format.sh'), {});

/** The same, as the lines that take the place of `# @RDB_FORMAT@` in a script. */
export const RDB_FORMAT_LINES: readonly string[] = RDB_FORMAT_FUNCTION.split('\n');
