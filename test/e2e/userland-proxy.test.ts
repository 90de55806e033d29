/**
 * What `allowedSources` sees on an engine run with `--iptables=false`, which
 * serves every published port through its userland proxy (a second engine
 * this suite starts, of the version the suites run on: see
 * test/support/second-dockerd.ts). A client in a network namespace the test
 * creates, joined to the host by a veth pair and routed to the engine's
 * bridge address, connects to two databases' TLS ports there: one whose
 * `allowedSources` lists only its network's gateway admits it, one that lists
 * the client's own address refuses it. The sidecar sees `docker-proxy`
 * connecting from the gateway, never the client.
 */
import { TerraformStack, Testing } from 'cdktf';
import { Network } from '@cdktf/provider-docker/lib/network';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisVersion } from '../../lib';
import { freePort, requireTools } from '../support/processes';
import { addNamespace, addRoutes, Namespace, removeNamespace, Session, sessionFrom } from '../support/namespaces';
import { SecondDockerd, startSecondDockerd } from '../support/second-dockerd';
import { synthJson } from '../support/synth';
import { StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(180_000);
requireTools('docker', 'ip', 'openssl');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const VALKEY_IMAGE = `${PREFIX}/valkey:9.1`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:3.2`;
const GATEWAY_LISTED = 'e2e-up-gw';
const CLIENT_LISTED = 'e2e-up-client';
const SUBNET = '10.222.1.0/24';
const GATEWAY = '10.222.1.1';
/** The client's namespace and the host's end of its veth pair, on a /30 nothing else here uses. */
const NS: Namespace = { name: 'e2e-up-ns', hostIf: 'e2eupc0', nsIf: 'e2eupc1', hostAddress: '10.231.73.1', address: '10.231.73.2' };

let daemon: SecondDockerd;
let standin: StandIn;
let outputs: Record<string, string>;
const ports = { gatewayListed: 0, clientListed: 0 };
const { scenario, timings, report } = timedScenarios();

/** One TLS session from the namespace as a listed database's user. */
function sessionFromNamespace(handle: string, port: number): Promise<Session> {
  const url = new URL(outputs[`${handle}_tls_url`]);
  return sessionFrom(NS, { host: daemon.address, port, ca: outputs[`${handle}_ca_certificate`], user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
}

beforeAll(async () => {
  const started = Date.now();
  requireImages([VALKEY_IMAGE, HAPROXY_IMAGE]);
  removeNamespace(NS);
  daemon = await startSecondDockerd({ name: 'e2e-up', pool: '10.222.0.0/16', config: {} });
  await daemon.loadImages([VALKEY_IMAGE, HAPROXY_IMAGE]);
  addNamespace(NS);
  addRoutes(NS, [`${daemon.address}/32`]);
  ports.gatewayListed = await freePort();
  ports.clientListed = await freePort();
  const stack = new TerraformStack(Testing.app(), 'userland-proxy');
  new DockerProvider(stack, 'docker', { host: daemon.host });
  const common = {
    version: RedisVersion.VALKEY_9_1, image: VALKEY_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb: 256,
    hostIp: daemon.address, publishPlaintext: false, backup: { enabled: false },
  };
  const network = new Network(stack, 'network', { name: GATEWAY_LISTED, ipamConfig: [{ subnet: SUBNET, gateway: GATEWAY }] });
  new RedisDatabase(stack, 'gateway-listed', { ...common, handle: GATEWAY_LISTED, network, tlsPort: ports.gatewayListed, allowedSources: [`${GATEWAY}/32`] });
  new RedisDatabase(stack, 'client-listed', { ...common, handle: CLIENT_LISTED, tlsPort: ports.clientListed, allowedSources: [`${NS.address}/32`] });
  const plan = synthJson(stack);
  standin = new StandIn();
  await standin.apply(plan);
  outputs = Object.fromEntries(Object.entries(standin.outputs(plan)).map(([name, o]) => [name, String(o.value)]));
  timings.push(`engine started, images loaded, applied: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    removeNamespace(NS);
    await standin?.cleanUp();
  } finally {
    await daemon?.stop();
    console.log(report('userland-proxy scenario timings'));
  }
});

scenario('through the userland proxy the sidecar sees the network\'s gateway: listing only the gateway admits a client off the host', async () => {
  expect(await sessionFromNamespace(GATEWAY_LISTED, ports.gatewayListed)).toMatchObject({ handshake: true, received: '+OK\r\n+PONG\r\n+OK\r\n' });
});

scenario('listing the client\'s own address refuses it before the TLS handshake: the sidecar never sees that address', async () => {
  expect(await sessionFromNamespace(CLIENT_LISTED, ports.clientListed)).toMatchObject({ handshake: false, received: '' });
});
