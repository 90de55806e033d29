/**
 * End to end on the default Docker engine: a Valkey database with app users
 * and a follower (native TLS), both with metrics, applied by the stand-in for
 * `cdktf deploy` with generated passwords and certificates. The exporters
 * read their servers over TLS verified against each instance's CA, as the
 * exporter user; the tests read the metrics through the `HANDLE_metrics_url`
 * outputs, and swap an exporter's CA file to see verification fail.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { RedisDatabase, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { connectWithUrl, parseInfo, Redis } from '../support/clients';
import { makeTestPki } from '../support/pki';
import { freePort, requireTools, tempDir, waitFor } from '../support/processes';
import { removeDatabases } from '../support/leftovers';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, dockerOk, StandIn } from './docker-apply';
import { tarOfOne } from './standin/docker-resources';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';
import { httpGet } from '../support/http';

jest.setTimeout(180_000);
requireTools('docker', 'openssl');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const VALKEY_IMAGE = `${PREFIX}/valkey:9.1`;
const HAPROXY_IMAGE = `${PREFIX}/haproxy:3.2`;
const EXPORTER_IMAGE = `${PREFIX}/redis-exporter:1.69`;
const DB = 'e2e-vm-db';
const REPLICA = 'e2e-vm-replica';
const CA_FILE = '/etc/redis_exporter/ca.crt';
const PASSWORD_FILE = '/etc/redis_exporter/password.json';
const APP_PERMISSIONS = '~app:* +@read +@write -@dangerous';

const workDir = tempDir('e2e-metrics');
const pki = makeTestPki(workDir);
let standin: StandIn;
let plan: any;
let outputs: Record<string, string>;
const { scenario, timings, report } = timedScenarios();

beforeAll(async () => {
  requireImages([VALKEY_IMAGE, HAPROXY_IMAGE, EXPORTER_IMAGE]);
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'db', {
    handle: DB,
    version: RedisVersion.VALKEY_9_1,
    image: VALKEY_IMAGE,
    tlsSidecarImage: HAPROXY_IMAGE,
    metricsImage: EXPORTER_IMAGE,
    hostIp: '127.0.0.1',
    port: await freePort(),
    tlsPort: await freePort(),
    containerSizeMb: 256,
    users: [{ name: 'app', permissions: APP_PERMISSIONS }],
    metrics: { enabled: true },
  });
  new RedisFollower(stack, 'replica', {
    handle: REPLICA,
    primary: db,
    image: VALKEY_IMAGE,
    metricsImage: EXPORTER_IMAGE,
    tlsMode: RedisTlsMode.NATIVE,
    users: [{ name: 'reader', permissions: '~app:* +@read' }],
  });
  plan = synthJson(stack);

  await removeDatabases([DB, REPLICA]);
  const started = Date.now();
  standin = new StandIn();
  await standin.apply(plan);
  outputs = Object.fromEntries(Object.entries(standin.outputs(plan)).map(([name, o]) => [name, String(o.value)]));
  timings.push(`apply: ${Date.now() - started} ms`);
});

afterAll(async () => {
  try {
    await standin?.cleanUp();
  } finally {
    await removeDatabases([DB, REPLICA]);
    fs.rmSync(workDir, { recursive: true, force: true });
    console.log(report('valkey-metrics scenario timings'));
  }
});



/** The value of one series of a scrape, labels or not, such as `redis_up`; undefined when the exporter did not report it. */
function sample(metrics: string, series: string): number | undefined {
  const line = new RegExp(`^${series}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return line ? Number(line[1]) : undefined;
}

/** Scrapes through the output URL until `series` reads `value`. */
async function waitForSample(handle: string, series: string, value: number, timeoutMs = 60_000): Promise<string> {
  const url = outputs[`${handle}_metrics_url`];
  return waitFor(`${series} ${value} from ${url}`, async () => {
    const metrics = await httpGet(url);
    return sample(metrics, series) === value ? metrics : undefined;
  }, timeoutMs, 500);
}

/** Connects with a credential URL output, TLS verified against the instance's CA output. */
async function connect(handle: string, urlOutput: string): Promise<Redis> {
  return waitFor(`${handle} to serve through ${urlOutput}`, async () => {
    const client = await connectWithUrl(outputs[urlOutput], outputs[`${handle}_ca_certificate`]);
    try {
      // A read every user here may run: app users have no PING.
      await client.exists('app:probe');
      return client;
    } catch (e) {
      client.disconnect();
      throw e;
    }
  }, 60_000, 500);
}

async function putFile(container: string, file: string, content: string, mode: number): Promise<void> {
  await dockerOk('PUT', `/containers/${container}/archive?path=/`, undefined, tarOfOne(file, Buffer.from(content), mode));
}

scenario('a plan right after apply is empty', async () => {
  await standin.expectNoChanges(plan);
});

scenario('app users write on the database over TLS and read on the follower, which replicates over the Docker network', async () => {
  const app = await connect(DB, `${DB}_user_app_tls_url`);
  const reader = await connect(REPLICA, `${REPLICA}_user_reader_tls_url`);
  try {
    expect(await app.set('app:greeting', 'hello')).toBe('OK');
    await expect(app.set('other:greeting', 'hello')).rejects.toThrow(/^NOPERM/);
    await waitFor('the write on the follower', async () => ((await reader.get('app:greeting')) === 'hello' ? true : undefined), 30_000, 250);
    await expect(reader.set('app:greeting', 'changed')).rejects.toThrow(/^(NOPERM|READONLY)/);
  } finally {
    app.disconnect();
    reader.disconnect();
  }
});

scenario('the database\'s exporter reports redis_up 1 and a good last snapshot, over TLS verified against its CA', async () => {
  const admin = await connect(DB, `${DB}_tls_url`);
  try {
    await admin.bgsave();
    await waitFor('the snapshot to finish', async () => {
      const persistence = parseInfo(await admin.info('persistence'));
      return persistence.rdb_bgsave_in_progress === '0' && persistence.rdb_last_bgsave_status === 'ok' ? true : undefined;
    }, 30_000, 250);
  } finally {
    admin.disconnect();
  }
  const metrics = await waitForSample(DB, 'redis_up', 1);
  expect(sample(metrics, 'redis_rdb_last_bgsave_status')).toBe(1);
  const exporter = await dockerOk('GET', `/containers/${DB}-metrics/json`);
  expect(exporter.Config.Cmd).toContain(`--tls-ca-cert-file=${CA_FILE}`);
  expect(exporter.Config.Cmd).toContain(`--redis.addr=rediss://${DB}-tls:6380`);
  expect(exporter.Config.Cmd.join(' ')).not.toContain('skip-tls-verification');
});

scenario('the follower\'s exporter reads it through its native TLS port and reports its replication link up', async () => {
  const metrics = await waitForSample(REPLICA, 'redis_master_link_up', 1);
  expect(sample(metrics, 'redis_up')).toBe(1);
  expect((await dockerOk('GET', `/containers/${REPLICA}-metrics/json`)).Config.Cmd).toContain(`--redis.addr=rediss://${REPLICA}:6380`);
});

scenario('exports every series the README\'s five alerts use', async () => {
  const primary = await waitForSample(DB, 'redis_up', 1);
  for (const series of ['redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_rdb_last_bgsave_status', 'redis_aof_last_write_status', 'redis_rejected_connections_total']) {
    expect({ series, value: sample(primary, series) }).toEqual({ series, value: expect.any(Number) });
  }
  expect(sample(primary, 'redis_memory_max_bytes')).toBe(128 * 1024 * 1024);
  expect(sample(await waitForSample(REPLICA, 'redis_up', 1), 'redis_master_link_up')).toBe(1);
});

scenario('publishes the endpoints on 127.0.0.1 only, and keeps the exporter\'s password out of docker inspect', async () => {
  for (const handle of [DB, REPLICA]) {
    const exporter = await dockerOk('GET', `/containers/${handle}-metrics/json`);
    expect(exporter.HostConfig.PortBindings['9121/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '0' }]);
    expect(new URL(outputs[`${handle}_metrics_url`]).port).toBe(exporter.NetworkSettings.Ports['9121/tcp'][0].HostPort);
    expect(exporter.Config.User).toBe('59000:59000');
    const constructId = handle === DB ? 'db' : 'replica';
    const secretAddress = standin.addressesOf('random_password').find((a) => a.startsWith(`random_password.${constructId}_InternalSecret_`))!;
    const password = createHash('sha256').update(`${standin.attributesOf(secretAddress).result}/exporter`).digest('hex');
    expect(JSON.stringify(exporter)).not.toContain(password);
    // The file, read back from the container: root-owned, 0640, the password under the exporter's lookup key.
    const archive = (await dockerApi('GET', `/containers/${handle}-metrics/archive?path=${encodeURIComponent(PASSWORD_FILE)}`)).body as string;
    const field = (from: number, to: number) => Number.parseInt(archive.slice(from, to), 8);
    expect({ permissions: (field(100, 107) & 0o7777).toString(8), uid: field(108, 115), gid: field(116, 123) }).toEqual({ permissions: '640', uid: 0, gid: 0 });
    expect(archive).toContain(`{"rediss://exporter@${handle === DB ? `${DB}-tls` : REPLICA}:6380":"${password}"}`);
  }
});

scenario('fails TLS verification with a CA that did not sign the server\'s certificate: redis_up 0 until the right CA is back', async () => {
  const exporter = `${DB}-metrics`;
  await waitForSample(DB, 'redis_up', 1);
  try {
    await putFile(exporter, CA_FILE, pki.otherCaCertPem, 0o644);
    // The CA file is all that changed. The error label does not show the TLS failure: after a failed
    // DialURL the exporter retries as Dial("rediss", ...), and reports that attempt's error.
    const metrics = await waitForSample(DB, 'redis_up', 0, 30_000);
    expect(sample(metrics, 'redis_exporter_last_scrape_error')).toBe(1);
  } finally {
    await putFile(exporter, CA_FILE, outputs[`${DB}_ca_certificate`], 0o644);
  }
  await waitForSample(DB, 'redis_up', 1, 30_000);
});
