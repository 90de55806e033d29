import { RedisVersion } from '../redis-version';
import { catalogPin, IMAGE_PINS, LINES_NOT_IN_CATALOG, VersionPin } from '../private/version-pins';
import { CliCommand } from './command';

/** Rows of cells in columns as wide as their widest cell, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((cells) => cells.map((cell, i) => cell.padEnd(widths[i] + 2)).join('').trimEnd());
}

function persistence(v: RedisVersion): string {
  return v.persistent ? 'rdb' : 'memory-only';
}

function status(v: RedisVersion): string {
  return v.endOfLife ? 'end of life' : 'supported';
}

function pinOf(v: RedisVersion): VersionPin {
  return catalogPin(v.engine, v.engineVersion);
}

/** What the pin record says beyond the catalog: a newer patch, and whether a security release was missed. */
function pinMarks(pin: VersionPin): string {
  if (pin.pinned === pin.newestKnown) return '';
  return `${pin.newestKnown} newer${pin.securityReleaseMissed ? ', security release missed' : ''}`;
}

/**
 * Every public field of the entry, whatever the catalog grows (`name` first,
 * the others alphabetically, so the order does not depend on the order of
 * the constructor's assignments), then what the table derives from them.
 */
export function catalogEntry(v: RedisVersion): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: v.name };
  const getters = Object.entries(Object.getOwnPropertyDescriptors(RedisVersion.prototype)).filter(([, d]) => d.get).map(([k]) => k);
  for (const field of [...Object.keys(v), ...getters].filter((k) => k !== 'name').sort()) {
    const value = (v as unknown as Record<string, unknown>)[field];
    // Another entry of the catalog is named, not nested.
    entry[field] = value instanceof RedisVersion ? value.name : value;
  }
  entry.default = v === RedisVersion.DEFAULT;
  entry.persistence = persistence(v);
  entry.status = status(v);
  entry.pin = pinOf(v);
  return entry;
}

export const versionsCommand: CliCommand = {
  name: 'versions',
  summary: 'list the Redis versions the constructs deploy (RedisVersion.ALL)',
  description:
    'Lists the catalog: version name (the `version` prop), engine and release, pinned image, persistence\n' +
    '(rdb or memory-only), license, status (supported or end of life, which gets a warning at synth),\n' +
    'the newest upstream patch known and the date that was checked (lib/private/version-pins.ts; a newer\n' +
    'one is marked, with "security release missed" when it fixed one). * marks the default. Then the\n' +
    'default images of the other containers and the upstream lines the catalog lacks.',
  arguments: [],
  options: [
    {
      flag: '--json',
      description: 'a JSON array instead, one object per version: every public field of the entry\n' +
        '(name first, the others alphabetically), then default, persistence, status and pin (the record\n' +
        'of lib/private/version-pins.ts)',
    },
  ],
  examples: ['cdktf-docker-redis versions', 'cdktf-docker-redis versions --json'],
  run(args, output) {
    if (args.flags.has('--json')) {
      output.out(JSON.stringify(RedisVersion.ALL.map(catalogEntry), null, 2) + '\n');
      return 0;
    }
    const rows = [['VERSION', 'ENGINE', 'IMAGE', 'PERSISTENCE', 'LICENSE', 'STATUS', 'NEWEST KNOWN', 'CHECKED', 'MARKS']];
    for (const v of RedisVersion.ALL) {
      const pin = pinOf(v);
      rows.push([v.name + (v === RedisVersion.DEFAULT ? ' *' : ''), `${v.engine} ${v.engineVersion}`, v.image, persistence(v), v.license, status(v),
        pin.newestKnown, pin.checked, pinMarks(pin)]);
    }
    const images = [['IMAGE', 'NEWEST KNOWN', 'CHECKED', 'MARKS']];
    for (const [name, pin] of Object.entries(IMAGE_PINS)) images.push([`${name}:${pin.pinned}`, pin.newestKnown, pin.checked, pinMarks(pin)]);
    const missing = [['NOT IN THE CATALOG', 'NEWEST KNOWN', 'CHECKED', 'STATUS']];
    for (const [line, pin] of Object.entries(LINES_NOT_IN_CATALOG)) missing.push([line, pin.newestKnown, pin.checked, pin.upstream]);
    const lines = [...table(rows), '* default', '', ...table(images), '', ...table(missing)];
    output.out(lines.join('\n') + '\n');
    return 0;
  },
};
