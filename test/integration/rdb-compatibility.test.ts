/**
 * The table of RDB formats (lib/private/compatibility.ts) against the real
 * servers: every Redis-family test image writes a snapshot of the same data
 * set, and every image starts from every snapshot. Where the table says a
 * version reads a format, the server comes up with every key and value;
 * where it says it does not, the server refuses to start with the engine's
 * own error. Followers are held to the same table; two replication checks
 * show what that means across engines.
 *
 * The test images carry Redis 7.0 (format 10) and 8.0 (format 12), Valkey
 * 8.0 and 8.1 (format 11, the format of Redis 7.2) and 9.1 (format 80). No
 * Debian suite ships Redis 7.2: Redis 7.0 is the nearest older Redis that
 * writes a format Valkey must read, and Valkey 8's format 11 files loading
 * into Redis 8.0 show that format 11 is one format across the engines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rdbFormatIncompatibility } from '../../lib/private/compatibility';
import { engineFiles } from '../../lib/private/engine';
import { connectClient, parseInfo, Redis } from '../support/clients';
import { freePort, requireTools, RunningProcess, stopAll, tempDir, waitFor } from '../support/processes';
import { inImage, removeDeadRunsContainers } from '../support/runners';
import { REDIS_FAMILY_IMAGES, requireImages, ServerImage } from '../support/server-images';

jest.setTimeout(120_000);
requireTools('docker');

const SERVER_USER = { uid: 999, gid: 999 };
const workDir = tempDir('rdb');
const LARGE = 200;

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages(REDIS_FAMILY_IMAGES.map((s) => s.image));
});
afterAll(async () => {
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function dirFor(name: string): string {
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, SERVER_USER.uid, SERVER_USER.gid);
  return dir;
}

interface Started {
  readonly process: RunningProcess;
  readonly port: number;
  /** A connection, or undefined when the server exited before serving. */
  readonly client?: Redis;
}

/** Starts a server on `dir` and waits until it serves or exits, whichever comes first. */
async function start(server: ServerImage, name: string, dir: string, extra: string[] = []): Promise<Started> {
  const port = await freePort();
  const command = [engineFiles(server.version).serverBinary, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no', ...extra];
  const proc = inImage(server.image).start(name, command, dir, SERVER_USER, dir);
  const client = await waitFor(`${name} (${server.image}) to serve or exit`, async () => {
    if (proc.child.exitCode !== null) return null;
    const c = await connectClient({ port, connectTimeout: 2000 });
    try {
      await c.ping();
      return c;
    } catch (e) {
      // Still loading the snapshot.
      c.disconnect();
      throw e;
    }
  }, 30_000);
  return { process: proc, port, client: client ?? undefined };
}

async function stop(started: Started): Promise<void> {
  started.client?.disconnect();
  await started.process.kill('SIGKILL');
}

/** Every RDB value type in the encodings each writes for small and for large collections. */
async function writeDataSet(client: Redis): Promise<void> {
  const many = Array.from({ length: LARGE }, (_, i) => `member-${i}`);
  await client.set('string', 'value');
  await client.set('counter', '12345');
  await client.set('expiring', 'soon', 'EX', 86_400);
  await client.hset('hash:small', { f1: 'v1', f2: 'v2' });
  await client.hset('hash:large', Object.fromEntries(many.map((m) => [m, `v-${m}`])));
  await client.rpush('list', 'a', 'b', 'c');
  await client.sadd('set:strings', 'x', 'y', 'z');
  await client.sadd('set:integers', '1', '2', '3');
  await client.sadd('set:large', ...many);
  await client.zadd('zset:small', 1, 'one', 2, 'two');
  await client.zadd('zset:large', ...many.flatMap((m, i) => [i, m]));
  await client.xadd('stream', '1-1', 'field', 'value');
  await client.xgroup('CREATE', 'stream', 'readers', '0');
}

/** The data set as plain values, key by key, to compare what a server loaded with what was written. */
async function readDataSet(client: Redis): Promise<Record<string, unknown>> {
  const keys = ((await client.keys('*')) as string[]).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await client.type(key);
    if (type === 'string') out[key] = await client.get(key);
    else if (type === 'hash') out[key] = await client.hgetall(key);
    else if (type === 'list') out[key] = await client.lrange(key, 0, -1);
    else if (type === 'set') out[key] = (await client.smembers(key)).sort();
    else if (type === 'zset') out[key] = await client.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'stream') out[key] = { entries: await client.xrange(key, '-', '+'), groups: (await client.xinfo('GROUPS', key) as unknown[][]).length };
    else throw new Error(`key ${key} has type ${type}, which the data set does not write`);
  }
  out['expiring:ttl-kept'] = (await client.ttl('expiring')) > 0;
  return out;
}

/** The format in a snapshot's header: `REDIS0011`, or `VALKEY080` from Valkey 9 on. */
function headerFormat(file: Buffer): number {
  const header = /^(?:REDIS|VALKEY)(\d{3,4})/.exec(file.subarray(0, 10).toString('latin1'));
  if (!header) throw new Error(`not an RDB file: ${JSON.stringify(file.subarray(0, 10).toString('latin1'))}`);
  return Number(header[1]);
}

const written = new Map<string, { snapshot: Buffer; dataSet: Record<string, unknown> }>();
type Outcome = { loaded: Record<string, unknown> } | { refusal: string };
const outcomes = new Map<string, Outcome>();
const pairKey = (writer: ServerImage, reader: ServerImage, extra: string[] = []) => [writer.label, reader.label, ...extra].join(' -> ');

/** Starts `reader` on a copy of `writer`'s snapshot; what it loaded, or the log of its refusal. */
async function load(writer: ServerImage, reader: ServerImage, extra: string[] = []): Promise<Outcome> {
  const dir = dirFor(`${writer.version.name}-into-${reader.version.name}${extra.length ? '-relaxed' : ''}`);
  fs.writeFileSync(path.join(dir, 'dump.rdb'), written.get(writer.label)!.snapshot);
  fs.chownSync(path.join(dir, 'dump.rdb'), SERVER_USER.uid, SERVER_USER.gid);
  const started = await start(reader, `load-${writer.version.name}-${reader.version.name}`, dir, extra);
  try {
    if (!started.client) return { refusal: started.process.log() };
    return { loaded: await readDataSet(started.client) };
  } finally {
    await stop(started);
  }
}

function expectRefusal(outcome: Outcome | undefined, writer: ServerImage): void {
  expect(outcome).toHaveProperty('refusal');
  const log = (outcome as { refusal: string }).refusal;
  expect(log).toMatch(/Fatal error loading the DB/);
  // A server that knows the magic string names the format; an older one stops at the VALKEY magic.
  const format = /Can't handle RDB format version (\d+)/.exec(log);
  if (format) expect(Number(format[1])).toBe(writer.version.rdbFormat);
  else expect(log).toMatch(/Wrong signature trying to load DB from file/);
}

const VALKEY_8_1 = REDIS_FAMILY_IMAGES.find((s) => s.label === 'Valkey 8.1')!;
const VALKEY_9_1 = REDIS_FAMILY_IMAGES.find((s) => s.label === 'Valkey 9.1')!;
const REDIS_7_0 = REDIS_FAMILY_IMAGES.find((s) => s.label === 'Redis 7.0')!;
const REDIS_8_0 = REDIS_FAMILY_IMAGES.find((s) => s.label === 'Redis 8.0')!;
const RELAXED = ['--rdb-version-check', 'relaxed'];

describe('RDB snapshots written by each test image, loaded by each', () => {
  beforeAll(async () => {
    await Promise.all(REDIS_FAMILY_IMAGES.map(async (writer) => {
      const dir = dirFor(`write-${writer.version.name}`);
      const started = await start(writer, `write-${writer.version.name}`, dir);
      try {
        if (!started.client) throw new Error(`${writer.label} did not start: ${started.process.log()}`);
        await writeDataSet(started.client);
        const dataSet = await readDataSet(started.client);
        await started.client.call('SAVE');
        written.set(writer.label, { snapshot: fs.readFileSync(path.join(dir, 'dump.rdb')), dataSet });
      } finally {
        await stop(started);
      }
    }));
    // Two at a time: every load is a container of its own on 2 cores.
    const pairs = [
      ...REDIS_FAMILY_IMAGES.flatMap((writer) => REDIS_FAMILY_IMAGES.map((reader) => ({ writer, reader, extra: [] as string[] }))),
      { writer: REDIS_8_0, reader: VALKEY_8_1, extra: RELAXED },
      { writer: REDIS_8_0, reader: VALKEY_9_1, extra: RELAXED },
    ];
    const queue = [...pairs];
    await Promise.all([0, 1].map(async () => {
      for (let pair = queue.shift(); pair; pair = queue.shift()) {
        outcomes.set(pairKey(pair.writer, pair.reader, pair.extra), await load(pair.writer, pair.reader, pair.extra));
      }
    }));
  });

  test.each(REDIS_FAMILY_IMAGES.map((s) => [s.label, s] as const))('%s writes the RDB format its catalog entry records', (_label, writer) => {
    expect(headerFormat(written.get(writer.label)!.snapshot)).toBe(writer.version.rdbFormat);
  });

  const pairs = REDIS_FAMILY_IMAGES.flatMap((writer) => REDIS_FAMILY_IMAGES.map((reader) => {
    const reason = rdbFormatIncompatibility(writer.version, reader.version);
    return [reason ? `fails to start ${reader.label} on a snapshot of ${writer.label}, as the table says: ${reason}` : `${reader.label} loads every key a snapshot of ${writer.label} holds`, writer, reader, reason] as const;
  }));

  test.each(pairs)('%s', (_title, writer, reader, reason) => {
    const outcome = outcomes.get(pairKey(writer, reader));
    if (reason) {
      expectRefusal(outcome, writer);
    } else {
      expect(outcome).toEqual({ loaded: written.get(writer.label)!.dataSet });
    }
  });

  test('fails to load Redis 8.0\'s format 12 into Valkey 8.1 even with rdb-version-check relaxed, which covers only newer Valkey formats there', () => {
    expectRefusal(outcomes.get(pairKey(REDIS_8_0, VALKEY_8_1, RELAXED)), REDIS_8_0);
  });

  test('loads Redis 8.0\'s format 12 into Valkey 9.1 with rdb-version-check relaxed: the strict check the constructs keep is a choice, not a limit of the server', () => {
    expect(outcomes.get(pairKey(REDIS_8_0, VALKEY_9_1, RELAXED))).toEqual({ loaded: written.get(REDIS_8_0.label)!.dataSet });
  });
});

describe('followers across engines', () => {
  const linkUp = async (client: Redis) => (parseInfo(await client.info('replication')).master_link_status === 'up' ? true : undefined);

  test('a Valkey 9.1 follower the table allows replicates a Redis 7.0 primary, the way from Redis to Valkey', async () => {
    const primary = await start(REDIS_7_0, 'cross-primary', dirFor('cross-primary'));
    const follower = await start(VALKEY_9_1, 'cross-follower', dirFor('cross-follower'), ['--replicaof', '127.0.0.1', String(primary.port)]);
    try {
      await writeDataSet(primary.client!);
      await waitFor('the follower\'s link to its primary', () => linkUp(follower.client!), 30_000);
      await primary.client!.set('after-sync', 'replicated');
      await waitFor('a write after the sync on the follower', async () => ((await follower.client!.get('after-sync')) === 'replicated' ? true : undefined));
      expect(await readDataSet(follower.client!)).toEqual(await readDataSet(primary.client!));
    } finally {
      await stop(follower);
      await stop(primary);
    }
  });

  test('fails to sync a Redis 8.0 follower of Valkey 9.1 once a key needs format 80, which is why the table refuses that pair', async () => {
    const primary = await start(VALKEY_9_1, 'v9-primary', dirFor('v9-primary'), ['--repl-diskless-sync-delay', '0']);
    try {
      // Valkey 9.1 sends followers that announce no Valkey version a format 11 snapshot, which works only without its new types.
      await primary.client!.hset('plain', 'f', 'v');
      const early = await start(REDIS_8_0, 'v9-early-follower', dirFor('v9-early-follower'), ['--replicaof', '127.0.0.1', String(primary.port)]);
      try {
        await waitFor('the early follower\'s link', () => linkUp(early.client!), 30_000);
      } finally {
        await stop(early);
      }
      // A hash field with its own expiry exists only in format 80.
      await primary.client!.hset('expiring-field', 'f', 'v', 'g', 'w');
      await primary.client!.call('HEXPIRE', 'expiring-field', '3600', 'FIELDS', '1', 'f');
      const late = await start(REDIS_8_0, 'v9-late-follower', dirFor('v9-late-follower'), ['--replicaof', '127.0.0.1', String(primary.port)]);
      try {
        await waitFor('the primary to give up the full sync', async () => (/Can't store key .* in RDB version 11/.test(primary.process.log()) ? true : undefined), 30_000);
        expect(parseInfo(await late.client!.info('replication')).master_link_status).toBe('down');
        expect(await late.client!.dbsize()).toBe(0);
      } finally {
        await stop(late);
      }
    } finally {
      await stop(primary);
    }
  });
});
