/**
 * The generated redis.conf and haproxy.cfg, taken from a synthesized stack,
 * run in real redis-server and HAProxy processes on 127.0.0.1.
 *
 * Debian ships Redis 7.0, so the stack runs the 7.0 flavors; the renderer
 * differs between versions only where the unit tests show it does.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { promisify } from 'util';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { oldestLostWriteAgeMs, writeSequence } from '../support/durability';
import { GeneratedInstance, generatedInstances, TestSecrets } from '../support/generated';
import { LocalRedis, startLocalRedis, startLocalTlsProxy } from '../support/local-servers';
import { makeTestPki } from '../support/pki';
import { requireTools, sleep, stopAll, tempDir, waitFor } from '../support/processes';
import { parseInfo, RedisReplyError, Reply, RespClient } from '../support/resp';
import { dockerStack } from '../support/synth';

const run = promisify(execFile);
jest.setTimeout(120_000);

requireTools('redis-server', 'redis-cli', 'haproxy', 'openssl');

const workDir = tempDir('integration');
const pki = makeTestPki(workDir);
const secrets: TestSecrets = {
  pki,
  passwords: {
    cache: 'CachePassword0123456789abcdef',
    journal: 'JournalPassword0123456789abcdef',
    scratch: 'ScratchPassword0123456789abcdef',
    replica: 'ReplicaPassword0123456789abcdef',
    secure: 'SecurePassword0123456789abcdefg',
  },
};

function synthesizeTestStack() {
  const stack = dockerStack();
  const cache = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_0, containerSizeMb: 256 });
  new RedisDatabase(stack, 'journal', { version: RedisVersion.V7_0, appendOnly: true, port: 7000, tlsPort: 7001 });
  new RedisDatabase(stack, 'scratch', {
    version: RedisVersion.V7_0_NORDB,
    containerSizeMb: 256,
    maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
    port: 7100,
    tlsPort: 7101,
  });
  new RedisFollower(stack, 'replica', { primary: cache, port: 7200, tlsPort: 7201 });
  new RedisDatabase(stack, 'secure', { version: RedisVersion.V7_0, tlsMode: RedisTlsMode.NATIVE, port: 7300, tlsPort: 7301 });
  return stack;
}

const generated = generatedInstances(synthesizeTestStack(), secrets);

afterAll(async () => {
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Fails with the generated file and directive named, not just two values. */
function expectDirective(instance: GeneratedInstance, directive: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `redis.conf of ${instance.handle}: directive \`${directive}\` is ${JSON.stringify(actual)} in the running server, expected ${JSON.stringify(expected)}`,
    );
  }
}

async function authed(redis: LocalRedis, password = secrets.passwords[redis.instance.handle]): Promise<RespClient> {
  const client = await RespClient.connect({ port: redis.port });
  const reply = await client.command('AUTH', password);
  if (reply !== 'OK') throw new Error(`AUTH on ${redis.instance.handle} failed: ${reply}`);
  return client;
}

async function configGet(client: RespClient, name: string): Promise<string> {
  const reply = (await client.command('CONFIG', 'GET', name)) as Reply[];
  return String(reply[1]);
}

function isError(reply: Reply, prefix: string): boolean {
  return reply instanceof RedisReplyError && reply.message.startsWith(prefix);
}

function freshDir(name: string): string {
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('redis.conf of cache (persistent flavor, 7.0)', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startLocalRedis(generated.cache, freshDir('persistent'));
  });

  test('snapshots on the Aptible schedule without AOF', async () => {
    const client = await authed(redis);
    expectDirective(generated.cache, 'save', await configGet(client, 'save'), '900 1 300 10 60 10000');
    expectDirective(generated.cache, 'appendonly', await configGet(client, 'appendonly'), 'no');
    client.close();
  });

  test('refuses unauthenticated commands and wrong passwords', async () => {
    const client = await RespClient.connect({ port: redis.port });
    const get = await client.command('GET', 'anything');
    expect(isError(get, 'NOAUTH')).toBe(true);
    const wrong = await client.command('AUTH', 'not-the-password');
    expect(isError(wrong, 'WRONGPASS')).toBe(true);
    client.close();
  });

  test('keeps data written before SHUTDOWN SAVE across a restart from the same dir', async () => {
    const client = await authed(redis);
    expect(await client.command('SET', 'durable', 'value-1')).toBe('OK');
    await client.command('SHUTDOWN', 'SAVE').catch(() => undefined);
    client.close();
    await redis.process.exited;
    expect(fs.readdirSync(redis.dataDir)).toContain('dump.rdb');
    await redis.restart();
    const again = await authed(redis);
    expect(await again.command('GET', 'durable')).toBe('value-1');
    again.close();
  });

  test('limits memory to maxmemory without evicting: writes fail with OOM, stored keys stay', async () => {
    const client = await authed(redis);
    expectDirective(generated.cache, 'maxmemory', await configGet(client, 'maxmemory'), String(128 * 1024 * 1024));
    expectDirective(generated.cache, 'maxmemory-policy', await configGet(client, 'maxmemory-policy'), 'noeviction');
    await client.command('FLUSHALL');
    const value = 'x'.repeat(1024 * 1024);
    const stored: string[] = [];
    let refusal: Reply | undefined;
    for (let i = 0; i < 400 && refusal === undefined; i++) {
      const reply = await client.command('SET', `big:${i}`, value);
      if (reply === 'OK') stored.push(`big:${i}`);
      else refusal = reply;
    }
    expect(String(refusal)).toMatch(/^OOM command not allowed when used memory > 'maxmemory'/);
    // 1 MB values land in larger allocator classes: well over half of maxmemory holds data.
    expect(stored.length).toBeGreaterThanOrEqual(64);
    expect(await client.command('DBSIZE')).toBe(stored.length);
    const lengths = await client.pipeline(stored.map((key) => ['STRLEN', key]));
    expect(lengths.every((len) => len === value.length)).toBe(true);
    await client.command('FLUSHALL');
    client.close();
  });
});

describe('redis.conf of journal (persistent flavor with appendonly, 7.0)', () => {
  test('loses at most one second of acknowledged writes to kill -9', async () => {
    const redis = await startLocalRedis(generated.journal, freshDir('aof'));
    const client = await authed(redis);
    expectDirective(generated.journal, 'appendonly', await configGet(client, 'appendonly'), 'yes');
    expectDirective(generated.journal, 'appendfsync', await configGet(client, 'appendfsync'), 'everysec');

    const ackedAt = await writeSequence(client, 2500);
    const killedAt = Date.now();
    await redis.process.kill('SIGKILL');
    client.close();

    await redis.restart();
    const after = await authed(redis);
    expect(ackedAt.length).toBeGreaterThan(100);
    expect(await oldestLostWriteAgeMs(after, ackedAt, killedAt)).toBeLessThanOrEqual(1000);
    after.close();
  });
});

describe('redis.conf of scratch (memory-only flavor, 7.0-nordb)', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startLocalRedis(generated.scratch, freshDir('memory-only'));
  });

  test('never snapshots and never appends', async () => {
    const client = await authed(redis);
    expectDirective(generated.scratch, 'save', await configGet(client, 'save'), '');
    expectDirective(generated.scratch, 'appendonly', await configGet(client, 'appendonly'), 'no');
    client.close();
  });

  test('evicts with allkeys-lru at 80 % of the container size and keeps accepting writes', async () => {
    const client = await authed(redis);
    expectDirective(generated.scratch, 'maxmemory', await configGet(client, 'maxmemory'), String(204 * 1024 * 1024));
    expectDirective(generated.scratch, 'maxmemory-policy', await configGet(client, 'maxmemory-policy'), 'allkeys-lru');
    const value = 'y'.repeat(1024 * 1024);
    for (let i = 0; i < 260; i++) expect(await client.command('SET', `fill:${i}`, value)).toBe('OK');
    const stats = parseInfo(await client.command('INFO', 'stats'));
    expect(Number(stats.evicted_keys)).toBeGreaterThan(0);
    await client.command('FLUSHALL');
    client.close();
  });

  test('loses its data on restart and writes nothing to the data dir', async () => {
    const client = await authed(redis);
    expect(await client.command('SET', 'ephemeral', '1')).toBe('OK');
    await client.command('SHUTDOWN').catch(() => undefined);
    client.close();
    await redis.process.exited;
    expect(fs.readdirSync(redis.dataDir)).toEqual([]);
    await redis.restart();
    const again = await authed(redis);
    expect(await again.command('DBSIZE')).toBe(0);
    again.close();
  });
});

describe.each([
  ['haproxy.cfg and server.pem of cache-tls (HAProxy sidecar)', 'cache'],
  ['tls-* directives and TLS files of secure (native Redis TLS)', 'secure'],
] as const)('TLS endpoint from %s', (_mode, handle) => {
  const instance = generated[handle];
  const password = secrets.passwords[handle];
  let redis: LocalRedis;
  let tlsPort: number;
  beforeAll(async () => {
    const dir = freshDir(`tls-${handle}`);
    redis = await startLocalRedis(instance, dir);
    tlsPort = instance.nativeTlsFiles ? redis.tlsPort! : (await startLocalTlsProxy(instance, redis, dir)).port;
    const client = await authed(redis);
    await client.command('SET', 'written-in-plaintext', 'seen-over-tls');
    client.close();
  });

  test('serves a client that verifies the certificate for localhost against the CA', async () => {
    const client = await RespClient.connect({ port: tlsPort, tls: { ca: pki.caCertPem, servername: 'localhost' } });
    expect(await client.command('AUTH', password)).toBe('OK');
    expect(await client.command('GET', 'written-in-plaintext')).toBe('seen-over-tls');
    client.close();
  });

  test('refuses a client that does not trust the CA', async () => {
    await expect(RespClient.connect({ port: tlsPort, tls: { ca: pki.otherCaCertPem, servername: 'localhost' } })).rejects.toThrow(
      /unable to verify|self[- ]signed|certificate/i,
    );
  });

  test('fails verification for a host name the certificate does not name', async () => {
    await expect(RespClient.connect({ port: tlsPort, tls: { ca: pki.caCertPem, servername: 'elsewhere.example' } })).rejects.toThrow(
      /does not match certificate's altnames/,
    );
  });

  test.each([['-tls1'], ['-tls1_1']])('refuses %s and accepts TLS 1.2 and 1.3', async (flag) => {
    const handshake = async (versionFlag: string) => {
      const args = ['s_client', '-connect', `127.0.0.1:${tlsPort}`, versionFlag, '-cipher', 'DEFAULT:@SECLEVEL=0', '-CAfile', pki.caFile, '-verify_return_error'];
      const child = run('openssl', args, { timeout: 10_000 });
      child.child.stdin?.end('QUIT\r\n');
      return child.then(
        (r) => ({ ok: true, text: r.stdout + r.stderr }),
        (e) => ({ ok: false, text: String(e.stdout) + String(e.stderr) }),
      );
    };
    const old = await handshake(flag);
    expect(old.ok).toBe(false);
    expect(old.text).toMatch(/alert protocol version|unsupported protocol|no protocols available/);
    for (const modern of ['-tls1_2', '-tls1_3']) {
      const result = await handshake(modern);
      expect(result.text).toMatch(/Verify return code: 0 \(ok\)/);
    }
  });

  test('answers nothing to plaintext on the TLS port', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = net.connect({ host: '127.0.0.1', port: tlsPort }, () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      socket.setTimeout(5000, () => reject(new Error('plaintext connection to the TLS port stayed open for 5 s')));
    });
    expect(received).not.toContain('PONG');
    expect(received).not.toContain('NOAUTH');
  });

  test('credential URLs from the outputs work in redis-cli, plaintext and TLS', async () => {
    const withPort = (url: string, port: number) => {
      const u = new URL(url);
      u.port = String(port);
      return u.toString();
    };
    expect(instance.url).toMatch(new RegExp(`^redis://default:${password}@localhost:\\d+$`));
    expect(instance.tlsUrl).toMatch(new RegExp(`^rediss://default:${password}@localhost:\\d+$`));
    const plain = await run('redis-cli', ['-u', withPort(instance.url, redis.port), '--no-auth-warning', 'GET', 'written-in-plaintext'], { timeout: 10_000 });
    expect(plain.stdout.trim()).toBe('seen-over-tls');
    const caFile = path.join(workDir, 'output-ca.pem');
    fs.writeFileSync(caFile, instance.caCertificatePem);
    const secure = await run('redis-cli', ['-u', withPort(instance.tlsUrl, tlsPort), '--tls', '--cacert', caFile, '--no-auth-warning', 'GET', 'written-in-plaintext'], {
      timeout: 10_000,
    });
    expect(secure.stdout.trim()).toBe('seen-over-tls');
  });
});

describe('redis.conf of replica (replicaof, masterauth, replica-read-only from cache)', () => {
  let primary: LocalRedis;
  let follower: LocalRedis;
  const linkUp = async (redis: LocalRedis) => {
    const client = await authed(redis);
    try {
      return parseInfo(await client.command('INFO', 'replication')).master_link_status === 'up' ? true : undefined;
    } finally {
      client.close();
    }
  };

  beforeAll(async () => {
    const dir = freshDir('replication');
    primary = await startLocalRedis(generated.cache, dir);
    // The generated `replicaof cache 6379` names the primary on the Docker network; here it is on loopback.
    follower = await startLocalRedis(generated.replica, dir, ['--replicaof', '127.0.0.1', String(primary.port)]);
  });

  test('replicates 10,000 writes with the primary\'s password', async () => {
    await waitFor('master_link_status:up on the follower', () => linkUp(follower));
    const writer = await authed(primary);
    for (let batch = 0; batch < 10; batch++) {
      const commands = Array.from({ length: 1000 }, (_, i) => ['SET', `k:${batch * 1000 + i}`, `v:${batch * 1000 + i}`]);
      const replies = await writer.pipeline(commands);
      expect(replies.every((r) => r === 'OK')).toBe(true);
    }
    const reader = await authed(follower);
    await waitFor('10,000 keys on the follower', async () => ((await reader.command('DBSIZE')) === 10_000 ? true : undefined));
    const keys = Array.from({ length: 10_000 }, (_, i) => `k:${i}`);
    for (let i = 0; i < keys.length; i += 1000) {
      const slice = keys.slice(i, i + 1000);
      expect(await reader.command('MGET', ...slice)).toEqual(await writer.command('MGET', ...slice));
    }
    writer.close();
    reader.close();
  });

  test('refuses writes', async () => {
    const client = await authed(follower);
    expect(isError(await client.command('SET', 'on-follower', '1'), 'READONLY')).toBe(true);
    client.close();
  });

  test('resyncs after the primary restarts', async () => {
    const writer = await authed(primary);
    await writer.command('SHUTDOWN', 'SAVE').catch(() => undefined);
    writer.close();
    await primary.process.exited;
    await primary.restart();
    const again = await authed(primary);
    expect(await again.command('SET', 'after-restart', 'yes')).toBe('OK');
    again.close();
    const reader = await authed(follower);
    await waitFor('the write after the primary restart on the follower', async () => ((await reader.command('GET', 'after-restart')) === 'yes' ? true : undefined), 30_000);
    expect(await linkUp(follower)).toBe(true);
    reader.close();
  });

  test('never syncs with a wrong masterauth', async () => {
    const wrongAuth = generatedInstances(synthesizeTestStack(), {
      ...secrets,
      passwords: { ...secrets.passwords, cache: 'NotThePrimaryPassword0123456789' },
    }).replica;
    expect(wrongAuth.redisConf).toContain('masterauth "NotThePrimaryPassword0123456789"');
    const stray = await startLocalRedis(wrongAuth, freshDir('wrong-auth'), ['--replicaof', '127.0.0.1', String(primary.port)]);
    await waitFor('the follower to log the refused AUTH', async () => (/WRONGPASS|invalid password|Unable to AUTH/i.test(stray.process.log()) ? true : undefined));
    await sleep(2000);
    const client = await authed(stray);
    expect(parseInfo(await client.command('INFO', 'replication')).master_link_status).toBe('down');
    expect(await client.command('DBSIZE')).toBe(0);
    client.close();
  });
});
