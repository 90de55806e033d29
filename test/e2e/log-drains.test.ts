/**
 * Log drains on the default engine: a database whose containers log to a
 * syslog receiver this test runs on loopback (the engine's syslog driver
 * sends from the host, so 127.0.0.1 reaches it), then to the `local` driver.
 * Each deploy is followed by a plan that must be empty, and `docker logs`
 * keeps showing Redis's output with either driver.
 */
import { execFile } from 'child_process';
import * as dgram from 'dgram';
import { promisify } from 'util';
import { RedisDatabase, RedisLogDriver, RedisLoggingOptions, RedisVersion } from '../../lib';
import { freePort, requireTools, waitFor } from '../support/processes';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(120_000);
requireTools('docker');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const REDIS_IMAGE = `${PREFIX}/redis:7.0`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:2.6`;
const DB = 'e2e-ld-db';
const CONTAINERS = [DB, `${DB}-tls`, `${DB}-backup`];
/** What Redis prints once it serves. */
const READY = 'Ready to accept connections';

let standin: StandIn;
let receiver: dgram.Socket;
const received: string[] = [];
const ports = { syslog: 0, port: 0, tlsPort: 0 };
const { scenario, timings, report } = timedScenarios();

function synth(logging: RedisLoggingOptions): any {
  const stack = dockerStack();
  new RedisDatabase(stack, 'db', {
    handle: DB, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE,
    hostIp: '127.0.0.1', port: ports.port, tlsPort: ports.tlsPort, containerSizeMb: 256, preventDestroy: false, logging,
  });
  return synthJson(stack);
}

async function removeLeftovers(): Promise<void> {
  for (const name of CONTAINERS) await dockerApi('DELETE', `/containers/${name}?force=true&v=true`);
  for (const volume of [`${DB}-data`, `${DB}-run`, `${DB}-backups`]) await dockerApi('DELETE', `/volumes/${volume}?force=true`);
  await dockerApi('DELETE', `/networks/${DB}`);
}

async function dockerLogs(name: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)('docker', ['logs', name], { timeout: 30_000 });
  return stdout + stderr;
}

const syslog = () => ({ driver: RedisLogDriver.SYSLOG, options: { 'syslog-address': `udp://127.0.0.1:${ports.syslog}`, tag: '{{.Name}}' } });

beforeAll(async () => {
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  receiver = dgram.createSocket('udp4');
  receiver.on('message', (message) => received.push(String(message)));
  await new Promise<void>((resolve) => receiver.bind(ports.syslog, '127.0.0.1', resolve));
  await removeLeftovers();
  standin = new StandIn();
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await removeLeftovers();
    receiver?.close();
    console.log(report('log-drains scenario timings'));
  }
});

scenario('Redis\'s log reaches a syslog receiver, docker logs still shows it, and a plan after apply is empty', async () => {
  const plan = synth(syslog());
  const created = await standin.apply(plan);
  expect(created.every((c) => c.action === 'create')).toBe(true);
  const line = await waitFor('Redis\'s start to reach the syslog receiver', async () => received.find((m) => m.includes(`${DB}[`) && m.includes(READY)), 30_000, 100);
  // RFC 3164 as Docker sends it: priority daemon.info (30), the tag, then Redis's own line.
  expect(line).toMatch(new RegExp(`^<30>.* ${DB}\\[\\d+\\]: .*${READY}`));
  expect(await dockerLogs(DB)).toContain(READY);
  await standin.expectNoChanges(plan);
});

scenario('a change to the local driver replaces the database\'s containers, and nothing else; docker logs reads its files; the next plan is empty', async () => {
  const plan = synth({ driver: RedisLogDriver.LOCAL });
  const changes = (await standin.apply(plan)).map((c) => `${c.action} ${standin.attributesOf(c.address).name ?? c.address}`).sort();
  expect(changes).toEqual(CONTAINERS.map((name) => `replace ${name}`).sort());
  await waitFor('Redis to start under the local driver', async () => ((await dockerLogs(DB)).includes(READY) ? true : undefined), 30_000, 250);
  await standin.expectNoChanges(plan);
  timings.push(`  syslog lines received: ${received.length}`);
});
