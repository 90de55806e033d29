/**
 * The backup and restore scripts, as a synthesized stack uploads them, against
 * real servers in the test images (Redis 6.0, 7.0 and 8.0, Valkey 9.1): each runs in
 * a container of the image with the paths, user (999, group 0) and file modes
 * of its container, and the server from the stack's own redis.conf. Only the
 * Terraform references are replaced by test values (test/support/generated.ts).
 * The sh of the retention policy and the schedule runs the unit suite's tables
 * and must agree with the TypeScript functions on every case.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { RedisBackupFile, RedisDatabase, RedisDatabaseProps, RedisTlsMode, RedisVersion } from '../../lib';
import { renderBackupScript } from '../../lib/backup/backup-script';
import { backupFileName } from '../../lib/backup/names';
import { backupsToKeep, prunePlan } from '../../lib/backup/retention';
import { nextBackupAfter } from '../../lib/backup/schedule';
import { RETENTION_CASES, SCHEDULE_CASES, utc } from '../support/backup-cases';
import { b2sum, runWithInput } from '../support/backups';
import { connectClient, parseInfo, Redis } from '../support/clients';
import { GeneratedInstance, generatedInstances } from '../support/generated';
import { makeTestPki } from '../support/pki';
import { requireTools, tempDir, waitFor } from '../support/processes';
import { removeDeadRunsContainers } from '../support/runners';
import { requireImages } from '../support/server-images';
import { dockerStack } from '../support/synth';

const run = promisify(execFile);
jest.setTimeout(120_000);
requireTools('docker', 'openssl');

const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';
const REDIS_6_0 = `${PREFIX}/redis:6.0`;
const REDIS_7_0 = `${PREFIX}/redis:7.0`;
const REDIS_8_0 = `${PREFIX}/redis:8.0`;
const VALKEY_9_1 = `${PREFIX}/valkey:9.1`;
const RUN_LABEL = 'cdktf-docker-redis-test.run';
const NETWORK = `cdkbk-it-${process.pid}`;
const FILE = 'cache-7.0-20261129T021300Z.rdb';

const workDir = tempDir('backups-it');
const pki = makeTestPki(workDir);
const started: string[] = [];
let sequence = 0;

function dir(name: string, owner = 999): string {
  const made = path.join(workDir, `${name}-${++sequence}`);
  fs.mkdirSync(made, { recursive: true });
  fs.chownSync(made, owner, owner);
  return made;
}

/** A file as the provider uploads it: root-owned, with the upload's mode. */
function upload(file: string, content: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

interface Container {
  readonly image: string;
  readonly mounts: ReadonlyArray<readonly [string, string] | readonly [string, string, 'ro']>;
  readonly entrypoint: string;
  readonly args: readonly string[];
  /** On the test's network under this alias (a database's handle), otherwise on no network. */
  readonly alias?: string;
}

function dockerArgs(c: Container, name: string): string[] {
  return [
    '--name', name, '--label', `${RUN_LABEL}=${process.pid}`, '--pull', 'never', '--user', '999:999', '--group-add', '0',
    ...(c.alias ? ['--network', NETWORK, '--network-alias', c.alias] : ['--network', 'none']),
    ...c.mounts.flatMap(([host, inside, ro]) => ['-v', `${host}:${inside}${ro ? ':ro' : ''}`]),
    '--entrypoint', c.entrypoint, c.image, ...c.args,
  ];
}

/** Runs a container to its end: its exit code and output. */
async function runToEnd(c: Container, timeoutMs = 60_000): Promise<{ code: number; output: string }> {
  const name = `cdkbk-it-${process.pid}-${++sequence}`;
  try {
    const { stdout, stderr } = await run('docker', ['run', '--rm', ...dockerArgs(c, name)], { timeout: timeoutMs });
    return { code: 0, output: stdout + stderr };
  } catch (e: any) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  } finally {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

async function start(c: Container): Promise<string> {
  const name = `cdkbk-it-${process.pid}-${++sequence}`;
  await run('docker', ['run', '-d', ...dockerArgs(c, name)], { timeout: 60_000 });
  started.push(name);
  return name;
}

async function logsOf(container: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', container], { timeout: 30_000 });
  return stdout + stderr;
}

async function exec(container: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('docker', ['exec', container, ...args], { timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (e: any) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  }
}

interface Database {
  readonly instance: GeneratedInstance;
  readonly image: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly socketDir?: string;
  container?: string;
  client?: Redis;
}

/** The instance `handle` of a stack of one database with `props`, every reference replaced by test values. */
function synthesized(props: RedisDatabaseProps): GeneratedInstance {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', props);
  return generatedInstances(stack, { pki, passwords: { cache: 'Cache-Password-0123456789' } }).cache;
}

/** The files of the Redis container, in directories mounted where its container has them. */
function database(instance: GeneratedInstance, image: string): Database {
  const configDir = dir('config', 0);
  const container = path.dirname(instance.configPath);
  for (const [file, content] of Object.entries(instance.serverUploads)) {
    if (!file.startsWith(`${container}/`)) throw new Error(`${file} is outside ${container}, which the test mounts`);
    upload(path.join(configDir, file.slice(container.length + 1)), content, 0o640);
  }
  return { instance, image, configDir, dataDir: dir('data'), socketDir: /^unixsocket /m.test(instance.redisConf) ? dir('run') : undefined };
}

function serverContainer(db: Database, extraMounts: Container['mounts'] = []): Container {
  const restoring = db.instance.restoreScript !== undefined;
  return {
    image: db.image,
    alias: db.instance.handle,
    mounts: [[db.configDir, path.dirname(db.instance.configPath), 'ro'], [db.dataDir, '/data'], ...(db.socketDir ? [[db.socketDir, '/run/redis'] as const] : []), ...extraMounts],
    entrypoint: restoring ? 'sh' : db.instance.serverBinary,
    args: restoring ? [`${path.dirname(db.instance.configPath)}/restore.sh`, db.instance.serverBinary, db.instance.configPath] : [db.instance.configPath],
  };
}

async function addressOf(container: string): Promise<string> {
  const { stdout } = await run('docker', ['inspect', '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, container], { timeout: 30_000 });
  return stdout.trim();
}

async function serve(db: Database, extraMounts: Container['mounts'] = []): Promise<Redis> {
  db.container = await start(serverContainer(db, extraMounts));
  const host = await addressOf(db.container);
  db.client = await waitFor(`${db.container} to serve`, async () => {
    const client = await connectClient({ host, port: 6379, username: db.instance.username, password: db.instance.password, connectTimeout: 2000 });
    try {
      if ((await client.ping()) === 'PONG') return client;
    } catch (e) {
      client.disconnect();
      throw e;
    }
    client.disconnect();
    return undefined;
  }, 60_000, 200);
  return db.client;
}

/** The backup container of `db`: the image's sh asleep, the script run in it by exec as Docker's healthcheck and the CLI do. */
async function backupContainer(db: Database, extraMounts: Container['mounts'] = []): Promise<{ name: string; backups: string }> {
  const configDir = dir('backup-config', 0);
  upload(path.join(configDir, 'backup.sh'), db.instance.backupScript!, 0o644);
  upload(path.join(configDir, 'backup.secret'), db.instance.backupSecret!, 0o640);
  const backups = dir('backups');
  fs.chmodSync(backups, 0o700);
  const name = await start({
    image: db.image,
    alias: db.socketDir ? undefined : `${db.instance.handle}-backup`,
    mounts: [[backups, '/data'], [configDir, '/usr/local/etc/cdktf-docker-redis', 'ro'], ...(db.socketDir ? [[db.socketDir, '/run/redis', 'ro'] as const] : []), ...extraMounts],
    entrypoint: 'sleep',
    args: ['3600'],
  });
  return { name, backups };
}

const backupNow = (container: string) => exec(container, ['sh', '/usr/local/etc/cdktf-docker-redis/backup.sh', 'now']);

beforeAll(async () => {
  removeDeadRunsContainers();
  requireImages([REDIS_6_0, REDIS_7_0, REDIS_8_0, VALKEY_9_1]);
  await run('docker', ['network', 'create', '--label', `${RUN_LABEL}=${process.pid}`, NETWORK], { timeout: 30_000 });
});

/** Each test's containers go with it: databases of several tests answer to the same handle on the network. */
afterEach(async () => {
  for (const name of started.splice(0)) await run('docker', ['rm', '-f', name]).catch(() => undefined);
});

afterAll(async () => {
  await run('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** A backup of Redis 7.0 taken while writes ran, and what was in it: `last` and every `k:N` up to it. */
let liveBackup: { file: string; last: number };

/** Writes `k:N`, then `last` N, in order on one connection, before and after a backup's snapshot; `stop` waits for the last of them and says how many. */
function writeInOrder(client: Redis): { stop: () => Promise<number> } {
  let written = 0;
  const writeBatches = async (count: number) => {
    for (let batch = 0; batch < count; batch++) {
      const pipeline = client.pipeline();
      for (let i = 0; i < 50; i++, written++) pipeline.set(`k:${written}`, String(written)).set('last', String(written));
      await pipeline.exec();
    }
  };
  const forks = async () => Number(parseInfo(await client.info('stats')).total_forks);
  // Writes on both sides of the snapshot, however fast either side is: a fixed number of writes once ended
  // before a slow backup began its snapshot. The snapshot is the fork (diskless sync waits
  // repl-diskless-sync-delay after the backup's SYNC before it forks), and the server answers this
  // connection in order, so whatever is written once it counts the fork is not in the snapshot.
  const done = (async () => {
    const before = await forks();
    await writeBatches(2_000);
    await waitFor('the backup\'s snapshot (a fork of the server)', async () => ((await forks()) > before ? true : undefined), 120_000, 20);
    await writeBatches(20);
  })();
  return { stop: async () => { await done; return written; } };
}

/** The server of `image` on a copy of `rdb`, for reading what a backup holds. */
async function loaded(rdb: string, image = REDIS_7_0): Promise<Redis> {
  const data = dir('load');
  fs.copyFileSync(rdb, path.join(data, 'dump.rdb'));
  fs.chownSync(path.join(data, 'dump.rdb'), 999, 999);
  const name = await start({ image, alias: `load-${sequence}`, mounts: [[data, '/data']], entrypoint: image.includes('valkey') ? 'valkey-server' : 'redis-server', args: ['--dir', '/data', '--save', '', '--protected-mode', 'no'] });
  const host = await addressOf(name);
  return waitFor('the loaded backup', async () => {
    const client = await connectClient({ host, port: 6379, connectTimeout: 2000 });
    return (await client.ping()) === 'PONG' ? client : undefined;
  }, 60_000, 200);
}

async function missingUpTo(client: Redis, last: number): Promise<number[]> {
  const missing: number[] = [];
  for (let start = 0; start <= last; start += 1000) {
    const keys = Array.from({ length: Math.min(last + 1, start + 1000) - start }, (_, j) => `k:${start + j}`);
    (await client.mget(...keys)).forEach((v, j) => v !== String(start + j) && missing.push(start + j));
  }
  return missing;
}

describe('taking backups', () => {
  test('a backup of Redis 7.0 through its socket while writes run is one consistent snapshot, with its checksum, metadata and index', async () => {
    const db = database(synthesized({ version: RedisVersion.V7_0 }), REDIS_7_0);
    const client = await serve(db);
    const backup = await backupContainer(db);
    const writer = writeInOrder(client);
    const result = await backupNow(backup.name);
    const written = await writer.stop();
    expect(result.code).toBe(0);
    expect(result.output).not.toContain(db.instance.backupSecret);

    const file = fs.readdirSync(backup.backups).find((f) => f.endsWith('.rdb'))!;
    expect(file).toMatch(/^cache-7\.0-\d{8}T\d{6}Z\.rdb$/);
    const content = fs.readFileSync(path.join(backup.backups, file));
    expect(fs.readFileSync(path.join(backup.backups, `${file}.b2sum`), 'utf8')).toBe(`${b2sum(content)}  ${file}\n`);
    const meta = Object.fromEntries(fs.readFileSync(path.join(backup.backups, `${file}.meta`), 'utf8').trim().split('\n').map((l) => l.split('=')));
    expect(meta).toEqual({
      writer: 'cdktf-docker-redis', handle: 'cache', engine: 'redis', version: '7.0', rdb_format: '10', taken_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      size: String(content.length), b2sum: b2sum(content), method: 'replication', trigger: 'on-demand',
    });
    expect(fs.readFileSync(path.join(backup.backups, 'cache.index'), 'utf8').split('\n')[1]).toBe(
      [file, meta.taken_at, meta.size, meta.b2sum, 'redis', '7.0', '10', 'on-demand'].join('\t'),
    );
    // Only finished files: the temporary directory is gone.
    expect(fs.readdirSync(backup.backups).sort()).toEqual([file, `${file}.b2sum`, `${file}.meta`, 'cache.index']);
    expect(fs.statSync(path.join(backup.backups, file)).mode & 0o777).toBe(0o600);

    const check = await runToEnd({ image: REDIS_7_0, mounts: [[backup.backups, '/backups', 'ro']], entrypoint: 'redis-check-rdb', args: [`/backups/${file}`] });
    expect(check).toEqual({ code: 0, output: expect.stringContaining('RDB looks OK') });
    const restored = await loaded(path.join(backup.backups, file));
    const last = Number(await restored.get('last'));
    // Writes ran before the snapshot and went on after it; everything up to its `last` is in it.
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(written - 1);
    expect(await missingUpTo(restored, last)).toEqual([]);
    restored.disconnect();
    client.disconnect();
    liveBackup = { file: path.join(backup.backups, file), last };
  });

  test('a backup of Valkey 9.1 with native TLS, over the Docker network by BGSAVE as the backup user, keeps hash fields with expirations in format 80', async () => {
    const db = database(synthesized({ version: RedisVersion.VALKEY_9_1, tlsMode: RedisTlsMode.NATIVE }), VALKEY_9_1);
    expect(db.socketDir).toBeUndefined();
    const client = await serve(db);
    await client.set('valkey-key', 'valkey-value');
    await client.hset('fields', 'expiring', 'a', 'kept', 'b');
    expect(await client.call('HEXPIRE', 'fields', '3600', 'FIELDS', '1', 'expiring')).toEqual([1]);
    const backup = await backupContainer(db, [[db.dataDir, '/redis-data', 'ro']]);
    const result = await backupNow(backup.name);
    expect(result.code).toBe(0);
    expect(result.output).not.toContain(db.instance.backupSecret);
    const file = fs.readdirSync(backup.backups).find((f) => f.endsWith('.rdb'))!;
    expect(file).toMatch(/^cache-valkey-9\.1-\d{8}T\d{6}Z\.rdb$/);
    expect(fs.readFileSync(path.join(backup.backups, file)).subarray(0, 9).toString('latin1')).toBe('VALKEY080');
    expect(fs.readFileSync(path.join(backup.backups, `${file}.meta`), 'utf8')).toContain('\nengine=valkey\nversion=valkey-9.1\nrdb_format=80\n');
    const restored = await loaded(path.join(backup.backups, file), VALKEY_9_1);
    expect(await restored.get('valkey-key')).toBe('valkey-value');
    expect(await restored.hgetall('fields')).toEqual({ expiring: 'a', kept: 'b' });
    expect(Number(((await restored.call('HTTL', 'fields', 'FIELDS', '1', 'expiring')) as number[])[0])).toBeGreaterThan(3000);
    restored.disconnect();
    client.disconnect();
  });

  test('before 6.0 a BGSAVE and a copy, with the password piped in; a failed BGSAVE fails the backup and the healthcheck', async () => {
    // The 5.0 rendering (requirepass, BGSAVE) run by Redis 7.0: no older server image is buildable here.
    const db = database(synthesized({ version: RedisVersion.V5_0 }), REDIS_7_0);
    expect(db.instance.backupSecret).toBe('Cache-Password-0123456789');
    const client = await serve(db);
    await client.set('legacy', 'copied');
    const backup = await backupContainer(db, [[db.dataDir, '/redis-data', 'ro']]);
    const ok = await backupNow(backup.name);
    expect(ok.code).toBe(0);
    expect(ok.output).not.toContain(db.instance.backupSecret);
    const file = fs.readdirSync(backup.backups).find((f) => f.endsWith('.rdb'))!;
    expect(fs.readFileSync(path.join(backup.backups, `${file}.meta`), 'utf8')).toContain('\nmethod=bgsave\n');
    const restored = await loaded(path.join(backup.backups, file));
    expect(await restored.get('legacy')).toBe('copied');
    restored.disconnect();
    expect((await exec(backup.name, ['sh', '/usr/local/etc/cdktf-docker-redis/backup.sh', 'health'])).code).toBe(0);

    // The server cannot write its snapshot: rdb_last_bgsave_status turns err.
    fs.chmodSync(db.dataDir, 0o555);
    try {
      const failed = await backupNow(backup.name);
      expect(failed.code).toBe(1);
      expect(failed.output).toContain('backup failed: no snapshot: the BGSAVE failed (rdb_last_bgsave_status is not ok): the database\'s log says why');
      const health = await exec(backup.name, ['sh', '/usr/local/etc/cdktf-docker-redis/backup.sh', 'health']);
      expect(health).toEqual({ code: 1, output: expect.stringMatching(/^the last backup failed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: no snapshot: the BGSAVE failed/) });
    } finally {
      fs.chmodSync(db.dataDir, 0o755);
    }
    expect(fs.readdirSync(backup.backups).filter((f) => f.endsWith('.rdb'))).toEqual([file]);
    client.disconnect();
  });

  test('a backup of a memory-only database streams the snapshot: nothing is written into its data directory', async () => {
    const db = database(synthesized({ version: RedisVersion.V7_0_NORDB, backup: { enabled: true } }), REDIS_7_0);
    const client = await serve(db);
    await client.set('in-memory', 'only');
    const before = parseInfo(await client.info('persistence')).rdb_last_save_time;
    const backup = await backupContainer(db);
    expect((await backupNow(backup.name)).code).toBe(0);
    expect(fs.readdirSync(db.dataDir)).toEqual([]);
    expect(parseInfo(await client.info('persistence')).rdb_last_save_time).toBe(before);
    const file = fs.readdirSync(backup.backups).find((f) => f.endsWith('.rdb'))!;
    expect(file).toMatch(/^cache-7\.0-nordb-/);
    const restored = await loaded(path.join(backup.backups, file));
    expect(await restored.get('in-memory')).toBe('only');
    restored.disconnect();
    client.disconnect();
  });
});

/** A restore source: `content` under `name`, with a checksum of `checksumOf` (the content unless given) and an optional .meta. */
function source(name: string, content: Buffer, options: { checksumOf?: Buffer; checksum?: boolean; meta?: string } = {}): string {
  const made = dir('source');
  fs.writeFileSync(path.join(made, name), content);
  if (options.checksum !== false) fs.writeFileSync(path.join(made, `${name}.b2sum`), `${b2sum(options.checksumOf ?? content)}  ${name}\n`);
  if (options.meta) fs.writeFileSync(path.join(made, `${name}.meta`), options.meta);
  for (const f of fs.readdirSync(made)) fs.chownSync(path.join(made, f), 999, 999);
  return made;
}

describe('restoring', () => {
  const restoring = (file: string, props: RedisDatabaseProps = {}) =>
    synthesized({ version: RedisVersion.V7_0, restoreFrom: RedisBackupFile.inVolume('e2e-unused', file), ...props });

  async function refused(file: string, sourceDir: string, props: RedisDatabaseProps = {}, seed?: (dataDir: string) => void) {
    const db = database(restoring(file, props), REDIS_7_0);
    seed?.(db.dataDir);
    const result = await runToEnd(serverContainer(db, [[sourceDir, '/restore', 'ro']]), 30_000);
    return { ...result, data: fs.readdirSync(db.dataDir) };
  }

  test.each([
    ['a backup altered after its checksum was made', (rdb: Buffer) => source(FILE, Buffer.concat([rdb.subarray(0, 100), Buffer.from('x'), rdb.subarray(101)]), { checksumOf: rdb }),
      /cache-7\.0-20261129T021300Z\.rdb in volume e2e-unused does not match its checksum: the file is damaged, or the checksum belongs to another file \(b2sum [0-9a-f]{16}\.\.\., expected [0-9a-f]{16}\.\.\.\)/],
    ['a corrupt backup with a checksum made for it', (rdb: Buffer) => {
      const corrupt = Buffer.from(rdb);
      for (let i = 200; i < 260; i++) corrupt[i] ^= 0x5a;
      return source(FILE, corrupt);
    }, /redis-server stopped while loading the backup: it finds cache-7\.0-20261129T021300Z\.rdb in volume e2e-unused damaged/],
    ['a truncated backup with a checksum made for it', (rdb: Buffer) => source(FILE, rdb.subarray(0, Math.floor(rdb.length / 2))), /redis-server stopped while loading the backup: it finds .* damaged/],
    ['a backup without its checksum file', (rdb: Buffer) => source(FILE, rdb, { checksum: false }), /has no readable checksum beside it \(cache-7\.0-20261129T021300Z\.rdb\.b2sum\): .* b2sum FILE\.rdb > FILE\.rdb\.b2sum/],
    ['a file that is not an RDB', () => source(FILE, Buffer.from('*1\r\n$4\r\nPING\r\n')), /is not an RDB file: it starts with .*, not REDIS or VALKEY and a format number/],
    ['a missing file', () => source('other.rdb', Buffer.from('x')), /cache-7\.0-20261129T021300Z\.rdb in volume e2e-unused does not exist: check the volume name and the file name/],
  ])('refuses %s and leaves the data directory empty', async (_what, make, message) => {
    const result = await refused(FILE, make(fs.readFileSync(liveBackup.file)));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
    expect(result.output).toContain('restore: nothing was restored: /data is left empty, and the server does not start until the restore succeeds');
    expect(result.data).toEqual([]);
  });

  test('refuses a newer RDB format than the engine reads, naming both versions, never starting empty', async () => {
    const newer = dir('newer');
    const name = await start({ image: REDIS_8_0, alias: `newer-${sequence}`, mounts: [[newer, '/data']], entrypoint: 'redis-server', args: ['--dir', '/data', '--protected-mode', 'no'] });
    const host = await addressOf(name);
    const client = await waitFor('Redis 8.0', () => connectClient({ host, port: 6379 }), 30_000, 200);
    await client.set('from', 'redis 8.0');
    await client.save();
    client.disconnect();
    const rdb = fs.readFileSync(path.join(newer, 'dump.rdb'));
    expect(rdb.subarray(0, 9).toString('latin1')).toBe('REDIS0012');

    const withMeta = await refused('from-elsewhere.rdb', source('from-elsewhere.rdb', rdb, { meta: 'writer=cdktf-docker-redis\nhandle=sessions\nengine=redis\nversion=8.0\n' }));
    expect(withMeta.output).toContain(
      'restore: from-elsewhere.rdb in volume e2e-unused was written by the database sessions (version 8.0, redis) in RDB format 12, and Redis 7.0 (this database, version 7.0) reads RDB formats up to 10. ' +
      'Restore it into a database of that version or newer, never into an older one',
    );
    const withoutMeta = await refused('from-elsewhere.rdb', source('from-elsewhere.rdb', rdb));
    expect(withoutMeta.output).toContain('was written by Redis 7.4, 8.0 or 8.2 in RDB format 12, and Redis 7.0 (this database, version 7.0) reads RDB formats up to 10');
    expect([withMeta.code, withoutMeta.code, withMeta.data, withoutMeta.data]).toEqual([1, 1, [], []]);
  });

  test('refuses a data directory that holds data and no record of a restore, and leaves it as it was', async () => {
    const result = await refused(FILE, source(FILE, fs.readFileSync(liveBackup.file)), {}, (data) => {
      fs.writeFileSync(path.join(data, 'dump.rdb'), 'existing data');
      fs.chownSync(path.join(data, 'dump.rdb'), 999, 999);
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('restore: refusing to restore cache-7.0-20261129T021300Z.rdb in volume e2e-unused: /data already holds dump.rdb and no record of a restore');
    expect(result.data).toEqual(['dump.rdb']);
  });

  async function waitServing(db: Database): Promise<Redis> {
    const host = await addressOf(db.container!);
    return waitFor(`${db.container} to serve again`, async () => {
      const client = await connectClient({ host, port: 6379, username: db.instance.username, password: db.instance.password, connectTimeout: 2000 });
      if ((await client.ping().catch(() => undefined)) === 'PONG') return client;
      client.disconnect();
      return undefined;
    }, 60_000, 200);
  }

  test('into Redis 7.0: the server loads the backup as it is copied, serves every key, and keeps them across a docker restart of that first run', async () => {
    const db = database(restoring(FILE), REDIS_7_0);
    const client = await serve(db, [[source(FILE, fs.readFileSync(liveBackup.file)), '/restore', 'ro']]);
    expect(await missingUpTo(client, liveBackup.last)).toEqual([]);
    expect(await client.config('GET', 'sanitize-dump-payload')).toEqual(['sanitize-dump-payload', 'yes']);
    await client.set('after-restore', 'saved on the way down');
    client.disconnect();
    // The first run's shell passes SIGTERM on, so Redis saves before it stops.
    await run('docker', ['restart', db.container!], { timeout: 90_000 });
    const again = await waitServing(db);
    expect(await again.get('after-restore')).toBe('saved on the way down');
    expect(await again.config('GET', 'sanitize-dump-payload')).toEqual(['sanitize-dump-payload', 'no']);
    again.disconnect();
    expect(fs.readdirSync(db.dataDir).sort()).toEqual(['.cdktf-docker-redis-restored', 'dump.rdb']);
    expect(fs.lstatSync(path.join(db.dataDir, 'dump.rdb')).isFile()).toBe(true);
  });

  test('into Redis 7.0 with AOF on: every key is there, and still after two restarts; the restore runs once', async () => {
    const db = database(restoring(FILE, { appendOnly: true }), REDIS_7_0);
    const client = await serve(db, [[source(FILE, fs.readFileSync(liveBackup.file)), '/restore', 'ro']]);
    expect(await client.get('last')).toBe(String(liveBackup.last));
    expect(await missingUpTo(client, liveBackup.last)).toEqual([]);
    expect(parseInfo(await client.info('persistence')).aof_enabled).toBe('1');
    await client.set('after-restore', 'in the AOF');
    client.disconnect();
    for (let restart = 1; restart <= 2; restart++) {
      await run('docker', ['restart', db.container!], { timeout: 90_000 });
      const again = await waitServing(db);
      expect({ restart, missing: await missingUpTo(again, liveBackup.last), after: await again.get('after-restore') })
        .toEqual({ restart, missing: [], after: 'in the AOF' });
      again.disconnect();
    }
    expect(fs.readdirSync(db.dataDir).sort()).toEqual(['.cdktf-docker-redis-restored', 'appendonlydir', 'dump.rdb']);
    expect((await logsOf(db.container!)).match(/restore: restored /g)).toHaveLength(1);
  });

  test('before 6.0 with AOF on, the temporary server is entered with the password: a format 9 RDB into the 5.0 rendering', async () => {
    // A string-only RDB of Redis 7.0 is valid in format 9; its checksum is zeroed, which loaders read as "saved without one".
    const rdb = Buffer.from(fs.readFileSync(liveBackup.file));
    rdb.write('REDIS0009', 0, 'latin1');
    rdb.fill(0, rdb.length - 8);
    const name = 'old-5.0-20261129T021300Z.rdb';
    const db = database(synthesized({ version: RedisVersion.V5_0, appendOnly: true, restoreFrom: RedisBackupFile.inVolume('e2e-unused', name) }), REDIS_7_0);
    const client = await serve(db, [[source(name, rdb), '/restore', 'ro']]);
    expect(await missingUpTo(client, liveBackup.last)).toEqual([]);
    client.disconnect();
    await run('docker', ['restart', db.container!], { timeout: 90_000 });
    const again = await waitServing(db);
    expect(await again.get('last')).toBe(String(liveBackup.last));
    again.disconnect();
    expect(fs.readdirSync(db.dataDir)).toContain('appendonlydir');
  });

  test('Redis 6.0: its own redis-cli --rdb takes a format 9 backup as the backup user, and a 6.0 database restores it after redis-check-rdb', async () => {
    const db = database(synthesized({ version: RedisVersion.V6_0 }), REDIS_6_0);
    const client = await serve(db);
    await client.set('from', 'redis 6.0');
    client.disconnect();
    const backup = await backupContainer(db);
    const result = await backupNow(backup.name);
    expect(result.code).toBe(0);
    expect(result.output).not.toContain(db.instance.backupSecret);
    const file = fs.readdirSync(backup.backups).find((f) => f.endsWith('.rdb'))!;
    expect(file).toMatch(/^cache-6\.0-\d{8}T\d{6}Z\.rdb$/);
    const rdb = fs.readFileSync(path.join(backup.backups, file));
    expect(rdb.subarray(0, 9).toString('latin1')).toBe('REDIS0009');
    const meta = Object.fromEntries(fs.readFileSync(path.join(backup.backups, `${file}.meta`), 'utf8').trim().split('\n').map((l) => l.split('=')));
    expect(meta).toMatchObject({ version: '6.0', rdb_format: '9', method: 'replication' });
    // One database of the handle on the network at a time.
    await run('docker', ['rm', '-f', db.container!], { timeout: 30_000 });

    const target = database(restoring(file, { version: RedisVersion.V6_0 }), REDIS_6_0);
    const restored = await serve(target, [[source(file, rdb), '/restore', 'ro']]);
    expect(await restored.get('from')).toBe('redis 6.0');
    restored.disconnect();
    expect(await logsOf(target.container!)).toContain('running redis-check-rdb');
  });

  test('before 6.2, without sanitize-dump-payload, redis-check-rdb checks the file first and refuses a damaged one', async () => {
    const rdb = Buffer.from(fs.readFileSync(liveBackup.file));
    rdb.write('REDIS0009', 0, 'latin1');
    const truncated = rdb.subarray(0, Math.floor(rdb.length / 2));
    const name = 'old-5.0-20261129T021300Z.rdb';
    const result = await refused(name, source(name, truncated), { version: RedisVersion.V5_0 });
    expect(result.code).toBe(1);
    expect(result.output).toContain('running redis-check-rdb');
    expect(result.output).toMatch(/redis-check-rdb finds old-5\.0-20261129T021300Z\.rdb in volume e2e-unused damaged \(its last lines are above\)/);
    expect(result.data).toEqual([]);
  });
});

describe('the script\'s sh agrees with the TypeScript functions', () => {
  const base = {
    handle: 'cache', versionName: '7.2', engine: 'redis', displayName: 'Redis 7.2', cliBinary: 'redis-cli', backupDir: '/data', secretFile: '/secret',
    socketPath: '/run/redis/redis.sock', method: 'replication' as const, user: 'backup', knownVersions: RedisVersion.NAMES, timeoutSeconds: 60, stateDir: '/tmp/state',
  };

  test('on every retention case and every schedule case of the unit tables, in one run of the image\'s sh', async () => {
    const cases = dir('cases', 0);
    const driver: string[] = ['set -e', 'cd /cases'];
    RETENTION_CASES.forEach((c, i) => {
      fs.writeFileSync(path.join(cases, `retention-${i}.sh`), renderBackupScript({ ...base, schedule: { startSecondsUtc: 0, everyHours: 24 }, retention: c.policy }));
      fs.writeFileSync(path.join(cases, `retention-${i}.names`), c.backups.map((at) => `${backupFileName('cache', '7.2', utc(at))}\n`).join(''));
      driver.push(`sh retention-${i}.sh keep ${utc(c.now).toISOString().replace(/\.000Z$/, '').replace(/[-:T]/g, '')} < retention-${i}.names > /out/retention-${i}`);
    });
    SCHEDULE_CASES.forEach((c, i) => {
      fs.writeFileSync(path.join(cases, `schedule-${i}.sh`), renderBackupScript({ ...base, schedule: c.schedule, retention: { daily: 1, monthly: 0, yearly: 0 } }));
      driver.push(`sh schedule-${i}.sh next ${utc(c.now).getTime() / 1000} > /out/schedule-${i}`);
    });
    const out = dir('out');
    await runWithInput('docker', ['run', '--rm', '-i', '--pull', 'never', '--network', 'none', '--user', '999:999', '-v', `${cases}:/cases:ro`, '-v', `${out}:/out`,
      '--entrypoint', 'sh', REDIS_7_0], driver.join('\n') + '\n');
    const read = (file: string) => fs.readFileSync(path.join(out, file), 'utf8').split('\n').filter(Boolean);
    RETENTION_CASES.forEach((c, i) => {
      const names = c.backups.map((at) => backupFileName('cache', '7.2', utc(at)));
      expect({ title: c.title, kept: read(`retention-${i}`) }).toEqual({ title: c.title, kept: backupsToKeep(names, c.policy, utc(c.now)) });
    });
    SCHEDULE_CASES.forEach((c, i) => {
      expect({ title: c.title, next: Number(read(`schedule-${i}`)[0]) }).toEqual({ title: c.title, next: nextBackupAfter(c.schedule, utc(c.now).getTime() / 1000) });
    });
  });

  test('pruning a directory removes what prunePlan removes: never on-demand backups, other databases\' files or foreign files', async () => {
    const now = new Date();
    const day = (daysAgo: number, hour = 2) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, hour));
    const backups = dir('prune');
    const meta = (handle: string, version: string, trigger = 'scheduled') => `writer=cdktf-docker-redis\nhandle=${handle}\nengine=redis\nversion=${version}\ntrigger=${trigger}\n`;
    const put = (file: string, content: string) => {
      fs.writeFileSync(path.join(backups, file), content);
      fs.chownSync(path.join(backups, file), 999, 999);
    };
    const backup = (name: string, metaText?: string) => {
      put(name, 'REDIS0011');
      put(`${name}.b2sum`, `${b2sum('REDIS0011')}  ${name}\n`);
      if (metaText !== undefined) put(`${name}.meta`, metaText);
    };
    for (let d = 1; d <= 40; d++) backup(backupFileName('cache', d % 2 ? '7.2' : '7.0', day(d)), meta('cache', d % 2 ? '7.2' : '7.0'));
    backup(backupFileName('cache', '7.2', day(3, 9)), meta('cache', '7.2', 'on-demand'));
    backup(backupFileName('cache-2', '7.2', day(5)), meta('cache-2', '7.2'));
    backup(backupFileName('cache', '7.2', day(6, 9)));
    backup(backupFileName('cache', '7.2', day(7, 9)), meta('other', '7.2'));
    backup(backupFileName('cache', '7.2', day(8, 9)), meta('cache', '7.0'));
    put('notes.txt', 'mine\n');
    put(`.${backupFileName('cache', '7.2', day(9))}.tmp`, 'someone else\'s temporary file');
    const files = fs.readdirSync(backups).map((name) => ({
      name,
      meta: name.endsWith('.meta') ? Object.fromEntries(fs.readFileSync(path.join(backups, name), 'utf8').trim().split('\n').map((l) => l.split('='))) : undefined,
    }));
    const policy = { daily: 5, monthly: 1, yearly: 0 };
    const plan = prunePlan('cache', files, RedisVersion.NAMES, policy, now);
    expect(plan.remove.length).toBeGreaterThan(30);

    const config = dir('prune-config', 0);
    upload(path.join(config, 'backup.sh'), renderBackupScript({ ...base, schedule: { startSecondsUtc: 0, everyHours: 24 }, retention: policy }), 0o644);
    const result = await runToEnd({ image: REDIS_7_0, mounts: [[backups, '/data'], [config, '/config', 'ro']], entrypoint: 'sh', args: ['/config/backup.sh', 'prune'] });
    expect(result.code).toBe(0);
    const removedByScript = files.map((f) => f.name).filter((name) => !fs.existsSync(path.join(backups, name))).sort();
    expect(removedByScript).toEqual(plan.remove.flatMap((name) => [name, `${name}.b2sum`, `${name}.meta`]).sort());
    expect(fs.readFileSync(path.join(backups, 'cache.index'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0])).toEqual(plan.keep);
  });
});
