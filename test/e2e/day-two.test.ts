/**
 * Day two on a Docker engine configured the way many hosts are: its own
 * default `log-opts` and `"init": true` (a second engine this suite starts,
 * see test/support/second-dockerd.ts). One stack lives through the deploys a
 * user makes: the first, the next ones with nothing changed, a stopped
 * database, a bigger container, a memory-only resize, an engine upgrade, a
 * library upgrade that replaces the network, and a destroy. Its password and
 * certificates are generated (no TLS material or password in props), the
 * primary publishes on 0.0.0.0 and its follower on ports Docker chooses; the
 * tests reach them through the stack's outputs on loopback.
 */
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFollower, RedisVersion } from '../../lib';
import { configGet, connectWithUrl, parseInfo, Redis, waitForPong } from '../support/clients';
import { freePort, requireTools, waitFor } from '../support/processes';
import { SecondDockerd, startSecondDockerd } from '../support/second-dockerd';
import { synthJson, warningsUnder } from '../support/synth';
import { engineFor, PlannedChange, StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(240_000);
requireTools('docker', 'openssl');

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const REDIS_UPGRADE_IMAGE = process.env.REDIS_UPGRADE_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:8.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
/** What the second engine's daemon.json adds to every container on the default log driver. */
const DAEMON_LOG_OPTS = { 'max-size': '5m', 'max-file': '2', compress: 'true', tag: '{{.Name}}', mode: 'non-blocking' };
/** What it stores in every container for each name the container does not set: 1024 open files is some distributions' packaged default. */
const DAEMON_ULIMITS = { nofile: { Name: 'nofile', Soft: 1024, Hard: 4096 }, core: { Name: 'core', Soft: 0, Hard: 0 } };

interface Variant {
  readonly primaryVersion: RedisVersion;
  readonly primaryImage: string;
  readonly primaryContainerSizeMb: number;
  readonly scratchContainerMb: number;
  readonly preventDestroy: boolean;
}

const FIRST: Variant = {
  primaryVersion: RedisVersion.V7_0,
  primaryImage: REDIS_IMAGE,
  primaryContainerSizeMb: 256,
  scratchContainerMb: 256,
  preventDestroy: true,
};

let daemon: SecondDockerd;
let standin: StandIn;
const ports = { primary: 0, primaryTls: 0, scratch: 0, scratchTls: 0 };
const { scenario, timings, report } = timedScenarios();

function synth(v: Variant): { plan: any; scratch: RedisDatabase } {
  const stack = new TerraformStack(Testing.app(), 'day-two');
  new DockerProvider(stack, 'docker', { host: daemon.host });
  const primary = new RedisDatabase(stack, 'primary', {
    handle: 'dtwo-primary',
    version: v.primaryVersion,
    image: v.primaryImage,
    tlsSidecarImage: HAPROXY_IMAGE,
    containerSizeMb: v.primaryContainerSizeMb,
    // Plaintext on every address too, as before 0.2.0, which the follower inherits: the scenarios reach both through the outputs.
    plaintextHostIp: '0.0.0.0',
    port: ports.primary,
    tlsPort: ports.primaryTls,
    preventDestroy: v.preventDestroy,
  });
  new RedisFollower(stack, 'replica', {
    handle: 'dtwo-replica',
    primary,
    image: v.primaryImage,
    tlsSidecarImage: HAPROXY_IMAGE,
    containerSizeMb: 256,
    preventDestroy: v.preventDestroy,
  });
  const scratch = new RedisDatabase(stack, 'scratch', {
    handle: 'dtwo-scratch',
    version: RedisVersion.V7_0_NORDB,
    image: REDIS_IMAGE,
    tlsSidecarImage: HAPROXY_IMAGE,
    containerSizeMb: v.scratchContainerMb,
    hostIp: '127.0.0.1',
    port: ports.scratch,
    tlsPort: ports.scratchTls,
  });
  return { plan: synthJson(stack), scratch };
}

/** A change as `action type name`, with Docker objects named as on the engine. */
function summary(plan: any, changes: readonly PlannedChange[]): string[] {
  return changes.map((c) => {
    const [type, logicalId] = c.address.split('.');
    const name = type.startsWith('docker_') ? plan.resource[type]?.[logicalId]?.name ?? standin.attributesOf(c.address).name : logicalId;
    return `${c.action} ${type} ${name}`;
  }).sort();
}

function output(plan: any, name: string): string {
  const value = standin.outputs(plan)[name]?.value;
  if (typeof value !== 'string') throw new Error(`output ${name} is not known`);
  return value;
}

/** Connects with a credential URL output, TLS verified against the CA output, as an app would. */
function connectWith(plan: any, handle: string, tls = false): Promise<Redis> {
  return tls
    ? connectWithUrl(output(plan, `${handle}_tls_url`), output(plan, `${handle}_ca_certificate`))
    : connectWithUrl(output(plan, `${handle}_url`));
}

/** Until both endpoints answer: Redis and its TLS sidecar start independently, so one serving says nothing of the other. */
async function waitServing(plan: any, handle: string): Promise<void> {
  for (const tls of [false, true]) await waitUntilAnswers(plan, handle, tls);
}

async function waitUntilAnswers(plan: any, handle: string, tls: boolean): Promise<void> {
  await waitForPong(`${handle} to serve through its ${tls ? 'TLS ' : ''}URL output`, () => connectWith(plan, handle, tls), 30_000);
}

async function inspect(name: string): Promise<any> {
  return engineFor(daemon.host).ok('GET', `/containers/${name}/json`);
}


beforeAll(async () => {
  const started = Date.now();
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  daemon = await startSecondDockerd({
    name: 'e2e-b',
    pool: '10.213.0.0/16',
    config: { 'log-driver': 'json-file', 'log-opts': DAEMON_LOG_OPTS, init: true, 'default-ulimits': DAEMON_ULIMITS },
  });
  await daemon.loadImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  standin = new StandIn();
  timings.push(`second engine started, images loaded: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await daemon?.stop();
    console.log(report('day-two scenario timings'));
  }
});

scenario('first deploy, then a plan after apply is empty on an engine with its own log-opts, init and default-ulimits', async () => {
  const { plan } = synth(FIRST);
  const created = await standin.apply(plan);
  expect(created.every((c) => c.action === 'create')).toBe(true);
  const primary = await inspect('dtwo-primary');
  // The engine did merge its options and limits in, and the container runs without docker-init as the provider asks: the check below is not vacuous.
  expect(primary.HostConfig.LogConfig.Config).toEqual({ ...DAEMON_LOG_OPTS, 'max-size': '10m', 'max-file': '3' });
  expect(primary.HostConfig.Ulimits).toEqual([{ Name: 'nofile', Soft: 10032, Hard: 10032 }, DAEMON_ULIMITS.core]);
  expect((await inspect('dtwo-primary-backup')).HostConfig.Ulimits).toEqual(expect.arrayContaining(Object.values(DAEMON_ULIMITS)));
  expect(primary.HostConfig.Init).toBe(false);
  await standin.expectNoChanges(plan);
  // The library's own limit, not the daemon's 1024, is what Redis runs with.
  await waitServing(plan, 'dtwo-primary');
  const client = await connectWith(plan, 'dtwo-primary');
  expect(await configGet(client, 'maxclients')).toBe('10000');
  client.disconnect();
});

scenario('generated password and certificates work end to end; 0.0.0.0 and Docker-chosen ports through the outputs', async () => {
  const { plan } = synth(FIRST);
  expect(Object.keys(plan.resource.tls_locally_signed_cert ?? {})).toHaveLength(3);
  // Each database's password and the secret its internal users' passwords derive from.
  expect(Object.keys(plan.resource.random_password ?? {})).toHaveLength(6);
  expect((await inspect('dtwo-primary')).HostConfig.PortBindings['6379/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: String(ports.primary) }]);
  const replicaUrl = new URL(output(plan, 'dtwo-replica_url'));
  expect((await inspect('dtwo-replica')).HostConfig.PortBindings['6379/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '0' }]);
  expect(Number(replicaUrl.port)).toBe(Number((await inspect('dtwo-replica')).NetworkSettings.Ports['6379/tcp'][0].HostPort));

  await waitServing(plan, 'dtwo-primary');
  const writer = await connectWith(plan, 'dtwo-primary', true);
  expect(await writer.pipeline(Array.from({ length: 100 }, (_, i) => ['set', `k:${i}`, `v:${i}`])).exec()).toEqual(Array(100).fill([null, 'OK']));
  writer.disconnect();
  await waitServing(plan, 'dtwo-replica');
  await waitFor('the follower to replicate', async () => {
    const reader = await connectWith(plan, 'dtwo-replica', true);
    try {
      return (await reader.get('k:99')) === 'v:99' ? true : undefined;
    } finally {
      reader.disconnect();
    }
  }, 60_000, 500);
  await expect(connectWithUrl(output(plan, 'dtwo-primary_tls_url'), output(plan, 'dtwo-replica_ca_certificate'))).rejects.toThrow(/certificate/);
});

scenario('a database stopped with docker stop survives refreshes; the next deploy starts it again with its data', async () => {
  const { plan } = synth(FIRST);
  await engineFor(daemon.host).ok('POST', '/containers/dtwo-primary/stop?t=60', { timeoutMs: 90_000 });
  const changes = await standin.changes(plan);
  expect(summary(plan, changes)).toEqual(['replace docker_container dtwo-primary']);
  expect(changes[0].reasons.join('\n')).toMatch(/\.ports: state \[\], plan .* \(forces replacement\)/);
  expect((await inspect('dtwo-primary')).State.Status).toBe('exited');

  expect(summary(plan, await standin.apply(plan))).toEqual(['replace docker_container dtwo-primary']);
  await waitServing(plan, 'dtwo-primary');
  const reader = await connectWith(plan, 'dtwo-primary');
  expect(await reader.get('k:42')).toBe('v:42');
  reader.disconnect();
  await standin.expectNoChanges(plan);
});

scenario('raising containerSizeMb of a persistent database keeps its data, replaces only its Redis container, and maxmemory follows', async () => {
  const { plan } = synth({ ...FIRST, primaryContainerSizeMb: 384 });
  const started = Date.now();
  expect(summary(plan, await standin.apply(plan))).toEqual(['replace docker_container dtwo-primary']);
  timings.push(`  containerSizeMb apply (stop with save, create): ${Date.now() - started} ms`);
  await waitServing(plan, 'dtwo-primary');
  const client = await connectWith(plan, 'dtwo-primary');
  expect(await client.get('k:7')).toBe('v:7');
  expect(await configGet(client, 'maxmemory')).toBe(String(192 * 1024 * 1024));
  client.disconnect();
  expect((await inspect('dtwo-primary')).HostConfig.Memory).toBe(384 * 1024 * 1024);
  await standin.expectNoChanges(plan);
});

scenario('the same change of a memory-only database warns at synth that the data is lost, and loses it', async () => {
  const before = synth({ ...FIRST, primaryContainerSizeMb: 384 }).plan;
  await waitServing(before, 'dtwo-scratch');
  const writer = await connectWith(before, 'dtwo-scratch');
  expect(await writer.set('ephemeral', '1')).toBe('OK');
  writer.disconnect();

  const { plan, scratch } = synth({ ...FIRST, primaryContainerSizeMb: 384, scratchContainerMb: 384 });
  expect(warningsUnder(scratch)).toContainEqual(expect.stringMatching(/memory-only: .*`containerSizeMb`.* empties the database/));
  expect(summary(plan, await standin.apply(plan))).toEqual(['replace docker_container dtwo-scratch']);
  await waitServing(plan, 'dtwo-scratch');
  const reader = await connectWith(plan, 'dtwo-scratch');
  expect(await reader.dbsize()).toBe(0);
  expect(await configGet(reader, 'maxmemory')).toBe(String(307 * 1024 * 1024));
  reader.disconnect();
  await standin.expectNoChanges(plan);
});

const UPGRADED: Variant = { ...FIRST, primaryContainerSizeMb: 384, scratchContainerMb: 384, primaryVersion: RedisVersion.V8_0, primaryImage: REDIS_UPGRADE_IMAGE };

scenario('upgrading 7.0 to 8.0 keeps the data and replaces exactly what the plan says', async () => {
  requireImages([REDIS_UPGRADE_IMAGE]);
  await daemon.loadImages([REDIS_UPGRADE_IMAGE]);
  const { plan } = synth(UPGRADED);
  const planned = summary(plan, await standin.changes(plan));
  expect(planned).toEqual([
    `create docker_image ${REDIS_UPGRADE_IMAGE}`,
    'replace docker_container dtwo-primary',
    'replace docker_container dtwo-primary-backup',
    'replace docker_container dtwo-replica',
  ]);
  expect(summary(plan, await standin.apply(plan))).toEqual(planned);
  await waitServing(plan, 'dtwo-primary');
  const client = await connectWith(plan, 'dtwo-primary', true);
  expect(parseInfo(await client.info('server')).redis_version).toMatch(/^8\.0\./);
  expect(await client.mget('k:0', 'k:99')).toEqual(['v:0', 'v:99']);
  client.disconnect();
  await waitServing(plan, 'dtwo-replica');
  await waitFor('the upgraded follower to catch up', async () => {
    const reader = await connectWith(plan, 'dtwo-replica');
    try {
      return (await reader.get('k:99')) === 'v:99' ? true : undefined;
    } finally {
      reader.disconnect();
    }
  }, 60_000, 500);
  await standin.expectNoChanges(plan);
});

/** The plan a library upgrade that relabels the primary's network and socket volume would synthesize. */
function relabelled(v: Variant): any {
  const { plan } = synth(v);
  for (const type of ['docker_network', 'docker_volume']) {
    for (const resource of Object.values<any>(plan.resource[type])) {
      if (resource.name === 'dtwo-primary' || resource.name === 'dtwo-primary-run') {
        resource.labels.push({ label: 'cdktf-docker-redis.library-upgrade', value: '1' });
      }
    }
  }
  return plan;
}

scenario('replacing the network and the -run volume replaces the containers using them, not a delete that fails while they are in use', async () => {
  const plan = relabelled(UPGRADED);
  const started = Date.now();
  expect(summary(plan, await standin.apply(plan))).toEqual([
    'replace docker_container dtwo-primary',
    'replace docker_container dtwo-primary-backup',
    'replace docker_container dtwo-primary-tls',
    'replace docker_container dtwo-replica',
    'replace docker_container dtwo-replica-tls',
    'replace docker_network dtwo-primary',
    'replace docker_volume dtwo-primary-run',
  ]);
  expect(Date.now() - started).toBeLessThan(30_000);
  await waitServing(plan, 'dtwo-primary');
  const client = await connectWith(plan, 'dtwo-primary', true);
  expect(await client.get('k:5')).toBe('v:5');
  client.disconnect();
  await waitServing(plan, 'dtwo-replica');
  await standin.expectNoChanges(plan);
});

scenario('a destroy with preventDestroy on fails before touching anything; with it off the stack goes', async () => {
  const plan = relabelled(UPGRADED);
  await expect(standin.destroy(plan)).rejects.toThrow(/Instance cannot be destroyed: .*docker_volume\.primary_Data_\w+.*prevent_destroy/);
  expect((await inspect('dtwo-primary')).State.Running).toBe(true);
  const client = await connectWith(plan, 'dtwo-primary');
  expect(await client.get('k:1')).toBe('v:1');
  client.disconnect();

  const unprotected = relabelled({ ...UPGRADED, preventDestroy: false });
  expect(await standin.apply(unprotected)).toEqual([]);
  await standin.destroy(unprotected);
  for (const volume of ['dtwo-primary-data', 'dtwo-replica-data', 'dtwo-primary-run']) {
    expect((await engineFor(daemon.host).call('GET', `/volumes/${volume}`)).status).toBe(404);
  }
  expect(standin.addressesOf('docker_container')).toEqual([]);
  // No resource owns the backups volume: the database's backups outlive it.
  expect((await engineFor(daemon.host).call('GET', '/volumes/dtwo-primary-backups')).status).toBe(200);
});
