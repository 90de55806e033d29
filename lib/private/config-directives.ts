/**
 * The redis.conf directive names each engine release line accepts, so that a
 * misspelt `config` key fails at synth instead of at deploy, where the server
 * refuses to start with "Bad directive or wrong number of arguments".
 *
 * Every list was read from the server's own parser, src/config.c: the names
 * and aliases of the `standardConfig` table (6.0 and later), the keywords
 * `loadServerConfigFromString` handles itself (include, rename-command, user,
 * loadmodule; before 6.0 every directive) and its `deprecated_configs`, which
 * the server accepts and ignores. Left out: `sentinel`, which a server outside
 * sentinel mode refuses, and debug-build-only entries (LOG_REQ_RES).
 *
 * Module options are not directives of any line: Redis 8's bundled search-*,
 * ts-*, bf-* and cf-* options (documented in redis-full.conf) and any
 * `module.option` exist only after `loadmodule` loaded the module. The official
 * Redis 8 images load their bundled modules from the entrypoint script, which
 * the constructs bypass by starting redis-server directly, and Redis 8 aborts at
 * startup on an option no loaded module claims.
 *
 * Where the pinned tag's source could not be had, the comment says what the
 * list was derived from. Lists are stored as changes against an earlier line.
 * The pins have since moved to newer patches (version-pins.ts) whose sources
 * were not read: a patch release adds no directive the constructs render,
 * and one it adds is refused at synth until its line's list is updated.
 */

import { closestName } from './validation';

export type ConfigEngine = 'redis' | 'valkey';

interface LineChanges {
  /** Engine and release line, such as `redis 7.2`. */
  readonly line: string;
  /** The earlier line this one is written against. */
  readonly base?: string;
  readonly added: readonly string[];
  readonly removed?: readonly string[];
  /** Directives the server still accepts but ignores, on top of the base line's. */
  readonly ignored?: readonly string[];
}

const CHANGES: readonly LineChanges[] = [
  // redis/redis 4.0.14: src/config.c, the strcasecmp(argv[0], ...) chain of loadServerConfigFromString.
  {
    line: 'redis 4.0',
    added: [
      'active-defrag-cycle-max', 'active-defrag-cycle-min', 'active-defrag-ignore-bytes',
      'active-defrag-threshold-lower', 'active-defrag-threshold-upper', 'activedefrag', 'activerehashing',
      'always-show-logo', 'aof-load-truncated', 'aof-rewrite-incremental-fsync', 'aof-use-rdb-preamble',
      'appendfilename', 'appendfsync', 'appendonly', 'auto-aof-rewrite-min-size', 'auto-aof-rewrite-percentage',
      'bind', 'client-output-buffer-limit', 'client-query-buffer-limit', 'cluster-announce-bus-port',
      'cluster-announce-ip', 'cluster-announce-port', 'cluster-config-file', 'cluster-enabled',
      'cluster-migration-barrier', 'cluster-node-timeout', 'cluster-require-full-coverage',
      'cluster-slave-no-failover', 'cluster-slave-validity-factor', 'daemonize', 'databases', 'dbfilename', 'dir',
      'hash-max-ziplist-entries', 'hash-max-ziplist-value', 'hll-sparse-max-bytes', 'hz', 'include',
      'latency-monitor-threshold', 'lazyfree-lazy-eviction', 'lazyfree-lazy-expire', 'lazyfree-lazy-server-del',
      'lfu-decay-time', 'lfu-log-factor', 'list-compress-depth', 'list-max-ziplist-entries', 'list-max-ziplist-size',
      'list-max-ziplist-value', 'loadmodule', 'logfile', 'loglevel', 'lua-time-limit', 'masterauth', 'maxclients',
      'maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'min-slaves-max-lag', 'min-slaves-to-write',
      'no-appendfsync-on-rewrite', 'notify-keyspace-events', 'pidfile', 'port', 'protected-mode', 'proto-max-bulk-len',
      'rdbchecksum', 'rdbcompression', 'rename-command', 'repl-backlog-size', 'repl-backlog-ttl',
      'repl-disable-tcp-nodelay', 'repl-diskless-sync', 'repl-diskless-sync-delay', 'repl-ping-slave-period',
      'repl-timeout', 'requirepass', 'save', 'set-max-intset-entries', 'slave-announce-ip', 'slave-announce-port',
      'slave-lazy-flush', 'slave-priority', 'slave-read-only', 'slave-serve-stale-data', 'slaveof',
      'slowlog-log-slower-than', 'slowlog-max-len', 'stop-writes-on-bgsave-error', 'supervised', 'syslog-enabled',
      'syslog-facility', 'syslog-ident', 'tcp-backlog', 'tcp-keepalive', 'timeout', 'unixsocket', 'unixsocketperm',
      'zset-max-ziplist-entries', 'zset-max-ziplist-value',
    ],
    ignored: [
      'list-max-ziplist-entries', 'list-max-ziplist-value',
    ],
  },
  // redis/redis 5.0.14: src/config.c, loadServerConfigFromString. Adds the replica-* and replicaof
  // spellings beside slave-* and slaveof.
  {
    line: 'redis 5.0',
    base: 'redis 4.0',
    added: [
      'active-defrag-max-scan-fields', 'cluster-replica-no-failover', 'cluster-replica-validity-factor', 'dynamic-hz',
      'ignore-warnings', 'lua-replicate-commands', 'min-replicas-max-lag', 'min-replicas-to-write',
      'rdb-save-incremental-fsync', 'repl-ping-replica-period', 'replica-announce-ip', 'replica-announce-port',
      'replica-ignore-maxmemory', 'replica-lazy-flush', 'replica-priority', 'replica-read-only',
      'replica-serve-stale-data', 'replicaof', 'slave-ignore-maxmemory', 'stream-node-max-bytes',
      'stream-node-max-entries',
    ],
  },
  // redis/redis 6.0.20: src/config.c, the standardConfig table (names and aliases) plus the
  // keywords loadServerConfigFromString handles itself (bind, save, dir, user, oom-score-adj-values, ...).
  {
    line: 'redis 6.0',
    base: 'redis 5.0',
    added: [
      'aclfile', 'acllog-max-len', 'active-expire-effort', 'aof_rewrite_cpulist', 'bgsave_cpulist', 'bio_cpulist',
      'cluster-allow-reads-when-down', 'gopher-enabled', 'io-threads', 'io-threads-do-reads', 'jemalloc-bg-thread',
      'key-load-delay', 'lazyfree-lazy-user-del', 'masteruser', 'oom-score-adj', 'oom-score-adj-values',
      'rdb-del-sync-files', 'rdb-key-save-delay', 'repl-diskless-load', 'server_cpulist', 'tls-auth-clients',
      'tls-ca-cert-dir', 'tls-ca-cert-file', 'tls-cert-file', 'tls-ciphers', 'tls-ciphersuites', 'tls-cluster',
      'tls-dh-params-file', 'tls-key-file', 'tls-port', 'tls-prefer-server-ciphers', 'tls-protocols',
      'tls-replication', 'tls-session-cache-size', 'tls-session-cache-timeout', 'tls-session-caching',
      'tracking-table-max-keys', 'user',
    ],
  },
  // redis/redis 6.2.16 (the newest 6.2 tag reachable here): src/config.c, table plus special cases;
  // plus lua-enable-deprecated-api, which the CVE-2025-46818 fix added to config.c in 6.2.20.
  {
    line: 'redis 6.2',
    base: 'redis 6.0',
    added: [
      'acl-pubsub-default', 'cluster-allow-replica-migration', 'cluster-announce-tls-port', 'crash-log-enabled',
      'crash-memcheck-enabled', 'disable-thp', 'lazyfree-lazy-user-flush', 'lua-enable-deprecated-api',
      'maxmemory-eviction-tenacity', 'proc-title-template', 'replica-announced', 'sanitize-dump-payload',
      'set-proc-title', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass', 'tls-key-file-pass',
      'use-exit-on-panic',
    ],
  },
  // redis/redis 7.0.15: src/config.c, table, special cases and deprecated_configs. 7.0 renamed the
  // ziplist encodings listpack, keeping *-ziplist-* as aliases. 7.0.15 predates the CVE-2025-46818 fix,
  // so lua-enable-deprecated-api is not a 7.0 directive upstream (Debian backports it).
  {
    line: 'redis 7.0',
    base: 'redis 6.2',
    added: [
      'aof-disable-auto-gc', 'aof-timestamp-enabled', 'appenddirname', 'bind-source-addr', 'busy-reply-threshold',
      'cluster-allow-pubsubshard-when-down', 'cluster-announce-hostname', 'cluster-link-sendbuf-limit', 'cluster-port',
      'cluster-preferred-endpoint-type', 'enable-debug-command', 'enable-module-command', 'enable-protected-configs',
      'hash-max-listpack-entries', 'hash-max-listpack-value', 'latency-tracking', 'latency-tracking-info-percentiles',
      'list-max-listpack-size', 'loading-process-events-interval-bytes', 'maxmemory-clients',
      'propagation-error-behavior', 'repl-diskless-sync-max-replicas', 'replica-ignore-disk-write-errors',
      'shutdown-on-sigint', 'shutdown-on-sigterm', 'shutdown-timeout', 'socket-mark-id', 'watchdog-period',
      'zset-max-listpack-entries', 'zset-max-listpack-value',
    ],
    removed: [
      'gopher-enabled', 'lua-enable-deprecated-api',
    ],
    ignored: [
      'lua-replicate-commands',
    ],
  },
  // redis/redis 7.2.6 (the newest 7.2 tag reachable here): src/config.c; plus
  // lua-enable-deprecated-api from the CVE-2025-46818 fix in 7.2.11.
  {
    line: 'redis 7.2',
    base: 'redis 7.0',
    added: [
      'cluster-announce-human-nodename', 'cluster-ping-interval', 'locale-collate', 'lua-enable-deprecated-api',
      'set-max-listpack-entries', 'set-max-listpack-value',
    ],
  },
  // redis/redis 7.4.1 (the newest 7.4 tag reachable here): src/config.c; plus
  // lua-enable-deprecated-api from the CVE-2025-46818 fix in 7.4.6. 7.4 renamed the *_cpulist
  // directives *-cpulist, keeping the underscore names as aliases.
  {
    line: 'redis 7.4',
    base: 'redis 7.2',
    added: [
      'aof-rewrite-cpulist', 'bgsave-cpulist', 'bio-cpulist', 'hide-user-data-from-log',
      'max-new-connections-per-cycle', 'max-new-tls-connections-per-cycle', 'server-cpulist',
    ],
  },
  // redis 8.0.6 release tarball (Debian's redis_8.0.6.orig.tar.gz): src/config.c. Equal to 8.0.2's
  // list plus lua-enable-deprecated-api, so 8.0.4 (the CVE-2025-46818 release) has exactly this list.
  {
    line: 'redis 8.0',
    base: 'redis 7.4',
    added: [
      'cluster-compatibility-sample-ratio', 'repl-rdb-channel', 'replica-full-sync-buffer-limit',
    ],
    ignored: [
      'io-threads-do-reads',
    ],
  },
  // No 8.2 source is reachable here: 8.0.6's list plus the two directives 8.2 added
  // (prefetch-batch-max-size, redis#14017; lazyexpire-nested-arbitrary-keys, redis#14149). Every
  // other name that 8.6.3's src/config.c adds over 8.0.6 is documented as arriving in 8.4 or 8.6.
  {
    line: 'redis 8.2',
    base: 'redis 8.0',
    added: [
      'lazyexpire-nested-arbitrary-keys', 'prefetch-batch-max-size',
    ],
  },
  // valkey-io/valkey 8.0.1: src/config.c (Valkey forked from Redis 7.2.4); plus the CVE-2025-46818
  // backport of 8.0.6, lua-enable-insecure-api with its alias lua-enable-deprecated-api.
  {
    line: 'valkey 8.0',
    base: 'redis 7.2',
    added: [
      'aof-rewrite-cpulist', 'availability-zone', 'bgsave-cpulist', 'bio-cpulist', 'cluster-announce-client-ipv4',
      'cluster-announce-client-ipv6', 'cluster-blacklist-ttl', 'cluster-slot-stats-enabled', 'debug-context',
      'dual-channel-replication-enabled', 'enable-debug-assert', 'events-per-io-thread',
      'extended-redis-compatibility', 'hide-user-data-from-log', 'lua-enable-insecure-api',
      'max-new-connections-per-cycle', 'max-new-tls-connections-per-cycle', 'prefetch-batch-max-size', 'primaryauth',
      'primaryuser', 'server-cpulist', 'unixsocketgroup',
    ],
  },
  // valkey 8.1.1 release tarball (Debian's valkey_8.1.1+dfsg1.orig.tar.xz): src/config.c; plus
  // the CVE-2025-46818 backport of 8.1.4, lua-enable-insecure-api and lua-enable-deprecated-api.
  {
    line: 'valkey 8.1',
    base: 'valkey 8.0',
    added: [
      'active-defrag-cycle-us', 'cluster-manual-failover-timeout', 'commandlog-execution-slower-than',
      'commandlog-large-reply-max-len', 'commandlog-large-request-max-len', 'commandlog-reply-larger-than',
      'commandlog-request-larger-than', 'commandlog-slow-execution-max-len', 'import-mode', 'log-format',
      'log-timestamp-format', 'rdb-version-check', 'rdma-bind', 'rdma-completion-vector', 'rdma-port', 'rdma-rx-size',
    ],
    ignored: [
      'dynamic-hz', 'io-threads-do-reads',
    ],
  },
  // No 9.0 source is reachable here: 9.1.2's list less the three directives its release notes
  // date to 9.1 (cluster-config-save-behavior, hash-seed, tls-auto-reload-interval).
  {
    line: 'valkey 9.0',
    base: 'valkey 8.1',
    added: [
      'cluster-announce-client-port', 'cluster-announce-client-tls-port', 'cluster-databases',
      'cluster-message-gossip-perc', 'cluster-slot-migration-log-max-len', 'io-threads-always-active',
      'min-io-threads-avoid-copy-reply', 'min-string-size-avoid-copy-reply',
      'min-string-size-avoid-copy-reply-threaded', 'mptcp', 'repl-mptcp', 'slot-migration-max-failover-repl-bytes',
      'tls-auth-clients-user',
    ],
  },
  // valkey 9.1.2 release tarball (Debian's valkey_9.1.2.orig.tar.gz): src/config.c. 9.1 turned
  // events-per-io-thread and sanitize-dump-payload into accepted no-ops.
  {
    line: 'valkey 9.1',
    base: 'valkey 9.0',
    added: [
      'cluster-config-save-behavior', 'hash-seed', 'tls-auto-reload-interval',
    ],
    ignored: [
      'events-per-io-thread', 'sanitize-dump-payload',
    ],
  },
];

interface LineDirectives {
  readonly engine: ConfigEngine;
  /** Release line, such as `7.2`. */
  readonly version: string;
  readonly names: ReadonlySet<string>;
  readonly ignored: ReadonlySet<string>;
}

const LINES = new Map<string, LineDirectives>();
for (const changes of CHANGES) {
  const base = changes.base === undefined ? undefined : LINES.get(changes.base);
  const names = new Set([...(base?.names ?? []), ...changes.added]);
  for (const name of changes.removed ?? []) names.delete(name);
  const [engine, version] = changes.line.split(' ') as [ConfigEngine, string];
  LINES.set(changes.line, { engine, version, names, ignored: new Set([...(base?.ignored ?? []), ...(changes.ignored ?? [])]) });
}

const ENGINES: Record<ConfigEngine, { readonly title: string; readonly repository: string; readonly configFile: string }> = {
  redis: { title: 'Redis', repository: 'redis/redis', configFile: 'redis.conf' },
  valkey: { title: 'Valkey', repository: 'valkey-io/valkey', configFile: 'valkey.conf' },
};

function lineOf(engine: ConfigEngine, major: number, minor: number): LineDirectives {
  const line = LINES.get(`${engine} ${major}.${minor}`);
  if (!line) {
    // A catalog entry without a table line is a release mistake, caught by the unit tests.
    throw new Error(`no config directive table for ${ENGINES[engine].title} ${major}.${minor}`);
  }
  return line;
}

/** Every directive name `engine` `major.minor` accepts in a config file, aliases included. */
export function configDirectiveNames(engine: ConfigEngine, major: number, minor: number): ReadonlySet<string> {
  return lineOf(engine, major, minor).names;
}

/** Whether the server accepts `name` but ignores it, as it does with the directives it deprecated. */
export function isIgnoredConfigDirective(engine: ConfigEngine, major: number, minor: number, name: string): boolean {
  return lineOf(engine, major, minor).ignored.has(name);
}


function joinVersions(versions: readonly string[]): string {
  return versions.length === 1 ? versions[0] : `${versions.slice(0, -1).join(', ')} and ${versions[versions.length - 1]}`;
}

/**
 * Why `name` cannot be a `config` directive of `engine` `major.minor`, naming the
 * lines that do have it or the closest directive of this line; undefined when the
 * server accepts it.
 */
export function configDirectiveProblem(engine: ConfigEngine, major: number, minor: number, name: string): string | undefined {
  const line = lineOf(engine, major, minor);
  if (line.names.has(name)) return undefined;
  const { title, repository, configFile } = ENGINES[engine];
  const problem = `\`config\` directive "${name}" is not a ${configFile} directive of ${title} ${line.version} `
    + `(see https://raw.githubusercontent.com/${repository}/${line.version}/${configFile})`;
  const others = [...LINES.values()].filter((other) => other.engine === engine && other.names.has(name)).map((other) => other.version);
  if (others.length > 0) {
    return `${problem}; only ${title} ${joinVersions(others)} ${others.length === 1 ? 'has' : 'have'} it`;
  }
  const closest = closestName(line.names, name);
  return closest === undefined ? problem : `${problem}; did you mean "${closest}"?`;
}
