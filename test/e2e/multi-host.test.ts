/**
 * Followers on another Docker host than their primary, on two real engines
 * of this machine: host A is the default engine, host B a second engine this
 * suite starts (test/support/second-dockerd.ts: its own socket, data root,
 * exec root, pid file, bridge and address pool). The one path between them is
 * through published ports on addresses this suite's engines created:
 *
 * - host A publishes on the gateway of a bridge network the suite creates on
 *   engine A (`A_ADDRESS`); engine A's own iptables DNAT sends what B's
 *   containers send there to the primary's container;
 * - host B publishes on its engine's bridge address (`B_ADDRESS`), through
 *   engine B's userland proxy (B runs with `--iptables=false`).
 *
 * The tests themselves talk only to those two addresses and to loopback.
 */
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFailover, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { connectWithUrl, parseInfo, Redis } from '../support/clients';
import { freePort, requireTools, sleep, waitFor } from '../support/processes';
import { SecondDockerd, startSecondDockerd } from '../support/second-dockerd';
import { synthJson, warningsUnder } from '../support/synth';
import { dockerApi, dockerOk, engineFor, StandIn } from './docker-apply';

jest.setTimeout(180_000);
requireTools('docker');

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
/** Engine B's pool: its bridge takes the last /24, so B_ADDRESS is its gateway. */
const B_POOL = '10.216.0.0/16';
const B_ADDRESS = '10.216.255.1';
/** A bridge network of this suite's own on engine A, which gives host A an address of its own. */
const A_NETWORK = 'cdktf-mh-hosta';
const A_SUBNET = '10.217.0.0/24';
const A_ADDRESS = '10.217.0.1';
const WRITES = 100_000;

let daemon: SecondDockerd;
let standin: StandIn;
let plan: any;
const ports = {
  primary: 0, primaryTls: 0, replica: 0, replicaTls: 0, nprimary: 0, nprimaryTls: 0, nreplica: 0, nreplicaTls: 0,
  fprimary: 0, fprimaryTls: 0, freplica: 0, freplicaTls: 0, sentinel1: 0, sentinel2: 0, sentinel3: 0,
};
const DOWN_AFTER_MS = 5000;
let failoverWarnings: string[] = [];
const timings: string[] = [];

/**
 * Two pairs across the hosts: `mh-primary` (sidecar TLS) on A with its
 * follower `mh-replica` on B, replicating through a tunnel; `mh-nprimary`
 * (native TLS) on A with `mh-nreplica` on B, replicating with
 * `tls-replication`.
 */
function synth(): any {
  const stack = new TerraformStack(Testing.app(), 'multi-host');
  new DockerProvider(stack, 'docker', {});
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: daemon.host });
  const common = { version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb: 512, size: 1, preventDestroy: false };
  const onA = { ...common, hostIp: A_ADDRESS, hostname: A_ADDRESS, announceAddress: A_ADDRESS };
  const onB = { ...common, provider: hostB, hostIp: B_ADDRESS, hostname: B_ADDRESS, announceAddress: B_ADDRESS, primaryAddress: A_ADDRESS };
  const primary = new RedisDatabase(stack, 'primary', { ...onA, handle: 'mh-primary', port: ports.primary, tlsPort: ports.primaryTls });
  new RedisFollower(stack, 'replica', { ...onB, handle: 'mh-replica', primary, port: ports.replica, tlsPort: ports.replicaTls });
  const native = { tlsMode: RedisTlsMode.NATIVE };
  const nprimary = new RedisDatabase(stack, 'nprimary', { ...onA, ...native, handle: 'mh-nprimary', port: ports.nprimary, tlsPort: ports.nprimaryTls });
  new RedisFollower(stack, 'nreplica', { ...onB, ...native, handle: 'mh-nreplica', primary: nprimary, port: ports.nreplica, tlsPort: ports.nreplicaTls });

  // A failover group across the hosts: 2 Sentinels on A, 1 on B.
  const fprimary = new RedisDatabase(stack, 'fprimary', { ...onA, ...native, handle: 'mh-fprimary', port: ports.fprimary, tlsPort: ports.fprimaryTls });
  const freplica = new RedisFollower(stack, 'freplica', {
    ...onB, ...native, handle: 'mh-freplica', primary: fprimary, sharePrimaryCredentials: true, port: ports.freplica, tlsPort: ports.freplicaTls,
  });
  const failover = new RedisFailover(stack, 'fo', {
    handle: 'mh-fo',
    primary: fprimary,
    followers: [freplica],
    downAfterMs: DOWN_AFTER_MS,
    sentinels: [
      { address: A_ADDRESS, hostIp: A_ADDRESS, tlsPort: ports.sentinel1 },
      { address: A_ADDRESS, hostIp: A_ADDRESS, tlsPort: ports.sentinel2 },
      { provider: hostB, address: B_ADDRESS, hostIp: B_ADDRESS, tlsPort: ports.sentinel3 },
    ],
  });
  failoverWarnings = warningsUnder(failover);
  return synthJson(stack);
}

function output(name: string): string {
  const value = standin.outputs(plan)[name]?.value;
  if (typeof value !== 'string') throw new Error(`output ${name} is not known`);
  return value;
}

/** Connects over TLS with a database's credential outputs, as an app would. */
async function connect(handle: string): Promise<Redis> {
  return connectWithUrl(output(`${handle}_tls_url`), output(`${handle}_ca_certificate`));
}

async function withClient<T>(handle: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = await connect(handle);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function replication(handle: string): Promise<Record<string, string>> {
  return withClient(handle, async (client) => parseInfo(await client.info('replication')));
}

async function waitServing(handle: string): Promise<void> {
  await waitFor(`${handle} to serve TLS through its outputs`, () => withClient(handle, async (c) => ((await c.ping()) === 'PONG' ? true : undefined)), 60_000, 250);
}

/** Writes `count` keys `prefix:i` in pipelined batches. */
async function write(handle: string, prefix: string, count: number): Promise<void> {
  await withClient(handle, async (client) => {
    for (let start = 0; start < count; start += 10_000) {
      const batch = client.pipeline();
      for (let i = start; i < Math.min(count, start + 10_000); i++) batch.set(`${prefix}:${i}`, `value-${i}`);
      const results = await batch.exec();
      const failed = (results ?? []).find(([error]) => error);
      if (failed) throw failed[0];
    }
  });
}

async function waitForKeys(handle: string, keys: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${handle} to hold ${keys} keys`, () => withClient(handle, async (c) => ((await c.dbsize()) === keys ? true : undefined)), timeoutMs, 250);
}

async function setUploadOf(containerName: string, file: string, content: string): Promise<void> {
  const [logicalId, container] = Object.entries<any>(plan.resource.docker_container).find(([, c]) => c.name === containerName)!;
  const upload = container.upload.find((u: any) => u.file === file);
  if (!upload) throw new Error(`${logicalId} has no upload ${file}`);
  upload.content = content;
}

function caReference(handle: string): string {
  const id = Object.keys(plan.resource.tls_self_signed_cert).find((key) => key.startsWith(`${handle.replace('mh-', '')}_CaCertificate_`));
  return `\${tls_self_signed_cert.${id}.cert_pem}`;
}

async function logsOf(host: string, container: string): Promise<string> {
  const res = await engineFor(host).call('GET', `/containers/${container}/logs?stdout=true&stderr=true&tail=200`);
  // The multiplexed stream's frame headers are binary; the text is what matters.
  return String(res.body);
}

/**
 * What a run killed before its teardown (or one whose engine A another suite
 * restarted) left on engine A: only this suite's names, `mh-*` and A_NETWORK.
 */
async function removeLeftovers(): Promise<void> {
  const ours = (name: string) => /^\/?mh-/.test(name);
  for (const c of await dockerOk('GET', '/containers/json?all=true') as Array<{ Id: string; Names: string[] }>) {
    if (c.Names.some(ours)) await dockerOk('DELETE', `/containers/${c.Id}?force=true&v=true`);
  }
  for (const n of await dockerOk('GET', '/networks') as Array<{ Id: string; Name: string }>) {
    if (ours(n.Name) || n.Name === A_NETWORK) await dockerOk('DELETE', `/networks/${n.Id}`);
  }
  for (const v of (await dockerOk('GET', '/volumes')).Volumes ?? [] as Array<{ Name: string }>) {
    if (ours(v.Name)) await dockerOk('DELETE', `/volumes/${v.Name}`);
  }
}

function scenario(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    const started = Date.now();
    try {
      await body();
    } finally {
      timings.push(`${name}: ${Date.now() - started} ms`);
    }
  });
}

beforeAll(async () => {
  const started = Date.now();
  for (const image of [REDIS_IMAGE, HAPROXY_IMAGE]) {
    if ((await dockerApi('GET', `/images/${encodeURIComponent(image)}/json`)).status !== 200) {
      throw new Error(`image ${image} is missing: run scripts/build-test-images.sh`);
    }
  }
  await removeLeftovers();
  await dockerOk('POST', '/networks/create', {
    Name: A_NETWORK, Driver: 'bridge', IPAM: { Config: [{ Subnet: A_SUBNET, Gateway: A_ADDRESS }] }, Labels: { 'cdktf-docker-redis.test': 'multi-host' },
  });
  daemon = await startSecondDockerd({ name: 'mh-b', pool: B_POOL, config: {} });
  await daemon.loadImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  standin = new StandIn();
  plan = synth();
  timings.push(`second engine started, images loaded: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await daemon?.stop();
    await removeLeftovers();
    console.log(`multi-host scenario timings:\n  ${timings.join('\n  ')}`);
  }
});

scenario('a deploy across two engines puts each node on its provider\'s engine, and a plan after apply is empty', async () => {
  const created = await standin.apply(plan);
  expect(created.every((c) => c.action === 'create')).toBe(true);
  const onB = (await engineFor(daemon.host).ok('GET', '/containers/json')).map((c: any) => c.Names[0]).sort();
  expect(onB).toEqual(['/mh-fo-sentinel-3', '/mh-freplica', '/mh-nreplica', '/mh-replica', '/mh-replica-tls', '/mh-replica-tunnel']);
  await standin.expectNoChanges(plan);
});

scenario('followers on host B replicate 100k writes from host A over TLS, and announce their host B address', async () => {
  for (const handle of ['mh-primary', 'mh-nprimary', 'mh-replica', 'mh-nreplica']) await waitServing(handle);
  const started = Date.now();
  await Promise.all([write('mh-primary', 'k', WRITES), write('mh-nprimary', 'k', WRITES)]);
  await Promise.all([waitForKeys('mh-replica', WRITES), waitForKeys('mh-nreplica', WRITES)]);
  timings.push(`  ${WRITES} writes on each primary replicated to host B: ${Date.now() - started} ms`);
  expect(await withClient('mh-replica', (c) => c.get(`k:${WRITES - 1}`))).toBe(`value-${WRITES - 1}`);

  // Sidecar mode: the follower's only link is the tunnel on its own host, and the
  // primary sees the replica arrive on Redis's Unix socket, which only the TLS sidecar reaches.
  const tunnelled = await replication('mh-replica');
  expect([tunnelled.master_host, tunnelled.master_port, tunnelled.master_link_status]).toEqual(['mh-replica-tunnel', '6379', 'up']);
  const replicas = await withClient('mh-primary', (c) => c.call('CLIENT', 'LIST', 'TYPE', 'replica')) as string;
  expect(replicas.trim().split('\n')).toEqual([expect.stringMatching(/ addr=\/run\/redis\/redis\.sock:0 /)]);
  expect((await replication('mh-primary')).slave0).toMatch(new RegExp(`^ip=${B_ADDRESS.replace(/\./g, '\\.')},port=${ports.replica},state=online,`));

  // Native mode: the follower replicates straight to the primary's published TLS port, which speaks nothing but TLS.
  const native = await replication('mh-nreplica');
  expect([native.master_host, native.master_port, native.master_link_status]).toEqual([A_ADDRESS, String(ports.nprimaryTls), 'up']);
  expect((await replication('mh-nprimary')).slave0).toMatch(new RegExp(`^ip=${B_ADDRESS.replace(/\./g, '\\.')},port=${ports.nreplicaTls},state=online,`));
  await expect(connectWithUrl(output('mh-nprimary_url').replace(`:${ports.nprimary}`, `:${ports.nprimaryTls}`))).rejects.toThrow();
});

scenario('with another CA than the primary\'s, neither the tunnel nor native replication links, and writes stop arriving', async () => {
  await setUploadOf('mh-replica-tunnel', '/usr/local/etc/haproxy/primary-ca.pem', caReference('mh-replica'));
  await setUploadOf('mh-nreplica', '/usr/local/etc/redis/tls/primary-ca.crt', caReference('mh-nreplica'));
  try {
    const replaced = (await standin.apply(plan)).map((c) => `${c.action} ${c.address.split('.')[1].replace(/_[0-9A-F]{8}$/, '')}`).sort();
    expect(replaced).toEqual(['replace nreplica_Node_Redis', 'replace replica_Node_ReplicationTunnel']);
    await withClient('mh-primary', (c) => c.set('after-ca-change', '1'));
    await withClient('mh-nprimary', (c) => c.set('after-ca-change', '1'));
    await waitServing('mh-nreplica');
    // Ten seconds cover several reconnect attempts of both followers (Redis retries every second).
    await sleep(10_000);
    for (const handle of ['mh-replica', 'mh-nreplica']) {
      expect({ handle, link: (await replication(handle)).master_link_status }).toEqual({ handle, link: 'down' });
      expect({ handle, key: await withClient(handle, (c) => c.exists('after-ca-change')) }).toEqual({ handle, key: 0 });
    }
    expect(await logsOf(daemon.host, 'mh-nreplica')).toMatch(/certificate verify failed/);
  } finally {
    plan = synth();
  }
  await standin.apply(plan);
  await waitFor('both followers to link again with the primary\'s CA', async () => {
    const links = await Promise.all(['mh-replica', 'mh-nreplica'].map(async (h) => (await replication(h)).master_link_status));
    return links.every((l) => l === 'up') ? true : undefined;
  }, 60_000, 500);
  expect(await withClient('mh-replica', (c) => c.get('after-ca-change'))).toBe('1');
  await standin.expectNoChanges(plan);
});

scenario('after host A\'s Redis restarts, the followers on host B link again and catch up', async () => {
  for (const name of ['mh-primary', 'mh-nprimary']) await dockerOk('POST', `/containers/${name}/restart?t=60`, undefined, undefined, 90_000);
  await waitServing('mh-primary');
  await waitServing('mh-nprimary');
  await write('mh-primary', 'after-restart', 1000);
  await write('mh-nprimary', 'after-restart', 1000);
  // The restarted primaries loaded their snapshots: the followers keep everything and get the new writes.
  await waitForKeys('mh-replica', WRITES + 1 + 1000);
  await waitForKeys('mh-nreplica', WRITES + 1 + 1000);
  for (const handle of ['mh-replica', 'mh-nreplica']) expect((await replication(handle)).master_link_status).toBe('up');
  await standin.expectNoChanges(plan);
});

/** A client of the kind users run: ioredis through the Sentinels, with the failover group's outputs. */
function sentinelClient(): Redis {
  const password = decodeURIComponent(new URL(output('mh-fprimary_tls_url')).password);
  const ca = output('mh-fo_ca_certificate');
  return new Redis({
    sentinels: output('mh-fo_sentinels').split(',').map((address) => ({ host: address.split(':')[0], port: Number(address.split(':')[1]) })),
    name: output('mh-fo_master_name'),
    sentinelPassword: output('mh-fo_sentinel_password'),
    enableTLSForSentinelMode: true,
    sentinelTLS: { ca },
    tls: { ca },
    username: 'default',
    password,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  });
}

async function withSentinelClient<T>(use: (client: Redis) => Promise<T>): Promise<T> {
  const client = sentinelClient();
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** What Sentinel 1 says about the group. */
async function askSentinel(...args: string[]): Promise<any> {
  const address = output('mh-fo_sentinels').split(',')[0];
  const client = new Redis({
    host: address.split(':')[0], port: Number(address.split(':')[1]), password: output('mh-fo_sentinel_password'),
    tls: { ca: output('mh-fo_ca_certificate') }, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call('SENTINEL', ...args);
  } finally {
    client.disconnect();
  }
}

async function roleOf(handle: string): Promise<string> {
  const info = await replication(handle);
  return info.role === 'slave' ? `replica of ${info.master_host}:${info.master_port} (${info.master_link_status})` : info.role;
}

scenario('RedisFailover warns that 3 Sentinels on 2 hosts cannot survive the loss of the host with 2', async () => {
  expect(failoverWarnings).toEqual([expect.stringMatching(/^RedisFailover mh-fo: losing the default Docker host leaves 1 of 3 Sentinels, fewer than the quorum 2: a failure of that host cannot be failed over/)]);
});

scenario('Sentinel promotes the follower on host B when the primary is killed; every write WAIT acknowledged is there; the old primary rejoins as a follower; roles survive restarts; a re-apply changes nothing', async () => {
  await waitServing('mh-fprimary');
  await waitServing('mh-freplica');
  await waitFor('the Sentinels to know the replica and each other', async () => {
    const replicas = (await askSentinel('REPLICAS', 'mh-fo')) as string[][];
    const sentinels = (await askSentinel('SENTINELS', 'mh-fo')) as string[][];
    const flags = replicas.map((fields) => fields[fields.indexOf('flags') + 1]);
    return flags.length === 1 && flags[0] === 'slave' && sentinels.length === 2 ? true : undefined;
  }, 60_000, 500);
  expect(await roleOf('mh-freplica')).toBe(`replica of ${A_ADDRESS}:${ports.fprimaryTls} (up)`);

  // The promise: a write the replica acknowledged (WAIT 1) before the primary died survives the failover.
  const acknowledged = await withSentinelClient(async (client) => {
    const batch = client.pipeline();
    for (let i = 0; i < 1000; i++) batch.set(`acked:${i}`, `v${i}`);
    await batch.exec();
    return (await client.call('WAIT', '1', '5000')) as number;
  });
  expect(acknowledged).toBe(1);

  const killed = Date.now();
  await dockerOk('POST', '/containers/mh-fprimary/kill');
  let attempts = 0;
  await waitFor('a write through Sentinel to succeed on the new primary', async () => {
    attempts++;
    return withSentinelClient(async (client) => ((await client.set('after-failover', String(attempts))) === 'OK' ? true : undefined)).catch(() => undefined);
  }, 60_000, 100);
  const failoverSeconds = (Date.now() - killed) / 1000;
  timings.push(`  primary killed until the first write on the new primary: ${failoverSeconds.toFixed(1)} s (goal ${DOWN_AFTER_MS / 1000 + 2} s)`);
  expect(await askSentinel('GET-MASTER-ADDR-BY-NAME', 'mh-fo')).toEqual([B_ADDRESS, String(ports.freplicaTls)]);
  expect(await roleOf('mh-freplica')).toBe('master');
  expect(await withClient('mh-freplica', (c) => c.mget('acked:0', 'acked:999', 'after-failover'))).toEqual(['v0', 'v999', String(attempts)]);

  // The old primary comes back with its old role in its config and data; Sentinel makes it a replica of the new one.
  await dockerOk('POST', '/containers/mh-fprimary/start');
  await waitFor('the old primary to follow the new one', async () => (
    (await roleOf('mh-fprimary')) === `replica of ${B_ADDRESS}:${ports.freplicaTls} (up)` ? true : undefined
  ), 60_000, 500);
  expect(await withClient('mh-fprimary', (c) => c.get('after-failover'))).toBe(String(attempts));

  // Restarts keep the roles Sentinel gave: the replica first, then the primary, quicker than downAfterMs.
  await dockerOk('POST', '/containers/mh-fprimary/restart?t=60', undefined, undefined, 90_000);
  await engineFor(daemon.host).ok('POST', '/containers/mh-freplica/restart?t=60', { timeoutMs: 90_000 });
  await waitServing('mh-freplica');
  await waitServing('mh-fprimary');
  await waitFor('the roles after the restarts', async () => (
    (await roleOf('mh-fprimary')) === `replica of ${B_ADDRESS}:${ports.freplicaTls} (up)` ? true : undefined
  ), 30_000, 500);
  expect(await roleOf('mh-freplica')).toBe('master');
  expect(await askSentinel('GET-MASTER-ADDR-BY-NAME', 'mh-fo')).toEqual([B_ADDRESS, String(ports.freplicaTls)]);

  // The same plan again: Terraform leaves Sentinel's topology alone.
  expect(await standin.apply(plan)).toEqual([]);
  await standin.expectNoChanges(plan);
  expect(await roleOf('mh-freplica')).toBe('master');
});
