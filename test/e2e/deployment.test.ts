/**
 * End-to-end on a real Docker engine: a synthesized stack is applied by the
 * stand-in for `cdktf deploy` (see docker-apply.ts for why and how), then used
 * and broken. Secrets and TLS material are given as literal props here (the
 * day-two suite runs generated ones). Images come from scripts/build-test-images.sh.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { MaxmemoryPolicy, RedisDatabase, RedisFollower, RedisInstanceOptions, RedisTlsMode, RedisVersion } from '../../lib';
import { connectClient } from '../support/clients';
import { oldestLostWriteAgeMs, writeSequence } from '../support/durability';
import { makeTestPki } from '../support/pki';
import { freePort, requireTools, sleep, tempDir, waitFor } from '../support/processes';
import { parseInfo, RedisReplyError, Reply, RespClient } from '../support/resp';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, dockerOk, StandIn } from './docker-apply';

const run = promisify(execFile);
jest.setTimeout(180_000);

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';

requireTools('docker', 'openssl');

const workDir = tempDir('e2e');
const pki = makeTestPki(workDir);
const passwords = {
  'e2e-cache': 'E2eCachePassword0123456789abcdef',
  'e2e-journal': 'E2eJournalPassword0123456789abcd',
  'e2e-scratch': 'E2eScratchPassword0123456789abcd',
  'e2e-replica': 'E2eReplicaPassword0123456789abcd',
  'e2e-secure': 'E2eSecurePassword0123456789abcde',
};
type Handle = keyof typeof passwords;

const ports: Record<Handle, { port: number; tlsPort: number }> = {} as any;
let standin: StandIn;
let plan: any;
let outputs: Record<string, string>;
const timings: string[] = [];

function commonProps(handle: Handle): RedisInstanceOptions & { port: number; tlsPort: number } {
  return {
    handle,
    image: REDIS_IMAGE,
    tlsSidecarImage: HAPROXY_IMAGE,
    hostIp: '127.0.0.1',
    password: passwords[handle],
    tlsCertificatePem: pki.certPem,
    tlsPrivateKeyPem: pki.keyPem,
    tlsCaCertificatePem: pki.caCertPem,
    containerSizeMb: 256,
    ...ports[handle],
  };
}

async function removeLeftovers(): Promise<void> {
  const names = Object.keys(passwords).flatMap((h) => [h, `${h}-tls`, `${h}-backup`]);
  for (const name of names) await dockerApi('DELETE', `/containers/${name}?force=true&v=true`);
  for (const h of Object.keys(passwords)) {
    await dockerApi('DELETE', `/volumes/${h}-data?force=true`);
    await dockerApi('DELETE', `/volumes/${h}-run?force=true`);
    // Made by Docker for the backup containers, outside the state: no destroy removes it.
    await dockerApi('DELETE', `/volumes/${h}-backups?force=true`);
    await dockerApi('DELETE', `/networks/${h}`);
  }
}

beforeAll(async () => {
  const info = await dockerApi('GET', '/info').catch((e) => {
    throw new Error(`no Docker engine answers on /var/run/docker.sock (${e.message}): run scripts/start-dockerd.sh`);
  });
  if (info.status !== 200) throw new Error(`Docker engine answered HTTP ${info.status}`);
  for (const image of [REDIS_IMAGE, HAPROXY_IMAGE]) {
    if ((await dockerApi('GET', `/images/${encodeURIComponent(image)}/json`)).status !== 200) {
      throw new Error(`image ${image} is missing: run scripts/build-test-images.sh`);
    }
  }
  for (const handle of Object.keys(passwords) as Handle[]) ports[handle] = { port: await freePort(), tlsPort: await freePort() };

  const stack = dockerStack();
  const cache = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_0, ...commonProps('e2e-cache') });
  new RedisDatabase(stack, 'journal', { version: RedisVersion.V7_0, appendOnly: true, ...commonProps('e2e-journal') });
  new RedisDatabase(stack, 'scratch', { version: RedisVersion.V7_0_NORDB, size: 1, maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU, ...commonProps('e2e-scratch') });
  new RedisFollower(stack, 'replica', { primary: cache, ...commonProps('e2e-replica') });
  new RedisDatabase(stack, 'secure', { version: RedisVersion.V7_0, tlsMode: RedisTlsMode.NATIVE, ...commonProps('e2e-secure') });
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
  console.log(`e2e scenario timings:\n  ${timings.join('\n  ')}`);
});

/** Runs one scenario and records how long it took. */
function scenario(name: string, body: () => Promise<void>): void {
  test(name, () => timed(name, body));
}
scenario.each = <T>(cases: T[]) => (name: string, body: (value: T) => Promise<void>) => {
  test.each(cases)(name, (value) => timed(name.replace('%s', String(value)), () => body(value)));
};

async function timed(name: string, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await body();
  } finally {
    timings.push(`${name}: ${Date.now() - started} ms`);
  }
}

async function connect(handle: Handle, secure = false): Promise<RespClient> {
  const client = await RespClient.connect(
    secure
      ? { port: ports[handle].tlsPort, tls: { ca: outputs[`${handle}_ca_certificate`], servername: 'localhost' } }
      : { port: ports[handle].port },
  );
  const reply = await client.command('AUTH', 'default', passwords[handle]);
  if (reply !== 'OK') throw new Error(`AUTH on ${handle} failed: ${reply}`);
  return client;
}

/** Connects with the credential URL from the stack's outputs, as an app would. */
async function connectWithUrl(outputName: string, ca?: string): Promise<RespClient> {
  const url = new URL(outputs[outputName]);
  if (url.hostname !== 'localhost' || url.username !== 'default') throw new Error(`unexpected credential ${outputName}: host ${url.hostname}`);
  const client = await RespClient.connect({
    port: Number(url.port),
    tls: url.protocol === 'rediss:' ? { ca, servername: url.hostname } : undefined,
  });
  const reply = await client.command('AUTH', decodeURIComponent(url.username), decodeURIComponent(url.password));
  if (reply !== 'OK') throw new Error(`AUTH with ${outputName} failed: ${reply}`);
  return client;
}

async function waitUntilServing(handle: Handle): Promise<void> {
  await waitFor(`${handle} to serve commands`, async () => {
    const client = await connect(handle);
    try {
      const reply = await client.command('PING');
      return reply === 'PONG' ? true : undefined;
    } finally {
      client.close();
    }
  }, 30_000, 250);
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

scenario('a plan right after apply is empty on the default daemon', async () => {
  await standin.expectNoChanges(plan);
});

scenario.each(['e2e-cache', 'e2e-secure'] as Handle[])('both credential URLs of %s work from the host, TLS verified against the CA output', async (handle) => {
  await waitUntilServing(handle);
  const plain = await connectWithUrl(`${handle}_url`);
  expect(await plain.command('SET', 'via-url', 'hello')).toBe('OK');
  plain.close();
  const secure = await connectWithUrl(`${handle}_tls_url`, outputs[`${handle}_ca_certificate`]);
  expect(await secure.command('GET', 'via-url')).toBe('hello');
  secure.close();
  await expect(RespClient.connect({ port: ports[handle].tlsPort, tls: { ca: pki.otherCaCertPem, servername: 'localhost' } })).rejects.toThrow();
});

scenario('native TLS: Redis reads a key no other user in the container can read', async () => {
  const { stdout } = await run('docker', ['exec', 'e2e-secure', 'ls', '-ln', '/usr/local/etc/redis/tls/server.key'], { timeout: 30_000 });
  expect(stdout).toMatch(/^-rw-r----- +1 0 +0 /);
  expect((await dockerOk('GET', '/containers/e2e-secure-tls/json').catch((e: Error) => e.message))).toMatch(/HTTP 404/);
});

scenario('the healthcheck reports healthy', async () => {
  for (const handle of Object.keys(passwords)) await waitHealthy(handle);
});

scenario('Redis runs as non-root and no container shows the password in docker inspect', async () => {
  for (const handle of Object.keys(passwords) as Handle[]) {
    const inspected = await dockerOk('GET', `/containers/${handle}/json`);
    const status = fs.readFileSync(`/proc/${inspected.State.Pid}/status`, 'utf8');
    expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1, 3)).toEqual(['999', '999']);
  }
  const names = standin.addressesOf('docker_container').map((address) => standin.attributesOf(address).name);
  // Redis and its TLS endpoint for each, and a backup container for each persistent database.
  expect(names).toHaveLength(12);
  for (const name of names) {
    const text = JSON.stringify(await dockerOk('GET', `/containers/${name}/json`));
    for (const password of Object.values(passwords)) expect(text).not.toContain(password);
  }
});

scenario('saved data survives docker restart of the persistent database', async () => {
  const client = await connect('e2e-cache');
  expect(await client.command('SET', 'survives-restart', 'yes')).toBe('OK');
  expect(await client.command('SAVE')).toBe('OK');
  client.close();
  await run('docker', ['restart', 'e2e-cache'], { timeout: 90_000 });
  await waitUntilServing('e2e-cache');
  const again = await connect('e2e-cache');
  expect(await again.command('GET', 'survives-restart')).toBe('yes');
  again.close();
});

scenario('the TLS endpoint keeps working after the Redis container restarts', async () => {
  await run('docker', ['restart', 'e2e-cache'], { timeout: 90_000 });
  await waitUntilServing('e2e-cache');
  const secure = await connect('e2e-cache', true);
  expect(await secure.command('GET', 'survives-restart')).toBe('yes');
  secure.close();
});

scenario('the memory-only database has a tmpfs of the declared size and loses data on restart', async () => {
  const { stdout } = await run('docker', ['exec', 'e2e-scratch', 'df', '-k', '/data'], { timeout: 30_000 });
  const [, blocks] = stdout.trim().split('\n')[1].trim().split(/\s+/);
  expect(Number(blocks)).toBe(1024 * 1024);
  await waitUntilServing('e2e-scratch');
  const client = await connect('e2e-scratch');
  expect(await client.command('SET', 'ephemeral', '1')).toBe('OK');
  client.close();
  await run('docker', ['restart', 'e2e-scratch'], { timeout: 90_000 });
  await waitUntilServing('e2e-scratch');
  const again = await connect('e2e-scratch');
  expect(await again.command('DBSIZE')).toBe(0);
  again.close();
});

scenario('the follower replicates over the Docker network, refuses writes, and catches up after the primary restarts', async () => {
  const linkUp = async () => {
    const client = await connect('e2e-replica');
    try {
      return parseInfo(await client.command('INFO', 'replication')).master_link_status === 'up' ? true : undefined;
    } finally {
      client.close();
    }
  };
  await waitUntilServing('e2e-replica');
  await waitFor('the follower\'s link to the primary', linkUp, 60_000, 500);
  const writer = await connect('e2e-cache');
  const replies = await writer.pipeline(Array.from({ length: 1000 }, (_, i) => ['SET', `r:${i}`, `v:${i}`]));
  expect(replies.every((r) => r === 'OK')).toBe(true);
  writer.close();
  const reader = await connect('e2e-replica');
  await waitFor('1,000 replicated keys', async () => ((await reader.command('GET', 'r:999')) === 'v:999' ? true : undefined), 30_000);
  expect(await reader.command('MGET', 'r:0', 'r:500')).toEqual(['v:0', 'v:500']);
  expect((await reader.command('SET', 'on-follower', 'x')) as Reply).toBeInstanceOf(RedisReplyError);
  expect(String(await reader.command('SET', 'on-follower', 'x'))).toMatch(/^READONLY/);
  reader.close();

  await run('docker', ['restart', 'e2e-cache'], { timeout: 90_000 });
  await waitUntilServing('e2e-cache');
  const after = await connect('e2e-cache');
  expect(await after.command('SET', 'after-primary-restart', 'caught-up')).toBe('OK');
  after.close();
  const reader2 = await connect('e2e-replica');
  await waitFor('the follower to catch up', async () => ((await reader2.command('GET', 'after-primary-restart')) === 'caught-up' ? true : undefined), 60_000, 500);
  reader2.close();
});

scenario('docker kill of the persistent database loses nothing written before its last save', async () => {
  const client = await connect('e2e-cache');
  expect(await client.command('SET', 'before-save', 'kept')).toBe('OK');
  expect(await client.command('SAVE')).toBe('OK');
  expect(await client.command('SET', 'after-save', 'only-in-memory')).toBe('OK');
  client.close();
  await run('docker', ['kill', 'e2e-cache'], { timeout: 30_000 });
  await sleep(500);
  await startIfStopped('e2e-cache');
  await waitUntilServing('e2e-cache');
  const again = await connect('e2e-cache');
  expect(await again.command('GET', 'before-save')).toBe('kept');
  // A kill gives Redis no chance to save: a value seen here would mean the test did not really kill it.
  expect(await again.command('GET', 'after-save')).toBeNull();
  again.close();
});

scenario('docker kill of the AOF database loses at most one second of writes', async () => {
  await waitUntilServing('e2e-journal');
  const journal = () => connectClient({ port: ports['e2e-journal'].port, username: 'default', password: passwords['e2e-journal'] });
  const client = await journal();
  const ackedAt = await writeSequence(client, 2500);
  const killedAt = Date.now();
  await run('docker', ['kill', 'e2e-journal'], { timeout: 30_000 });
  client.disconnect();
  await sleep(500);
  await startIfStopped('e2e-journal');
  await waitUntilServing('e2e-journal');
  const after = await journal();
  expect(ackedAt.length).toBeGreaterThan(100);
  expect(await oldestLostWriteAgeMs(after, ackedAt, killedAt)).toBeLessThanOrEqual(1000);
  after.disconnect();
});

/**
 * Restarts the Docker daemon the way a host reboot does: containers stop and
 * come back by their restart policy, in no particular order.
 */
async function restartDockerDaemon(): Promise<void> {
  const ours = '/run/cdktf-docker-redis-dockerd.pid';
  const pid = fs.existsSync('/var/run/docker.pid') ? Number(fs.readFileSync('/var/run/docker.pid', 'utf8')) : NaN;
  if (fs.existsSync(ours) && Number(fs.readFileSync(ours, 'utf8')) === pid) {
    process.kill(pid, 'SIGTERM');
    await waitFor('dockerd to exit', async () => {
      const state = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] : 'gone';
      return state === 'gone' || state === 'Z' ? true : undefined;
    }, 90_000, 250);
    await run('bash', [path.join(__dirname, '..', '..', 'scripts', 'start-dockerd.sh')], { timeout: 120_000 });
  } else {
    await run('systemctl', ['restart', 'docker'], { timeout: 120_000 }).catch((e) => {
      throw new Error(`cannot restart the Docker daemon: it was not started by scripts/start-dockerd.sh and systemctl failed (${e.message})`);
    });
  }
}

scenario('after a Docker daemon restart every database comes back with its saved data and both endpoints', async () => {
  const writer = await connect('e2e-cache');
  expect(await writer.command('SET', 'across-daemon-restart', 'kept')).toBe('OK');
  writer.close();
  await restartDockerDaemon();
  for (const handle of Object.keys(passwords) as Handle[]) {
    await waitUntilServing(handle);
    await waitFor(`${handle}'s TLS endpoint`, async () => {
      const secure = await connect(handle, true);
      secure.close();
      return true;
    }, 60_000, 500);
  }
  // The daemon stops containers with SIGTERM and their stop timeout: Redis saved on the way down.
  const reader = await connect('e2e-cache', true);
  expect(await reader.command('GET', 'across-daemon-restart')).toBe('kept');
  reader.close();
  // The next deploy after the restart (and after every scenario above) changes nothing.
  await standin.expectNoChanges(plan);
});
