/**
 * The admin path to code execution (CONFIG SET dir / dbfilename, MODULE LOAD,
 * DEBUG) against real servers of every Redis-family test image, with the
 * config and ACL file a synthesized stack renders for that image's catalog
 * entry: `default` and an app user with every command are refused each step.
 * Beside it runs a control: the same files with the three switches turned on
 * on the command line (which the server applies after the file), where each
 * command gets past the check, so a refusal here is the switches' doing.
 *
 * Every test image is 7.0 or later; the 6.x ACL rules are checked as text
 * against the 6.0 and 6.2 tables (test/unit/server-hardening.test.ts).
 */
import * as fs from 'fs';
import { RedisDatabase } from '../../lib';
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
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', { version: server.version, containerSizeMb: 256, users: [{ name: 'ops', permissions: '~* &* +@all' }] });
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
    control = await startLocalRedis(cache, dir('control'), inImage(server.image), SWITCHES_ON);
  });

  const logins = [
    ['default', () => cache.password],
    ['ops (~* &* +@all)', () => testUserPassword('cache', 'ops')],
  ] as const;

  // Each command with what the hardened server answers and what shows the control got past the check.
  const steps = (redis: LocalRedis) => [
    { command: ['CONFIG', 'SET', 'dir', redis.dir], refused: /protected config/, past: /^OK$/ },
    { command: ['CONFIG', 'SET', 'dbfilename', 'x'], refused: /protected config/, past: /^OK$/ },
    // The control's refusal comes from loading the file, after the command was allowed.
    { command: ['MODULE', 'LOAD', '/nonexistent/module.so'], refused: /MODULE command not allowed/, past: /Error loading the extension/ },
    { command: ['DEBUG', 'SLEEP', '0'], refused: /DEBUG command not allowed/, past: /^OK$/ },
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
});
