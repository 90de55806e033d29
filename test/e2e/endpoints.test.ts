/**
 * End to end on the suites' engine (test-engine.ts): what a database's endpoints expose to a
 * client that is not on the Docker host. The test creates two network
 * namespaces, each joined to the host by a veth pair on a /30 of its own,
 * that route to the database's bridge network through the host, as a machine
 * whose route points at the Docker host would. Clients run inside them
 * (`ip netns exec … node`), talking only to the host-side addresses the test
 * created and to the containers the stand-in created.
 */
import { Network } from '@cdktf/provider-docker/lib/network';
import { RedisDatabase, RedisVersion } from '../../lib';
import { freePort, requireTools } from '../support/processes';
import { addNamespace, addRoutes, ip, Namespace, removeNamespace, sessionFrom } from '../support/namespaces';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, dockerOk, StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(180_000);
requireTools('docker', 'ip');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const VALKEY_IMAGE = `${PREFIX}/valkey:9.1`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:3.2`;
const OPEN = 'e2e-ep-open';
const CLOSED = 'e2e-ep-closed';
/** TLS on 127.0.0.1, on a network of the test's with a known gateway, which alone `allowedSources` lists. */
const LOOP = 'e2e-ep-loop';
const LOOP_SUBNET = '10.231.80.0/24';
const LOOP_GATEWAY = '10.231.80.1';

const A: Namespace = { name: 'e2e-ep-a', hostIf: 'e2eepa0', nsIf: 'e2eepa1', hostAddress: '10.231.71.1', address: '10.231.71.2' };
const B: Namespace = { name: 'e2e-ep-b', hostIf: 'e2eepb0', nsIf: 'e2eepb1', hostAddress: '10.231.72.1', address: '10.231.72.2' };

/**
 * Plaintext on a loopback-published port, reached at the container's address
 * from a namespace that routes to the bridge, per engine version; README's
 * "Security" records the same. 28.x drops it: from 28.0 the engine filters
 * packets for a container's address that do not come in on its bridge unless
 * the port is published to them (its "direct routing" protection).
 */
const LOOPBACK_PLAINTEXT_REACHABLE: Record<string, boolean> = { '20.10': true, '28.5': false };

let standin: StandIn;
let plan: any;
let outputs: Record<string, string>;
const ports = { openPlain: 0, openTls: 0, closedTls: 0, loopTls: 0 };
const { scenario, timings, report } = timedScenarios();

async function removeLeftovers(): Promise<void> {
  for (const handle of [OPEN, CLOSED, LOOP]) {
    for (const name of [handle, `${handle}-tls`]) await dockerApi('DELETE', `/containers/${name}?force=true&v=true`);
  }
  for (const handle of [OPEN, CLOSED, LOOP]) {
    for (const volume of [`${handle}-data`, `${handle}-run`, `${handle}-backups`]) await dockerApi('DELETE', `/volumes/${volume}?force=true`);
  }
  for (const network of [OPEN, CLOSED, LOOP]) await dockerApi('DELETE', `/networks/${network}`);
}

async function containerAddress(name: string, network: string): Promise<string> {
  return (await dockerOk('GET', `/containers/${name}/json`)).NetworkSettings.Networks[network].IPAddress as string;
}

const credentialsOf = (handle: string) => {
  const url = new URL(outputs[`${handle}_tls_url`]);
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), ca: outputs[`${handle}_ca_certificate`] };
};

beforeAll(async () => {
  requireImages([VALKEY_IMAGE, HAPROXY_IMAGE]);
  for (const ns of [A, B]) removeNamespace(ns);
  await removeLeftovers();
  ports.openPlain = await freePort();
  ports.openTls = await freePort();
  ports.closedTls = await freePort();
  ports.loopTls = await freePort();
  // Before the apply: the TLS ports are published on A's host-side address.
  addNamespace(A);
  addNamespace(B);
  const stack = dockerStack();
  const common = { version: RedisVersion.VALKEY_9_1, image: VALKEY_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb: 256, backup: { enabled: false } };
  // TLS on the host end of A's veth, which B reaches too; plaintext on the default, 127.0.0.1.
  new RedisDatabase(stack, 'open', { ...common, handle: OPEN, hostIp: A.hostAddress, port: ports.openPlain, tlsPort: ports.openTls, allowedSources: [`${A.address}/32`] });
  new RedisDatabase(stack, 'closed', { ...common, handle: CLOSED, hostIp: A.hostAddress, publishPlaintext: false, tlsPort: ports.closedTls });
  if (ip('-4', 'route', 'show', LOOP_SUBNET).trim() !== '') throw new Error(`${LOOP_SUBNET} is routed here already: pick another subnet for the test`);
  const loopNetwork = new Network(stack, 'loop-network', { name: LOOP, ipamConfig: [{ subnet: LOOP_SUBNET, gateway: LOOP_GATEWAY }] });
  new RedisDatabase(stack, 'loop', {
    ...common, handle: LOOP, network: loopNetwork, hostIp: '127.0.0.1', publishPlaintext: false, tlsPort: ports.loopTls, allowedSources: [`${LOOP_GATEWAY}/32`],
  });
  plan = synthJson(stack);
  standin = new StandIn();
  const started = Date.now();
  await standin.apply(plan);
  outputs = Object.fromEntries(Object.entries(standin.outputs(plan)).map(([name, o]) => [name, String(o.value)]));
  timings.push(`apply: ${Date.now() - started} ms`);
  const bridges = await Promise.all([OPEN, CLOSED].map(async (n) => (await dockerOk('GET', `/networks/${n}`)).IPAM.Config[0].Subnet as string));
  addRoutes(A, bridges);
  // B reaches the TLS ports published on A's host-side address, as a second client machine would.
  addRoutes(B, [...bridges, `${A.hostAddress}/32`]);
});

afterAll(async () => {
  try {
    for (const ns of [A, B]) removeNamespace(ns);
    await standin?.cleanUp();
  } finally {
    await removeLeftovers();
    console.log(report('endpoints scenario timings'));
  }
});

scenario('TLS works from a namespace off the host: the listed source logs in and gets PONG', async () => {
  const session = await sessionFrom(A, { host: A.hostAddress, port: ports.openTls, ...credentialsOf(OPEN) });
  expect(session).toEqual({ connected: true, handshake: true, received: '+OK\r\n+PONG\r\n+OK\r\n' });
});

scenario('allowedSources refuses a second address, in another namespace, before the TLS handshake', async () => {
  // At the published port, as a client off the host reaches it: the engine's DNAT keeps B's address as the source.
  // (Not at the sidecar's own address: Docker 28 drops what comes to a container's address from off its bridge.)
  const session = await sessionFrom(B, { host: A.hostAddress, port: ports.openTls, ...credentialsOf(OPEN) });
  expect(session).toMatchObject({ handshake: false, received: '' });
  // HAProxy resets the connection at once: the client sees it after the TCP handshake, or before it has seen the handshake complete.
  expect(session.connected ? 'closed after connecting' : session.error).toMatch(/^(closed after connecting|ECONNRESET)$/);
  // Without a list, the same namespace is served: the refusal is the list's.
  const unfiltered = await sessionFrom(B, { host: A.hostAddress, port: ports.closedTls, ...credentialsOf(CLOSED) });
  expect(unfiltered).toMatchObject({ handshake: true, received: '+OK\r\n+PONG\r\n+OK\r\n' });
});

scenario('publishPlaintext: false leaves no plaintext path: nothing published, the container\'s port unreachable from off the host', async () => {
  const redis = await dockerOk('GET', `/containers/${CLOSED}/json`);
  expect(Object.keys(redis.HostConfig.PortBindings ?? {})).toEqual([]);
  expect(outputs[`${CLOSED}_url`]).toBeUndefined();
  const direct = await sessionFrom(A, { host: await containerAddress(CLOSED, CLOSED), port: 6379 });
  expect(direct).toEqual({ connected: false, handshake: false, received: '' });
});

scenario('the default plaintext port, published on 127.0.0.1, from a namespace that routes to the bridge: as README records per engine', async () => {
  const redis = await dockerOk('GET', `/containers/${OPEN}/json`);
  expect(redis.HostConfig.PortBindings['6379/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(ports.openPlain) }]);
  const engine = String((await dockerOk('GET', '/version')).Version);
  const line = /^(\d+\.\d+)/.exec(engine)![1];
  const direct = await sessionFrom(A, { host: await containerAddress(OPEN, OPEN), port: 6379 });
  const reachable = direct.received.includes('NOAUTH');
  timings.push(`engine ${engine}: loopback-published plaintext reachable from a routed namespace: ${reachable}`);
  if (!(line in LOOPBACK_PLAINTEXT_REACHABLE)) throw new Error(`engine ${engine}: reachable ${reachable}; record it in LOOPBACK_PLAINTEXT_REACHABLE and README's "Security"`);
  expect(reachable).toBe(LOOPBACK_PLAINTEXT_REACHABLE[line]);
});

scenario('a loopback client reaches the sidecar as its network\'s gateway (Docker\'s userland proxy): allowedSources listing only the gateway admits it', async () => {
  const session = await sessionFrom(undefined, { host: '127.0.0.1', port: ports.loopTls, ...credentialsOf(LOOP) });
  expect(session).toEqual({ connected: true, handshake: true, received: '+OK\r\n+PONG\r\n+OK\r\n' });
});
