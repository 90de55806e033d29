/**
 * Followers on another Docker host than their primary, on two real engines
 * of this machine (two-hosts.ts): host A is the default engine, host B a
 * second engine this suite starts. The one path between them is through
 * published ports on addresses this suite's engines created (`hosts.aAddress`,
 * `hosts.bAddress`); the tests themselves talk only to those two addresses
 * and to loopback.
 */
import { RedisDatabase, RedisFailover, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { connectWithUrl, parseInfo, Redis } from '../support/clients';
import { execFile } from 'child_process';
import { createSentinel } from 'redis';
import { promisify } from 'util';
import { freePort, requireTools, waitFor } from '../support/processes';
import { synthJson, warningsUnder } from '../support/synth';
import { dockerOk, engineFor, StandIn } from './docker-apply';
import { addFailoverGroup, outputClients, startTwoHosts, TwoHosts, twoHostStack } from './two-hosts';
import { timedScenarios } from '../support/scenarios';

jest.setTimeout(180_000);
requireTools('docker');

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
const LAYOUT = {
  prefix: 'mh-', engineName: 'mh-b', bPool: '10.216.0.0/16', aNetwork: 'cdktf-mh-hosta', aSubnet: '10.217.0.0/24', images: [REDIS_IMAGE, HAPROXY_IMAGE],
};
const WRITES = 100_000;

let hosts: TwoHosts;
let standin: StandIn;
let plan: any;
const ports = {
  primary: 0, primaryTls: 0, replica: 0, replicaTls: 0, nprimary: 0, nprimaryTls: 0, nreplica: 0, nreplicaTls: 0,
  fprimary: 0, fprimaryTls: 0, freplica: 0, freplicaTls: 0, sentinel1: 0, sentinel2: 0, sentinel3: 0,
  sprimary: 0, sprimaryTls: 0, sreplica: 0, sreplicaTls: 0, ssentinel1: 0, ssentinel2: 0, ssentinel3: 0,
};
const DOWN_AFTER_MS = 5000;
let failoverWarnings: string[] = [];
const { scenario, timings, report } = timedScenarios();
const {
  output, withClient, replication, waitServing, write, waitForKeys, sentinelClient, withSentinelClient, askSentinel, askSentinelAt, waitForSentinelTopology,
} = outputClients(() => standin.outputs(plan));

/**
 * Two pairs across the hosts: `mh-primary` (sidecar TLS) on A with its
 * follower `mh-replica` on B, replicating through a tunnel; `mh-nprimary`
 * (native TLS) on A with `mh-nreplica` on B, replicating with
 * `tls-replication`.
 */
function synth(downAfterMs = DOWN_AFTER_MS): any {
  const on = twoHostStack(hosts, 'multi-host', {
    version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb: 512, size: 1, preventDestroy: false,
  });
  const { stack, onA, onB } = on;
  const primary = new RedisDatabase(stack, 'primary', { ...onA, handle: 'mh-primary', port: ports.primary, tlsPort: ports.primaryTls });
  new RedisFollower(stack, 'replica', { ...onB, handle: 'mh-replica', primary, port: ports.replica, tlsPort: ports.replicaTls });
  const native = { tlsMode: RedisTlsMode.NATIVE };
  const nprimary = new RedisDatabase(stack, 'nprimary', { ...onA, ...native, handle: 'mh-nprimary', port: ports.nprimary, tlsPort: ports.nprimaryTls });
  new RedisFollower(stack, 'nreplica', { ...onB, ...native, handle: 'mh-nreplica', primary: nprimary, port: ports.nreplica, tlsPort: ports.nreplicaTls });

  // A failover group across the hosts: 2 Sentinels on A, 1 on B.
  const failover = addFailoverGroup(on, 'mh-fo', {
    primary: ports.fprimary, primaryTls: ports.fprimaryTls, replica: ports.freplica, replicaTls: ports.freplicaTls,
    sentinels: [ports.sentinel1, ports.sentinel2, ports.sentinel3],
  }, downAfterMs);
  failoverWarnings = warningsUnder(failover);

  // A failover group in sidecar TLS mode, on host A alone (the mode cannot span hosts): its Sentinels reach the
  // nodes' plaintext ports, and each other, at host A's address, where those ports are published. Its
  // `downAfterMs` stays as it is when a scenario changes the other group's.
  const sprimary = new RedisDatabase(stack, 'sprimary', {
    ...onA, plaintextHostIp: hosts.aAddress, handle: 'mh-sfo-primary', port: ports.sprimary, tlsPort: ports.sprimaryTls,
  });
  const sreplica = new RedisFollower(stack, 'sreplica', {
    ...onA, plaintextHostIp: hosts.aAddress, handle: 'mh-sfo-replica', primary: sprimary, sharePrimaryCredentials: true, port: ports.sreplica, tlsPort: ports.sreplicaTls,
  });
  new RedisFailover(stack, 'mh-sfo', {
    handle: 'mh-sfo',
    primary: sprimary,
    followers: [sreplica],
    downAfterMs: DOWN_AFTER_MS,
    sentinels: [ports.ssentinel1, ports.ssentinel2, ports.ssentinel3].map((port) => ({ address: hosts.aAddress, hostIp: hosts.aAddress, port })),
  });
  return synthJson(stack);
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

/** The last 200 lines of a container's log, or those written since `sinceSeconds` (Unix time). */
async function logsOf(host: string, container: string, sinceSeconds?: number): Promise<string> {
  const since = sinceSeconds === undefined ? '' : `&since=${sinceSeconds.toFixed(3)}`;
  const res = await engineFor(host).call('GET', `/containers/${container}/logs?stdout=true&stderr=true&tail=200${since}`);
  // The multiplexed stream's frame headers are binary; the text is what matters.
  return String(res.body);
}


beforeAll(async () => {
  const started = Date.now();
  hosts = await startTwoHosts(LAYOUT);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  standin = new StandIn();
  plan = synth();
  timings.push(`second engine started, images loaded: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await hosts?.stop();
    console.log(report('multi-host scenario timings'));
  }
});

scenario('a deploy across two engines puts each node on its provider\'s engine, and a plan after apply is empty', async () => {
  const created = await standin.apply(plan);
  expect(created.every((c) => c.action === 'create')).toBe(true);
  const onB = (await engineFor(hosts.bHost).ok('GET', '/containers/json')).map((c: any) => c.Names[0]).sort();
  expect(onB).toEqual(['/mh-fo-replica', '/mh-fo-sentinel-3', '/mh-nreplica', '/mh-replica', '/mh-replica-tls', '/mh-replica-tunnel']);
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
  expect((await replication('mh-primary')).slave0).toMatch(new RegExp(`^ip=${hosts.bAddress.replace(/\./g, '\\.')},port=${ports.replica},state=online,`));

  // Native mode: the follower replicates straight to the primary's published TLS port, which speaks nothing but TLS.
  const native = await replication('mh-nreplica');
  expect([native.master_host, native.master_port, native.master_link_status]).toEqual([hosts.aAddress, String(ports.nprimaryTls), 'up']);
  expect((await replication('mh-nprimary')).slave0).toMatch(new RegExp(`^ip=${hosts.bAddress.replace(/\./g, '\\.')},port=${ports.nreplicaTls},state=online,`));
  await expect(connectWithUrl(output('mh-nprimary_url').replace(`:${ports.nprimary}`, `:${ports.nprimaryTls}`))).rejects.toThrow();
});

scenario('with another CA than the primary\'s, neither the tunnel nor native replication links, and writes stop arriving', async () => {
  await setUploadOf('mh-replica-tunnel', '/usr/local/etc/haproxy/primary-ca.pem', caReference('mh-replica'));
  await setUploadOf('mh-nreplica', '/usr/local/etc/redis/tls/primary-ca.crt', caReference('mh-nreplica'));
  try {
    const replaced = (await standin.apply(plan)).map((c) => `${c.action} ${c.address.split('.')[1].replace(/_[0-9A-F]{8}$/, '')}`).sort();
    expect(replaced).toEqual(['replace nreplica_Node_Redis', 'replace replica_Node_ReplicationTunnel']);
    const written = Date.now() / 1000;
    await withClient('mh-primary', (c) => c.set('after-ca-change', '1'));
    await withClient('mh-nprimary', (c) => c.set('after-ca-change', '1'));
    await waitServing('mh-nreplica');
    // Three attempts of each follower to link since the writes, none of which may have brought them.
    await waitFor('three attempts of each follower to link with its primary', async () => {
      const attempts = await Promise.all(['mh-replica', 'mh-nreplica'].map(async (handle) =>
        (await logsOf(hosts.bHost, handle, written)).split('\n').filter((line) => line.includes('Connecting to MASTER')).length));
      return attempts.every((n) => n >= 3) ? true : undefined;
    }, 60_000, 500);
    for (const handle of ['mh-replica', 'mh-nreplica']) {
      expect({ handle, link: (await replication(handle)).master_link_status }).toEqual({ handle, link: 'down' });
      expect({ handle, key: await withClient(handle, (c) => c.exists('after-ca-change')) }).toEqual({ handle, key: 0 });
    }
    expect(await logsOf(hosts.bHost, 'mh-nreplica')).toMatch(/certificate verify failed/);
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

async function roleOf(handle: string): Promise<string> {
  const info = await replication(handle);
  return info.role === 'slave' ? `replica of ${info.master_host}:${info.master_port} (${info.master_link_status})` : info.role;
}

scenario('RedisFailover warns that 3 Sentinels on 2 hosts cannot survive the loss of the host with 2', async () => {
  expect(failoverWarnings).toEqual([expect.stringMatching(/^RedisFailover mh-fo: losing the default Docker host leaves 1 of 3 Sentinels, fewer than the quorum 2: a failure of that host cannot be failed over/)]);
});

/**
 * An app's two clients through the group's Sentinels, from its outputs, logged in as the apps: ioredis in sentinel
 * mode (reconnecting through Sentinel) and node-redis's sentinel client (following Sentinel's notifications). They stay connected
 * across a failover, as an app's do.
 */
async function appClients(group: string, primary: string) {
  // Retrying Sentinel too: until the failover, Sentinel names the dead primary, and a client that may not ask again gives up.
  // ioredis's default `failoverDetector: false`: with it on, its +switch-master handler closed a reconnect in progress in
  // some runs here, and the client ended (ioredis 6.0.0; test/integration/sentinel-login.test.ts says where).
  const io = sentinelClient(group, primary, { retryStrategy: () => 200, sentinelRetryStrategy: () => 200 });
  io.on('error', () => undefined);
  const ca = output(`${group}_ca_certificate`);
  const nodeRedis = createSentinel({
    name: output(`${group}_master_name`),
    sentinelRootNodes: output(`${group}_sentinels`).split(',').map((address) => ({ host: address.split(':')[0], port: Number(address.split(':')[1]) })),
    // No reconnects of its own: the sentinel client replaces its connections when Sentinel names another primary,
    // and a connection reconnecting to the killed primary would outlive the test.
    sentinelClientOptions: {
      username: output(`${group}_sentinel_username`), password: output(`${group}_sentinel_password`), socket: { tls: true, ca, reconnectStrategy: false },
    },
    nodeClientOptions: {
      username: 'default', password: decodeURIComponent(new URL(output(`${primary}_tls_url`)).password), socket: { tls: true, ca, reconnectStrategy: false },
    },
  });
  nodeRedis.on('error', () => undefined);
  try {
    await io.connect();
    await nodeRedis.connect();
  } catch (e) {
    io.disconnect();
    await nodeRedis.close().catch(() => undefined);
    throw e;
  }
  return { io, nodeRedis, close: async () => {
    io.disconnect();
    // close(), not destroy(): a destroyed sentinel client leaves its rediscovery retries running for half a minute.
    await nodeRedis.close().catch(() => undefined);
  } };
}

scenario('Sentinel promotes the follower on host B when the primary is killed; every write WAIT acknowledged is there; the old primary rejoins as a follower; roles survive restarts; a re-apply changes nothing', async () => {
  await waitServing('mh-fo-primary');
  await waitServing('mh-fo-replica');
  await waitForSentinelTopology('mh-fo', 1, 3);
  // Serving is not linked: the replica's first sync with the primary across the hosts may still be under way.
  await waitFor('the replica\'s link to the primary', async () => (
    (await roleOf('mh-fo-replica')) === `replica of ${hosts.aAddress}:${ports.fprimaryTls} (up)` ? true : undefined
  ), 60_000, 500);

  // The promise: a write the replica acknowledged (WAIT 1) before the primary died survives the failover.
  const acknowledged = await withSentinelClient('mh-fo', 'mh-fo-primary', async (client) => {
    const batch = client.pipeline();
    for (let i = 0; i < 1000; i++) batch.set(`acked:${i}`, `v${i}`);
    await batch.exec();
    return (await client.call('WAIT', '1', '5000')) as number;
  });
  expect(acknowledged).toBe(1);
  const app = await appClients('mh-fo', 'mh-fo-primary');
  try {
    expect([await app.io.set('before-failover', 'ioredis'), await app.nodeRedis.set('before-failover-node', 'node-redis')]).toEqual(['OK', 'OK']);
    expect(parseInfo(await app.io.info('replication')).role).toBe('master');
    await failOver(app);
  } finally {
    await app.close();
  }
});

/** The primary killed, and what follows: the rest of the scenario above, with the app's clients connected. */
async function failOver(app: Awaited<ReturnType<typeof appClients>>): Promise<void> {
  const killed = Date.now();
  await dockerOk('POST', '/containers/mh-fo-primary/kill');
  let attempts = 0;
  await waitFor('a write through Sentinel to succeed on the new primary', async () => {
    attempts++;
    return withSentinelClient('mh-fo', 'mh-fo-primary', async (client) => ((await client.set('after-failover', String(attempts))) === 'OK' ? true : undefined)).catch(() => undefined);
  }, 60_000, 100);
  const failoverSeconds = (Date.now() - killed) / 1000;
  timings.push(`  primary killed until the first write on the new primary: ${failoverSeconds.toFixed(1)} s (goal ${DOWN_AFTER_MS / 1000 + 2} s)`);
  expect(await askSentinel('mh-fo', 'GET-MASTER-ADDR-BY-NAME', 'mh-fo')).toEqual([hosts.bAddress, String(ports.freplicaTls)]);
  expect(await roleOf('mh-fo-replica')).toBe('master');
  expect(await withClient('mh-fo-replica', (c) => c.mget('acked:0', 'acked:999', 'after-failover'))).toEqual(['v0', 'v999', String(attempts)]);

  // The app's clients, connected before, follow it to the new primary.
  await waitFor('the app\'s ioredis to write on the new primary', async () => (
    (await app.io.set('followed', 'ioredis').catch((e: Error) => { throw new Error(`${e.message} (ioredis ${app.io.status})`); })) === 'OK' ? true : undefined
  ), 60_000, 200);
  await waitFor('the app\'s node-redis to write on the new primary', async () => ((await app.nodeRedis.set('followed-node', 'node-redis')) === 'OK' ? true : undefined), 60_000, 200);
  expect(await withClient('mh-fo-replica', (c) => c.mget('followed', 'followed-node', 'before-failover-node'))).toEqual(['ioredis', 'node-redis', 'node-redis']);

  // The apps' login may discover, not change the group: each Sentinel refuses it SET and REMOVE, and the group is as it was.
  for (const index of [0, 1, 2]) {
    const refusals: string[] = [];
    for (const command of [['SET', 'mh-fo', 'quorum', '1'], ['REMOVE', 'mh-fo']]) {
      refusals.push(await askSentinelAt('mh-fo', index, ...command).then(() => 'allowed', (e: Error) => e.message.split(' ')[0]));
    }
    expect(refusals).toEqual(['NOPERM', 'NOPERM']);
    const master = (await askSentinelAt('mh-fo', index, 'MASTER', 'mh-fo')) as unknown;
    const fields = Array.isArray(master) ? Object.fromEntries(master.flatMap((v, i) => (i % 2 === 0 ? [[v, master[i + 1]]] : []))) : master as Record<string, unknown>;
    expect([fields.quorum, fields.ip, fields.port].map(String)).toEqual(['2', hosts.bAddress, String(ports.freplicaTls)]);
  }
  // The control: the admin login, which stays on the Sentinels, runs SENTINEL SET there as README says (to the value it has).
  const admin = await promisify(execFile)('docker', ['exec', 'mh-fo-sentinel-1', 'sh', '-c',
    `sed -n "s/^sentinel sentinel-pass \\"\\(.*\\)\\"$/\\1/p" /usr/local/etc/redis/sentinel.conf | ` +
    'redis-cli --tls --cacert /usr/local/etc/redis/sentinel-tls/ca.crt -p 26380 --user admin --askpass SENTINEL SET mh-fo quorum 2',
  ], { timeout: 30_000 });
  expect(admin.stdout.trim().split('\n').pop()).toBe('OK');

  // The old primary comes back with its old role in its config and data; Sentinel makes it a replica of the new one.
  await dockerOk('POST', '/containers/mh-fo-primary/start');
  await waitFor('the old primary to follow the new one', async () => (
    (await roleOf('mh-fo-primary')) === `replica of ${hosts.bAddress}:${ports.freplicaTls} (up)` ? true : undefined
  ), 60_000, 500);
  expect(await withClient('mh-fo-primary', (c) => c.get('after-failover'))).toBe(String(attempts));

  // Restarts keep the roles Sentinel gave: the replica first, then the primary, quicker than downAfterMs.
  await dockerOk('POST', '/containers/mh-fo-primary/restart?t=60', undefined, undefined, 90_000);
  await engineFor(hosts.bHost).ok('POST', '/containers/mh-fo-replica/restart?t=60', { timeoutMs: 90_000 });
  await waitServing('mh-fo-replica');
  await waitServing('mh-fo-primary');
  await waitFor('the roles after the restarts', async () => (
    (await roleOf('mh-fo-primary')) === `replica of ${hosts.bAddress}:${ports.freplicaTls} (up)` ? true : undefined
  ), 30_000, 500);
  expect(await roleOf('mh-fo-replica')).toBe('master');
  expect(await askSentinel('mh-fo', 'GET-MASTER-ADDR-BY-NAME', 'mh-fo')).toEqual([hosts.bAddress, String(ports.freplicaTls)]);

  // The same plan again: Terraform leaves Sentinel's topology alone.
  expect(await standin.apply(plan)).toEqual([]);
  await standin.expectNoChanges(plan);
  expect(await roleOf('mh-fo-replica')).toBe('master');
}

/** The config a Sentinel runs from, in its volume. */
async function sentinelState(n: number): Promise<string> {
  const host = n === 3 ? ['-H', hosts.bHost] : [];
  return (await promisify(execFile)('docker', [...host, 'exec', `mh-fo-sentinel-${n}`, 'cat', '/data/sentinel.conf'], { timeout: 30_000 })).stdout;
}

scenario('Sentinels replaced by a changed plan keep the epoch, the primary and the peers they learned, and run the new directives', async () => {
  const before = await Promise.all([1, 2, 3].map(sentinelState));
  const epochs = before.map((conf) => Number(/^sentinel config-epoch mh-fo (\d+)$/m.exec(conf)?.[1]));
  // The failover above raised it: a Sentinel that forgot would be back at 0, watching the first deploy's primary.
  for (const epoch of epochs) expect(epoch).toBeGreaterThan(0);

  plan = synth(DOWN_AFTER_MS + 1000);
  const changes = (await standin.apply(plan)).map((c) => `${c.action} ${c.address}`).sort();
  expect(changes).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`^replace docker_container\\.mh-fo_Sentinel${n}_Container_`))));
  for (const [i, conf] of (await Promise.all([1, 2, 3].map(sentinelState))).entries()) {
    expect(conf).toMatch(new RegExp(`^sentinel down-after-milliseconds mh-fo ${DOWN_AFTER_MS + 1000}$`, 'm'));
    expect(conf).toMatch(new RegExp(`^sentinel monitor mh-fo ${hosts.bAddress.replace(/\./g, '\\.')} ${ports.freplicaTls} 2$`, 'm'));
    expect(Number(/^sentinel config-epoch mh-fo (\d+)$/m.exec(conf)?.[1])).toBe(epochs[i]);
    expect(conf.match(/^sentinel known-sentinel mh-fo /gm)).toHaveLength(2);
    expect(conf).toMatch(new RegExp(`^sentinel known-replica mh-fo ${hosts.aAddress.replace(/\./g, '\\.')} ${ports.fprimaryTls}$`, 'm'));
  }
  expect(await askSentinel('mh-fo', 'GET-MASTER-ADDR-BY-NAME', 'mh-fo')).toEqual([hosts.bAddress, String(ports.freplicaTls)]);
  expect(await roleOf('mh-fo-replica')).toBe('master');
  await standin.expectNoChanges(plan);
});

/** A plaintext client of the sidecar-mode group's Sentinel number `index`, logged in as the apps. */
function sidecarSentinel(index: number): Redis {
  const client = new Redis({
    host: hosts.aAddress, port: [ports.ssentinel1, ports.ssentinel2, ports.ssentinel3][index],
    username: output('mh-sfo_sentinel_username'), password: output('mh-sfo_sentinel_password'),
    lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2_000, commandTimeout: 2_000,
  });
  client.on('error', () => undefined);
  return client;
}

async function askSidecarSentinel(index: number, ...args: string[]): Promise<any> {
  const client = sidecarSentinel(index);
  try {
    await client.connect();
    return await client.call('SENTINEL', ...args);
  } finally {
    client.disconnect();
  }
}

scenario('a sidecar-mode group on one host: its plaintext Sentinels promote the follower when the primary is killed, and an app following them through ioredis writes on the new primary', async () => {
  await waitServing('mh-sfo-primary');
  await waitServing('mh-sfo-replica');
  await waitFor('the sidecar-mode Sentinels to know the replica and each other', async () => {
    const replicas = (await askSidecarSentinel(0, 'REPLICAS', 'mh-sfo')) as string[][];
    const others = (await askSidecarSentinel(0, 'SENTINELS', 'mh-sfo')) as string[][];
    const flags = replicas.map((fields) => fields[fields.indexOf('flags') + 1]);
    return flags.length === 1 && flags[0] === 'slave' && others.length === 2 ? true : undefined;
  }, 60_000, 500);
  expect(await askSidecarSentinel(0, 'GET-MASTER-ADDR-BY-NAME', 'mh-sfo')).toEqual([hosts.aAddress, String(ports.sprimary)]);

  // In this mode Sentinel names the nodes' plaintext addresses, and apps connect there.
  const app = new Redis({
    sentinels: output('mh-sfo_sentinels').split(',').map((address) => ({ host: address.split(':')[0], port: Number(address.split(':')[1]) })),
    name: output('mh-sfo_master_name'),
    sentinelUsername: output('mh-sfo_sentinel_username'),
    sentinelPassword: output('mh-sfo_sentinel_password'),
    username: 'default',
    password: decodeURIComponent(new URL(output('mh-sfo-primary_tls_url')).password),
    lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, commandTimeout: 2_000,
    retryStrategy: () => 200, sentinelRetryStrategy: () => 200,
  });
  app.on('error', () => undefined);
  try {
    await app.connect();
    expect(await app.set('before-failover', 'sidecar')).toBe('OK');
    expect(await app.call('WAIT', '1', '5000')).toBe(1);

    await dockerOk('POST', '/containers/mh-sfo-primary/kill');
    await waitFor('the sidecar-mode Sentinels to promote the follower', async () => {
      const master = (await askSidecarSentinel(0, 'GET-MASTER-ADDR-BY-NAME', 'mh-sfo')) as string[];
      return master[1] === String(ports.sreplica) ? true : undefined;
    }, 60_000, 500);
    await waitFor('the app\'s write on the new primary', async () => ((await app.set('after-failover', 'sidecar').catch(() => undefined)) === 'OK' ? true : undefined), 60_000, 250);
  } finally {
    app.disconnect();
  }
  expect(await withClient('mh-sfo-replica', (c) => c.mget('before-failover', 'after-failover'))).toEqual(['sidecar', 'sidecar']);
  expect(parseInfo(await withClient('mh-sfo-replica', (c) => c.info('replication'))).role).toBe('master');
  // The apps' login may discover, not change the group.
  await expect(askSidecarSentinel(0, 'SET', 'mh-sfo', 'quorum', '1')).rejects.toThrow(/^NOPERM/);
  await expect(askSidecarSentinel(1, 'REMOVE', 'mh-sfo')).rejects.toThrow(/^NOPERM/);
});
