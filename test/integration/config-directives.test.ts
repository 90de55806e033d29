/**
 * The config directive table against real servers: the test images built by
 * scripts/build-test-images.sh from Debian's packages. Debian patches its
 * builds, so a server may know a directive the pinned upstream release lacks
 * (Debian's 7.0.15 has the hidden lua-enable-deprecated-api backport); the
 * checks run in the direction that tolerates that.
 */
import * as fs from 'fs';
import { configDirectiveNames, isIgnoredConfigDirective } from '../../lib/private/config-directives';
import { engineFiles } from '../../lib/private/engine';
import { connectClient, Redis } from '../support/clients';
import { freePort, requireTools, stopAll, tempDir, waitFor } from '../support/processes';
import { inImage, removeDeadRunsContainers } from '../support/runners';
import { REDIS_FAMILY_IMAGES, requireImages, ServerImage } from '../support/server-images';

jest.setTimeout(120_000);
requireTools('docker');

/**
 * Directives of the pinned patch release that the test image's older Debian
 * build lacks: bookworm-backports carries Valkey 8.0.1, and the Lua hardening
 * (lua-enable-insecure-api, alias lua-enable-deprecated-api) came in a later
 * 8.0 patch release.
 */
const NEWER_THAN_TEST_IMAGE: Record<string, readonly string[]> = {
  'Valkey 8.0': ['lua-enable-deprecated-api', 'lua-enable-insecure-api'],
};

/** Handled by the config file parser itself, so CONFIG GET does not know them. */
const FILE_ONLY_DIRECTIVES = ['include', 'rename-command', 'user', 'loadmodule'];

/**
 * Before 7.0 the file parser and CONFIG GET were separate code: 6.0's parser
 * handles cluster-config-file, which CONFIG GET does not list, and CONFIG
 * GET/SET know watchdog-period, which the parser refuses. The last test
 * shows each on the server's startup.
 */
const PARSER_DIFFERENCES: Record<string, { readonly fileOnly: readonly string[]; readonly configOnly: readonly string[] }> = {
  'Redis 6.0': { fileOnly: ['cluster-config-file'], configOnly: ['watchdog-period'] },
};
const logDir = tempDir('config-directives');

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages(REDIS_FAMILY_IMAGES.map((s) => s.image));
});
afterAll(async () => {
  await stopAll();
  fs.rmSync(logDir, { recursive: true, force: true });
});

/** Runs the server without a config file on a loopback port for the length of `use`. */
async function withServer<T>(server: ServerImage, use: (client: Redis) => Promise<T>): Promise<T> {
  const port = await freePort();
  const { serverBinary } = engineFiles(server.version);
  const proc = inImage(server.image).start(serverBinary, [serverBinary, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], logDir, { uid: 999, gid: 999 }, logDir);
  try {
    const client = await waitFor(`${server.image} on port ${port}`, () => connectClient({ port }));
    try {
      return await use(client);
    } finally {
      client.disconnect();
    }
  } finally {
    await proc.kill('SIGKILL');
  }
}

function configNames(reply: unknown): string[] {
  return (reply as string[]).filter((_, i) => i % 2 === 0);
}

describe.each(REDIS_FAMILY_IMAGES.map((s) => [s.label, s] as const))('config directive table of %s', (_label, server) => {
  const { engine, major, minor } = server.version;
  const names = configDirectiveNames(engine, major, minor);
  const { fileOnly, configOnly } = PARSER_DIFFERENCES[server.label] ?? { fileOnly: [], configOnly: [] };

  test('holds every directive CONFIG GET * lists', async () => {
    const listed = await withServer(server, async (client) => configNames(await client.config('GET', '*')));
    expect(listed.length).toBeGreaterThan(150);
    expect(listed.filter((name) => !names.has(name) && !configOnly.includes(name)).sort()).toEqual([]);
  });

  test('names only directives the server knows', async () => {
    const unknown = await withServer(server, async (client) => {
      const newer = NEWER_THAN_TEST_IMAGE[server.label] ?? [];
      const candidates = [...names].filter(
        (name) => ![...FILE_ONLY_DIRECTIVES, ...fileOnly].includes(name) && !newer.includes(name) && !isIgnoredConfigDirective(engine, major, minor, name),
      );
      const replies = await Promise.all(candidates.map((name) => client.config('GET', name)));
      return candidates.filter((_, i) => configNames(replies[i]).length === 0);
    });
    expect(unknown).toEqual([]);
  });

  /** What the server prints when it refuses to start on `args`; "started" when it does not refuse. */
  function startupRefusal(args: string[]): string {
    const { serverBinary } = engineFiles(server.version);
    try {
      inImage(server.image).run([serverBinary, '--port', '0', ...args]);
    } catch (e) {
      const failed = e as { stdout?: string; stderr?: string };
      return `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    }
    return 'started';
  }

  test('fails a directive outside the table, as the server refuses to start on it', () => {
    expect(names.has('bogus-directive')).toBe(false);
    // Redis 8 defers unknown names as possible module options, then aborts on them.
    expect(startupRefusal(['--bogus-directive', 'yes'])).toMatch(/Bad directive or wrong number of arguments|Module Configuration detected without loadmodule directive/);
  });

  // The parser stops at the first line it refuses and names it: a bogus last line shows the lines before it passed.
  if (fileOnly.length + configOnly.length > 0) {
    test('agrees with the file parser where CONFIG GET does not: it takes the file-only names and refuses the CONFIG-only ones', () => {
      expect({ fileOnly: fileOnly.filter((name) => names.has(name)), configOnly: configOnly.filter((name) => names.has(name)) })
        .toEqual({ fileOnly, configOnly: [] });
      const refusedLine = (name: string) => /^>>> '(\S+)/m.exec(startupRefusal([`--${name}`, '1', '--bogus-directive', 'yes']))?.[1];
      expect({ fileOnly: fileOnly.map(refusedLine), configOnly: configOnly.map(refusedLine) })
        .toEqual({ fileOnly: fileOnly.map(() => 'bogus-directive'), configOnly });
    });
  }
});
