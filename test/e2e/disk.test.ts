/**
 * A full disk, and `enforceSize`, on a Docker engine whose data root is an
 * XFS of its own (test/support/second-dockerd.ts with `xfsDataRoot`: a sparse
 * file, loop-mounted with project quotas where the kernel has them).
 *
 * `enforceSize`: where the kernel gives XFS project quotas, the data volume
 * is `size` GB as the container sees it and a write past it fails; where it
 * refuses them (this suite prints the mount and what the kernel said), the
 * deploy of such a database fails at its volume with Docker's error.
 *
 * The full disk: with project quotas the database's volume fills at `size`;
 * without, the engine's whole data root fills (its XFS is small). Either way a
 * helper container fills the volume, a snapshot fails, Redis refuses writes
 * with MISCONF and keeps serving reads, the last snapshot stays as it was,
 * and once the space is freed one `BGSAVE` makes it writable again with every
 * key kept, also across a restart.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { TerraformStack, Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisTlsMode, RedisVersion } from '../../lib';
import { connectWithUrl, parseInfo, Redis } from '../support/clients';
import { runCdktfDockerRedis } from '../support/backups';
import { freePort, requireTools, waitFor } from '../support/processes';
import { SecondDockerd, startSecondDockerd } from '../support/second-dockerd';
import { synthJson } from '../support/synth';
import { engineFor, StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';
import { requireImages } from '../support/server-images';

jest.setTimeout(180_000);
requireTools('docker');

const run = promisify(execFile);
const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
// Native TLS: the one image is all the engine needs (no HAProxy sidecar to copy onto its small disk).
const REDIS_IMAGE = `${PREFIX}/redis:7.0`;
/** Larger than a 1 GB volume and the image together, so that with project quotas the quota is what fills, not the file system. */
const DATA_ROOT_MB = 2048;
const DB = 'e2e-disk-db';
const SIZED = 'e2e-disk-sized';
const FILLER = 'e2e-disk-filler';
const KEYS = 20_000;
/** What Docker 20.10's local volume driver says when `size` is asked of a data root without project quotas. */
const NO_QUOTA = 'quota size requested but no quota support';
/** How a write that finds no room fails: XFS reports a full project quota as ENOSPC too, the other for other file systems. */
const FULL = /No space left on device|Disk quota exceeded/;

let daemon: SecondDockerd;
let standin: StandIn;
let client: Redis | undefined;
const ports = { db: 0, dbTls: 0, sized: 0, sizedTls: 0 };
const { scenario, report } = timedScenarios();

function stack(build: (s: TerraformStack) => void): any {
  const s = new TerraformStack(Testing.app(), 'disk');
  new DockerProvider(s, 'docker', { host: daemon.host });
  build(s);
  return synthJson(s);
}

const database = (s: TerraformStack, handle: string, port: number, tlsPort: number, enforceSize: boolean) => new RedisDatabase(s, handle, {
  handle, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsMode: RedisTlsMode.NATIVE,
  hostIp: '127.0.0.1', port, tlsPort, containerSizeMb: 256, size: 1, enforceSize, preventDestroy: false,
});

/** `docker` on the disk engine; `allowFailure` returns a failed command's output instead of throwing. */
async function docker(args: string[], allowFailure = false): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('docker', ['-H', daemon.host, ...args], { timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (e: any) {
    if (!allowFailure || typeof e.code !== 'number') throw new Error(`docker ${args.join(' ')} failed: ${e.stderr || e.message}`);
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A shell command in a running container (exec writes nothing to the data root, so it works on a full one). */
const inContainer = async (container: string, script: string): Promise<string> => (await docker(['exec', container, 'sh', '-c', script])).output;

async function persistence(): Promise<Record<string, string>> {
  return parseInfo(await client!.info('persistence'));
}

/** Starts a BGSAVE and waits for it to end; resolves with its outcome, `ok` or `err`. */
async function bgsave(): Promise<string> {
  expect(await client!.bgsave()).toBe('Background saving started');
  return waitFor('the BGSAVE to end', async () => {
    const info = await persistence();
    return info.rdb_bgsave_in_progress === '0' ? info.rdb_last_bgsave_status : undefined;
  }, 60_000, 100);
}

async function connect(plan: any): Promise<Redis> {
  const url = standin.outputs(plan)[`${DB}_url`]?.value;
  if (typeof url !== 'string') throw new Error(`output ${DB}_url is not known`);
  return waitFor(`${DB} to serve through its URL output`, async () => {
    const c = await connectWithUrl(url);
    if ((await c.ping()) === 'PONG') return c;
    c.disconnect();
    return undefined;
  }, 30_000, 250);
}

async function writeKeys(prefix: string, count: number): Promise<void> {
  const batch = client!.pipeline();
  for (let i = 0; i < count; i++) batch.set(`${prefix}:${i}`, `value-${i}-${'x'.repeat(100)}`);
  const failed = ((await batch.exec()) ?? []).find(([error]) => error);
  if (failed) throw failed[0];
}

async function expectKeys(prefix: string, count: number): Promise<void> {
  const values = await client!.mget(...Array.from({ length: count }, (_, i) => `${prefix}:${i}`));
  expect(values.filter((v, i) => v !== `value-${i}-${'x'.repeat(100)}`)).toEqual([]);
}

const snapshotChecksum = () => inContainer(DB, 'sha256sum /data/dump.rdb');

beforeAll(async () => {
  requireImages([REDIS_IMAGE]);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  daemon = await startSecondDockerd({ name: 'e2e-disk', pool: '10.223.0.0/16', config: {}, xfsDataRoot: { sizeMb: DATA_ROOT_MB } });
  console.log(daemon.projectQuotas
    ? `the disk engine's data root is XFS with project quotas (${DATA_ROOT_MB} MiB)`
    : `the kernel refused XFS project quotas: ${daemon.quotaRefusal}; the disk engine's data root is XFS without them (${DATA_ROOT_MB} MiB)`);
  await daemon.loadImages([REDIS_IMAGE]);
  standin = new StandIn();
});

afterAll(async () => {
  try {
    client?.disconnect();
    // Before the database's volumes: Docker refuses to remove a volume a container uses.
    if (daemon) await docker(['rm', '-f', FILLER], true);
    await standin?.cleanUp();
  } finally {
    await daemon?.stop();
    console.log(report('disk scenario timings'));
  }
});

scenario('enforceSize: the data volume is `size` GB where the kernel has XFS project quotas, and the deploy fails at the volume where it has not', async () => {
  const sized = new StandIn();
  try {
    const plan = stack((s) => database(s, SIZED, ports.sized, ports.sizedTls, true));
    if (!daemon.projectQuotas) {
      await expect(sized.apply(plan)).rejects.toThrow(NO_QUOTA);
      return;
    }
    await sized.apply(plan);
    const probe = await docker(['run', '--rm', '--network', 'none', '-v', `${SIZED}-data:/data`, '--entrypoint', 'sh', REDIS_IMAGE, '-c',
      'df -B1 --output=size /data | tail -1; dd if=/dev/zero of=/data/past bs=1M count=1100 2>&1; echo "dd exit $?"'], true);
    const [size, ...rest] = probe.output.trim().split('\n');
    expect(Number(size)).toBe(1024 ** 3);
    expect(rest.join('\n')).toMatch(FULL);
    expect(rest[rest.length - 1]).toBe('dd exit 1');
  } finally {
    await sized.cleanUp();
  }
});

scenario('a full disk: a failed snapshot stops writes with MISCONF, corrupts nothing, and one BGSAVE after freeing space makes the database writable again with every key', async () => {
  // With project quotas the volume's own limit is what fills; without, enforceSize would fail the deploy (above).
  const plan = stack((s) => database(s, DB, ports.db, ports.dbTls, daemon.projectQuotas));
  await standin.apply(plan);
  client = await connect(plan);
  await writeKeys('before', KEYS);
  expect(await bgsave()).toBe('ok');
  const saved = await snapshotChecksum();

  await docker(['run', '-d', '--name', FILLER, '--network', 'none', '-v', `${DB}-data:/fill`, '--entrypoint', 'sleep', REDIS_IMAGE, 'infinity']);
  // What the container sees as the volume's size: its quota, or without quotas the whole data root.
  const volumeSize = Number(await inContainer(FILLER, 'df -B1 --output=size /fill | tail -1'));
  if (daemon.projectQuotas) expect(volumeSize).toBe(1024 ** 3);
  else expect(volumeSize / 1024 ** 2).toBeGreaterThan(DATA_ROOT_MB * 0.95);
  expect(volumeSize).toBeLessThanOrEqual(DATA_ROOT_MB * 1024 ** 2);
  // fallocate takes the bulk without writing it; dd then takes what is left, block by block, until the write fails.
  const fill = await docker(['exec', FILLER, 'sh', '-c',
    'avail=$(df -B1 --output=avail /fill | tail -1); fallocate -l $((avail - 8388608)) /fill/filler-1 && dd if=/dev/zero of=/fill/filler-2 bs=64k 2>&1; echo "dd exit $?"'], true);
  expect(fill.output).toMatch(FULL);
  expect(fill.output.trim().split('\n').pop()).toBe('dd exit 1');

  // Writes are accepted until a snapshot fails: Redis holds them in memory.
  await writeKeys('during', 1_000);
  expect(await bgsave()).toBe('err');
  await expect(client.set('after-failure', '1')).rejects.toThrow(
    /^MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. .*stop-writes-on-bgsave-error/,
  );
  expect(await client.get('before:0')).toBe(`value-0-${'x'.repeat(100)}`);
  // What `config: { 'stop-writes-on-bgsave-error': 'no' }` renders (synth warns): a write acknowledged that no snapshot holds.
  await client.config('SET', 'stop-writes-on-bgsave-error', 'no');
  expect(await client.set('unsaved', '1')).toBe('OK');
  expect((await persistence()).rdb_last_bgsave_status).toBe('err');
  await client.config('SET', 'stop-writes-on-bgsave-error', 'yes');
  // The failed snapshot went to a temporary file, removed again: the last one is untouched and loads.
  expect(await snapshotChecksum()).toBe(saved);
  expect(await inContainer(DB, 'ls /data')).toBe('dump.rdb\nfiller-1\nfiller-2\n');
  expect(await inContainer(DB, 'redis-check-rdb /data/dump.rdb')).toContain('RDB looks OK!');

  if (!daemon.projectQuotas) {
    // The backups volume lives on the same full data root (with quotas it has room of its own).
    const backup = await runCdktfDockerRedis(['backup', DB], 120_000, { DOCKER_HOST: daemon.host });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(new RegExp(`^cdktf-docker-redis: the backup of ${DB} failed: .*(${FULL.source})`));
    console.log(`backup on the full disk: ${backup.stderr.trim()}`);
  }

  await inContainer(FILLER, 'rm /fill/filler-1 /fill/filler-2');
  // Freeing space does not reopen writes: a snapshot must succeed first (the save schedule's next one is minutes away here).
  await expect(client.set('after-freeing', '1')).rejects.toThrow(/^MISCONF /);
  expect(await bgsave()).toBe('ok');
  await client.set('after-recovery', 'yes');
  expect(await client.dbsize()).toBe(KEYS + 1_000 + 2);
  expect(await snapshotChecksum()).not.toBe(saved);

  // Everything is on disk: a restart (Redis saves on its way down) brings back every key.
  client.disconnect();
  await engineFor(daemon.host).ok('POST', `/containers/${DB}/restart?t=30`);
  client = await connect(plan);
  expect(await client.dbsize()).toBe(KEYS + 1_000 + 2);
  await expectKeys('before', KEYS);
  await expectKeys('during', 1_000);
  expect(await client.get('after-recovery')).toBe('yes');
  expect(await client.get('unsaved')).toBe('1');
});
