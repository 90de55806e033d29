/** Where a command writes: stdout and stderr in the real CLI, buffers in tests. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** An option of a command: a flag such as `--json`, or one that takes a value, such as `--host-path DIR`. */
export interface CliOption {
  readonly flag: string;
  /** The value's placeholder in the help, such as `DIR`; a flag without one takes no value. */
  readonly value?: string;
  readonly description: string;
}

/** A command's arguments after parsing: the flags given, the values of options that take one, and the positional arguments, in order. */
export interface CliArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly positionals: readonly string[];
}

/**
 * One `cdktf-docker-redis <name>` command. Each lives in a module of its own
 * and is listed in `COMMANDS` (main.ts); the main module parses the arguments
 * against what the command declares and prints its help, so a command only
 * does its work.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list of the main help. */
  readonly summary: string;
  /** The command's help, after its usage line. */
  readonly description: string;
  /** Names of the positional arguments it requires, such as `handle`. */
  readonly arguments: readonly string[];
  readonly options: readonly CliOption[];
  readonly examples: readonly string[];
  /** Does the work and returns the exit code; throws UsageError for wrong usage it finds itself. */
  run(args: CliArgs, output: CliOutput): number | Promise<number>;
}

/** Wrong usage: reported on one line with the help to read, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, public readonly helpCommand: string) {
    super(message);
  }
}
