/**
 * IPv6 on the Docker host: an engine with `"ipv6": true` and a
 * `fixed-cidr-v6` (a second engine this suite starts, of the version the
 * suites run on: see test/support/second-dockerd.ts). On Docker 28 its
 * `default-network-opts` also enable IPv6 on every bridge network it creates
 * (an option from Docker 25 on; 20.10 refuses it). Such an engine creates
 * the database's network with IPv6 although the plan does not ask for it,
 * and the provider's Read brings `ipv6 = true` back: the plan after apply
 * must still be empty, and the database serve.
 */
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisVersion } from '../../lib';
import { connectWithUrl, waitForPong } from '../support/clients';
import { freePort, requireTools } from '../support/processes';
import { SecondDockerd, startSecondDockerd } from '../support/second-dockerd';
import { synthJson } from '../support/synth';
import { engineFor, StandIn, TEST_ENGINE } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(180_000);
requireTools('docker', 'openssl');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const REDIS_IMAGE = `${PREFIX}/redis:7.0`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:2.6`;
const HANDLE = 'e2e-v6';
/** Whether the engine's own defaults put IPv6 on a network the plan does not ask it for. */
const IPV6_BY_DEFAULT = TEST_ENGINE.name === 'docker28';

let daemon: SecondDockerd;
let standin: StandIn;
let plan: any;
const { scenario, timings, report } = timedScenarios();

beforeAll(async () => {
  const started = Date.now();
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  daemon = await startSecondDockerd({
    name: 'e2e-v6',
    pool: '10.221.0.0/16',
    config: {
      ipv6: true,
      'fixed-cidr-v6': 'fd00:cd28:6::/64',
      ...(IPV6_BY_DEFAULT ? { 'default-network-opts': { bridge: { 'com.docker.network.enable_ipv6': 'true' } } } : {}),
    },
  });
  await daemon.loadImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  const stack = new TerraformStack(Testing.app(), 'ipv6');
  new DockerProvider(stack, 'docker', { host: daemon.host });
  new RedisDatabase(stack, 'db', {
    handle: HANDLE, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, containerSizeMb: 256,
    port: await freePort(), tlsPort: await freePort(), backup: { enabled: false },
  });
  plan = synthJson(stack);
  standin = new StandIn();
  await standin.apply(plan);
  timings.push(`engine with IPv6 started, images loaded, applied: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await daemon?.stop();
    console.log(report('ipv6 scenario timings'));
  }
});

scenario(`the database's network has IPv6 exactly when the engine's defaults give it (${IPV6_BY_DEFAULT ? 'Docker 28: they do' : '20.10: they cannot'}), and the default bridge has it`, async () => {
  const network = await engineFor(daemon.host).ok('GET', `/networks/${HANDLE}`);
  expect(network.EnableIPv6).toBe(IPV6_BY_DEFAULT);
  // The plan never asks for it: it is the engine's.
  expect(Object.values<any>(plan.resource.docker_network).map((n) => n.ipv6)).toEqual([undefined]);
  const bridge = await engineFor(daemon.host).ok('GET', '/networks/bridge');
  expect(bridge.EnableIPv6).toBe(true);
  expect(bridge.IPAM.Config.map((c: any) => c.Subnet)).toContain('fd00:cd28:6::/64');
});

scenario('a plan after apply is empty, and the database serves through its URL output', async () => {
  await standin.expectNoChanges(plan);
  const url = String(standin.outputs(plan)[`${HANDLE}_url`].value);
  await waitForPong(`${HANDLE} to answer`, () => connectWithUrl(url), 30_000);
});
