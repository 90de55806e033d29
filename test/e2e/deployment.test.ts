/**
 * End-to-end on a real Docker engine: a synthesized stack is applied by the
 * stand-in for `cdktf deploy` (see docker-apply.ts for why and how), then used
 * the way apps use it, and broken. The stack runs the newest images the test
 * images carry (Redis 8.0, HAProxy 3.2), plus one database declared at 7.0 on
 * the oldest pair (Redis 7.0, HAProxy 2.6). `e2e-cache` is default-shaped:
 * its password and certificates are generated (the stand-in makes the
 * random_password and tls_* resources), it has app users, a follower and an
 * app container on its network. The other databases take literal secrets
 * and TLS material. Every client gets its credentials from the stack's
 * outputs, as apps do. Images come from scripts/build-test-images.sh.
 */
import { execFile } from 'child_process';
import { randomBytes, X509Certificate } from 'crypto';
import * as fs from 'fs';
import { promisify } from 'util';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { TerraformStack } from 'cdktf';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower, RedisInstanceOptions, RedisTlsMode, RedisUser } from '../../lib';
import { configGet, connectClient, connectNodeRedisWithUrl, connectWithUrl, firstReplyTo, parseInfo, Redis, waitForPong } from '../support/clients';
import { oldestLostWriteAgeMs, writeSequence } from '../support/durability';
import { makeTestPki } from '../support/pki';
import { freePort, GaveUp, requireTools, tempDir, waitFor } from '../support/processes';
import {
  memoryOnlyOf, NEWEST_HAPROXY_IMAGE, NEWEST_REDIS_IMAGE, OLDEST_HAPROXY_IMAGE, OLDEST_REDIS_IMAGE, requireImages,
} from '../support/server-images';
import { removeDatabases } from '../support/leftovers';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, dockerOk, StandIn, TEST_ENGINE } from './docker-apply';
import { timedScenarios } from '../support/scenarios';

const run = promisify(execFile);
jest.setTimeout(180_000);

requireTools('docker', 'openssl');

/**
 * `RedisVersion.DEFAULT` is 8.2, which no test image carries (no Debian suite
 * ships it): the newest image, Redis 8.0, stands in for the default, declared
 * at its own catalog entry `RedisVersion.V8_0` so the rendered config matches
 * the server.
 */
const NEWEST = { version: NEWEST_REDIS_IMAGE.version, image: NEWEST_REDIS_IMAGE.image, tlsSidecarImage: NEWEST_HAPROXY_IMAGE.image };
/** A database declared at an older version, on the oldest pair of images. */
const OLDEST = { version: OLDEST_REDIS_IMAGE.version, image: OLDEST_REDIS_IMAGE.image, tlsSidecarImage: OLDEST_HAPROXY_IMAGE.image };
type Images = typeof NEWEST;

const workDir = tempDir('e2e');
const pki = makeTestPki(workDir);
const literalPasswords = {
  'e2e-journal': 'E2eJournalPassword0123456789abcd',
  'e2e-scratch': 'E2eScratchPassword0123456789abcd',
  'e2e-secure': 'E2eSecurePassword0123456789abcde',
  'e2e-legacy': 'E2eLegacyPassword0123456789abcde',
};
const DATABASES = ['e2e-cache', 'e2e-replica', 'e2e-journal', 'e2e-scratch', 'e2e-secure', 'e2e-legacy'] as const;
type Handle = (typeof DATABASES)[number];
/** The memory-only pair of the full-sync scenario, in a stack of its own. */
const OOM_HANDLES = ['e2e-oom', 'e2e-oom-replica'] as const;
type OomHandle = (typeof OOM_HANDLES)[number];
const APP_CONTAINER = 'e2e-app';

const REPORTS_PASSWORD = 'E2eReportsPassword0123456789abcd';
const USERS: RedisUser[] = [
  { name: 'orders', permissions: '~orders:* +@read +@write -@dangerous' },
  { name: 'reports', permissions: '~orders:* +@read -@dangerous', password: REPORTS_PASSWORD },
];

const ports = {} as Record<Handle | OomHandle, { port: number; tlsPort: number }>;
let standin: StandIn;
let plan: any;
let outputs: Record<string, string>;
const { scenario, timings, report } = timedScenarios();

/** Where an instance runs; secrets and TLS material stay generated unless `literalSecrets` adds them. */
function placement(handle: Handle | OomHandle, images: Images = NEWEST): RedisInstanceOptions & { port: number; tlsPort: number } {
  return { handle, image: images.image, tlsSidecarImage: images.tlsSidecarImage, hostIp: '127.0.0.1', containerSizeMb: 256, ...ports[handle] };
}

function literalSecrets(handle: keyof typeof literalPasswords): RedisInstanceOptions {
  return { password: literalPasswords[handle], tlsCertificatePem: pki.certPem, tlsPrivateKeyPem: pki.keyPem, tlsCaCertificatePem: pki.caCertPem };
}

/**
 * An app as a user would add it: a service on the database's network whose
 * credentials are uploaded files (never env or args, which `docker inspect`
 * shows), created after the database. Each round it first tries TLS with
 * another database's CA, which redis-cli must refuse (`app:unverified` stays
 * unset), then the network TLS URL with the CA output, then the plaintext
 * network URL.
 */
function addApp(stack: TerraformStack, db: RedisDatabase, foreignCaPem: string): void {
  const image = new Image(stack, 'app-image', { name: NEWEST.image, keepLocally: true });
  const cli = (url: string, args: string) => `redis-cli -u "$(cat /run/app/${url})" ${args} --no-auth-warning`;
  new Container(stack, 'app', {
    name: APP_CONTAINER,
    image: image.imageId,
    networksAdvanced: [{ name: db.networkName }],
    upload: [
      { file: '/run/app/tls-url', content: db.credentials.networkTlsUrl, permissions: '0400' },
      { file: '/run/app/url', content: db.credentials.networkUrl, permissions: '0400' },
      { file: '/run/app/ca.pem', content: db.credentials.caCertificatePem, permissions: '0444' },
      { file: '/run/app/foreign-ca.pem', content: foreignCaPem, permissions: '0444' },
    ],
    entrypoint: ['sh', '-c'],
    command: [
      'while :; do ' +
      `${cli('tls-url', '--tls --cacert /run/app/foreign-ca.pem')} INCR app:unverified; ` +
      `${cli('tls-url', '--tls --cacert /run/app/ca.pem')} INCR app:tls; ` +
      `${cli('url', '')} INCR app:plain; ` +
      'sleep 5; done',
    ],
    restart: 'unless-stopped',
    dependsOn: [db],
  });
}

function memoryOnlyPair(withFollower: boolean): any {
  const stack = dockerStack();
  const primary = new RedisDatabase(stack, 'oom', { version: memoryOnlyOf(NEWEST.version), ...placement('e2e-oom') });
  if (withFollower) new RedisFollower(stack, 'oom-replica', { primary, ...placement('e2e-oom-replica') });
  return synthJson(stack);
}

async function removeLeftovers(): Promise<void> {
  await dockerApi('DELETE', `/containers/${APP_CONTAINER}?force=true&v=true`);
  await removeDatabases([...DATABASES, ...OOM_HANDLES]);
}

beforeAll(async () => {
  const info = await dockerApi('GET', '/info').catch((e) => {
    throw new Error(`no Docker engine answers at ${TEST_ENGINE.host} (${e.message}): ${TEST_ENGINE.startHint}`);
  });
  if (info.status !== 200) throw new Error(`Docker engine answered HTTP ${info.status}`);
  requireImages([NEWEST.image, NEWEST.tlsSidecarImage, OLDEST.image, OLDEST.tlsSidecarImage]);
  for (const handle of [...DATABASES, ...OOM_HANDLES]) ports[handle] = { port: await freePort(), tlsPort: await freePort() };

  const stack = dockerStack();
  const cache = new RedisDatabase(stack, 'cache', { version: NEWEST.version, users: USERS, ...placement('e2e-cache') });
  const replica = new RedisFollower(stack, 'replica', { primary: cache, ...placement('e2e-replica') });
  new RedisDatabase(stack, 'journal', { version: NEWEST.version, appendOnly: true, ...placement('e2e-journal'), ...literalSecrets('e2e-journal') });
  new RedisDatabase(stack, 'scratch', {
    version: memoryOnlyOf(NEWEST.version), size: 1, maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU, ...placement('e2e-scratch'), ...literalSecrets('e2e-scratch'),
  });
  new RedisDatabase(stack, 'secure', { version: NEWEST.version, tlsMode: RedisTlsMode.NATIVE, ...placement('e2e-secure'), ...literalSecrets('e2e-secure') });
  new RedisDatabase(stack, 'legacy', { version: OLDEST.version, ...placement('e2e-legacy', OLDEST), ...literalSecrets('e2e-legacy') });
  addApp(stack, cache, replica.credentials.caCertificatePem);
  plan = synthJson(stack);

  await removeLeftovers();
  const started = Date.now();
  standin = new StandIn();
  await standin.apply(plan);
  outputs = Object.fromEntries(Object.entries(standin.outputs(plan)).map(([name, o]) => [name, String(o.value)]));
  timings.push(`apply: ${Date.now() - started} ms`);
});

afterAll(async () => {
  await standin?.cleanUp();
  await removeLeftovers();
  fs.rmSync(workDir, { recursive: true, force: true });
  console.log(report('e2e scenario timings'));
});


/** Connects with the instance's `_url` or `_tls_url` output (TLS verified against its CA output), as an app would. */
function connect(handle: Handle, tls = false): Promise<Redis> {
  return tls ? connectWithUrl(outputs[`${handle}_tls_url`], outputs[`${handle}_ca_certificate`]) : connectWithUrl(outputs[`${handle}_url`]);
}

async function waitUntilServing(handle: Handle, tls = false): Promise<void> {
  await waitForPong(`${handle} to serve commands${tls ? ' over TLS' : ''}`, () => connect(handle, tls), 60_000);
}

/** After `docker kill`, which returns once the signal is sent: until the container has stopped, a start would be a no-op. */
async function stopped(name: string): Promise<void> {
  await dockerOk('POST', `/containers/${name}/wait?condition=not-running`, undefined, undefined, 60_000);
}

async function startIfStopped(name: string): Promise<void> {
  const state = (await dockerOk('GET', `/containers/${name}/json`)).State;
  if (!state.Running) await dockerOk('POST', `/containers/${name}/start`);
}

async function waitHealthy(name: string): Promise<void> {
  await waitFor(`${name} to be healthy`, async () => {
    const state = (await dockerOk('GET', `/containers/${name}/json`)).State;
    return state.Health?.Status === 'healthy' ? true : undefined;
  }, 90_000, 500);
}

/** ACL LOG entries, each a flat `field, value, …` array in the reply, as objects. */
async function aclLog(client: Redis): Promise<Array<Record<string, unknown>>> {
  const entries = (await client.call('ACL', 'LOG')) as unknown[][];
  return entries.map((entry) => Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [entry[2 * i], entry[2 * i + 1]])));
}

scenario('a plan right after apply is empty on the default daemon', async () => {
  await standin.expectNoChanges(plan);
});

scenario('e2e-cache\'s generated password and certificates: both URLs work in ioredis and node-redis from the host, TLS verified against the CA output', async () => {
  await waitUntilServing('e2e-cache');
  const url = outputs['e2e-cache_url'];
  const tlsUrl = outputs['e2e-cache_tls_url'];
  const ca = outputs['e2e-cache_ca_certificate'];
  // What the random_password and tls_* resources made, not a literal from this file.
  expect(decodeURIComponent(new URL(url).password)).toMatch(/^[A-Za-z0-9]{40}$/);
  expect(new X509Certificate(ca).subject).toContain('CN=e2e-cache Redis CA');

  const io = await connectWithUrl(url);
  expect(await io.set('via-url', 'ioredis')).toBe('OK');
  io.disconnect();
  const ioTls = await connectWithUrl(tlsUrl, ca);
  expect(await ioTls.get('via-url')).toBe('ioredis');
  ioTls.disconnect();
  const nodeRedis = await connectNodeRedisWithUrl(url);
  expect(await nodeRedis.set('via-url', 'node-redis')).toBe('OK');
  nodeRedis.destroy();
  const nodeRedisTls = await connectNodeRedisWithUrl(tlsUrl, ca);
  expect(await nodeRedisTls.get('via-url')).toBe('node-redis');
  nodeRedisTls.destroy();

  await expect(connectWithUrl(tlsUrl, pki.otherCaCertPem)).rejects.toThrow(/certificate/);
  await expect(connectNodeRedisWithUrl(tlsUrl, pki.otherCaCertPem)).rejects.toThrow(/certificate/);
  expect(await firstReplyTo(ports['e2e-cache'].port, 'GET via-url')).toMatch(/^-NOAUTH/);
});

scenario.each(['e2e-secure', 'e2e-legacy'] as Handle[])('both credential URLs of %s work in ioredis from the host, TLS verified against the CA output', async (handle) => {
  await waitUntilServing(handle);
  const plain = await connect(handle);
  expect(await plain.set('via-url', 'hello')).toBe('OK');
  plain.disconnect();
  const secure = await connect(handle, true);
  expect(await secure.get('via-url')).toBe('hello');
  secure.disconnect();
  await expect(connectWithUrl(outputs[`${handle}_tls_url`], pki.otherCaCertPem)).rejects.toThrow(/certificate/);
  expect(await firstReplyTo(ports[handle].port, 'GET via-url')).toMatch(/^-NOAUTH/);
});

scenario('the 7.0 database runs Redis 7.0 behind HAProxy 2.6, the others Redis 8.0 behind HAProxy 3.2', async () => {
  const lines: string[] = [];
  for (const handle of DATABASES) {
    const client = await connect(handle);
    const { redis_version: version } = parseInfo(await client.info('server'));
    client.disconnect();
    lines.push(`${handle} Redis ${version.split('.').slice(0, 2).join('.')}`);
    if (handle === 'e2e-secure') continue;
    const { stdout } = await run('docker', ['exec', `${handle}-tls`, 'haproxy', '-v'], { timeout: 30_000 });
    lines.push(`${handle}-tls HAProxy ${/^HAProxy version (\d+\.\d+)\./.exec(stdout)?.[1]}`);
  }
  expect(lines).toEqual(DATABASES.flatMap((handle) => {
    const [redis, haproxy] = handle === 'e2e-legacy' ? ['7.0', '2.6'] : ['8.0', '3.2'];
    return handle === 'e2e-secure' ? [`${handle} Redis ${redis}`] : [`${handle} Redis ${redis}`, `${handle}-tls HAProxy ${haproxy}`];
  }));
});

scenario('an app container on the database network reaches e2e-cache by its network aliases, over TLS verified with the CA output and over plaintext', async () => {
  expect(new URL(outputs['e2e-cache_network_tls_url']).host).toBe('e2e-cache-tls:6380');
  expect(new URL(outputs['e2e-cache_network_url']).host).toBe('e2e-cache:6379');
  const client = await connect('e2e-cache');
  await waitFor('the app\'s first visits over TLS and plaintext', async () => {
    const [tls, plain] = await client.mget('app:tls', 'app:plain');
    return Number(tls) > 0 && Number(plain) > 0 ? true : undefined;
  }, 30_000, 500);
  // Tried first in every round: redis-cli does verify the chain.
  expect(await client.get('app:unverified')).toBeNull();
  client.disconnect();

  // redis-cli (hiredis) checks the chain but not the host name. A client that
  // does, node's TLS, accepts the sidecar's certificate for its alias and
  // refuses it for a name the certificate does not carry.
  const sidecar = await dockerOk('GET', '/containers/e2e-cache-tls/json');
  const address = sidecar.NetworkSettings.Networks['e2e-cache'].IPAddress as string;
  const network = new URL(outputs['e2e-cache_network_tls_url']);
  const byAlias = (servername: string) => connectClient({
    host: address, port: 6380, username: 'default', password: decodeURIComponent(network.password),
    tls: { ca: outputs['e2e-cache_ca_certificate'], servername },
  });
  const viaAlias = await byAlias('e2e-cache-tls');
  expect(Number(await viaAlias.get('app:tls'))).toBeGreaterThan(0);
  viaAlias.disconnect();
  await expect(byAlias('e2e-journal-tls')).rejects.toThrow(/does not match certificate's altnames/);
});

scenario('two app users of e2e-cache: both URLs of each work in ioredis from the host, each gets NOPERM outside its rules, and ACL LOG records it', async () => {
  const ca = outputs['e2e-cache_ca_certificate'];
  expect(decodeURIComponent(new URL(outputs['e2e-cache_user_reports_url']).password)).toBe(REPORTS_PASSWORD);
  expect(decodeURIComponent(new URL(outputs['e2e-cache_user_orders_url']).password)).toMatch(/^[A-Za-z0-9]{40}$/);

  const orders = await connectWithUrl(outputs['e2e-cache_user_orders_url']);
  expect(await orders.set('orders:1', 'paid')).toBe('OK');
  await expect(orders.set('invoices:1', 'x')).rejects.toThrow(/^NOPERM/);
  await expect(orders.flushall()).rejects.toThrow(/^NOPERM/);
  orders.disconnect();
  const ordersTls = await connectWithUrl(outputs['e2e-cache_user_orders_tls_url'], ca);
  expect(await ordersTls.incr('orders:count')).toBe(1);
  ordersTls.disconnect();

  for (const output of ['e2e-cache_user_reports_url', 'e2e-cache_user_reports_tls_url']) {
    const reports = await connectWithUrl(outputs[output], ca);
    expect(await reports.get('orders:1')).toBe('paid');
    await expect(reports.set('orders:2', 'x')).rejects.toThrow(/^NOPERM/);
    await expect(reports.get('invoices:1')).rejects.toThrow(/^NOPERM/);
    reports.disconnect();
  }

  const admin = await connect('e2e-cache');
  const denied = (await aclLog(admin)).map((e) => `${e.username} ${e.reason} ${e.object}`);
  admin.disconnect();
  expect(denied).toEqual(expect.arrayContaining([
    'orders key invoices:1', 'orders command flushall', 'reports command set', 'reports key invoices:1',
  ]));
});

scenario('native TLS: Redis reads a key no other user in the container can read', async () => {
  const { stdout } = await run('docker', ['exec', 'e2e-secure', 'ls', '-ln', '/usr/local/etc/redis/tls/server.key'], { timeout: 30_000 });
  expect(stdout).toMatch(/^-rw-r----- +1 0 +0 /);
  expect((await dockerOk('GET', '/containers/e2e-secure-tls/json').catch((e: Error) => e.message))).toMatch(/HTTP 404/);
});

scenario('the healthcheck reports healthy', async () => {
  for (const handle of DATABASES) await waitHealthy(handle);
});

scenario('Redis runs as non-root and no container shows a password in docker inspect', async () => {
  for (const handle of DATABASES) {
    const inspected = await dockerOk('GET', `/containers/${handle}/json`);
    const status = fs.readFileSync(`/proc/${inspected.State.Pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1, 3)).toEqual(['999', '999']);
  }
  // Every password the stack has, generated ones included: each is in some URL output.
  const passwords = Object.entries(outputs).filter(([name]) => name.endsWith('url')).map(([, url]) => decodeURIComponent(new URL(url).password));
  expect(new Set(passwords).size).toBe(DATABASES.length + USERS.length);
  const names = standin.addressesOf('docker_container').map((address) => standin.attributesOf(address).name);
  // Redis and its TLS endpoint for each (native TLS: none), a backup container for each persistent database, and the app.
  expect(names).toHaveLength(16);
  expect(names).toContain(APP_CONTAINER);
  for (const name of names) {
    const text = JSON.stringify(await dockerOk('GET', `/containers/${name}/json`));
    for (const password of passwords) expect(text).not.toContain(password);
  }
});

scenario('every container the library created runs without capabilities, with no-new-privileges, as a user other than root; the sidecars as haproxy with Redis\'s group', async () => {
  const names = standin.addressesOf('docker_container').map((address) => standin.attributesOf(address).name as string).filter((name) => name !== APP_CONTAINER);
  expect(names.filter((name) => name.endsWith('-tls')).length).toBeGreaterThan(0);
  for (const name of names) {
    const inspected = await dockerOk('GET', `/containers/${name}/json`);
    expect({ name, drop: inspected.HostConfig.CapDrop, add: inspected.HostConfig.CapAdd ?? [], opts: inspected.HostConfig.SecurityOpt })
      .toEqual({ name, drop: ['ALL'], add: [], opts: ['no-new-privileges'] });
    // What the kernel applies to the container's first process, not only what Docker stored.
    const status = fs.readFileSync(`/proc/${inspected.State.Pid}/status`, 'utf8');
    const field = (key: string) => new RegExp(`^${key}:\\s+(.*)$`, 'm').exec(status)?.[1].trim();
    expect({ name, effective: field('CapEff'), bounding: field('CapBnd'), noNewPrivs: field('NoNewPrivs') })
      .toEqual({ name, effective: '0000000000000000', bounding: '0000000000000000', noNewPrivs: '1' });
    const [uid, gid] = [field('Uid')!.split(/\s+/)[0], field('Gid')!.split(/\s+/)[0]];
    expect({ name, root: uid === '0' }).toEqual({ name, root: false });
    if (name.endsWith('-tls')) expect({ name, uid, gid, groups: field('Groups')!.split(/\s+/) }).toEqual({ name, uid: '99', gid: '999', groups: expect.arrayContaining(['0']) });
  }
});

scenario.each(['e2e-cache', 'e2e-legacy'] as Handle[])('saved data of %s survives docker restart, on both endpoints', async (handle) => {
  const client = await connect(handle);
  expect(await client.set('survives-restart', 'yes')).toBe('OK');
  expect(await client.save()).toBe('OK');
  client.disconnect();
  await run('docker', ['restart', handle], { timeout: 90_000 });
  await waitUntilServing(handle);
  const plain = await connect(handle);
  expect(await plain.get('survives-restart')).toBe('yes');
  plain.disconnect();
  // The sidecar stayed up: it reaches the new Redis through the socket volume.
  await waitUntilServing(handle, true);
  const secure = await connect(handle, true);
  expect(await secure.get('survives-restart')).toBe('yes');
  secure.disconnect();
});

scenario('the memory-only database has a tmpfs of the declared size and loses data on restart', async () => {
  const { stdout } = await run('docker', ['exec', 'e2e-scratch', 'df', '-k', '/data'], { timeout: 30_000 });
  const [, blocks] = stdout.trim().split('\n')[1].trim().split(/\s+/);
  expect(Number(blocks)).toBe(1024 * 1024);
  await waitUntilServing('e2e-scratch');
  const client = await connect('e2e-scratch');
  expect(await client.set('ephemeral', '1')).toBe('OK');
  client.disconnect();
  await run('docker', ['restart', 'e2e-scratch'], { timeout: 90_000 });
  await waitUntilServing('e2e-scratch');
  const again = await connect('e2e-scratch');
  expect(await again.dbsize()).toBe(0);
  again.disconnect();
});

scenario('the follower replicates over the Docker network as the replication user, refuses writes, and catches up after the primary restarts', async () => {
  await waitUntilServing('e2e-replica');
  await waitFor('the follower\'s link to the primary', async () => {
    const client = await connect('e2e-replica');
    try {
      return parseInfo(await client.info('replication')).master_link_status === 'up' ? true : undefined;
    } finally {
      client.disconnect();
    }
  }, 60_000, 500);
  const primary = await connect('e2e-cache');
  const replicas = String(await primary.call('CLIENT', 'LIST', 'TYPE', 'replica')).trim().split('\n');
  expect(replicas).toHaveLength(1);
  expect(replicas[0]).toMatch(/ flags=S .* user=replication /);
  // Nothing the follower does (AUTH, REPLCONF, PSYNC) was ever refused to the replication user.
  expect((await aclLog(primary)).filter((e) => e.username === 'replication')).toEqual([]);
  const replies = await primary.pipeline(Array.from({ length: 1000 }, (_, i) => ['set', `r:${i}`, `v:${i}`])).exec();
  expect(replies?.every(([error, reply]) => error === null && reply === 'OK')).toBe(true);
  primary.disconnect();

  const reader = await connect('e2e-replica');
  await waitFor('1,000 replicated keys', async () => ((await reader.get('r:999')) === 'v:999' ? true : undefined), 30_000);
  expect(await reader.mget('r:0', 'r:500')).toEqual(['v:0', 'v:500']);
  await expect(reader.set('on-follower', 'x')).rejects.toThrow(/^READONLY/);
  reader.disconnect();

  await run('docker', ['restart', 'e2e-cache'], { timeout: 90_000 });
  await waitUntilServing('e2e-cache');
  const after = await connect('e2e-cache');
  expect(await after.set('after-primary-restart', 'caught-up')).toBe('OK');
  after.disconnect();
  const reader2 = await connect('e2e-replica');
  await waitFor('the follower to catch up', async () => ((await reader2.get('after-primary-restart')) === 'caught-up' ? true : undefined), 60_000, 500);
  reader2.disconnect();
});

scenario('docker kill of the persistent database loses nothing written before its last save', async () => {
  const client = await connect('e2e-cache');
  expect(await client.set('before-save', 'kept')).toBe('OK');
  expect(await client.save()).toBe('OK');
  expect(await client.set('after-save', 'only-in-memory')).toBe('OK');
  client.disconnect();
  await run('docker', ['kill', 'e2e-cache'], { timeout: 30_000 });
  await stopped('e2e-cache');
  await startIfStopped('e2e-cache');
  await waitUntilServing('e2e-cache');
  const again = await connect('e2e-cache');
  expect(await again.get('before-save')).toBe('kept');
  // A kill gives Redis no chance to save: a value seen here would mean the test did not really kill it.
  expect(await again.get('after-save')).toBeNull();
  again.disconnect();
});

scenario('docker kill of the AOF database loses at most one second of writes', async () => {
  await waitUntilServing('e2e-journal');
  const client = await connect('e2e-journal');
  const ackedAt = await writeSequence(client, 2500);
  const killedAt = Date.now();
  await run('docker', ['kill', 'e2e-journal'], { timeout: 30_000 });
  client.disconnect();
  await stopped('e2e-journal');
  await startIfStopped('e2e-journal');
  await waitUntilServing('e2e-journal');
  const after = await connect('e2e-journal');
  expect(ackedAt.length).toBeGreaterThan(100);
  expect(await oldestLostWriteAgeMs(after, ackedAt, killedAt)).toBeLessThanOrEqual(1000);
  after.disconnect();
});

/** What the OOM killer and the restart policy leave in `docker inspect`. */
async function oomRecord(name: string): Promise<{ oomKilled: boolean; restarts: number }> {
  const inspected = await dockerOk('GET', `/containers/${name}/json`);
  return { oomKilled: inspected.State.OOMKilled, restarts: inspected.RestartCount };
}

/** The container's peak memory in MB, as cgroup v1 records it (v2 reports none). */
async function peakMemoryMb(name: string): Promise<number | undefined> {
  const peak = (await dockerOk('GET', `/containers/${name}/stats?stream=false&one-shot=true`)).memory_stats?.max_usage;
  return peak === undefined ? undefined : Math.round(peak / 2 ** 20);
}

/*
 * Tried by hand with the renderer patched (not committed): without its two
 * diskless lines, or without `repl-diskless-load on-empty-db` alone (Redis
 * 8.0's defaults are `repl-diskless-sync yes` and `repl-diskless-load
 * disabled`), the follower writes the primary's ~160 MB snapshot into its
 * tmpfs data dir before loading it, the kernel charges that tmpfs to the
 * 256 MB container, the follower is OOM-killed in its first sync, and this
 * scenario fails with "the follower was OOM-killed". With them, each
 * container peaks near 175 MB. The fill is what makes the difference
 * visible: snapshot plus data (~330 MB) must exceed the container.
 */
scenario('a memory-only follower\'s full sync from a memory-only primary filled to 80 % of maxmemory completes without an OOM kill', async () => {
  const pair = new StandIn();
  try {
    const primaryOnly = memoryOnlyPair(false);
    await pair.apply(primaryOnly);
    const pairOutputs = (p: any, name: string) => String(pair.outputs(p)[name].value);
    const primary = await waitFor('e2e-oom to serve commands', async () => connectWithUrl(pairOutputs(primaryOnly, 'e2e-oom_url')), 30_000, 250);
    const maxmemory = Number(await configGet(primary, 'maxmemory'));
    expect(maxmemory).toBe(204 * 2 ** 20);
    // Random bytes, so the snapshot is as large as the data (RDB compresses
    // values with LZF); 64,000 of them fill a 64 KiB allocation, so
    // used_memory counts little but data.
    let keys = 0;
    let used = 0;
    while (used < 0.8 * maxmemory && keys < 10_000) {
      const batch = primary.pipeline();
      for (let i = 0; i < 50; i++) batch.set(`fill:${keys++}`, randomBytes(64_000));
      const replies = await batch.exec();
      if (!replies?.every(([error]) => error === null)) throw new Error(`filling e2e-oom failed: ${replies?.find(([error]) => error)?.[0]}`);
      used = Number(parseInfo(await primary.info('memory')).used_memory);
    }
    expect(used).toBeLessThan(0.9 * maxmemory);
    timings.push(`  e2e-oom filled: ${keys} keys of 64,000 random bytes, used_memory ${Math.round(used / 2 ** 20)} MB of maxmemory ${maxmemory / 2 ** 20} MB`);
    primary.disconnect();

    const withFollower = memoryOnlyPair(true);
    const changes = await pair.apply(withFollower);
    // A replaced primary would start empty and the sync below would prove nothing.
    expect(changes.filter((c) => c.action !== 'create')).toEqual([]);
    const synced = await waitFor('the follower\'s full sync', async () => {
      const record = await oomRecord('e2e-oom-replica');
      if (record.oomKilled || record.restarts > 0) throw new GaveUp(`the follower was OOM-killed (${JSON.stringify(record)})`);
      const follower = await connectWithUrl(pairOutputs(withFollower, 'e2e-oom-replica_url'));
      try {
        const link = parseInfo(await follower.info('replication')).master_link_status;
        return link === 'up' ? await follower.dbsize() : undefined;
      } finally {
        follower.disconnect();
      }
    }, 120_000, 500);
    expect(synced).toBe(keys);
    for (const name of OOM_HANDLES) {
      expect([name, await oomRecord(name)]).toEqual([name, { oomKilled: false, restarts: 0 }]);
      timings.push(`  ${name}: peak memory ${(await peakMemoryMb(name)) ?? 'not reported'} MB of 256 MB`);
    }
  } finally {
    await pair.cleanUp();
  }
});

scenario('after a Docker daemon restart every database comes back with its saved data and both endpoints, and the app reaches it again', async () => {
  const writer = await connect('e2e-cache');
  expect(await writer.set('across-daemon-restart', 'kept')).toBe('OK');
  const visitsBefore = Number(await writer.get('app:tls'));
  writer.disconnect();
  await TEST_ENGINE.restart();
  for (const handle of DATABASES) {
    await waitUntilServing(handle);
    await waitUntilServing(handle, true);
  }
  // The daemon stops containers with SIGTERM and their stop timeout: Redis saved on the way down.
  const reader = await connect('e2e-cache', true);
  expect(await reader.get('across-daemon-restart')).toBe('kept');
  await waitFor('the app\'s next visit over TLS', async () => (Number(await reader.get('app:tls')) > visitsBefore ? true : undefined), 30_000, 500);
  reader.disconnect();
  // The next deploy after the restart (and after every scenario above) changes nothing.
  await standin.expectNoChanges(plan);
});
