/**
 * The ACL tables and the internal users' rules against real servers: every
 * Redis-family test image (Redis 6.0, 7.0 and 8.0, Valkey 8.0, 8.1 and 9.1,
 * built from Debian's packages by scripts/build-test-images.sh). Each internal user
 * is loaded from an aclfile, as the constructs deploy them, then does its job
 * with the real client of that job (a replica, redis-cli --rdb, Sentinel,
 * redis_exporter) while the server's ACL LOG shows no command it refused.
 *
 * The table checks run both ways with no exception: the Debian builds (Redis
 * 6.0.16, 7.0.15 and 8.0.2, Valkey 8.0.1, 8.1.1 and 9.1.2) list exactly the
 * commands the tables hold for the pinned releases of their lines. Redis 6.0
 * has no subcommand table to list (no COMMAND LIST, and COMMAND INFO names no
 * subcommands): there the commands are compared, and its subcommands stay
 * checked as text against the source (test/unit).
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  aclCategories, aclCommands, aclRuleProblems, INTERNAL_USER_RULES, InternalUser, internalUserRules,
} from '../../lib/users/acl-rules';
import { aclRuleTokens } from '../../lib/private/acl-tokens';
import { engineFeatures, engineFiles } from '../../lib/private/engine';
import { connectClient, errorOf, parseInfo, Redis } from '../support/clients';
import { freePort, requireTools, RunningProcess, stopAll, tempDir, waitFor } from '../support/processes';
import { inImage, removeDeadRunsContainers } from '../support/runners';
import { REDIS_EXPORTER_IMAGE, REDIS_FAMILY_IMAGES, requireImages, ServerImage } from '../support/server-images';
import { httpGet } from '../support/http';

jest.setTimeout(120_000);
requireTools('docker');

const USERS = Object.keys(INTERNAL_USER_RULES) as InternalUser[];
const passwords = Object.fromEntries(USERS.map((user) => [user, randomBytes(24).toString('hex')])) as Record<InternalUser, string>;

beforeAll(() => {
  removeDeadRunsContainers();
  requireImages([...REDIS_FAMILY_IMAGES.map((s) => s.image), REDIS_EXPORTER_IMAGE]);
});
afterAll(() => stopAll());

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The aclfile the constructs deploy: the internal users, and a default user for the test's own checks. */
function writeAclFile(server: ServerImage, dir: string): string {
  const { engine, major, minor } = server.version;
  const rules = internalUserRules(engine, major, minor);
  // Channel rules (&*) exist from 6.2: 6.0 refuses the whole file on one.
  const all = engineFeatures(server.version).aclChannels ? '~* &* +@all' : '~* +@all';
  const lines = [`user default on nopass ${all}`, ...USERS.map((user) => `user ${user} on #${sha256(passwords[user])} ${rules[user]}`)];
  const file = path.join(dir, 'users.acl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o644 });
  return file;
}

interface Server {
  readonly port: number;
  readonly process: RunningProcess;
  readonly admin: Redis;
}

async function startServer(server: ServerImage, dir: string, name: string, extra: string[] = []): Promise<Server> {
  const port = await freePort();
  const { serverBinary } = engineFiles(server.version);
  const command = [serverBinary, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--aclfile', writeAclFile(server, dir), ...extra];
  const proc = inImage(server.image).start(name, command, dir, { uid: 999, gid: 999 }, dir);
  const admin = await waitFor(`${name} (${server.image}) on port ${port}`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited: ${proc.log()}`);
    return connectClient({ port });
  }, 30_000);
  return { port, process: proc, admin };
}

async function stopServer(server: Server): Promise<void> {
  server.admin.disconnect();
  await server.process.kill('SIGKILL');
}

/** The commands the server refused `user` since the last ACL LOG RESET, as `reason object`. */
async function refusals(admin: Redis, user: InternalUser): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
  return entries
    .map((entry) => Object.fromEntries(entry.flatMap((value, i) => (i % 2 === 0 ? [[value, entry[i + 1]]] : []))) as Record<string, unknown>)
    .filter((entry) => entry.username === user)
    .map((entry) => `${entry.reason} ${entry.object}`);
}

async function withClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = await waitFor(`a connection to port ${port}`, () => connectClient({ port, enableReadyCheck: false }));
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function connectAs(port: number, user: InternalUser): Promise<Redis> {
  // No INFO ready check: most internal users may not run INFO.
  return connectClient({ port, username: user, password: passwords[user], enableReadyCheck: false });
}

/**
 * 7.0+: `COMMAND LIST` names every command and subcommand; `COMMAND INFO` lists each command's subcommands again.
 * 6.x: `COMMAND` (each reply's first field) names the commands, and nothing names their subcommands.
 */
async function serverCommands(admin: Redis, hasSubcommandTable: boolean): Promise<Set<string>> {
  if (!hasSubcommandTable) return new Set(((await admin.call('COMMAND')) as unknown[][]).map((info) => String(info[0]).toLowerCase()));
  const names = new Set(((await admin.call('COMMAND', 'LIST')) as string[]).map((name) => name.toLowerCase()));
  const infos = (await admin.call('COMMAND', 'INFO', ...[...names].filter((name) => !name.includes('|')))) as unknown[][];
  for (const info of infos) {
    for (const sub of (info[9] as unknown[][] | undefined) ?? []) names.add(String(sub[0]).toLowerCase());
  }
  return names;
}

describe.each(REDIS_FAMILY_IMAGES.map((s) => [s.label, s] as const))('ACL rules on %s', (_label, server) => {
  const { engine, major, minor } = server.version;
  const { serverBinary, cliBinary } = engineFiles(server.version);
  // The subcommand table (COMMAND LIST, `-command|sub`) came with 7.0; every Valkey has it.
  const hasSubcommandTable = engine === 'valkey' || major >= 7;
  const dir = tempDir('acl-rules-server');
  let primary: Server;

  beforeAll(async () => {
    primary = await startServer(server, dir, 'primary');
  });
  afterAll(async () => {
    if (primary) await stopServer(primary);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await primary.admin.call('ACL', 'LOG', 'RESET');
  });

  test('the category table is what ACL CAT lists', async () => {
    const listed = ((await primary.admin.call('ACL', 'CAT')) as string[]).sort();
    expect(listed).toEqual([...aclCategories(engine, major, minor)].sort());
  });

  test(`the command table is what ${hasSubcommandTable ? 'COMMAND LIST and COMMAND INFO list' : 'COMMAND lists, subcommands aside'}`, async () => {
    const listed = await serverCommands(primary.admin, hasSubcommandTable);
    const table = new Set([...aclCommands(engine, major, minor)].filter((name) => hasSubcommandTable || !name.includes('|')));
    // A floor that shows the reply was read: 6.0 has about 200 commands, later lines 300 and more names with their subcommands.
    expect(listed.size).toBeGreaterThan(hasSubcommandTable ? 300 : 200);
    expect({ missingFromTable: [...listed].filter((name) => !table.has(name)).sort(), unknownToServer: [...table].filter((name) => !listed.has(name)).sort() })
      .toEqual({ missingFromTable: [], unknownToServer: [] });
  });

  // Without a subcommand table, 6.x takes any word after "|" of a command it knows; the check refuses what
  // the command's code would never match, so that a misspelling fails at synth and not when the user runs it.
  const stricterThanServer = hasSubcommandTable ? [] : ['+config|nosuch', '+config|get|maxmemory', '+client|capa'];

  // Rules the construct does not own: the check must refuse exactly what ACL SETUSER refuses, but for the
  // rules above, which the server must take (or the exception is not needed).
  test.each([
    '+get ~app:*', '+nosuchcmd', '-flushal', '+@nosuch', '+config|get', '+config|nosuch', '-config|set', '+select|0', '-select|0',
    '+config|get|maxmemory', '+config|', 'allkeys ~app:*', 'resetkeys ~* resetkeys ~app:*', 'allchannels &chan', 'resetchannels &chan',
    '%R~in:* %W~out:* %RW~both:*', '%RR~a', '%~a', '%X~a', '(+get ~a) clearselectors', '(+get on)', '(+get', 'sanitize-payload',
    'db=0,1', 'alldbs', 'db=x', '+vadd', '+hgetdel', '+commandlog', '+client|capa', '+lcs', 'allkey',
    // The 6.x hardening's form (the whole command off, then a subcommand on), and a subcommand on top of the whole command.
    '+@all -config +config|get', '+@all +config|get',
  ])('refuses %s exactly when ACL SETUSER does', async (rules) => {
    await primary.admin.call('ACL', 'DELUSER', 'probe');
    const reply = await errorOf(primary.admin.call('ACL', 'SETUSER', 'probe', ...aclRuleTokens(rules)));
    // The user list of the tests below holds only the aclfile's users.
    await primary.admin.call('ACL', 'DELUSER', 'probe');
    const refusedByServer = reply !== 'no error';
    const expected = stricterThanServer.includes(rules) ? { refusedByCheck: true, refusedByServer: false } : { refusedByCheck: refusedByServer, refusedByServer };
    expect({ rules, refusedByCheck: aclRuleProblems(engine, major, minor, rules).length > 0, refusedByServer }).toEqual({ rules, ...expected });
  });

  test('every internal user loads from the aclfile with its rules', async () => {
    const users = ((await primary.admin.call('ACL', 'USERS')) as string[]).sort();
    expect(users).toEqual(['default', ...USERS].sort());
  });

  test.each(USERS)('the %s user gets NOPERM for FLUSHALL, CONFIG SET maxmemory and KEYS *', async (user) => {
    const client = await connectAs(primary.port, user);
    try {
      const replies = [
        await errorOf(client.call('FLUSHALL')),
        await errorOf(client.call('CONFIG', 'SET', 'maxmemory', '1mb')),
        await errorOf(client.call('KEYS', '*')),
      ];
      expect(replies.map((reply) => reply.split(' ')[0])).toEqual(['NOPERM', 'NOPERM', 'NOPERM']);
    } finally {
      client.disconnect();
    }
  });

  test('the health user passes the healthcheck, AUTH then PING piped into the cli', async () => {
    const output = inImage(server.image).run([cliBinary, '-h', '127.0.0.1', '-p', String(primary.port)], undefined, `AUTH health ${passwords.health}\nPING\n`);
    expect(output.trim().split('\n')).toEqual(['OK', 'PONG']);
    expect(await refusals(primary.admin, 'health')).toEqual([]);
  });

  test('the replication user lets a replica sync', async () => {
    await primary.admin.set('acl:replicated', 'yes');
    const replica = await startServer(server, dir, 'replica', [
      '--replicaof', '127.0.0.1', String(primary.port), '--masteruser', 'replication', '--masterauth', passwords.replication,
    ]);
    try {
      await waitFor('the replica to finish its sync', async () => {
        const info = parseInfo(await replica.admin.info('replication'));
        return info.master_link_status === 'up' && info.master_sync_in_progress === '0' ? true : undefined;
      }, 30_000);
      expect(await replica.admin.get('acl:replicated')).toBe('yes');
    } finally {
      await stopServer(replica);
    }
    expect(await refusals(primary.admin, 'replication')).toEqual([]);
  });

  test(`the backup user lets ${cliBinary} --rdb pull a snapshot`, async () => {
    const file = path.join(dir, 'backup.rdb');
    const output = inImage(server.image).run(
      [cliBinary, '-h', '127.0.0.1', '-p', String(primary.port), '--user', 'backup', '--askpass', '--rdb', file],
      dir,
      `${passwords.backup}\n`,
    );
    expect(output).not.toContain(passwords.backup);
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toMatch(/^(REDIS|VALKE)/);
    expect(await refusals(primary.admin, 'backup')).toEqual([]);
  });

  test('the exporter user lets redis_exporter scrape the server', async () => {
    const metricsPort = await freePort();
    const exporter = inImage(REDIS_EXPORTER_IMAGE).start('exporter', [
      '--redis.addr', `redis://127.0.0.1:${primary.port}`, '--redis.user', 'exporter', '--redis.password', passwords.exporter,
      '--web.listen-address', `127.0.0.1:${metricsPort}`, '--config-command', '-',
    ], dir, { uid: 59000, gid: 59000 }, dir);
    try {
      const metrics = await waitFor('redis_exporter metrics', async () => httpGet(`http://127.0.0.1:${metricsPort}/metrics`));
      expect(metrics).toMatch(/^redis_up 1$/m);
      expect(metrics).toMatch(/^redis_memory_max_bytes \d+$/m);
    } finally {
      await exporter.kill('SIGKILL');
    }
    expect(await refusals(primary.admin, 'exporter')).toEqual([]);
  });

  // Valkey 9's SENTINEL FAILOVER ... COORDINATED sends the primary CLIENT PAUSE, FAILOVER TO and CLIENT UNPAUSE.
  const failovers = engine === 'valkey' && major >= 9 ? ['plain', 'coordinated'] : ['plain'];
  test.each(failovers)('the sentinel user lets Sentinel monitor the servers and make a %s failover', async (failover) => {
    // A pair of its own: on failover Sentinel kills every normal client of both servers.
    const old = await startServer(server, dir, 'sentinel-primary');
    const replica = await startServer(server, dir, 'sentinel-replica', [
      '--replicaof', '127.0.0.1', String(old.port), '--masteruser', 'replication', '--masterauth', passwords.replication,
    ]);
    const sentinelPort = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, [
      `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor db 127.0.0.1 ${old.port} 1`, 'sentinel auth-user db sentinel', `sentinel auth-pass db ${passwords.sentinel}`,
    ].join('\n') + '\n');
    // Sentinel rewrites its config file through a temporary file beside it, in a directory only root may write.
    const sentinel = inImage(server.image).start('sentinel', [serverBinary, conf, '--sentinel'], dir, { uid: 0, gid: 0 }, dir);
    const role = async (port: number) => withClient(port, async (client) => (await client.call('ROLE')) as unknown[]);
    try {
      // FAILOVER TO, which a coordinated failover sends, needs the replica online.
      await waitFor('the replica to come online', async () => withClient(old.port, async (client) => (
        /^slave0:.*state=online/m.test(await client.info('replication')) ? true : undefined
      )), 30_000);
      await withClient(sentinelPort, async (monitor) => {
        await waitFor('Sentinel to see the replica', async () => {
          const replicas = (await monitor.call('SENTINEL', 'REPLICAS', 'db')) as string[][];
          const flags = replicas.map((fields) => fields[fields.indexOf('flags') + 1]);
          return flags.length === 1 && !/disconnected|down/.test(flags[0]) ? true : undefined;
        }, 30_000);
        expect(await monitor.call('SENTINEL', 'FAILOVER', 'db', ...(failover === 'coordinated' ? ['COORDINATED'] : []))).toBe('OK');
      });
      await waitFor('the replica to become the primary', async () => ((await role(replica.port))[0] === 'master' ? true : undefined), 30_000);
      await waitFor('the old primary to follow it', async () => {
        const [kind, , port] = await role(old.port);
        return kind === 'slave' && port === replica.port ? true : undefined;
      }, 30_000);
      expect({
        oldPrimary: await withClient(old.port, (client) => refusals(client, 'sentinel')),
        newPrimary: await withClient(replica.port, (client) => refusals(client, 'sentinel')),
      }).toEqual({ oldPrimary: [], newPrimary: [] });
    } finally {
      await sentinel.kill('SIGKILL');
      await stopServer(replica);
      await stopServer(old);
    }
  });
});
