import { RedisVersion } from '../../redis-version';
import { CliCommand } from './command';

const COLUMNS = [12, 16, 13, 0];

function row(cells: string[]): string {
  return cells.map((cell, i) => cell.padEnd(COLUMNS[i])).join('').trimEnd();
}

function persistence(v: RedisVersion): string {
  return v.persistent ? 'rdb' : 'memory-only';
}

function status(v: RedisVersion): string {
  return v.endOfLife ? 'end of life' : 'supported';
}

/**
 * Every public field of the entry, whatever the catalog grows (`name` first,
 * the others alphabetically, so the order does not depend on the order of
 * the constructor's assignments), then what the table derives from them.
 */
export function catalogEntry(v: RedisVersion): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: v.name };
  for (const field of Object.keys(v).filter((k) => k !== 'name').sort()) {
    entry[field] = (v as unknown as Record<string, unknown>)[field];
  }
  entry.default = v === RedisVersion.DEFAULT;
  entry.persistence = persistence(v);
  entry.status = status(v);
  return entry;
}

export const versionsCommand: CliCommand = {
  name: 'versions',
  summary: 'list the Redis versions the constructs deploy (RedisVersion.ALL)',
  description:
    'Lists the catalog: version name (the `version` prop), pinned image, persistence (rdb or memory-only)\n' +
    'and status (supported or end of life, which gets a warning at synth). * marks the default.',
  arguments: [],
  options: [
    {
      flag: '--json',
      description: 'a JSON array instead, one object per version: every public field of the entry\n' +
        '(name first, the others alphabetically), then default, persistence and status',
    },
  ],
  examples: ['cdktf-docker-redis versions', 'cdktf-docker-redis versions --json'],
  run(args, output) {
    if (args.flags.has('--json')) {
      output.out(JSON.stringify(RedisVersion.ALL.map(catalogEntry), null, 2) + '\n');
      return 0;
    }
    const lines = [row(['VERSION', 'IMAGE', 'PERSISTENCE', 'STATUS'])];
    for (const v of RedisVersion.ALL) {
      lines.push(row([v.name + (v === RedisVersion.DEFAULT ? ' *' : ''), v.image, persistence(v), status(v)]));
    }
    lines.push('* default');
    output.out(lines.join('\n') + '\n');
    return 0;
  },
};
