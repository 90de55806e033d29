/**
 * ACL rule lists (Redis 6.0+, every Valkey), checked at synth: a rule the
 * server does not take in an ACL file makes it abort at startup, so a
 * misspelt command or category must fail `cdktf synth` instead.
 *
 * The tables hold, per engine release line, the ACL categories (`ACL CAT`)
 * and the command names with their subcommands as `command|subcommand`, read
 * from the server's sources at the pinned release or, where that source was
 * not reachable, derived as each line's comment says. Lists are stored as
 * changes against an earlier line. The pins have since moved to newer
 * patches (version-pins.ts) whose sources were not read: a command one adds
 * is refused at synth until its line's list is updated.
 *
 * Module commands are in no table: Redis 8 bundles search, JSON, time series
 * and probabilistic modules (FT.*, JSON.*, TS.*, BF.*, CF.*, ...) that exist
 * only once `loadmodule` loaded them, which the official images' entrypoint
 * does and the constructs, starting the server directly, do not. The vector
 * set commands (V*) are the exception: the default Redis 8 build links that
 * module into the server and loads it by itself.
 *
 * The checks model a user created by the aclfile under the server's defaults:
 * no commands, no keys and, before 7.0, every channel where acl-pubsub-default
 * says so (6.2).
 */
import { EngineName, engineFiles } from '../private/engine';
import { aclRuleTokens } from '../private/acl-tokens';
import { closestName } from '../private/validation';

interface LineCommands {
  /** Engine and release line, such as `redis 7.2`. */
  readonly line: string;
  /** The earlier line this one is written against. */
  readonly base?: string;
  readonly added: readonly string[];
  readonly removed?: readonly string[];
}

/**
 * The same 21 names on every line: `ACLCommandCategories` in src/acl.c of redis 6.0.20 and 6.2.16,
 * `ACLDefaultCommandCategories` from 7.0.15 to 8.0.6 and 8.6.3, and in valkey 8.0.1, 8.1.1 and 9.1.2.
 * Modules may add categories at runtime; Redis 8's vector set module, the only one that loads here, adds none.
 */
const CATEGORIES: ReadonlySet<string> = new Set([
  'admin', 'bitmap', 'blocking', 'connection', 'dangerous', 'fast', 'geo', 'hash', 'hyperloglog', 'keyspace', 'list',
  'pubsub', 'read', 'scripting', 'set', 'slow', 'sortedset', 'stream', 'string', 'transaction', 'write',
]);

const COMMAND_CHANGES: readonly LineCommands[] = [
  // redis/redis 6.0.20: src/server.c, the redisCommandTable (which has no QUIT: processCommand
  // answers it before any lookup). 6.x has no subcommand table and takes any word after "|"; the
  // subcommands here are the ones each command's function in 6.0.20's src/*.c compares its first
  // argument against, so that a misspelt one fails at synth although this server would accept it.
  {
    line: 'redis 6.0',
    added: [
      'acl', 'acl|cat', 'acl|deluser', 'acl|genpass', 'acl|getuser', 'acl|help', 'acl|list', 'acl|load', 'acl|log',
      'acl|save', 'acl|setuser', 'acl|users', 'acl|whoami', 'append', 'asking', 'auth', 'bgrewriteaof', 'bgsave',
      'bitcount', 'bitfield', 'bitfield_ro', 'bitop', 'bitpos', 'blpop', 'brpop', 'brpoplpush', 'bzpopmax',
      'bzpopmin', 'client', 'client|caching', 'client|getname', 'client|getredir', 'client|help', 'client|id',
      'client|kill', 'client|list', 'client|pause', 'client|reply', 'client|setname', 'client|tracking',
      'client|unblock', 'cluster', 'cluster|addslots', 'cluster|bumpepoch', 'cluster|count-failure-reports',
      'cluster|countkeysinslot', 'cluster|delslots', 'cluster|failover', 'cluster|flushslots', 'cluster|forget',
      'cluster|getkeysinslot', 'cluster|help', 'cluster|info', 'cluster|keyslot', 'cluster|meet', 'cluster|myid',
      'cluster|nodes', 'cluster|replicas', 'cluster|replicate', 'cluster|reset', 'cluster|saveconfig',
      'cluster|set-config-epoch', 'cluster|setslot', 'cluster|slaves', 'cluster|slots', 'command', 'command|count',
      'command|getkeys', 'command|help', 'command|info', 'config', 'config|get', 'config|help', 'config|resetstat',
      'config|rewrite', 'config|set', 'dbsize', 'debug', 'decr', 'decrby', 'del', 'discard', 'dump', 'echo', 'eval',
      'evalsha', 'exec', 'exists', 'expire', 'expireat', 'flushall', 'flushdb', 'geoadd', 'geodist', 'geohash',
      'geopos', 'georadius', 'georadius_ro', 'georadiusbymember', 'georadiusbymember_ro', 'get', 'getbit', 'getrange',
      'getset', 'hdel', 'hello', 'hexists', 'hget', 'hgetall', 'hincrby', 'hincrbyfloat', 'hkeys', 'hlen', 'hmget',
      'hmset', 'host:', 'hscan', 'hset', 'hsetnx', 'hstrlen', 'hvals', 'incr', 'incrby', 'incrbyfloat', 'info',
      'keys', 'lastsave', 'latency', 'latency|doctor', 'latency|graph', 'latency|help', 'latency|history',
      'latency|latest', 'latency|reset', 'lindex', 'linsert', 'llen', 'lolwut', 'lpop', 'lpos', 'lpush', 'lpushx',
      'lrange', 'lrem', 'lset', 'ltrim', 'memory', 'memory|doctor', 'memory|help', 'memory|malloc-stats',
      'memory|purge', 'memory|stats', 'memory|usage', 'mget', 'migrate', 'module', 'module|help', 'module|list',
      'module|load', 'module|unload', 'monitor', 'move', 'mset', 'msetnx', 'multi', 'object', 'object|encoding',
      'object|freq', 'object|help', 'object|idletime', 'object|refcount', 'persist', 'pexpire', 'pexpireat', 'pfadd',
      'pfcount', 'pfdebug', 'pfmerge', 'pfselftest', 'ping', 'post', 'psetex', 'psubscribe', 'psync', 'pttl',
      'publish', 'pubsub', 'pubsub|channels', 'pubsub|help', 'pubsub|numpat', 'pubsub|numsub', 'punsubscribe',
      'randomkey', 'readonly', 'readwrite', 'rename', 'renamenx', 'replconf', 'replicaof', 'restore',
      'restore-asking', 'role', 'rpop', 'rpoplpush', 'rpush', 'rpushx', 'sadd', 'save', 'scan', 'scard', 'script',
      'script|debug', 'script|exists', 'script|flush', 'script|help', 'script|kill', 'script|load', 'sdiff',
      'sdiffstore', 'select', 'set', 'setbit', 'setex', 'setnx', 'setrange', 'shutdown', 'sinter', 'sinterstore',
      'sismember', 'slaveof', 'slowlog', 'slowlog|get', 'slowlog|help', 'slowlog|len', 'slowlog|reset', 'smembers',
      'smove', 'sort', 'spop', 'srandmember', 'srem', 'sscan', 'stralgo', 'strlen', 'subscribe', 'substr', 'sunion',
      'sunionstore', 'swapdb', 'sync', 'time', 'touch', 'ttl', 'type', 'unlink', 'unsubscribe', 'unwatch', 'wait',
      'watch', 'xack', 'xadd', 'xclaim', 'xdel', 'xgroup', 'xgroup|create', 'xgroup|delconsumer', 'xgroup|destroy',
      'xgroup|help', 'xgroup|setid', 'xinfo', 'xinfo|consumers', 'xinfo|groups', 'xinfo|help', 'xinfo|stream', 'xlen',
      'xpending', 'xrange', 'xread', 'xreadgroup', 'xrevrange', 'xsetid', 'xtrim', 'zadd', 'zcard', 'zcount',
      'zincrby', 'zinterstore', 'zlexcount', 'zpopmax', 'zpopmin', 'zrange', 'zrangebylex', 'zrangebyscore', 'zrank',
      'zrem', 'zremrangebylex', 'zremrangebyrank', 'zremrangebyscore', 'zrevrange', 'zrevrangebylex',
      'zrevrangebyscore', 'zrevrank', 'zscan', 'zscore', 'zunionstore',
    ],
  },
  // redis/redis 6.2.16 (the newest 6.2 tag reachable here): src/server.c and the command functions,
  // as for 6.0. 6.2.17 to 6.2.20 are security releases that add no command (no command of 8.6.3's
  // JSON files dates itself to a 6.2 patch release).
  {
    line: 'redis 6.2',
    base: 'redis 6.0',
    added: [
      'blmove', 'client|info', 'client|trackinginfo', 'client|unpause', 'copy', 'failover', 'geosearch',
      'geosearchstore', 'getdel', 'getex', 'hrandfield', 'lmove', 'reset', 'smismember', 'xautoclaim',
      'xgroup|createconsumer', 'zdiff', 'zdiffstore', 'zinter', 'zmscore', 'zrandmember', 'zrangestore', 'zunion',
    ],
  },
  // redis/redis 7.0.15: src/commands/*.json, commands and subcommands (`container|name`), leaving out
  // the ONLY_SENTINEL ones (SENTINEL ...), which a server outside sentinel mode does not register.
  // STRALGO became LCS; `host:` and `post` stopped being commands.
  {
    line: 'redis 7.0',
    base: 'redis 6.2',
    added: [
      'acl|dryrun', 'blmpop', 'bzmpop', 'client|no-evict', 'cluster|addslotsrange', 'cluster|delslotsrange',
      'cluster|links', 'cluster|shards', 'command|docs', 'command|getkeysandflags', 'command|list', 'eval_ro',
      'evalsha_ro', 'expiretime', 'fcall', 'fcall_ro', 'function', 'function|delete', 'function|dump',
      'function|flush', 'function|help', 'function|kill', 'function|list', 'function|load', 'function|restore',
      'function|stats', 'latency|histogram', 'lcs', 'lmpop', 'module|loadex', 'pexpiretime', 'pubsub|shardchannels',
      'pubsub|shardnumsub', 'quit', 'sintercard', 'sort_ro', 'spublish', 'ssubscribe', 'sunsubscribe', 'zintercard',
      'zmpop',
    ],
    removed: [
      'host:', 'post', 'stralgo',
    ],
  },
  // redis/redis 7.2.6 (the newest 7.2 tag reachable here): src/commands/*.json. 7.2.7 to 7.2.11 are
  // security and bug-fix releases that add no command (no command of 8.6.3's JSON files dates itself
  // to a 7.2 patch release).
  {
    line: 'redis 7.2',
    base: 'redis 7.0',
    added: [
      'client|no-touch', 'client|setinfo', 'cluster|myshardid', 'waitaof',
    ],
  },
  // redis/redis 7.4.1 (the newest 7.4 tag reachable here): src/commands/*.json. 7.4.2 to 7.4.6 add
  // no command, as for 7.2.
  {
    line: 'redis 7.4',
    base: 'redis 7.2',
    added: [
      'hexpire', 'hexpireat', 'hexpiretime', 'hpersist', 'hpexpire', 'hpexpireat', 'hpexpiretime', 'hpttl', 'httl',
    ],
  },
  // Debian's redis_8.0.2 and redis_8.0.6 release tarballs: src/commands/*.json, identical in both,
  // so 8.0.4 has exactly this list; less SFLUSH, whose EXPERIMENTAL flag keeps it out of the command
  // table (utils/generate-command-code.py skips it); plus the vector set commands of
  // modules/vector-sets/vset.c, which the default build links into the server and loads at startup.
  {
    line: 'redis 8.0',
    base: 'redis 7.4',
    added: [
      'hgetdel', 'hgetex', 'hsetex', 'vadd', 'vcard', 'vdim', 'vemb', 'vgetattr', 'vinfo', 'vismember', 'vlinks',
      'vrandmember', 'vrem', 'vsetattr', 'vsim',
    ],
  },
  // No 8.2 source is reachable here: 8.0's list plus the commands whose `since` is 8.2.0 in 8.6.3's
  // src/commands/*.json. Vector sets gained no command before VRANGE, which redis.io dates to 8.4.
  {
    line: 'redis 8.2',
    base: 'redis 8.0',
    added: [
      'cluster|slot-stats', 'xackdel', 'xdelex',
    ],
  },
  // valkey-io/valkey 8.0.1: src/commands/*.json (Valkey forked from Redis 7.2.4). 8.0.2 to 8.0.11 add
  // no command: no command of 9.1.2's JSON files dates itself to an 8.0 patch release.
  {
    line: 'valkey 8.0',
    base: 'redis 7.2',
    added: [
      'client|capa', 'cluster|slot-stats', 'script|show',
    ],
  },
  // Debian's valkey_8.1.1+dfsg1 release tarball: src/commands/*.json. 8.1.2 to 8.1.10 add no command,
  // as for 8.0.
  {
    line: 'valkey 8.1',
    base: 'valkey 8.0',
    added: [
      'client|import-source', 'commandlog', 'commandlog|get', 'commandlog|help', 'commandlog|len', 'commandlog|reset',
    ],
  },
  // No 9.0 source is reachable here: 9.1.2's list less the commands whose `since` is 9.1.0 in its
  // JSON files, the ones its release notes list as new in 9.1.
  {
    line: 'valkey 9.0',
    base: 'valkey 8.1',
    added: [
      'cluster|cancelslotmigrations', 'cluster|flushslot', 'cluster|getslotmigrations', 'cluster|migrateslots',
      'cluster|syncslots', 'delifeq', 'hexpire', 'hexpireat', 'hexpiretime', 'hgetex', 'hpersist', 'hpexpire',
      'hpexpireat', 'hpexpiretime', 'hpttl', 'hsetex', 'httl',
    ],
  },
  // Debian's valkey_9.1.2 release tarball: src/commands/*.json.
  {
    line: 'valkey 9.1',
    base: 'valkey 9.0',
    added: [
      'clusterscan', 'hgetdel', 'msetex',
    ],
  },
];

interface AclLine {
  readonly engine: EngineName;
  readonly major: number;
  readonly minor: number;
  readonly commands: ReadonlySet<string>;
  /** Each command that has subcommands, with their names. */
  readonly subcommands: ReadonlyMap<string, readonly string[]>;
}

const LINES = new Map<string, AclLine>();
for (const changes of COMMAND_CHANGES) {
  const base = changes.base === undefined ? undefined : LINES.get(changes.base);
  const commands = new Set([...(base?.commands ?? []), ...changes.added]);
  for (const name of changes.removed ?? []) commands.delete(name);
  const subcommands = new Map<string, string[]>();
  for (const name of [...commands].sort()) {
    const [command, sub] = name.split('|');
    if (sub !== undefined) subcommands.set(command, [...(subcommands.get(command) ?? []), sub]);
  }
  const [engine, version] = changes.line.split(' ') as [EngineName, string];
  const [major, minor] = version.split('.').map(Number);
  LINES.set(changes.line, { engine, major, minor, commands, subcommands });
}

function lineOf(engine: EngineName, major: number, minor: number): AclLine {
  const line = LINES.get(`${engine} ${major}.${minor}`);
  if (!line) {
    // A catalog entry with users but no table line is a release mistake, caught by the unit tests.
    throw new Error(`no ACL table for ${engineFiles({ engine, major, minor }).displayName}`);
  }
  return line;
}

function isAtLeast(line: { major: number; minor: number }, major: number, minor: number): boolean {
  return line.major > major || (line.major === major && line.minor >= minor);
}

/** The ACL categories (`+@name`) of `engine` `major.minor`, without the `all` alias. */
export function aclCategories(engine: EngineName, major: number, minor: number): ReadonlySet<string> {
  lineOf(engine, major, minor);
  return CATEGORIES;
}

/** The commands of `engine` `major.minor`, lowercase, with subcommands as `command|subcommand`. */
export function aclCommands(engine: EngineName, major: number, minor: number): ReadonlySet<string> {
  return lineOf(engine, major, minor).commands;
}

/** Rule syntax that not every line has, with the first line of each engine that has it. */
interface Syntax {
  readonly what: string;
  readonly since: Partial<Record<EngineName, readonly [number, number]>>;
}

const CHANNEL_RULES: Syntax = { what: 'channel rules (&pattern, allchannels, resetchannels)', since: { redis: [6, 2], valkey: [8, 0] } };
const PAYLOAD_RULES: Syntax = { what: 'payload sanitizing rules (sanitize-payload, skip-sanitize-payload)', since: { redis: [6, 2], valkey: [8, 0] } };
const KEY_PERMISSIONS: Syntax = { what: 'read and write key permissions (%R~, %W~, %RW~)', since: { redis: [7, 0], valkey: [8, 0] } };
const SELECTORS: Syntax = { what: 'selectors ("(...)", clearselectors)', since: { redis: [7, 0], valkey: [8, 0] } };
const SUBCOMMAND_REMOVAL: Syntax = { what: 'subcommand removal (-command|subcommand)', since: { redis: [7, 0], valkey: [8, 0] } };
const DATABASE_RULES: Syntax = { what: 'database rules (db=, alldbs, resetdbs)', since: { valkey: [9, 1] } };

function hasSyntax(line: AclLine, syntax: Syntax): boolean {
  const since = syntax.since[line.engine];
  return since !== undefined && isAtLeast(line, since[0], since[1]);
}

const TITLES: Record<EngineName, string> = { redis: 'Redis', valkey: 'Valkey' };
const OTHER_ENGINE: Record<EngineName, EngineName> = { redis: 'valkey', valkey: 'redis' };

function titleOf(line: AclLine): string {
  return `${TITLES[line.engine]} ${line.major}.${line.minor}`;
}

function syntaxProblem(line: AclLine, syntax: Syntax): string {
  const engine = syntax.since[line.engine] !== undefined ? line.engine : OTHER_ENGINE[line.engine];
  const [major, minor] = syntax.since[engine]!;
  return `${titleOf(line)} has no ${syntax.what}; only ${TITLES[engine]} ${major}.${minor} and later have them`;
}

/**
 * The library's own users, from the first line of an engine on which their
 * rules read as given until the next entry of the same engine. Each is
 * checked against real servers by the integration suite.
 */
export type InternalUser = 'replication' | 'backup' | 'health' | 'sentinel' | 'exporter';

export const INTERNAL_USER_RULES: Readonly<Record<InternalUser, Readonly<Record<string, string>>>> = {
  // What a replica sends its primary (replication.c): PING, REPLCONF listening-port / capa / ip-address /
  // rdb-channel / version, PSYNC; Redis 8's rdb channel and Valkey's dual channel the same two commands.
  replication: {
    'redis 6.0': '+psync +replconf +ping',
    'valkey 8.0': '+psync +replconf +ping',
  },
  // What `redis-cli --rdb` / `valkey-cli --rdb` sends after AUTH: REPLCONF capa eof, REPLCONF rdb-only 1
  // (6.2+; 6.0 sends only the first), SYNC. REPLCONF rdb-filter-only is for --functions-rdb only.
  // Valkey 9 sends a replica that names no version (the cli names none) an RDB 11, which cannot hold
  // hash fields with expirations: the transfer fails ("Can't store key ... in RDB version 11"). Its
  // backups take a BGSAVE and copy the file instead, watching INFO persistence for the outcome.
  backup: {
    'redis 6.0': '+replconf +sync',
    'valkey 8.0': '+replconf +sync',
    'valkey 9.0': '+replconf +sync +bgsave +info|persistence',
  },
  health: {
    'redis 6.0': '+ping',
    'valkey 8.0': '+ping',
  },
  // What sentinel.c sends a monitored server: PING, INFO, SUBSCRIBE and PUBLISH on __sentinel__:hello only,
  // CLIENT SETNAME, and on failover MULTI, SLAVEOF (still SLAVEOF, not REPLICAOF, in Redis 8 and Valkey 9),
  // CONFIG REWRITE, CLIENT KILL TYPE, EXEC; SCRIPT KILL on a busy script. It never sends ROLE, which the
  // Redis ACL docs list. 6.2 gives new users every channel (acl-pubsub-default), hence resetchannels.
  // Valkey 9.0's coordinated failover adds CLIENT PAUSE, FAILOVER TO / ABORT and CLIENT UNPAUSE.
  sentinel: {
    'redis 6.0': '+ping +info +subscribe +publish +client|setname +multi +slaveof +config|rewrite +client|kill +exec +script|kill',
    'redis 6.2': 'resetchannels &__sentinel__:hello +ping +info +subscribe +publish +client|setname +multi +slaveof +config|rewrite '
      + '+client|kill +exec +script|kill',
    'valkey 8.0': 'resetchannels &__sentinel__:hello +ping +info +subscribe +publish +client|setname +multi +slaveof +config|rewrite '
      + '+client|kill +exec +script|kill',
    'valkey 9.0': 'resetchannels &__sentinel__:hello +ping +info +subscribe +publish +client|setname +multi +slaveof +config|rewrite '
      + '+client|kill +exec +script|kill +client|pause +failover +client|unpause',
  },
  // What oliver006/redis_exporter (1.69, exporter/*.go) sends a standalone server with its default flags:
  // CLIENT SETNAME, CONFIG GET *, INFO ALL, LATENCY LATEST and HISTOGRAM, SLOWLOG LEN and GET. Its README's
  // line grants far more (+client, +eval, +get, +scan, +memory, ...) and names ARCOUNT (Redis 8.8), which
  // no line has, QUIT, which 6.x answers without a command table entry, and RESET, new in 6.2.
  // 6.x has no LATENCY HISTOGRAM, but the exporter sends it on every scrape (Redis 6.0.16 showed it): with
  // only +latency|latest the server refuses it and ACL LOG records a denial each time. 6.x can grant no
  // subcommand it does not have (its table holds none), so the exporter gets all of LATENCY there: the
  // server then answers HISTOGRAM with an unknown-subcommand error, which the exporter logs once; the rest
  // of LATENCY reads the latency monitor, but RESET, which clears its samples.
  // Without CONFIG GET, which would hand the exporter every password in the config (masterauth): the
  // exporter runs with --config-command=- and reads maxmemory from INFO (redis_memory_max_bytes).
  // From 1.87 (exporter/commandlog.go; the metrics module runs a later release) every scrape also
  // sends COMMANDLOG LEN, which Valkey 8.1 added: refused, every scrape would be a denial in ACL LOG.
  exporter: {
    'redis 6.0': '+client|setname +info +latency +slowlog|len +slowlog|get',
    'redis 7.0': '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get',
    'valkey 8.0': '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get',
    'valkey 8.1': '+client|setname +info +latency|latest +latency|histogram +slowlog|len +slowlog|get +commandlog|len',
  },
};

/** The rules of every internal user on `engine` `major.minor`. */
export function internalUserRules(engine: EngineName, major: number, minor: number): Readonly<Record<InternalUser, string>> {
  const line = lineOf(engine, major, minor);
  const rules = {} as Record<InternalUser, string>;
  for (const [user, variants] of Object.entries(INTERNAL_USER_RULES) as [InternalUser, Record<string, string>][]) {
    const from = Object.keys(variants)
      .map((key) => LINES.get(key)!)
      .filter((variant) => variant.engine === engine && isAtLeast(line, variant.major, variant.minor))
      .sort((a, b) => b.major - a.major || b.minor - a.minor)[0];
    rules[user] = variants[`${engine} ${from.major}.${from.minor}`];
  }
  return rules;
}

const PASSWORD_RULE = /^[><#!]/;

/** A rule for a message: never the secret after a password rule's first character. */
function shown(token: string): string {
  return PASSWORD_RULE.test(token) ? `"${token[0]}…"` : `"${token}"`;
}


/** "only Redis 7.0 and later have it" or "only Redis 6.0 and 6.2 have it", over the lines of `engine`. */
function linesHaving(engine: EngineName, has: (line: AclLine) => boolean): string | undefined {
  const lines = [...LINES.values()].filter((line) => line.engine === engine);
  const having = lines.filter(has);
  if (having.length === 0) return undefined;
  if (lines.slice(lines.indexOf(having[0])).every(has)) return `only ${titleOf(having[0])} and later have it`;
  const versions = having.map((line) => `${line.major}.${line.minor}`);
  return versions.length === 1
    ? `only ${TITLES[engine]} ${versions[0]} has it`
    : `only ${TITLES[engine]} ${versions.slice(0, -1).join(', ')} and ${versions[versions.length - 1]} have it`;
}

function docsUrl(line: AclLine, page: string): string {
  return line.engine === 'redis' ? `https://redis.io/docs/latest/commands/${page}` : `https://valkey.io/commands/${page}`;
}

function unknownCommand(line: AclLine, token: string, command: string): string {
  const problem = `ACL rule ${shown(token)}: ${titleOf(line)} has no command "${command}"`;
  const has = (other: AclLine) => other.commands.has(command);
  const sameEngine = linesHaving(line.engine, has);
  if (sameEngine !== undefined) return `${problem}; ${sameEngine}`;
  const suggestion = closestName([...line.commands].filter((name) => !name.includes('|')), command);
  if (suggestion !== undefined) return `${problem}; did you mean "${suggestion}"?`;
  const otherEngine = linesHaving(OTHER_ENGINE[line.engine], has);
  if (otherEngine !== undefined) return `${problem}; ${otherEngine}`;
  if (command.includes('.')) return `${problem}: module commands exist only once their module is loaded, and the constructs load none`;
  return `${problem} (see ${docsUrl(line, '')})`;
}

function unknownSubcommand(line: AclLine, token: string, command: string, sub: string): string {
  const subs = line.subcommands.get(command)!;
  const problem = `ACL rule ${shown(token)}: ${command.toUpperCase()} has no subcommand "${sub}" in ${titleOf(line)}`;
  const has = (other: AclLine) => other.commands.has(`${command}|${sub}`);
  const sameEngine = linesHaving(line.engine, has);
  if (sameEngine !== undefined) return `${problem}; ${sameEngine}`;
  const suggestion = closestName(subs, sub);
  if (suggestion !== undefined) return `${problem}; did you mean "${suggestion}"?`;
  const otherEngine = linesHaving(OTHER_ENGINE[line.engine], has);
  return otherEngine !== undefined ? `${problem}; ${otherEngine}` : `${problem}; its subcommands: ${subs.join(', ')}`;
}

function unknownCategory(token: string, category: string): string {
  const problem = `ACL rule ${shown(token)}: "${category}" is not an ACL category`;
  const suggestion = closestName(CATEGORIES, category);
  if (suggestion !== undefined) return `${problem}; did you mean "@${suggestion}"?`;
  return `${problem}; the categories are @all, ${[...CATEGORIES].map((c) => `@${c}`).join(', ')}`;
}

/** 6.0 refuses `+command|sub` while the user has all of the command (EBUSY in its acl.c); 6.2 ignores it. */
function refusesSubcommandOnTop(line: AclLine): boolean {
  return line.engine === 'redis' && line.major === 6 && line.minor === 0;
}

type Bit = 'set' | 'clear' | 'unknown';

/**
 * What one selector (the user's root permissions or one `(...)`) holds so
 * far, as far as the rules tell without each command's categories.
 */
class SelectorState {
  public allKeys = false;
  public allChannels: boolean;
  private readonly bits = new Map<string, Bit>();
  private fallback: Bit = 'clear';

  public constructor(allChannels: boolean) {
    this.allChannels = allChannels;
  }

  public allCommands(allow: boolean): void {
    this.bits.clear();
    this.fallback = allow ? 'set' : 'clear';
  }

  public command(command: string, allow: boolean): void {
    this.bits.set(command, allow ? 'set' : 'clear');
  }

  /** A category adds or removes commands whose categories this table does not hold. */
  public category(allow: boolean): void {
    const blur = (bit: Bit): Bit => (bit === (allow ? 'clear' : 'set') ? 'unknown' : bit);
    for (const [command, bit] of this.bits) this.bits.set(command, blur(bit));
    this.fallback = blur(this.fallback);
  }

  public hasAll(command: string): boolean {
    return (this.bits.get(command) ?? this.fallback) === 'set';
  }
}

const OWNED = ['on', 'off', 'nopass', 'reset', 'resetpass'];
const PAYLOAD_KEYWORDS = ['sanitize-payload', 'skip-sanitize-payload'];
const SELECTOR_KEYWORDS = ['allkeys', 'resetkeys', 'allchannels', 'resetchannels', 'allcommands', 'nocommands', 'alldbs', 'resetdbs'];
const INT32_MAX = 2 ** 31 - 1;

function commandRule(line: AclLine, state: SelectorState, token: string): string | undefined {
  const allow = token.startsWith('+');
  const name = token.slice(1).toLowerCase();
  if (name.startsWith('@')) {
    const category = name.slice(1);
    if (category === 'all') {
      state.allCommands(allow);
    } else if (!CATEGORIES.has(category)) {
      return unknownCategory(token, category);
    } else {
      state.category(allow);
    }
    return undefined;
  }
  const [command, sub, ...deeper] = name.split('|');
  if (!line.commands.has(command)) return unknownCommand(line, token, command);
  if (sub === undefined) {
    state.command(command, allow);
    return undefined;
  }
  if (sub === '') return `ACL rule ${shown(token)}: "|" must be followed by a subcommand`;
  if (deeper.length > 0) return `ACL rule ${shown(token)}: a rule names one command and at most one subcommand`;
  const subs = line.subcommands.get(command);
  if (!allow) {
    if (!hasSyntax(line, SUBCOMMAND_REMOVAL)) return `ACL rule ${shown(token)}: ${syntaxProblem(line, SUBCOMMAND_REMOVAL)}`;
    if (subs === undefined) {
      return `ACL rule ${shown(token)}: ${command.toUpperCase()} has no subcommands in ${titleOf(line)}, `
        + `and a first argument can only be allowed (+${command}|${sub}), not removed`;
    }
  }
  // A command without subcommands takes `+command|first-argument`, which the server accepts as it is.
  if (subs !== undefined && !subs.includes(sub)) return unknownSubcommand(line, token, command, sub);
  if (allow && refusesSubcommandOnTop(line)) {
    if (state.hasAll(command)) {
      return `ACL rule ${shown(token)}: the user already has all of ${command.toUpperCase()}, and ${titleOf(line)} refuses `
        + `a subcommand on top of it; remove the command first (-${command} ${token})`;
    }
    state.command(command, false);
  }
  return undefined;
}

/** Why one rule of a selector (root or `(...)`) fails on `line`; undefined when the server takes it. */
function selectorRuleProblem(line: AclLine, state: SelectorState, token: string): string | undefined {
  const rule = token.toLowerCase();
  if (rule.startsWith('+') || rule.startsWith('-')) return commandRule(line, state, token);
  if (rule === 'allkeys' || rule === '~*') {
    state.allKeys = true;
  } else if (rule === 'resetkeys') {
    state.allKeys = false;
  } else if (rule.startsWith('~') || rule.startsWith('%')) {
    if (rule.startsWith('%')) {
      if (!hasSyntax(line, KEY_PERMISSIONS)) return `ACL rule ${shown(token)}: ${syntaxProblem(line, KEY_PERMISSIONS)}`;
      const flags = /^%([rw]+)~/.exec(rule)?.[1];
      if (flags === undefined || new Set(flags).size !== flags.length) {
        return `ACL rule ${shown(token)}: a key permission is %R~, %W~ or %RW~ followed by a key pattern`;
      }
    }
    if (state.allKeys) {
      return `ACL rule ${shown(token)}: the user already has every key (allkeys or ~*), and the server refuses a key pattern `
        + 'on top of that; put resetkeys before it';
    }
  } else if (rule === 'allchannels' || rule === 'resetchannels' || rule.startsWith('&')) {
    if (!hasSyntax(line, CHANNEL_RULES)) return `ACL rule ${shown(token)}: ${syntaxProblem(line, CHANNEL_RULES)}`;
    const all = rule === 'allchannels' || rule === '&*';
    if (!all && rule !== 'resetchannels' && state.allChannels) {
      return `ACL rule ${shown(token)}: the user already has every channel, and the server refuses a channel pattern `
        + 'on top of that; put resetchannels before it';
    }
    state.allChannels = all || (rule !== 'resetchannels' && state.allChannels);
  } else if (rule === 'allcommands' || rule === 'nocommands') {
    state.allCommands(rule === 'allcommands');
  } else {
    if (!hasSyntax(line, DATABASE_RULES)) return `ACL rule ${shown(token)}: ${syntaxProblem(line, DATABASE_RULES)}`;
    const ids = rule.startsWith('db=') ? rule.slice(3).split(',') : [];
    if (ids.some((id) => !/^\d+$/.test(id) || Number(id) > INT32_MAX)) {
      return `ACL rule ${shown(token)}: db= takes database numbers separated by commas, such as db=0,1`;
    }
  }
  return undefined;
}

function isSelectorRule(rule: string): boolean {
  return SELECTOR_KEYWORDS.includes(rule) || /^[~%&+-]/.test(rule) || rule.startsWith('db=');
}

function unknownRule(line: AclLine, token: string): string {
  const keywords = [...SELECTOR_KEYWORDS, ...PAYLOAD_KEYWORDS, 'clearselectors'];
  const suggestion = closestName(keywords, token.toLowerCase());
  const problem = `ACL rule ${shown(token)} is not an ACL rule`;
  return suggestion !== undefined
    ? `${problem}; did you mean "${suggestion}"?`
    : `${problem} (see the rules of ${docsUrl(line, 'acl-setuser/')})`;
}

function selectorProblems(line: AclLine, token: string): string[] {
  if (!token.endsWith(')')) return ['ACL rules: a selector opened with "(" is never closed with ")"'];
  const state = new SelectorState(false);
  return token.slice(1, -1).split(' ').filter((w) => w !== '').flatMap((rule) => {
    const lower = rule.toLowerCase();
    let problem: string | undefined;
    if (/["']/.test(rule)) {
      problem = `ACL rule ${shown(rule)}: the server reads quotes inside a selector as quoting; leave them out`;
    } else if (isSelectorRule(lower)) {
      problem = selectorRuleProblem(line, state, rule);
    } else if (OWNED.includes(lower) || PAYLOAD_KEYWORDS.includes(lower) || lower === 'clearselectors' || PASSWORD_RULE.test(rule) || rule.startsWith('(')) {
      problem = `ACL rule ${shown(rule)}: only command, key, channel and database rules can be inside a selector`;
    } else {
      problem = unknownRule(line, rule);
    }
    return problem === undefined ? [] : [problem];
  });
}

function userRuleProblems(line: AclLine, root: SelectorState, token: string): string[] {
  const rule = token.toLowerCase();
  if (OWNED.includes(rule)) {
    return [`ACL rule ${shown(token)}: the construct owns on, off, nopass, reset and resetpass; give the user its permissions only`];
  }
  if (PASSWORD_RULE.test(token)) {
    return [`ACL rule ${shown(token)} sets or removes a password, which the construct owns: `
      + 'give it with `password` or let the construct generate one'];
  }
  if (PAYLOAD_KEYWORDS.includes(rule)) {
    return hasSyntax(line, PAYLOAD_RULES) ? [] : [`ACL rule ${shown(token)}: ${syntaxProblem(line, PAYLOAD_RULES)}`];
  }
  if (rule === 'clearselectors' || token.startsWith('(')) {
    // A selector is not shown: it may hold a password rule.
    if (!hasSyntax(line, SELECTORS)) return [`ACL rule ${rule === 'clearselectors' ? shown(token) : '"(…)"'}: ${syntaxProblem(line, SELECTORS)}`];
    return rule === 'clearselectors' ? [] : selectorProblems(line, token);
  }
  if (isSelectorRule(rule)) {
    const problem = selectorRuleProblem(line, root, token);
    return problem === undefined ? [] : [problem];
  }
  return [unknownRule(line, token)];
}

/**
 * Every reason the server would refuse `rules` as an ACL user's permissions on
 * `engine` `major.minor`, or a rule the construct owns, one message per rule
 * and in order; empty when the rules are fine. Messages never show a
 * password rule's value.
 */
export function aclRuleProblems(engine: EngineName, major: number, minor: number, rules: string): string[] {
  const line = lineOf(engine, major, minor);
  const tokens = aclRuleTokens(rules);
  if (tokens.length === 0) return ['no ACL rules: give the user at least one rule, such as "+@read ~app:*"'];
  // New users start without channels on every line: 7.0 made that the
  // default, and the config renders `acl-pubsub-default resetchannels` on 6.2.
  const root = new SelectorState(false);
  return tokens.flatMap((token) => userRuleProblems(line, root, token));
}
