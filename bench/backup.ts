/**
 * What a backup and a restore of about 1 GiB cost, each beside its floor on
 * the bare host, measured in the same run:
 *
 * - backup: `npx cdktf-docker-redis backup` of a database in Docker (snapshot
 *   streamed by the cli through Redis's socket, b2sum, fsync, rename, prune),
 *   against `redis-cli --rdb` to a file on the bare host from a bare
 *   redis-server holding the same data with the same redis.conf;
 * - restore: a new database created with `restoreFrom` that backup, from its
 *   Redis container's start until it answers (the copy, its b2sum and the
 *   load with the checks of redis-check-rdb, at once), against a bare
 *   redis-server starting on the same RDB, and, to show what the checks cost,
 *   the same start with `sanitize-dump-payload yes` (what the restore loads with);
 * - and b2sum against sha256sum over the same file: why backups carry a BLAKE2b.
 *
 * The `backup` section of bench/run.ts (`npm run bench -- backup`).
 */
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { RedisBackupFile, RedisDatabase, RedisDatabaseProps, RedisVersion } from '../lib';
import { dockerOk, StandIn } from '../test/e2e/docker-apply';
import { runCdktfDockerRedis } from '../test/support/backups';
import { removeDatabases } from '../test/support/leftovers';
import { connectClient, Redis } from '../test/support/clients';
import { generatedInstances } from '../test/support/generated';
import { startLocalRedis } from '../test/support/local-servers';
import { makeTestPki, TestPki } from '../test/support/pki';
import { freePort, requireTools, stopAll, tempDir, waitFor } from '../test/support/processes';
import { onHost } from '../test/support/runners';
import { dockerStack, synthJson } from '../test/support/synth';
import { median, round2 } from './stats';

const run = promisify(execFile);
const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
const ROUNDS = Number(process.env.BENCH_BACKUP_ROUNDS ?? 5);
const PASSWORD = 'BackupBenchPassword0123456789ab';
/** About 1 GiB of RDB: values of random bytes, which the RDB's LZF compression cannot shrink. */
const KEYS = 1_000_000;
const VALUE_BYTES = 1000;
const GIB = 2 ** 30;


async function seconds<T>(body: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await body();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

function props(handle: string, pki: TestPki, extra: RedisDatabaseProps = {}): RedisDatabaseProps {
  return {
    handle, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, hostIp: '127.0.0.1', password: PASSWORD,
    tlsCertificatePem: pki.certPem, tlsPrivateKeyPem: pki.keyPem, tlsCaCertificatePem: pki.caCertPem,
    containerSizeMb: 4096, preventDestroy: false, ...extra,
  };
}

async function fill(client: Redis): Promise<void> {
  for (let start = 0; start < KEYS; start += 2000) {
    const pipeline = client.pipeline();
    for (let i = start; i < start + 2000; i++) pipeline.set(`key:${i}`, randomBytes(VALUE_BYTES * 3 / 4).toString('base64'));
    await pipeline.exec();
  }
}

async function containerAddress(name: string): Promise<string> {
  const inspected = await dockerOk('GET', `/containers/${name}/json`);
  return (Object.values(inspected.NetworkSettings.Networks)[0] as any).IPAddress;
}

/** From the Redis container's start until an authenticated PING answers PONG (a loading server answers LOADING). */
async function startToServing(name: string): Promise<number> {
  const host = await containerAddress(name);
  const servingAt = await waitFor(`${name} to serve`, async () => {
    const client = await connectClient({ host, port: 6379, username: 'default', password: PASSWORD, connectTimeout: 1000 }).catch(() => undefined);
    if (!client) return undefined;
    try {
      return (await client.ping().catch(() => undefined)) === 'PONG' ? Date.now() : undefined;
    } finally {
      client.disconnect();
    }
  }, 600_000, 20);
  const startedAt = Date.parse((await dockerOk('GET', `/containers/${name}/json`)).State.StartedAt);
  return (servingAt - startedAt) / 1000;
}

export async function backupAndRestore(results: Record<string, unknown>, table: string[][]): Promise<void> {
  requireTools('docker', 'redis-server', 'redis-cli');
  const workDir = tempDir('bench-backup');
  const pki = makeTestPki(workDir);
  const handles = ['bench-backup', 'bench-restored'];
  await removeDatabases(handles);
  const ports = { port: await freePort(), tlsPort: await freePort() };
  const sourceStack = dockerStack();
  new RedisDatabase(sourceStack, 'source', props('bench-backup', pki, { ...ports, backup: { startAtUtc: '12:00' } }));
  const source = new StandIn();
  try {
    await source.apply(synthJson(sourceStack));
    const client = await waitFor('the database', () => connectClient({ host: '127.0.0.1', port: ports.port, username: 'default', password: PASSWORD }), 60_000, 250);
    const filled = await seconds(() => fill(client));
    console.error(`filled ${KEYS} keys in ${filled.seconds.toFixed(1)} s`);
    client.disconnect();

    const bare = generatedInstances(sourceStack, { pki, passwords: { 'bench-backup': PASSWORD } })['bench-backup'];
    const backup = async () => {
      const taken = await seconds(() => runCdktfDockerRedis(['backup', 'bench-backup'], 600_000));
      if (taken.value.code !== 0) throw new Error(`backup failed: ${taken.value.stdout}${taken.value.stderr}`);
      const inContainer = /backup (bench-backup-7\.0-\S+\.rdb): \d+ bytes in (\d+) s/.exec(taken.value.stdout)!;
      return { seconds: taken.seconds, name: inContainer[1], inContainerSeconds: Number(inContainer[2]) };
    };
    // A first backup to restore and to copy for the bare host; every round then measures each path once,
    // so a busy moment of the machine weighs on a backup and its floor alike.
    const first = await backup();
    const rdb = path.join(workDir, 'backup.rdb');
    await run('docker', ['run', '--rm', '--pull', 'never', '-v', 'bench-backup-backups:/backups:ro', '-v', `${workDir}:/out`, '--entrypoint', 'cp', REDIS_IMAGE, `/backups/${first.name}`, '/out/backup.rdb'], { timeout: 300_000 });
    const rdbBytes = fs.statSync(rdb).size;
    const gib = rdbBytes / GIB;
    // Why backups carry a BLAKE2b and not a SHA-256: each tool over the same file, in the page cache.
    const checksums: Record<string, number[]> = { b2sum: [], sha256sum: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const tool of Object.keys(checksums)) checksums[tool].push((await seconds(() => run(tool, [rdb], { timeout: 300_000 }))).seconds);
    }
    const backups: number[] = [];
    const floors: number[] = [];
    const restores: number[] = [];
    const loads: number[] = [];
    const sanitizedLoads: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // The floors: a bare redis-server with the same redis.conf, starting on the same RDB, then redis-cli --rdb from it.
      const roundDir = path.join(workDir, `bare-${round}`);
      fs.mkdirSync(path.join(roundDir, 'bench-backup', 'data'), { recursive: true });
      fs.copyFileSync(rdb, path.join(roundDir, 'bench-backup', 'data', 'dump.rdb'));
      fs.chownSync(path.join(roundDir, 'bench-backup', 'data', 'dump.rdb'), 999, 999);
      fs.chmodSync(roundDir, 0o755);
      const sanitized = await seconds(() => startLocalRedis(bare, roundDir, onHost, ['--sanitize-dump-payload', 'yes']));
      sanitizedLoads.push(sanitized.seconds);
      await sanitized.value.process.kill('SIGKILL');
      const loaded = await seconds(() => startLocalRedis(bare, roundDir, onHost));
      loads.push(loaded.seconds);
      const floor = await seconds(() => run('redis-cli', ['-p', String(loaded.value.port), '--user', 'default', '--pass', PASSWORD, '--no-auth-warning', '--rdb', path.join(roundDir, 'floor.rdb')], { timeout: 600_000 }));
      floors.push(floor.seconds);
      await loaded.value.process.kill('SIGKILL');
      fs.rmSync(roundDir, { recursive: true, force: true });

      // The CLI, as a user runs it.
      const taken = await backup();
      backups.push(taken.seconds);

      // A new database from the first backup.
      const restoreStack = dockerStack();
      const restorePorts = { port: await freePort(), tlsPort: await freePort() };
      new RedisDatabase(restoreStack, 'restored', props('bench-restored', pki, {
        ...restorePorts, backup: { enabled: false }, restoreFrom: RedisBackupFile.inVolume('bench-backup-backups', first.name),
      }));
      const standin = new StandIn();
      try {
        await standin.apply(synthJson(restoreStack));
        restores.push(await startToServing('bench-restored'));
      } finally {
        await standin.cleanUp();
        await removeDatabases(['bench-restored']);
      }
      console.error(
        `round ${round}: backup ${taken.seconds.toFixed(1)} s (${taken.inContainerSeconds} s in the container), redis-cli --rdb ${floor.seconds.toFixed(1)} s; ` +
        `restore ${restores[restores.length - 1].toFixed(1)} s, bare load ${loaded.seconds.toFixed(1)} s (sanitized ${sanitized.seconds.toFixed(1)} s)`,
      );
    }

    const figures = {
      date: new Date().toISOString(),
      rdb_bytes: rdbBytes,
      backup_seconds_per_gib: round2(median(backups) / gib),
      backup_floor_seconds_per_gib: round2(median(floors) / gib),
      restore_seconds_per_gib: round2(median(restores) / gib),
      restore_floor_seconds_per_gib: round2(median(loads) / gib),
      sanitized_load_seconds_per_gib: round2(median(sanitizedLoads) / gib),
      b2sum_seconds_per_gib: round2(median(checksums.b2sum) / gib),
      sha256sum_seconds_per_gib: round2(median(checksums.sha256sum) / gib),
      samples: { b2sum: checksums.b2sum, sha256sum: checksums.sha256sum, backup: backups, backup_floor: floors, restore: restores, restore_floor: loads, sanitized_load: sanitizedLoads },
    };
    Object.assign(results, {
      backup_restore: figures,
      backup_to_floor_ratio: round2(median(backups) / median(floors)),
      restore_to_floor_ratio: round2(median(restores) / median(loads)),
      restore_to_sanitized_load_ratio: round2(median(restores) / median(sanitizedLoads)),
    });
    const mib = (rdbBytes / 2 ** 20).toFixed(0);
    table.push([`backup of a ${mib} MiB RDB (npx cdktf-docker-redis backup), median of ${ROUNDS}`, `${figures.backup_seconds_per_gib} s/GiB`]);
    table.push(['floor: redis-cli --rdb to a file on the bare host', `${figures.backup_floor_seconds_per_gib} s/GiB: backup_to_floor_ratio ${results.backup_to_floor_ratio}`]);
    table.push([`restore into a new database, container start to serving, median of ${ROUNDS}`, `${figures.restore_seconds_per_gib} s/GiB`]);
    table.push(['floor: a bare redis-server loading the same RDB', `${figures.restore_floor_seconds_per_gib} s/GiB: restore_to_floor_ratio ${results.restore_to_floor_ratio}`]);
    table.push(['b2sum / sha256sum of that RDB (GNU coreutils, page cache)', `${figures.b2sum_seconds_per_gib} / ${figures.sha256sum_seconds_per_gib} s/GiB`]);
    table.push(['the same load with sanitize-dump-payload yes (the checks a restore makes)', `${figures.sanitized_load_seconds_per_gib} s/GiB: restore_to_sanitized_load_ratio ${results.restore_to_sanitized_load_ratio}`]);
  } finally {
    await stopAll();
    await source.cleanUp();
    await removeDatabases(handles);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
