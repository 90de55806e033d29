/**
 * The admin path to code execution (CONFIG SET dir / dbfilename, MODULE LOAD,
 * DEBUG) against real servers of every Redis-family test image, with the
 * config and ACL file a synthesized stack renders for that image's catalog
 * entry: `default` and an app user with every command are refused each step.
 * Beside it runs a control where each command gets past the check, so a
 * refusal is the hardening's doing:
 *
 * - 7.0 and later: the same files with the three switches turned on on the
 *   command line (which the server applies after the file); the server
 *   refuses with its own message.
 * - 6.0 (the only 6.x image; 6.2's rules are checked as text against its
 *   table, test/unit/server-hardening.test.ts): the ACL rules refuse
 *   (NOPERM). The control is the same ACL file with the hardening's rules
 *   taken off the lines of `default` and the app user.
 */
import * as fs from 'fs';
import { RedisDatabase } from '../../lib';
import { engineFeatures } from '../../lib/private/engine';
import { connectClient, Redis } from '../support/clients';
import { generatedInstances, TestSecrets, testUserPassword } from '../support/generated';
import { LocalRedis, startLocalRedis } from '../support/local-servers';
import { makeTestPki } from '../support/pki';
import { requireTools, stopAll, tempDir } from '../support/processes';
import { inImage, removeDeadRunsContainers } from '../support/runners';
import { REDIS_FAMILY_IMAGES, requireImages } from '../support/server-images';
import { dockerStack } from '../support/synth';

jest.setTimeout(120_000);
requireTools('docker', 'openssl');

const workDir = tempDir('admin-path');
const secrets: TestSecrets = { pki: makeTestPki(workDir), passwords: { cache: 'CachePassword0123456789abcdef' } };
const SWITCHES_ON = ['--enable-protected-configs', 'yes', '--enable-debug-command', 'yes', '--enable-module-command', 'yes'];
/** The 6.x hardening's rules: CONFIG, MODULE and DEBUG off, and the subcommands `default` gets back. */
const LOCKDOWN_RULE = /^[-+](config|module|debug)(\|\S+)?$/i;

/** The ACL file with the hardening's rules taken off the lines of `users`; fails when a line has none to take. */
function withoutLockdown(aclFile: string, users: readonly string[]): string {
  return aclFile.split('\n').map((line) => {
    const [keyword, user, ...rules] = line.split(' ');
    if (keyword !== 'user' || !users.includes(user)) return line;
    const kept = rules.filter((rule) => !LOCKDOWN_RULE.test(rule));
    if (kept.length === rules.length) throw new Error(`the ACL line of ${user} has no hardening rule to take off: ${line}`);
    return [keyword, user, ...kept].join(' ');
  }).join('\n');
}

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages(REDIS_FAMILY_IMAGES.map((i) => i.image));
});
afterAll(async () => {
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function replyTo(client: Redis, command: string[]): Promise<string> {
  try {
    return String(await client.call(command[0], ...command.slice(1)));
  } catch (e) {
    return (e as Error).message;
  }
}

describe.each(REDIS_FAMILY_IMAGES.map((server) => [server.label, server] as const))('%s', (_label, server) => {
  const { adminSwitches, aclChannels } = engineFeatures(server.version);
  // Channel rules (&*) exist from 6.2; before that a user has every channel.
  const opsPermissions = aclChannels ? '~* &* +@all' : '~* +@all';
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', { version: server.version, containerSizeMb: 256, users: [{ name: 'ops', permissions: opsPermissions }] });
  const { cache } = generatedInstances(stack, secrets);
  let hardened: LocalRedis;
  let control: LocalRedis;

  beforeAll(async () => {
    const dir = (name: string) => {
      const d = `${workDir}/${server.version.name}-${name}`;
      fs.mkdirSync(d, { recursive: true });
      fs.chmodSync(d, 0o755);
      return d;
    };
    hardened = await startLocalRedis(cache, dir('hardened'), inImage(server.image));
    control = adminSwitches
      ? await startLocalRedis(cache, dir('control'), inImage(server.image), SWITCHES_ON)
      : await startLocalRedis({ ...cache, aclFile: withoutLockdown(cache.aclFile!, ['default', 'ops']) }, dir('control'), inImage(server.image));
  });

  const logins = [
    ['default', () => cache.password],
    [`ops (${opsPermissions})`, () => testUserPassword('cache', 'ops')],
  ] as const;

  // 6.x refuses through the ACL rules, whatever the arguments.
  const refusedBy = (switchMessage: RegExp) => (adminSwitches ? switchMessage : /^NOPERM /);
  // Each command with what the hardened server answers and what shows the control got past the check.
  const steps = (redis: LocalRedis) => [
    { command: ['CONFIG', 'SET', 'dir', redis.dir], refused: refusedBy(/protected config/), past: /^OK$/ },
    { command: ['CONFIG', 'SET', 'dbfilename', 'x'], refused: refusedBy(/protected config/), past: /^OK$/ },
    // The control's refusal comes from loading the file, after the command was allowed.
    { command: ['MODULE', 'LOAD', '/nonexistent/module.so'], refused: refusedBy(/MODULE command not allowed/), past: /Error loading the extension/ },
    { command: ['DEBUG', 'SLEEP', '0'], refused: refusedBy(/DEBUG command not allowed/), past: /^OK$/ },
  ];

  test.each(logins)('refuses %s CONFIG SET dir and dbfilename, MODULE LOAD and DEBUG; the control lets each past the check', async (user, password) => {
    const username = user.split(' ')[0];
    const replies = async (redis: LocalRedis) => {
      const client = await connectClient({ port: redis.port, username, password: password() });
      try {
        const out: string[] = [];
        for (const step of steps(redis)) out.push(await replyTo(client, step.command));
        return out;
      } finally {
        client.disconnect();
      }
    };
    const [refused, controlled] = [await replies(hardened), await replies(control)];
    // Each reply beside its command, so a failure names the step.
    const table = (redis: LocalRedis, out: string[]) => steps(redis).map((step, i) => ({ command: step.command.join(' '), reply: out[i] }));
    const wanted = (redis: LocalRedis, pick: 'refused' | 'past') =>
      steps(redis).map((step) => ({ command: step.command.join(' '), reply: expect.stringMatching(step[pick]) }));
    expect(table(hardened, refused)).toEqual(wanted(hardened, 'refused'));
    expect(table(control, controlled)).toEqual(wanted(control, 'past'));
  });

  // 6.x only: 7.0+ keeps every subcommand for `default`, and its MODULE switch takes MODULE LIST too.
  if (!adminSwitches) {
    test('gives default back CONFIG GET, CONFIG RESETSTAT and MODULE LIST on the hardened server', async () => {
      const client = await connectClient({ port: hardened.port, username: 'default', password: cache.password });
      try {
        expect({
          configGet: await client.call('CONFIG', 'GET', 'maxmemory'),
          resetstat: await client.call('CONFIG', 'RESETSTAT'),
          moduleList: await client.call('MODULE', 'LIST'),
        }).toEqual({ configGet: ['maxmemory', expect.stringMatching(/^\d+$/)], resetstat: 'OK', moduleList: [] });
      } finally {
        client.disconnect();
      }
    });
  }
});
