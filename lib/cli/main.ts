import { CliArgs, CliCommand, CliOption, CliOutput, UsageError } from './command';
import { backupCommand, backupsCommand } from './backups';
import { versionsCommand } from './versions';

export const PROGRAM = 'cdktf-docker-redis';

/** Exit codes, as the help lists them. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CliCommand[] = [versionsCommand, backupCommand, backupsCommand];

const HELP_FLAGS = ['-h', '--help'];

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows
    .map(([left, right]) => '  ' + left.padEnd(width) + right.split('\n').join('\n  ' + ' '.repeat(width)))
    .join('\n');
}

function optionText(option: CliOption): string {
  return option.value === undefined ? option.flag : `${option.flag} ${option.value}`;
}

function usageLine(command: CliCommand): string {
  const options = command.options.map((o) => ` [${optionText(o)}]`).join('');
  const args = command.arguments.map((a) => ` <${a}>`).join('');
  return `Usage: ${PROGRAM} ${command.name}${args}${options}`;
}

export function mainHelp(commands: readonly CliCommand[]): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Tools for the cdktf-docker-redis constructs (Redis databases on Docker hosts, CDK for Terraform).',
    '',
    'Commands:',
    table(commands.map((c) => [c.name, c.summary])),
    '',
    'Options:',
    table([['-h, --help', `this help; after a command, that command's help`]]),
    '',
    'Examples:',
    ...commands.flatMap((c) => c.examples).map((e) => `  ${e}`),
    `  ${PROGRAM} ${commands[0].name} --help`,
    '',
    'Exit codes:',
    table([
      [String(EXIT_OK), 'success'],
      [String(EXIT_FAILED), 'the command failed (the reason is on stderr)'],
      [String(EXIT_USAGE), 'usage error: no command, an unknown command, option or argument'],
    ]),
    '',
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  return [
    usageLine(command),
    '',
    command.description,
    '',
    'Options:',
    table([...command.options.map((o): [string, string] => [optionText(o), o.description]), ['-h, --help', 'this help']]),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

function parseArgs(command: CliCommand, argv: readonly string[]): CliArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  const helpCommand = `${PROGRAM} ${command.name} --help`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = command.options.find((o) => o.flag === name);
    if (HELP_FLAGS.includes(arg)) {
      flags.add('--help');
    } else if (option?.value !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value (${name} ${option.value})`, helpCommand);
      values.set(name, value);
    } else if (option && inline === undefined) {
      flags.add(arg);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg}" for ${command.name}`, helpCommand);
    } else {
      positionals.push(arg);
    }
  }
  if (!flags.has('--help') && positionals.length !== command.arguments.length) {
    const wanted = command.arguments.length === 0 ? 'no arguments' : command.arguments.map((a) => `<${a}>`).join(' ');
    throw new UsageError(`${command.name} takes ${wanted}, got ${positionals.map((p) => `"${p}"`).join(' ') || 'none'}`, helpCommand);
  }
  return { flags, values, positionals };
}

/** Runs the CLI on `argv` (the arguments after the program name) and resolves with the exit code. */
export async function runCli(argv: readonly string[], output: CliOutput, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    output.err(mainHelp(commands));
    return EXIT_USAGE;
  }
  if (HELP_FLAGS.includes(name)) {
    output.out(mainHelp(commands));
    return EXIT_OK;
  }
  try {
    const command = commands.find((c) => c.name === name);
    if (!command) {
      throw new UsageError(`${name.startsWith('-') ? 'unknown option' : 'unknown command'} "${name}"`, `${PROGRAM} --help`);
    }
    const args = parseArgs(command, rest);
    if (args.flags.has('--help')) {
      output.out(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(args, output);
  } catch (e) {
    if (e instanceof UsageError) {
      output.err(`${PROGRAM}: ${e.message}; run ${e.helpCommand}\n`);
      return EXIT_USAGE;
    }
    output.err(`${PROGRAM}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  }
}
