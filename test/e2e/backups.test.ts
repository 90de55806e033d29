/**
 * Backups end to end on the real Docker engine, applied by the stand-in for
 * `cdktf deploy` (docker-apply.ts): a database of 100,000 keys is backed up on
 * demand with the CLI, emptied by a FLUSHALL, and restored into a new database
 * with AOF on; the first database is destroyed and its backups are still
 * listed and restored once more, into a newer Redis (7.0's backup into 8.0); a database with a short test schedule backs
 * up on its own and prunes a seeded span of 400 days to exactly what the
 * retention policy keeps.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import { promisify } from 'util';
import { RedisBackupFile, RedisDatabase, RedisDatabaseProps, RedisVersion } from '../../lib';
import { backupFileName, parseBackupFileName } from '../../lib/backup/names';
import { BACKUP_STATE_DIR } from '../../lib/backup/paths';
import { backupsToKeep } from '../../lib/backup/retention';
import { formatUtcTime } from '../../lib/backup/schedule';
import { removeDatabases } from '../support/leftovers';
import { differingTestKeys, runCdktfDockerRedis, runWithInput, SeededBackup, seedScript, writeTestKeys } from '../support/backups';
import { connectClient, parseInfo, Redis } from '../support/clients';
import { NEWEST_HAPROXY_IMAGE, NEWEST_REDIS_IMAGE, requireImages } from '../support/server-images';
import { freePort, requireTools, tempDir, waitFor } from '../support/processes';
import { dockerStack, synthJson } from '../support/synth';
import { dockerApi, StandIn } from './docker-apply';
import { timedScenarios } from '../support/scenarios';

const run = promisify(execFile);
jest.setTimeout(180_000);
requireTools('docker');

const REDIS_IMAGE = process.env.REDIS_TEST_IMAGE ?? 'cdktf-docker-redis-test/redis:7.0';
const HAPROXY_IMAGE = process.env.HAPROXY_TEST_IMAGE ?? 'cdktf-docker-redis-test/haproxy:2.6';
const KEYS = 100_000;
const RUN = `run${process.pid}`;
const HANDLES = ['e2e-bk-source', 'e2e-bk-restored', 'e2e-bk-again', 'e2e-bk-sched'] as const;
type Handle = (typeof HANDLES)[number];
const passwords = Object.fromEntries(HANDLES.map((h) => [h, `Pw-${h}-0123456789abcdef`])) as Record<Handle, string>;
const ports = {} as Record<Handle, { port: number; tlsPort: number }>;
/** The scheduled database's policy, small enough that a span of 400 days prunes most of it. */
const SCHEDULED_POLICY = { daily: 3, monthly: 2, yearly: 1 };
const SCHEDULE_SECONDS = 20;
const { scenario, timings, report } = timedScenarios();
const sourceStandIn = new StandIn();
const standin = new StandIn();
let onDemandBackup: string;
/** A directory on the Docker host (this machine) for backups, given to uid 999 as the README says. */
const hostBackups = tempDir('e2e-backups');
fs.chownSync(hostBackups, 999, 999);
fs.chmodSync(hostBackups, 0o700);
let source: any;

function props(handle: Handle, extra: RedisDatabaseProps = {}): RedisDatabaseProps {
  return {
    handle, version: RedisVersion.V7_0, image: REDIS_IMAGE, tlsSidecarImage: HAPROXY_IMAGE, hostIp: '127.0.0.1',
    password: passwords[handle], containerSizeMb: 512, preventDestroy: false, ...ports[handle], ...extra,
  };
}

/** The source database, in a stack of its own so that it can be destroyed as `cdktf destroy` would. */
function sourcePlan(): any {
  const stack = dockerStack();
  // Twelve hours away, so its daily backup does not come in the middle of the test.
  const startAtUtc = formatUtcTime((new Date().getUTCHours() * 60 + new Date().getUTCMinutes() + 720) % 1440);
  new RedisDatabase(stack, 'source', props('e2e-bk-source', { backup: { startAtUtc } }));
  return synthJson(stack);
}

/** The other stack: the scheduled database, and the restores once there is something to restore. */
function plan(restores: { restored?: string; again?: string }): any {
  const stack = dockerStack();
  new RedisDatabase(stack, 'sched', props('e2e-bk-sched', {
    backup: { everySecondsForTesting: SCHEDULE_SECONDS, retainDaily: SCHEDULED_POLICY.daily, retainMonthly: SCHEDULED_POLICY.monthly, retainYearly: SCHEDULED_POLICY.yearly },
  }));
  if (restores.restored) {
    new RedisDatabase(stack, 'restored', props('e2e-bk-restored', { appendOnly: true, restoreFrom: RedisBackupFile.inVolume('e2e-bk-source-backups', restores.restored) }));
  }
  if (restores.again) {
    // Restored across versions: the 7.0 backup into Redis 8.0, which reads the older format.
    new RedisDatabase(stack, 'again', props('e2e-bk-again', {
      version: NEWEST_REDIS_IMAGE.version, image: NEWEST_REDIS_IMAGE.image, tlsSidecarImage: NEWEST_HAPROXY_IMAGE.image,
      restoreFrom: RedisBackupFile.inVolume('e2e-bk-source-backups', restores.again),
      backup: { hostPath: hostBackups },
    }));
  }
  return synthJson(stack);
}

async function connect(handle: Handle): Promise<Redis> {
  return waitFor(`${handle} to serve`, async () => {
    const client = await connectClient({ port: ports[handle].port, username: 'default', password: passwords[handle] });
    if ((await client.ping()) === 'PONG') return client;
    client.disconnect();
    return undefined;
  }, 60_000, 250);
}

/** A command in a container, as `docker exec` runs it. */
async function inContainer(container: string, command: string[]): Promise<string> {
  return (await run('docker', ['exec', container, ...command], { timeout: 60_000 })).stdout;
}


/** 400 days of daily scheduled backups up to yesterday, some days with several, an on-demand one, one dated in the future, and files of others. */
function seededHistory(now: Date): { backups: SeededBackup[]; foreign: Record<string, string> } {
  const backups: SeededBackup[] = [];
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (ms: number, trigger: SeededBackup['trigger'] = 'scheduled') => {
    const takenAt = new Date(ms);
    backups.push({ handle: 'e2e-bk-sched', version: '7.0', name: backupFileName('e2e-bk-sched', '7.0', takenAt), takenAt, trigger });
  };
  for (let d = 400; d >= 1; d--) {
    // Gaps of days: a stopped host takes no backups.
    if (d % 37 === 5) continue;
    at(day - d * 86_400_000 + 2 * 3_600_000);
    if (d % 10 === 0) at(day - d * 86_400_000 + 14 * 3_600_000);
  }
  at(day - 3 * 86_400_000 + 9 * 3_600_000, 'on-demand');
  // The clock was wrong when this one was taken.
  at(day + 2 * 86_400_000);
  const foreignName = backupFileName('e2e-bk-sched', '7.0', new Date(day - 500 * 86_400_000));
  return {
    backups,
    foreign: {
      // Named like a backup of this database, but no .meta of it says so.
      [foreignName]: 'REDIS0010someone elses',
      'notes.txt': 'not a backup\n',
      [backupFileName('e2e-bk-other', '7.0', new Date(day - 450 * 86_400_000))]: 'REDIS0010another database',
    },
  };
}

beforeAll(async () => {
  requireImages([REDIS_IMAGE, HAPROXY_IMAGE, NEWEST_REDIS_IMAGE.image, NEWEST_HAPROXY_IMAGE.image]);
  for (const h of HANDLES) ports[h] = { port: await freePort(), tlsPort: await freePort() };
  await removeDatabases(HANDLES);
  const started = Date.now();
  source = sourcePlan();
  await sourceStandIn.apply(source);
  timings.push(`apply of the source: ${Date.now() - started} ms`);
});

afterAll(async () => {
  await sourceStandIn.cleanUp().catch(() => undefined);
  await standin.cleanUp();
  await removeDatabases(HANDLES);
  fs.rmSync(hostBackups, { recursive: true, force: true });
  console.log(report('backup e2e timings'));
});

scenario('an on-demand backup of 100,000 keys, listed with its checksum, then FLUSHALL', async () => {
  const client = await connect('e2e-bk-source');
  await writeTestKeys(client, KEYS, RUN);
  expect(await client.dbsize()).toBe(KEYS);

  const started = Date.now();
  const taken = await runCdktfDockerRedis(['backup', 'e2e-bk-source']);
  timings.push(`  npx cdktf-docker-redis backup e2e-bk-source: ${Date.now() - started} ms`);
  expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: '' });
  onDemandBackup = /backup (e2e-bk-source-7\.0-\d{8}T\d{6}Z\.rdb): \d+ bytes/.exec(taken.stdout)![1];
  expect(taken.stdout).not.toContain(passwords['e2e-bk-source']);

  const listed = await runCdktfDockerRedis(['backups', 'e2e-bk-source', '--verify']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`^Backups of e2e-bk-source in volume e2e-bk-source-backups, newest first:\\nNAME .*\\n${onDemandBackup.replace(/\./g, '\\.')} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +[\\d.]+ MiB +on-demand +ok\\n`));
  // The container's log has the backup too, with no secret in it.
  const logs = (await run('docker', ['logs', 'e2e-bk-source-backup'], { timeout: 30_000 })).stdout;
  expect(logs).toContain(`backup ${onDemandBackup}: `);
  expect(logs).not.toContain(passwords['e2e-bk-source']);

  const unknown = await runCdktfDockerRedis(['backup', 'e2e-bk-nosuch']);
  expect(unknown).toEqual({
    code: 1, stdout: '',
    stderr: 'cdktf-docker-redis: no database e2e-bk-nosuch on the Docker engine at unix:///var/run/docker.sock: there is no container e2e-bk-nosuch or e2e-bk-nosuch-backup ' +
      '(is it the right handle and engine? DOCKER_HOST selects the engine)\n',
  });

  expect(await client.flushall()).toBe('OK');
  expect(await client.dbsize()).toBe(0);
  client.disconnect();
  await sourceStandIn.expectNoChanges(source);
});

scenario('a second on-demand backup while one runs fails with a clear error, and runs once the first is done', async () => {
  // The running backup is held where a backup holds it (its flock, its start time), for as long as the test
  // keeps this exec's stdin open: two real backups would overlap only as long as the first happened to take.
  const lock = `${BACKUP_STATE_DIR}/lock`;
  const holder = spawn('docker', ['exec', '-i', 'e2e-bk-source-backup', 'sh', '-c',
    `mkdir -p ${BACKUP_STATE_DIR} && exec flock ${lock} sh -c 'date -u +%H:%M:%S > ${lock}.since && echo held && exec cat > /dev/null'`],
  { stdio: ['pipe', 'pipe', 'inherit'] });
  const released = new Promise((resolve) => holder.once('close', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      holder.once('close', (code) => reject(new Error(`the lock holder exited with ${code} before it held the lock`)));
    });
    const second = await runCdktfDockerRedis(['backup', 'e2e-bk-source']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^cdktf-docker-redis: a backup of e2e-bk-source is already running \(since \d\d:\d\d:\d\d UTC\): wait for it to finish, then run this again\n$/);
  } finally {
    holder.stdin.end();
    await released;
  }
  expect((await runCdktfDockerRedis(['backup', 'e2e-bk-source'])).code).toBe(0);
});

scenario('a scheduled backup fires on its own and pruning keeps exactly what the policy says of 400 days', async () => {
  // The history is there before the database: its volume (made by Docker, as the backup container's mount would) holds it.
  const { backups: seeded, foreign } = seededHistory(new Date());
  await runWithInput('docker', ['run', '--rm', '-i', '--pull', 'never', '--user', '999:999', '-v', 'e2e-bk-sched-backups:/data', '-w', '/data',
    '--entrypoint', 'sh', REDIS_IMAGE], seedScript(seeded, foreign));
  const startedAt = new Date();
  await standin.apply(plan({}));

  const taken = await waitFor('a scheduled backup', async () => {
    const listed = await runCdktfDockerRedis(['backups', 'e2e-bk-sched', '--json']);
    const fresh = listed.code === 0 ? (JSON.parse(listed.stdout) as any[]).filter((b) => parseBackupFileName(b.name)!.takenAt >= new Date(startedAt.getTime() - 1000) && b.trigger === 'scheduled') : [];
    return fresh.length > 0 ? JSON.parse(listed.stdout) as any[] : undefined;
  }, (SCHEDULE_SECONDS + 30) * 1000, 2000);
  timings.push(`  first scheduled backup seen after ${Date.now() - startedAt.getTime()} ms`);

  const scheduled = [
    ...seeded.filter((b) => b.trigger === 'scheduled').map((b) => b.name),
    ...taken.filter((b) => b.trigger === 'scheduled' && !seeded.some((s) => s.name === b.name)).map((b) => b.name as string),
  ];
  const expected = [...backupsToKeep(scheduled, SCHEDULED_POLICY, new Date()), ...seeded.filter((b) => b.trigger === 'on-demand').map((b) => b.name)];
  expect(taken.map((b) => b.name).sort()).toEqual(expected.sort());
  // Kept: the newest, 3 days, 2 months, 1 year, the one dated in the future, the on-demand one; on these dates some overlap.
  expect(expected.length).toBeGreaterThanOrEqual(4);
  expect(expected.length).toBeLessThanOrEqual(9);
  const files = (await inContainer('e2e-bk-sched-backup', ['ls', '-1A', '/data'])).split('\n');
  for (const file of Object.keys(foreign)) expect(files).toContain(file);
  expect(await inContainer('e2e-bk-sched-backup', ['sh', '/usr/local/etc/cdktf-docker-redis/backup.sh', 'health'])).toMatch(/^ok: the last backup is e2e-bk-sched-7\.0-/);
});

scenario('the backup restores into a new database with AOF on: every key, also after a restart', async () => {
  const started = Date.now();
  await standin.apply(plan({ restored: onDemandBackup }));
  const client = await connect('e2e-bk-restored');
  timings.push(`  apply and restore until serving: ${Date.now() - started} ms`);
  expect(await client.dbsize()).toBe(KEYS);
  expect(await differingTestKeys(client, KEYS, RUN)).toEqual([]);
  expect(parseInfo(await client.info('persistence')).aof_enabled).toBe('1');
  client.disconnect();

  await run('docker', ['restart', 'e2e-bk-restored'], { timeout: 90_000 });
  const again = await connect('e2e-bk-restored');
  expect(await differingTestKeys(again, KEYS, RUN)).toEqual([]);
  again.disconnect();
  const logs = (await run('docker', ['logs', 'e2e-bk-restored'], { timeout: 30_000 })).stdout;
  expect(logs.match(/restore: restored /g)).toHaveLength(1);
  await standin.expectNoChanges(plan({ restored: onDemandBackup }));
});

scenario('after the source database is destroyed, its backups are still listed and restore into another database of a newer Redis', async () => {
  await sourceStandIn.destroy(source);
  expect((await dockerApi('GET', '/containers/e2e-bk-source-backup/json')).status).toBe(404);
  expect((await dockerApi('GET', '/volumes/e2e-bk-source-data')).status).toBe(404);
  expect((await dockerApi('GET', '/volumes/e2e-bk-source-backups')).status).toBe(200);

  const listed = await runCdktfDockerRedis(['backups', 'e2e-bk-source', '--json']);
  expect(listed.code).toBe(0);
  const backups = JSON.parse(listed.stdout);
  expect(backups).toHaveLength(2);
  expect(backups.map((b: any) => [b.trigger, b.checksum])).toEqual([['on-demand', 'recorded'], ['on-demand', 'recorded']]);
  expect(backups[1].name).toBe(onDemandBackup);

  await standin.apply(plan({ restored: onDemandBackup, again: onDemandBackup }));
  const client = await connect('e2e-bk-again');
  expect(parseInfo(await client.info('server')).redis_version).toMatch(/^8\.0\./);
  expect(await differingTestKeys(client, KEYS, RUN)).toEqual([]);
  client.disconnect();

  // Its own backups go to a directory on the host, which the CLI also reads once no container names it.
  expect((await runCdktfDockerRedis(['backup', 'e2e-bk-again'])).code).toBe(0);
  const inHostPath = fs.readdirSync(hostBackups).filter((f) => f.endsWith('.rdb'));
  expect(inHostPath).toEqual([expect.stringMatching(/^e2e-bk-again-8\.0-\d{8}T\d{6}Z\.rdb$/)]);
  const own = await runCdktfDockerRedis(['backups', 'e2e-bk-again', '--host-path', hostBackups, '--verify']);
  expect(own.stdout).toContain(`Backups of e2e-bk-again in ${hostBackups} on the Docker host, newest first:`);
  expect(own.stdout).toMatch(new RegExp(`\n${inHostPath[0].replace(/\./g, '\\.')} .* on-demand +ok\n`));
  expect(own.stdout).toContain(`restoreFrom: RedisBackupFile.atHostPath('${hostBackups}/${inHostPath[0]}')`);
  // A mistyped directory is an error, never a new empty directory on the host.
  const missing = `${hostBackups}-missing`;
  expect(await runCdktfDockerRedis(['backups', 'e2e-bk-again', '--host-path', missing])).toEqual({
    code: 1, stdout: '', stderr: `cdktf-docker-redis: ${missing} does not exist on the Docker host at unix:///var/run/docker.sock: give the directory of the backups\n`,
  });
  expect(fs.existsSync(missing)).toBe(false);
  await standin.expectNoChanges(plan({ restored: onDemandBackup, again: onDemandBackup }));
});

