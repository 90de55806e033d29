/**
 * Containers whose start fails, as the docker provider leaves them. A
 * database's ports are held by this test (listening on 127.0.0.1), so Docker
 * refuses to start its containers after creating them; the provider has
 * stored their ids, so they stay in the state, tainted, and the next apply,
 * once the ports are free, replaces them and the database serves through its
 * outputs. A container with `must_run` (the provider's default) that exits at
 * once is deleted, at its create or at the next refresh, and forgotten.
 */
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import * as net from 'net';
import { RedisDatabase, RedisVersion } from '../../lib';
import { connectWithUrl, waitForPong } from '../support/clients';
import { removeDatabases } from '../support/leftovers';
import { requireTools } from '../support/processes';
import { requireImages } from '../support/server-images';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, dockerOk, StandIn } from './docker-apply';

jest.setTimeout(180_000);
requireTools('docker');

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
const HANDLE = 'e2e-failstart';
const EXITS = 'e2e-failstart-exits';

let standin: StandIn | undefined;
const held: net.Server[] = [];

/** A loopback port this process listens on, chosen by the kernel: held, not merely free a moment ago. */
function hold(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      held.push(server);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

async function release(): Promise<void> {
  for (const server of held.splice(0)) await new Promise((resolve) => server.close(resolve));
}

beforeAll(async () => {
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE]);
  await removeDatabases([HANDLE, EXITS]);
});

afterAll(async () => {
  try {
    await release();
    await standin?.cleanUp();
  } finally {
    await removeDatabases([HANDLE, EXITS]);
  }
});

test('a database whose start fails on a port the test holds is tainted, and the next apply after the port is freed replaces it and serves', async () => {
  const stack = dockerStack();
  new RedisDatabase(stack, 'db', {
    handle: HANDLE,
    version: RedisVersion.V7_0,
    image: REDIS_IMAGE,
    tlsSidecarImage: HAPROXY_IMAGE,
    hostIp: '127.0.0.1',
    port: await hold(),
    tlsPort: await hold(),
    containerSizeMb: 256,
  });
  const plan = synthJson(stack);
  const redisAddress = `docker_container.${Object.entries<any>(plan.resource.docker_container).find(([, c]) => c.name === HANDLE)![0]}`;

  standin = new StandIn();
  await expect(standin.apply(plan)).rejects.toThrow(/address already in use/);
  expect(standin.isTainted(redisAddress)).toBe(true);
  const failedId = standin.attributesOf(redisAddress).id;
  expect((await dockerOk('GET', `/containers/${failedId}/json`)).State.Status).toBe('created');
  const planned = await standin.changes(plan);
  // Docker reports no ports of a container that never started, so the plan names them too, as the provider's Read leaves them.
  expect(planned.find((c) => c.address === redisAddress)).toEqual({
    address: redisAddress, action: 'replace', reasons: expect.arrayContaining([`${redisAddress}: tainted (its create failed), so must be replaced`]),
  });

  await release();
  const applied = await standin.apply(plan);
  expect(applied.find((c) => c.address === redisAddress)?.action).toBe('replace');
  expect(standin.isTainted(redisAddress)).toBe(false);
  expect((await dockerApi('GET', `/containers/${failedId}/json`)).status).toBe(404);
  const url = String(standin.outputs(plan)[`${HANDLE}_url`].value);
  await waitForPong(`${HANDLE} to serve through its URL output`, () => connectWithUrl(url), 30_000);
  await standin.expectNoChanges(plan);
});

test('deletes a must_run container that exits at once, at its create or at the next refresh, keeping nothing of it in the state', async () => {
  const stack = dockerStack();
  const image = new Image(stack, 'image', { name: REDIS_IMAGE, keepLocally: true });
  new Container(stack, 'exits', { name: EXITS, image: image.imageId, entrypoint: ['sh', '-c', 'exit 3'] });
  const plan = synthJson(stack);
  const exiting = new StandIn();
  // The provider's create looks 100 ms after the start: a container already stopped then fails the apply,
  // deleted; one still running passes, and the next refresh finds it stopped and deletes it.
  const failure = await exiting.apply(plan).then(() => undefined, (e: Error) => e.message);
  expect([undefined, 'docker_container.exits: container exited immediately']).toContain(failure);
  const stopped = await dockerApi('POST', `/containers/${EXITS}/wait?condition=not-running`, undefined, undefined, 60_000);
  expect([200, 404]).toContain(stopped.status);
  expect((await exiting.changes(plan)).map((c) => `${c.action} ${c.address}`)).toEqual(['create docker_container.exits']);
  expect(exiting.addressesOf('docker_container')).toEqual([]);
  expect((await dockerApi('GET', `/containers/${EXITS}/json`)).status).toBe(404);
  await exiting.cleanUp();
});
