/**
 * The Sentinel logins against real Sentinels of every test image whose server
 * runs a failover group (6.2 and later: Redis 7.0 and 8.0, Valkey 8.0, 8.1 and
 * 9.1; the 6.0 image is refused by RedisFailover, test/construct). Two
 * Sentinels run from the sentinel.conf renderSentinelConf writes, watching a
 * primary and a replica of the same image (their `sentinel` user with the
 * library's internal rules):
 *
 * - the apps' login (`default`) runs each discovery command and is refused
 *   (NOPERM) every admin command the server has; the admin login runs one, so
 *   the refusal is the login's doing;
 * - ioredis in sentinel mode and node-redis's sentinel client, logged in as the
 *   apps, find the primary, and after the primary is killed, follow the
 *   failover to the replica; the apps' own subscriptions (ioredis's channel,
 *   node-redis's patterns) receive the failover's messages. The failover needs
 *   both Sentinels (quorum 2, and a majority of 2 to elect a leader), so it also
 *   shows the Sentinels logging in to each other as `admin`;
 * - during all that client traffic, the Sentinels refused the apps' login
 *   nothing but the CLIENT subcommands both clients send and ignore refusals of.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { createSentinel } from 'redis';
import { renderSentinelConf, SENTINEL_ADMIN_USER, SENTINEL_APP_USER } from '../../lib/failover/sentinel-conf';
import { engineFeatures, engineFiles } from '../../lib/private/engine';
import { internalUserRules } from '../../lib/users/acl-rules';
import { connectClient, errorOf, Redis } from '../support/clients';
import { freePort, requireTools, RunningProcess, stopAll, tempDir, waitFor } from '../support/processes';
import { inImage, removeDeadRunsContainers } from '../support/runners';
import { REDIS_FAMILY_IMAGES, requireImages, ServerImage } from '../support/server-images';

jest.setTimeout(180_000);
requireTools('docker');

const MASTER = 'fo';
const DOWN_AFTER_MS = 1000;
const passwords = { app: randomBytes(24).toString('hex'), admin: randomBytes(24).toString('hex'), nodeSentinel: randomBytes(24).toString('hex') };
/** Both clients send these on every connection and go on when refused (their sources say so: see sentinel-conf.ts). */
const IGNORED_BY_CLIENTS = ['client|setinfo', 'client|maint_notifications'];

const SENTINEL_IMAGES = REDIS_FAMILY_IMAGES.filter((s) => engineFeatures(s.version).aclChannels);

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages(SENTINEL_IMAGES.map((s) => s.image));
});
afterAll(() => stopAll());

test('every test image from 6.2 on runs here; the one before (6.0) cannot run a failover group', () => {
  expect(SENTINEL_IMAGES.map((s) => s.label)).toEqual(['Redis 7.0', 'Redis 8.0', 'Valkey 8.0', 'Valkey 8.1', 'Valkey 9.1']);
  expect(REDIS_FAMILY_IMAGES.filter((s) => !SENTINEL_IMAGES.includes(s)).map((s) => s.label)).toEqual(['Redis 6.0']);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The fields of a SENTINEL reply entry (a flat name/value list, or a map under RESP3). */
function fields(entry: unknown): Record<string, string> {
  if (Array.isArray(entry)) return Object.fromEntries(entry.flatMap((v, i) => (i % 2 === 0 ? [[String(v), String(entry[i + 1])]] : [])));
  return Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** The port of the server a client is connected to, as that server says. */
async function servingPort(client: Redis): Promise<number> {
  return Number(/^tcp_port:(\d+)/m.exec(await client.info('server'))?.[1]);
}

interface Proc {
  readonly port: number;
  readonly process: RunningProcess;
}

describe.each(SENTINEL_IMAGES.map((s) => [s.label, s] as const))('%s', (_label, server: ServerImage) => {
  const { engine, major, minor } = server.version;
  const { serverBinary, sentinelBinary } = engineFiles(server.version);
  const dir = tempDir('sentinel-login');
  fs.chmodSync(dir, 0o755);
  let primary: Proc;
  let replica: Proc;
  const sentinels: Proc[] = [];
  const closers: (() => Promise<unknown> | void)[] = [];

  async function startNode(name: string, extra: string[]): Promise<Proc> {
    const port = await freePort();
    // Its own data dir, the server user's: a replica writes the full sync's RDB there.
    const nodeDir = path.join(dir, name);
    fs.mkdirSync(nodeDir);
    fs.chownSync(nodeDir, 999, 999);
    const conf = path.join(dir, `${name}.conf`);
    fs.writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${nodeDir}`, 'save ""', 'appendonly no', 'repl-diskless-sync-delay 0',
      'user default on nopass ~* &* +@all',
      `user sentinel on #${sha256(passwords.nodeSentinel)} ${internalUserRules(engine, major, minor).sentinel}`,
      ...extra,
    ].join('\n') + '\n', { mode: 0o644 });
    const proc = inImage(server.image).start(name, [serverBinary, conf], nodeDir, { uid: 999, gid: 999 }, dir);
    await waitFor(`${name} (${server.image}) on port ${port}`, async () => {
      if (proc.child.exitCode !== null) throw new Error(`${name} exited: ${proc.log()}`);
      const client = await connectClient({ port });
      client.disconnect();
      return true;
    }, 30_000);
    return { port, process: proc };
  }

  async function startSentinel(n: number, primaryPort: number): Promise<Proc> {
    const port = await freePort();
    const sentinelDir = path.join(dir, `sentinel-${n}`);
    fs.mkdirSync(sentinelDir);
    const conf = path.join(sentinelDir, 'sentinel.conf');
    fs.writeFileSync(conf, renderSentinelConf({
      masterName: MASTER,
      primaryHost: '127.0.0.1',
      primaryPort: String(primaryPort),
      quorum: 2,
      downAfterMs: DOWN_AFTER_MS,
      failoverTimeoutMs: 60_000,
      myid: sha256(`sentinel-${n}`).slice(0, 40),
      announceIp: '127.0.0.1',
      announcePort: port,
      listenPort: port,
      authUser: 'sentinel',
      authPass: passwords.nodeSentinel,
      appPassHash: sha256(passwords.app),
      adminPass: passwords.admin,
      adminPassHash: sha256(passwords.admin),
      hostnames: false,
      dataDir: sentinelDir,
    }));
    // The rendered config has no bind (a container's port is published where the props say); here it stays on loopback.
    // Sentinel rewrites its config through a temporary file beside it: root, as the acl-rules suite runs it.
    const proc = inImage(server.image).start(`sentinel-${n}`, [sentinelBinary, conf, '--bind', '127.0.0.1'], sentinelDir, { uid: 0, gid: 0 }, dir);
    await waitFor(`sentinel-${n} (${server.image}) on port ${port}`, async () => {
      if (proc.child.exitCode !== null) throw new Error(`sentinel-${n} exited: ${proc.log()}`);
      const client = await connectClient({ port, username: SENTINEL_ADMIN_USER, password: passwords.admin, enableReadyCheck: false });
      client.disconnect();
      return true;
    }, 30_000);
    return { port, process: proc };
  }

  const connectAs = (port: number, user: 'app' | 'admin'): Promise<Redis> => connectClient({
    port, username: user === 'app' ? SENTINEL_APP_USER : SENTINEL_ADMIN_USER, password: passwords[user], enableReadyCheck: false,
  });

  async function ask(port: number, user: 'app' | 'admin', ...args: (string | number)[]): Promise<any> {
    const client = await connectAs(port, user);
    try {
      return await client.call('SENTINEL', ...args.map(String));
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    primary = await startNode('primary', []);
    replica = await startNode('replica', [`replicaof 127.0.0.1 ${primary.port}`]);
    await waitFor('the replica to finish its sync', async () => {
      const client = await connectClient({ port: primary.port });
      try {
        return /^slave0:.*state=online/m.test(await client.info('replication')) ? true : undefined;
      } finally {
        client.disconnect();
      }
    }, 30_000, 100);
    sentinels.push(await startSentinel(1, primary.port), await startSentinel(2, primary.port));
    await waitFor('each Sentinel to know the replica and the other Sentinel', async () => {
      for (const s of sentinels) {
        const known = ((await ask(s.port, 'admin', 'REPLICAS', MASTER)) as unknown[]).map(fields);
        const others = ((await ask(s.port, 'admin', 'SENTINELS', MASTER)) as unknown[]).map(fields);
        if (known.length !== 1 || known[0].flags !== 'slave' || others.length !== 1) return undefined;
      }
      return true;
    }, 60_000, 200);
  });
  afterAll(async () => {
    for (const close of closers) await close();
    for (const p of [...sentinels, replica, primary]) if (p) await p.process.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the apps\' login runs each discovery command: the primary, the replicas (both names), the other Sentinels', async () => {
    const [s1, s2] = sentinels;
    expect(await ask(s1.port, 'app', 'GET-MASTER-ADDR-BY-NAME', MASTER)).toEqual(['127.0.0.1', String(primary.port)]);
    expect(fields(await ask(s1.port, 'app', 'MASTER', MASTER))).toMatchObject({ name: MASTER, port: String(primary.port), flags: 'master' });
    for (const sub of ['REPLICAS', 'SLAVES']) {
      expect(((await ask(s1.port, 'app', sub, MASTER)) as unknown[]).map((e) => fields(e).port)).toEqual([String(replica.port)]);
    }
    expect(((await ask(s1.port, 'app', 'SENTINELS', MASTER)) as unknown[]).map((e) => fields(e).port)).toEqual([String(s2.port)]);
  });

  test('the apps\' login gets NOPERM for every admin command the Sentinel has; the admin login runs SENTINEL SET', async () => {
    const port = sentinels[0].port;
    const commands: string[][] = [
      ['SENTINEL', 'SET', MASTER, 'quorum', '1'],
      ['SENTINEL', 'REMOVE', MASTER],
      ['SENTINEL', 'MONITOR', 'other', '127.0.0.1', String(primary.port), '1'],
      ['SENTINEL', 'FAILOVER', MASTER],
      ['SENTINEL', 'RESET', '*'],
      ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no'],
      ['SENTINEL', 'FLUSHCONFIG'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(primary.port), '0', '*'],
      ['SENTINEL', 'SIMULATE-FAILURE', 'crash-after-election'],
      ['SENTINEL', 'DEBUG'],
      ['ACL', 'SETUSER', 'intruder', 'on', '>x', '+@all'],
      ['ACL', 'LIST'],
      ['CLIENT', 'KILL', 'ID', '1'],
      ['PUBLISH', '+switch-master', 'forged'],
      ['SHUTDOWN', 'NOSAVE'],
      ['PING'],
      ['INFO'],
      ['DEBUG', 'SLEEP', '0'],
      ['CONFIG', 'SET', 'maxclients', '1'],
    ];
    const admin = await connectAs(port, 'admin');
    const app = await connectAs(port, 'app');
    try {
      // Which of them this Sentinel has: COMMAND INFO names a command or subcommand it has, and answers nil for one it lacks.
      const names = commands.map((c) => (c[0] === 'SENTINEL' || c[0] === 'ACL' || c[0] === 'CLIENT' || c[0] === 'CONFIG' ? `${c[0]}|${c[1]}` : c[0]).toLowerCase());
      const infos = (await admin.call('COMMAND', 'INFO', ...names)) as unknown[];
      const has = names.map((_, i) => infos[i] !== null);
      const replies: string[] = [];
      for (const command of commands) replies.push(await errorOf(app.call(command[0], ...command.slice(1))));
      const got = Object.fromEntries(commands.map((c, i) => [c.slice(0, 2).join(' '), replies[i].split(' ')[0]]));
      const expected = Object.fromEntries(commands.map((c, i) => [c.slice(0, 2).join(' '), has[i] ? 'NOPERM' : 'ERR']));
      expect(got).toEqual(expected);
      // Those the issue names are there on every line, so the NOPERMs above are never vacuous.
      expect(names.filter((_, i) => has[i])).toEqual(expect.arrayContaining([
        'sentinel|set', 'sentinel|remove', 'sentinel|monitor', 'sentinel|failover', 'sentinel|reset', 'sentinel|config', 'acl|setuser', 'shutdown',
      ]));
      // The control: the same Sentinel lets its admin login change the group (to the value it has).
      expect(await admin.call('SENTINEL', 'SET', MASTER, 'quorum', '2')).toBe('OK');
      expect(fields(await admin.call('SENTINEL', 'MASTER', MASTER)).quorum).toBe('2');
      expect(await ask(port, 'app', 'GET-MASTER-ADDR-BY-NAME', MASTER)).toEqual(['127.0.0.1', String(primary.port)]);
    } finally {
      admin.disconnect();
      app.disconnect();
    }
  });

  test('ioredis and node-redis, logged in as the apps, find the primary and follow a failover; the apps\' subscriptions get its messages', async () => {
    // The refusals the test above caused are not the clients'.
    for (const s of sentinels) {
      const admin = await connectAs(s.port, 'admin');
      await admin.call('ACL', 'LOG', 'RESET');
      admin.disconnect();
    }
    const sentinelAddresses = sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
    // What ioredis subscribes to, and node-redis's patterns, each on a connection of the apps' login.
    const messages: string[] = [];
    const subscriber = await connectAs(sentinels[0].port, 'app');
    closers.push(() => subscriber.disconnect());
    subscriber.on('message', (channel: string) => messages.push(channel));
    subscriber.on('pmessage', (pattern: string) => messages.push(`pattern ${pattern}`));
    await subscriber.subscribe('+switch-master');
    await subscriber.psubscribe('switch-master', '[-+]sdown', '+slave', '+sentinel', '[-+]odown', '+slave-reconf-done');

    // ioredis's default `failoverDetector: false`: with it on, a +switch-master that arrives while the client is asking a
    // Sentinel for the primary ends the client for good (ioredis 6.0.0: SentinelConnector.connect throws once the
    // detector has disconnected it, and Redis.connect then sets the status to "end"); it failed one CI run here. The
    // subscriber above subscribes to the channel the detector would, on the same login.
    const io = new Redis({
      sentinels: sentinelAddresses, name: MASTER, sentinelUsername: SENTINEL_APP_USER, sentinelPassword: passwords.app,
      lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, commandTimeout: 2_000,
    });
    io.on('error', () => undefined);
    closers.push(() => io.disconnect());
    await io.connect();
    expect(await io.set('written-through', 'ioredis')).toBe('OK');
    expect(await servingPort(io)).toBe(primary.port);

    const nodeRedis = createSentinel({
      name: MASTER,
      sentinelRootNodes: sentinelAddresses,
      // No reconnects of its own: the sentinel client replaces its connections when Sentinel names another primary,
      // and a connection reconnecting to the killed primary would outlive the test.
      sentinelClientOptions: { username: SENTINEL_APP_USER, password: passwords.app, socket: { reconnectStrategy: false } },
      nodeClientOptions: { socket: { reconnectStrategy: false } },
    });
    nodeRedis.on('error', () => undefined);
    // close(), not destroy(): a destroyed sentinel client leaves its rediscovery retries running for half a minute.
    closers.push(() => nodeRedis.close().catch(() => undefined));
    await nodeRedis.connect();
    expect(await nodeRedis.set('written-through', 'node-redis')).toBe('OK');
    expect(await io.get('written-through')).toBe('node-redis');
    // On the replica before the primary goes: replication is asynchronous.
    expect(await io.call('WAIT', '1', '1500')).toBe(1);

    await primary.process.kill('SIGKILL');
    await waitFor('both Sentinels to name the replica as the primary', async () => {
      for (const s of sentinels) {
        if ((await ask(s.port, 'app', 'GET-MASTER-ADDR-BY-NAME', MASTER))[1] !== String(replica.port)) return undefined;
      }
      return true;
    }, 60_000, 200);
    await waitFor('ioredis to write on the new primary', async () => ((await io.set('after-failover', 'ioredis').catch(() => undefined)) === 'OK' ? true : undefined), 30_000, 200);
    expect(await servingPort(io)).toBe(replica.port);
    await waitFor('node-redis to write on the new primary', async () => ((await nodeRedis.set('after-failover-node', 'node-redis').catch(() => undefined)) === 'OK' ? true : undefined), 30_000, 200);
    const onReplica = await connectClient({ port: replica.port });
    try {
      expect([await onReplica.get('after-failover'), await onReplica.get('after-failover-node'), await onReplica.get('written-through')]).toEqual(['ioredis', 'node-redis', 'node-redis']);
    } finally {
      onReplica.disconnect();
    }
    await waitFor('the apps\' subscriptions to get +switch-master', async () => (messages.includes('+switch-master') ? true : undefined), 10_000);
    expect(messages).toEqual(expect.arrayContaining(['+switch-master', 'pattern [-+]sdown', 'pattern [-+]odown']));

    // Nothing the clients need was refused: only what both send and ignore refusals of.
    for (const s of sentinels) {
      const admin = await connectAs(s.port, 'admin');
      try {
        const log = ((await admin.call('ACL', 'LOG')) as unknown[]).map(fields);
        expect(log.filter((e) => e.username !== SENTINEL_APP_USER || !IGNORED_BY_CLIENTS.includes(e.object))).toEqual([]);
      } finally {
        admin.disconnect();
      }
    }
  });
});
