/**
 * The generated server config and haproxy.cfg, taken from a synthesized
 * stack, run in real servers on 127.0.0.1: every Redis-family server the test
 * images carry (Redis 6.0, 7.0 and 8.0, Valkey 8.0, 8.1 and 9.1) runs the same
 * tests with the config rendered for its own catalog entry, and every HAProxy
 * line (2.6, 3.0, 3.2) runs the sidecar config. Each server runs in its own
 * Debian suite's root filesystem (a container of its test image on the host
 * network), not as a binary copied beside the test.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { promisify } from 'util';
import { createClient } from 'redis';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { configGet, connectClient, connectWithUrl, firstReplyTo, parseInfo, Redis } from '../support/clients';
import { oldestLostWriteAgeMs, writeSequence } from '../support/durability';
import { GeneratedInstance, generatedInstances, TestSecrets, testInternalPassword, testUserPassword } from '../support/generated';
import { LocalRedis, startLocalRedis, startLocalTlsProxy } from '../support/local-servers';
import { makeTestPki } from '../support/pki';
import { requireTools, stopAll, tempDir, waitFor } from '../support/processes';
import { inImage, removeDeadRunsContainers, Runner } from '../support/runners';
import { HAPROXY_IMAGES, memoryOnlyOf, NEWEST_HAPROXY_IMAGE, NEWEST_REDIS_IMAGE, REDIS_FAMILY_IMAGES, requireImages, ServerImage } from '../support/server-images';
import { dockerStack } from '../support/synth';

const run = promisify(execFile);
jest.setTimeout(120_000);

requireTools('docker', 'openssl');

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
    filtered: 'FilteredPassword0123456789abcdef',
  },
};

const ALLOWED_SOURCE = '127.0.0.2/32';
const APP_PERMISSIONS = '~app:* +@read +@write -@dangerous';
const INTERNAL_USERS = ['replication', 'backup', 'health', 'sentinel', 'exporter'];

function synthesizeTestStack(version: RedisVersion) {
  const stack = dockerStack();
  const cache = new RedisDatabase(stack, 'cache', { version, containerSizeMb: 256, users: [{ name: 'app', permissions: APP_PERMISSIONS }] });
  new RedisDatabase(stack, 'journal', { version, appendOnly: true, port: 7000, tlsPort: 7001 });
  new RedisDatabase(stack, 'scratch', {
    version: memoryOnlyOf(version),
    containerSizeMb: 256,
    maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
    port: 7100,
    tlsPort: 7101,
  });
  new RedisFollower(stack, 'replica', { primary: cache, port: 7200, tlsPort: 7201 });
  new RedisDatabase(stack, 'secure', { version, tlsMode: RedisTlsMode.NATIVE, port: 7300, tlsPort: 7301 });
  // Loopback has all of 127/8: a client bound to 127.0.0.2 is the allowed source, one on 127.0.0.1 another.
  new RedisDatabase(stack, 'filtered', { version, port: 7400, tlsPort: 7401, allowedSources: [ALLOWED_SOURCE, '2001:db8::/32'] });
  return stack;
}

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages([...REDIS_FAMILY_IMAGES, ...HAPROXY_IMAGES].map((i) => i.image));
});

afterAll(async () => {
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Fails with the generated file and directive named, not just two values. */
function expectDirective(instance: GeneratedInstance, directive: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${path.basename(instance.configPath)} of ${instance.handle}: directive \`${directive}\` is ${JSON.stringify(actual)} in the running server, expected ${JSON.stringify(expected)}`,
    );
  }
}

let tlsEndpoints = 0;

function authed(redis: LocalRedis, password = redis.instance.password): Promise<Redis> {
  return connectClient({ port: redis.port, username: redis.instance.username, password });
}

function freshDir(name: string): string {
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  return dir;
}

describe.each(REDIS_FAMILY_IMAGES.map((server) => [server.label, server] as const))('%s', (label, server) => {
  const runner = inImage(server.image);
  const generated = generatedInstances(synthesizeTestStack(server.version), secrets);
  const dirFor = (name: string) => freshDir(`${server.version.name}-${name}`);

  describe(`config of cache (persistent flavor, ${server.version.name})`, () => {
    let redis: LocalRedis;
    beforeAll(async () => {
      redis = await startLocalRedis(generated.cache, dirFor('persistent'), runner);
    });

    test('snapshots on the Aptible schedule without AOF', async () => {
      const client = await authed(redis);
      expectDirective(generated.cache, 'save', await configGet(client, 'save'), '900 1 300 10 60 10000');
      expectDirective(generated.cache, 'appendonly', await configGet(client, 'appendonly'), 'no');
      client.disconnect();
    });

    test('refuses unauthenticated commands and wrong passwords', async () => {
      expect(await firstReplyTo(redis.port, 'GET anything')).toMatch(/^-NOAUTH/);
      await expect(authed(redis, 'not-the-password')).rejects.toThrow(/WRONGPASS|invalid password/);
    });

    test('keeps data written before SHUTDOWN SAVE across a restart from the same dir', async () => {
      const client = await authed(redis);
      expect(await client.set('durable', 'value-1')).toBe('OK');
      await client.call('SHUTDOWN', 'SAVE').catch(() => undefined);
      client.disconnect();
      await redis.process.exited;
      expect(fs.readdirSync(redis.dataDir)).toContain('dump.rdb');
      await redis.restart();
      const again = await authed(redis);
      expect(await again.get('durable')).toBe('value-1');
      again.disconnect();
    });

    test('gives each of the library\'s users only what its job needs: every one is refused FLUSHALL, CONFIG SET and KEYS', async () => {
      for (const user of INTERNAL_USERS) {
        const client = await connectClient({ port: redis.port, username: user, password: testInternalPassword('cache', user) });
        for (const command of [['FLUSHALL'], ['CONFIG', 'SET', 'maxmemory', '1mb'], ['KEYS', '*']]) {
          await expect(client.call(command[0], ...command.slice(1))).rejects.toThrow(/^NOPERM/);
        }
        if (user === 'health') expect(await client.ping()).toBe('PONG');
        client.disconnect();
      }
    });

    test('lets the backup user pull a snapshot with the engine\'s cli (--rdb)', async () => {
      const writer = await authed(redis);
      await writer.set('in-the-snapshot', 'yes');
      writer.disconnect();
      const dir = dirFor('backup');
      fs.chownSync(dir, 999, 999);
      const file = path.join(dir, 'pulled.rdb');
      const cli = generated.cache.cliBinary;
      runner.run([cli, '-h', '127.0.0.1', '-p', String(redis.port), '--user', 'backup', '--pass', testInternalPassword('cache', 'backup'), '--no-auth-warning', '--rdb', file], dir);
      expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('REDIS');
      expect(fs.readFileSync(file).includes(Buffer.from('in-the-snapshot'))).toBe(true);
    });

    test('lets an app user do what its rules allow and nothing else', async () => {
      const app = await connectClient({ port: redis.port, username: 'app', password: testUserPassword('cache', 'app') });
      expect(await app.set('app:greeting', 'hello')).toBe('OK');
      expect(await app.get('app:greeting')).toBe('hello');
      await expect(app.set('other:greeting', 'hello')).rejects.toThrow(/^NOPERM/);
      await expect(app.flushall()).rejects.toThrow(/^NOPERM/);
      app.disconnect();
    });

    test('limits memory to maxmemory without evicting: writes fail with OOM, stored keys stay', async () => {
      const client = await authed(redis);
      expectDirective(generated.cache, 'maxmemory', await configGet(client, 'maxmemory'), String(128 * 1024 * 1024));
      expectDirective(generated.cache, 'maxmemory-policy', await configGet(client, 'maxmemory-policy'), 'noeviction');
      await client.flushall();
      const value = 'x'.repeat(1024 * 1024);
      const stored: string[] = [];
      let refusal: Error | undefined;
      for (let i = 0; i < 400 && refusal === undefined; i++) {
        try {
          await client.set(`big:${i}`, value);
          stored.push(`big:${i}`);
        } catch (e) {
          refusal = e as Error;
        }
      }
      expect(refusal?.message).toMatch(/^OOM command not allowed when used memory > 'maxmemory'/);
      // 1 MB values land in larger allocator classes: well over half of maxmemory holds data.
      expect(stored.length).toBeGreaterThanOrEqual(64);
      expect(await client.dbsize()).toBe(stored.length);
      const lengths = await Promise.all(stored.map((key) => client.strlen(key)));
      expect(lengths.every((len) => len === value.length)).toBe(true);
      await client.flushall();
      client.disconnect();
    });
  });

  describe(`config of journal (persistent flavor with appendonly, ${server.version.name})`, () => {
    test('loses at most one second of acknowledged writes to kill -9', async () => {
      const redis = await startLocalRedis(generated.journal, dirFor('aof'), runner);
      const client = await authed(redis);
      expectDirective(generated.journal, 'appendonly', await configGet(client, 'appendonly'), 'yes');
      expectDirective(generated.journal, 'appendfsync', await configGet(client, 'appendfsync'), 'everysec');

      const ackedAt = await writeSequence(client, 2500);
      const killedAt = Date.now();
      await redis.process.kill('SIGKILL');
      client.disconnect();

      await redis.restart();
      const after = await authed(redis);
      expect(ackedAt.length).toBeGreaterThan(100);
      expect(await oldestLostWriteAgeMs(after, ackedAt, killedAt)).toBeLessThanOrEqual(1000);
      after.disconnect();
    });
  });

  describe(`config of scratch (memory-only flavor, ${memoryOnlyOf(server.version).name})`, () => {
    let redis: LocalRedis;
    beforeAll(async () => {
      redis = await startLocalRedis(generated.scratch, dirFor('memory-only'), runner);
    });

    test('never snapshots and never appends, and syncs followers over the socket', async () => {
      const client = await authed(redis);
      expectDirective(generated.scratch, 'save', await configGet(client, 'save'), '');
      expectDirective(generated.scratch, 'appendonly', await configGet(client, 'appendonly'), 'no');
      expectDirective(generated.scratch, 'repl-diskless-sync', await configGet(client, 'repl-diskless-sync'), 'yes');
      expectDirective(generated.scratch, 'repl-diskless-load', await configGet(client, 'repl-diskless-load'), 'on-empty-db');
      client.disconnect();
    });

    test('evicts with allkeys-lru at 80 % of the container size and keeps accepting writes', async () => {
      const client = await authed(redis);
      expectDirective(generated.scratch, 'maxmemory', await configGet(client, 'maxmemory'), String(204 * 1024 * 1024));
      expectDirective(generated.scratch, 'maxmemory-policy', await configGet(client, 'maxmemory-policy'), 'allkeys-lru');
      const value = 'y'.repeat(1024 * 1024);
      for (let i = 0; i < 260; i++) expect(await client.set(`fill:${i}`, value)).toBe('OK');
      expect(Number(parseInfo(await client.info('stats')).evicted_keys)).toBeGreaterThan(0);
      await client.flushall();
      client.disconnect();
    });

    test('loses its data on restart and writes nothing to the data dir', async () => {
      const client = await authed(redis);
      expect(await client.set('ephemeral', '1')).toBe('OK');
      await client.call('SHUTDOWN').catch(() => undefined);
      client.disconnect();
      await redis.process.exited;
      expect(fs.readdirSync(redis.dataDir)).toEqual([]);
      await redis.restart();
      const again = await authed(redis);
      expect(await again.dbsize()).toBe(0);
      again.disconnect();
    });
  });

  describeTlsEndpoint(`tls-* directives and TLS files of secure (native ${server.label} TLS)`, () => generated.secure, runner, async (dir) => {
    const redis = await startLocalRedis(generated.secure, dir, runner);
    return { redis, tlsPort: redis.tlsPort! };
  });

  describeTlsEndpoint(`haproxy.cfg of cache-tls (${NEWEST_HAPROXY_IMAGE.label} sidecar in front of ${label})`, () => generated.cache, runner, async (dir) => {
    const redis = await startLocalRedis(generated.cache, dir, runner);
    return { redis, tlsPort: (await startLocalTlsProxy(generated.cache, redis, dir, inImage(NEWEST_HAPROXY_IMAGE.image))).port };
  });

  describe(`config of replica (replicaof, masterauth, replica-read-only from cache, ${server.version.name})`, () => {
    let primary: LocalRedis;
    let follower: LocalRedis;
    const linkUp = async (redis: LocalRedis) => {
      const client = await authed(redis);
      try {
        return parseInfo(await client.info('replication')).master_link_status === 'up' ? true : undefined;
      } finally {
        client.disconnect();
      }
    };

    beforeAll(async () => {
      const dir = dirFor('replication');
      primary = await startLocalRedis(generated.cache, dir, runner);
      // The generated `replicaof cache 6379` names the primary on the Docker network; here it is on loopback.
      follower = await startLocalRedis(generated.replica, dir, runner, ['--replicaof', '127.0.0.1', String(primary.port)]);
    });

    test('replicates 10,000 writes, logged in as the primary\'s replication user', async () => {
      await waitFor('master_link_status:up on the follower', () => linkUp(follower));
      const admin = await authed(primary);
      // user= is the last field of 6.0's CLIENT LIST line; later releases add fields after it.
      expect(String(await admin.call('CLIENT', 'LIST', 'TYPE', 'replica'))).toMatch(/ user=replication\s/);
      admin.disconnect();
      const writer = await authed(primary);
      for (let batch = 0; batch < 10; batch++) {
        const pipeline = writer.pipeline();
        for (let i = 0; i < 1000; i++) pipeline.set(`k:${batch * 1000 + i}`, `v:${batch * 1000 + i}`);
        const replies = (await pipeline.exec())!;
        expect(replies.every(([err, reply]) => err === null && reply === 'OK')).toBe(true);
      }
      const reader = await authed(follower);
      await waitFor('10,000 keys on the follower', async () => ((await reader.dbsize()) === 10_000 ? true : undefined));
      const keys = Array.from({ length: 10_000 }, (_, i) => `k:${i}`);
      for (let i = 0; i < keys.length; i += 1000) {
        const slice = keys.slice(i, i + 1000);
        expect(await reader.mget(...slice)).toEqual(await writer.mget(...slice));
      }
      writer.disconnect();
      reader.disconnect();
    });

    test('refuses writes', async () => {
      const client = await authed(follower);
      await expect(client.set('on-follower', '1')).rejects.toThrow(/^READONLY/);
      client.disconnect();
    });

    test('resyncs after the primary restarts', async () => {
      const writer = await authed(primary);
      await writer.call('SHUTDOWN', 'SAVE').catch(() => undefined);
      writer.disconnect();
      await primary.process.exited;
      await primary.restart();
      const again = await authed(primary);
      expect(await again.set('after-restart', 'yes')).toBe('OK');
      again.disconnect();
      const reader = await authed(follower);
      await waitFor('the write after the primary restart on the follower', async () => ((await reader.get('after-restart')) === 'yes' ? true : undefined), 30_000);
      expect(await linkUp(follower)).toBe(true);
      reader.disconnect();
    });

    test('never syncs with a wrong masterauth', async () => {
      const stray = await startLocalRedis(generated.replica, dirFor('wrong-auth'), runner, [
        '--replicaof', '127.0.0.1', String(primary.port), '--masterauth', 'NotTheReplicationPassword0123456789',
      ]);
      // Refused twice: the follower retried after the first refusal, and the retry did not sync either.
      await waitFor('the follower to log the refused AUTH twice', async () => (
        stray.process.log().split('\n').filter((line) => /WRONGPASS|invalid password|Unable to AUTH/i.test(line)).length >= 2 ? true : undefined), 30_000);
      const client = await authed(stray);
      expect(parseInfo(await client.info('replication')).master_link_status).toBe('down');
      expect(await client.dbsize()).toBe(0);
      client.disconnect();
    });
  });
});

describe.each(HAPROXY_IMAGES.filter((h) => h !== NEWEST_HAPROXY_IMAGE).map((h) => [h.label, h] as const))('%s', (label, haproxy) => {
  const server: ServerImage = NEWEST_REDIS_IMAGE;
  const runner = inImage(server.image);
  const generated = generatedInstances(synthesizeTestStack(server.version), secrets);
  describeTlsEndpoint(`haproxy.cfg of cache-tls (${label} sidecar in front of ${server.label})`, () => generated.cache, runner, async (dir) => {
    const redis = await startLocalRedis(generated.cache, dir, runner);
    return { redis, tlsPort: (await startLocalTlsProxy(generated.cache, redis, dir, inImage(haproxy.image))).port };
  });
});

describe.each(HAPROXY_IMAGES.map((h) => [h.label, h] as const))('allowedSources in haproxy.cfg of filtered-tls (%s)', (_, haproxy) => {
  const server: ServerImage = NEWEST_REDIS_IMAGE;
  const runner = inImage(server.image);
  const generated = generatedInstances(synthesizeTestStack(server.version), secrets);
  let instance: GeneratedInstance;
  let tlsPort: number;
  beforeAll(async () => {
    instance = generated.filtered;
    const dir = freshDir(`filtered-${haproxy.label.replace(/\W+/g, '-')}`);
    const redis = await startLocalRedis(instance, dir, runner);
    tlsPort = (await startLocalTlsProxy(instance, redis, dir, inImage(haproxy.image))).port;
  });

  /** A TLS session from `localAddress`: what the server sent, and whether the handshake completed. */
  const session = (localAddress: string) => new Promise<{ handshake: boolean; received: string; error?: string }>((resolve, reject) => {
    let handshake = false;
    let received = '';
    // tls.connect takes no local address: the TCP connection is made first, then TLS over it.
    const tcp = net.connect({ host: '127.0.0.1', port: tlsPort, localAddress });
    const socket = tls.connect({ socket: tcp, ca: pki.caCertPem, servername: 'localhost' }, () => {
      handshake = true;
      socket.write(`AUTH ${instance.username} ${instance.password}\r\nPING\r\nQUIT\r\n`);
    });
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve({ handshake, received }));
    socket.on('error', (e) => resolve({ handshake, received, error: e.message }));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`TLS session from ${localAddress} stayed open for 10 s`));
    });
  });

  test('admits the listed source through TLS to Redis', async () => {
    const admitted = await session('127.0.0.2');
    expect(admitted).toMatchObject({ handshake: true, received: '+OK\r\n+PONG\r\n+OK\r\n' });
  });

  test('closes any other source before the TLS handshake: no byte of a ServerHello, nothing of Redis', async () => {
    const refused = await session('127.0.0.1');
    expect(refused.handshake).toBe(false);
    expect(refused.error).toMatch(/socket disconnected before secure TLS connection|ECONNRESET/);
    const raw = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = net.connect({ host: '127.0.0.1', port: tlsPort, localAddress: '127.0.0.1' }, () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      socket.setTimeout(5000, () => reject(new Error('a refused source\'s connection stayed open for 5 s')));
    });
    expect(raw).toBe('');
  });
});

/**
 * The TLS endpoint's promises, whoever terminates TLS: a verified handshake
 * for the certificate's names only, TLS 1.2 and 1.3 only, nothing for
 * plaintext, and credential URLs that work in the clients apps use.
 */
function describeTlsEndpoint(
  title: string,
  instanceOf: () => GeneratedInstance,
  runner: Runner,
  start: (dir: string) => Promise<{ redis: LocalRedis; tlsPort: number }>,
): void {
  // A Unix socket path must stay under 108 bytes: the directory gets a short name.
  const dirName = `tls-${++tlsEndpoints}`;
  describe(`TLS endpoint from ${title}`, () => {
    let instance: GeneratedInstance;
    let redis: LocalRedis;
    let tlsPort: number;
    let dir: string;
    beforeAll(async () => {
      instance = instanceOf();
      dir = freshDir(dirName);
      ({ redis, tlsPort } = await start(dir));
      const client = await authed(redis);
      await client.set('written-in-plaintext', 'seen-over-tls');
      client.disconnect();
    });

    test('serves a client that verifies the certificate for localhost against the CA', async () => {
      const client = await connectClient({ port: tlsPort, username: instance.username, password: instance.password, tls: { ca: pki.caCertPem, servername: 'localhost' } });
      expect(await client.get('written-in-plaintext')).toBe('seen-over-tls');
      client.disconnect();
    });

    test('refuses a client that does not trust the CA', async () => {
      await expect(connectClient({ port: tlsPort, password: instance.password, tls: { ca: pki.otherCaCertPem, servername: 'localhost' } })).rejects.toThrow(
        /unable to verify|self[- ]signed|certificate/i,
      );
    });

    test('fails verification for a host name the certificate does not name', async () => {
      await expect(connectClient({ port: tlsPort, password: instance.password, tls: { ca: pki.caCertPem, servername: 'elsewhere.example' } })).rejects.toThrow(
        /does not match certificate's altnames/,
      );
    });

    test.each([['-tls1'], ['-tls1_1']])('refuses %s and accepts TLS 1.2 and 1.3', async (flag) => {
      const handshake = async (versionFlag: string) => {
        const args = ['s_client', '-connect', `127.0.0.1:${tlsPort}`, versionFlag, '-cipher', 'DEFAULT:@SECLEVEL=0', '-CAfile', pki.caFile, '-verify_return_error'];
        const child = run('openssl', args, { timeout: 10_000 });
        // openssl may exit on a refused handshake before it reads its input.
        child.child.stdin?.on('error', () => undefined);
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

    describe('credential URLs from the outputs', () => {
      const withPort = (url: string, port: number) => {
        const u = new URL(url);
        u.port = String(port);
        return u.toString();
      };

      test('have the documented shape', () => {
        expect(instance.url).toMatch(new RegExp(`^redis://default:${instance.password}@localhost:\\d+$`));
        expect(instance.tlsUrl).toMatch(new RegExp(`^rediss://default:${instance.password}@localhost:\\d+$`));
      });

      test('work in ioredis, plaintext and TLS verified with the CA output', async () => {
        const plain = await connectWithUrl(withPort(instance.url, redis.port));
        expect(await plain.get('written-in-plaintext')).toBe('seen-over-tls');
        plain.disconnect();
        const secure = await connectWithUrl(withPort(instance.tlsUrl, tlsPort), instance.caCertificatePem);
        expect(await secure.get('written-in-plaintext')).toBe('seen-over-tls');
        secure.disconnect();
      });

      test('work in node-redis, plaintext and TLS verified with the CA output', async () => {
        for (const [url, socket] of [
          [withPort(instance.url, redis.port), { connectTimeout: 10_000, reconnectStrategy: false as const }],
          [withPort(instance.tlsUrl, tlsPort), { connectTimeout: 10_000, reconnectStrategy: false as const, tls: true as const, ca: instance.caCertificatePem }],
        ] as const) {
          const client = createClient({ url, socket });
          client.on('error', () => undefined);
          await client.connect();
          expect(await client.get('written-in-plaintext')).toBe('seen-over-tls');
          await client.quit();
        }
      });

      test(`work in ${instance?.cliBinary ?? 'the engine\'s cli'} from the server's image`, async () => {
        const caFile = path.join(dir, 'output-ca.pem');
        fs.writeFileSync(caFile, instance.caCertificatePem);
        const cli = instance.cliBinary;
        expect(runner.run([cli, '-u', withPort(instance.url, redis.port), '--no-auth-warning', 'GET', 'written-in-plaintext'], dir).trim()).toBe('seen-over-tls');
        const secure = runner.run([cli, '-u', withPort(instance.tlsUrl, tlsPort), '--tls', '--cacert', caFile, '--no-auth-warning', 'GET', 'written-in-plaintext'], dir);
        expect(secure.trim()).toBe('seen-over-tls');
      });
    });
  });
}
