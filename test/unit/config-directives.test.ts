import { RedisDatabase, RedisDatabaseProps, RedisVersion } from '../../lib';
import { ConfigEngine, configDirectiveNames, configDirectiveProblem, isIgnoredConfigDirective } from '../../lib/private/config-directives';
import { engineFeatures } from '../../lib/private/engine';
import { OWNED_DIRECTIVES, renderRedisConf } from '../../lib/private/redis-conf';
import { dockerStack, warningsUnder, errorOf as errorOfBuilding } from '../support/synth';

function errorOf(props: RedisDatabaseProps): string {
  return errorOfBuilding(() => new RedisDatabase(dockerStack(), 'cache', props));
}

function line(engine: ConfigEngine, version: string): ReadonlySet<string> {
  const [major, minor] = version.split('.').map(Number);
  return configDirectiveNames(engine, major, minor);
}

describe('the directive table', () => {
  test.each(RedisVersion.ALL.map((v) => [v.name, v] as const))('covers catalog version %s', (_, version) => {
    expect(configDirectiveNames(version.engine, version.major, version.minor).size).toBeGreaterThan(90);
  });

  test.each([
    ['redis', '4.0', 99],
    ['redis', '5.0', 120],
    ['redis', '6.0', 158],
    ['redis', '6.2', 176],
    ['redis', '7.0', 204],
    ['redis', '7.2', 210],
    ['redis', '7.4', 217],
    ['redis', '8.0', 220],
    ['redis', '8.2', 222],
    ['valkey', '8.0', 232],
    ['valkey', '8.1', 248],
    ['valkey', '9.0', 261],
    ['valkey', '9.1', 264],
  ] as const)('%s %s has %i directives', (engine, version, size) => {
    expect(line(engine, version).size).toBe(size);
  });

  test('refuses a line it has no table for', () => {
    expect(() => configDirectiveNames('redis', 9, 0)).toThrow('no config directive table for Redis 9.0');
  });

  test.each(RedisVersion.ALL.map((v) => [v.name, v] as const))(
    'has every directive the renderer writes for %s',
    (_, version) => {
      const acl = engineFeatures(version).acl;
      const conf = renderRedisConf({
        versionName: version.name,
        engine: version.engine,
        major: version.major,
        minor: version.minor,
        memoryOnly: !version.persistent,
        port: 6379,
        dataDir: '/data',
        auth: acl ? { aclFile: '/users.acl' } : { requirepass: 'correct-horse-battery-staple' },
        savePoints: [{ afterSeconds: 900, minChanges: 1 }],
        appendOnly: true,
        maxmemoryMb: 512,
        maxmemoryPolicy: 'noeviction',
        replicaOf: { host: 'primary', port: 6379, user: acl ? 'replication' : undefined, password: 'correct-horse-battery-staple' },
        tls: version.engine === 'valkey' || version.isAtLeast(6, 0) ? { port: 6380, certFile: '/c', keyFile: '/k', caFile: '/ca' } : undefined,
        unixSocket: { path: '/run/redis.sock', permissions: '770' },
        extraDirectives: {},
      });
      const written = conf.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0]);
      const names = configDirectiveNames(version.engine, version.major, version.minor);
      expect(written.filter((name) => !names.has(name))).toEqual([]);
    },
  );

  test('the owned directives are real directives of some line', () => {
    const everywhere = new Set(RedisVersion.ALL.flatMap((v) => [...configDirectiveNames(v.engine, v.major, v.minor)]));
    expect(OWNED_DIRECTIVES.filter((name) => !everywhere.has(name))).toEqual([]);
  });
});

describe('configDirectiveProblem', () => {
  test.each([
    ['redis', '4.0', 'maxclients'],
    ['redis', '4.0', 'slaveof'],
    ['redis', '4.0', 'slave-read-only'],
    ['redis', '4.0', 'hash-max-ziplist-entries'],
    ['redis', '5.0', 'replicaof'],
    ['redis', '5.0', 'slaveof'],
    ['redis', '5.0', 'replica-read-only'],
    ['redis', '6.0', 'repl-diskless-load'],
    ['redis', '6.0', 'oom-score-adj-values'],
    ['redis', '6.0', 'rename-command'],
    ['redis', '7.0', 'hash-max-listpack-entries'],
    ['redis', '7.0', 'hash-max-ziplist-entries'],
    ['redis', '7.0', 'enable-debug-command'],
    ['redis', '7.4', 'bgsave-cpulist'],
    ['redis', '7.4', 'bgsave_cpulist'],
    ['redis', '8.0', 'repl-rdb-channel'],
    ['redis', '8.2', 'lua-enable-deprecated-api'],
    ['valkey', '8.0', 'primaryauth'],
    ['valkey', '8.0', 'masterauth'],
    ['valkey', '8.1', 'commandlog-execution-slower-than'],
    ['valkey', '8.1', 'slowlog-log-slower-than'],
    ['valkey', '9.0', 'cluster-databases'],
    ['valkey', '9.1', 'hash-seed'],
    ['valkey', '9.1', 'lua-enable-deprecated-api'],
  ] as const)('passes %s %s directive %s', (engine, version, name) => {
    const [major, minor] = version.split('.').map(Number);
    expect(configDirectiveProblem(engine, major, minor, name)).toBeUndefined();
  });

  test('fails bogus-directive, naming the version and its sample config', () => {
    expect(configDirectiveProblem('redis', 7, 2, 'bogus-directive')).toBe(
      '`config` directive "bogus-directive" is not a redis.conf directive of Redis 7.2 (see https://raw.githubusercontent.com/redis/redis/7.2/redis.conf)',
    );
  });

  test('fails a Valkey directive against valkey.conf', () => {
    expect(configDirectiveProblem('valkey', 8, 1, 'bogus-directive')).toBe(
      '`config` directive "bogus-directive" is not a valkey.conf directive of Valkey 8.1 (see https://raw.githubusercontent.com/valkey-io/valkey/8.1/valkey.conf)',
    );
  });

  test.each([
    ['maxclient', 'maxclients'],
    ['max-clients', 'maxclients'],
    ['tiemout', 'timeout'],
    ['maxmemory-polcy', 'maxmemory-policy'],
  ])('fails %s, suggesting %s', (name, closest) => {
    expect(configDirectiveProblem('redis', 7, 2, name)).toMatch(new RegExp(`; did you mean "${closest}"\\?$`));
  });

  test('suggests nothing when no directive is within two edits', () => {
    expect(configDirectiveProblem('redis', 7, 2, 'bogus-directive')).not.toContain('did you mean');
  });

  test.each([
    ['redis', 6, 2, 'enable-debug-command', 'Redis 6.2', 'only Redis 7.0, 7.2, 7.4, 8.0 and 8.2 have it'],
    ['redis', 5, 0, 'repl-diskless-load', 'Redis 5.0', 'only Redis 6.0, 6.2, 7.0, 7.2, 7.4, 8.0 and 8.2 have it'],
    ['redis', 4, 0, 'replicaof', 'Redis 4.0', 'only Redis 5.0, 6.0, 6.2, 7.0, 7.2, 7.4, 8.0 and 8.2 have it'],
    ['redis', 6, 2, 'hash-max-listpack-entries', 'Redis 6.2', 'only Redis 7.0, 7.2, 7.4, 8.0 and 8.2 have it'],
    ['redis', 7, 0, 'gopher-enabled', 'Redis 7.0', 'only Redis 6.0 and 6.2 have it'],
    ['redis', 7, 2, 'bgsave-cpulist', 'Redis 7.2', 'only Redis 7.4, 8.0 and 8.2 have it'],
    ['redis', 8, 0, 'prefetch-batch-max-size', 'Redis 8.0', 'only Redis 8.2 has it'],
    ['valkey', 9, 0, 'hash-seed', 'Valkey 9.0', 'only Valkey 9.1 has it'],
  ] as const)('fails %s %i.%i directive %s, naming the lines that have it', (engine, major, minor, name, version, lines) => {
    const problem = configDirectiveProblem(engine, major, minor, name);
    expect(problem).toContain(`"${name}" is not a`);
    expect(problem).toContain(` of ${version} (see `);
    expect(problem).toMatch(new RegExp(`; ${lines}$`));
  });

  test('keys lines by engine: a Valkey-only directive fails for Redis', () => {
    expect(configDirectiveProblem('redis', 7, 2, 'primaryauth')).toBeDefined();
    expect(configDirectiveProblem('valkey', 8, 0, 'primaryauth')).toBeUndefined();
  });

  test('fails sentinel, which a server outside sentinel mode refuses', () => {
    expect(configDirectiveProblem('redis', 7, 2, 'sentinel')).toBeDefined();
  });

  test('fails Redis 8 module options, which need their module loaded', () => {
    expect(configDirectiveProblem('redis', 8, 2, 'search-timeout')).toBeDefined();
    expect(configDirectiveProblem('redis', 8, 2, 'ts-num-threads')).toBeDefined();
  });
});

describe('isIgnoredConfigDirective', () => {
  test.each([
    ['redis', 4, 0, 'list-max-ziplist-entries', true],
    ['redis', 6, 2, 'lua-replicate-commands', false],
    ['redis', 7, 0, 'lua-replicate-commands', true],
    ['redis', 7, 4, 'io-threads-do-reads', false],
    ['redis', 8, 0, 'io-threads-do-reads', true],
    ['valkey', 8, 0, 'dynamic-hz', false],
    ['valkey', 8, 1, 'dynamic-hz', true],
    ['valkey', 9, 1, 'sanitize-dump-payload', true],
    ['redis', 8, 2, 'maxclients', false],
  ] as const)('%s %i.%i %s: %p', (engine, major, minor, name, ignored) => {
    expect(isIgnoredConfigDirective(engine, major, minor, name)).toBe(ignored);
  });
});

describe('RedisDatabase `config`', () => {
  test('fails bogus-directive for the database version', () => {
    expect(errorOf({ version: RedisVersion.of('7.2'), config: { 'bogus-directive': 'yes' } })).toBe(
      'RedisDatabase cache: `config` directive "bogus-directive" is not a redis.conf directive of Redis 7.2 (see https://raw.githubusercontent.com/redis/redis/7.2/redis.conf)',
    );
  });

  test('fails a misspelt directive, suggesting the real one', () => {
    expect(errorOf({ version: RedisVersion.of('7.2-nordb'), config: { maxclient: '100' } })).toMatch(/; did you mean "maxclients"\?$/);
  });

  test('fails a 7.0 directive on 6.2, naming the versions', () => {
    expect(errorOf({ version: RedisVersion.of('6.2'), config: { 'enable-debug-command': 'no' } })).toBe(
      'RedisDatabase cache: `config` directive "enable-debug-command" is not a redis.conf directive of Redis 6.2 '
        + '(see https://raw.githubusercontent.com/redis/redis/6.2/redis.conf); only Redis 7.0, 7.2, 7.4, 8.0 and 8.2 have it',
    );
  });

  test('fails a Valkey directive on Redis, and checks Valkey entries against Valkey\'s table', () => {
    expect(errorOf({ version: RedisVersion.V8_2, config: { 'commandlog-execution-slower-than': '1000' } })).toContain(
      'is not a redis.conf directive of Redis 8.2',
    );
    expect(() => new RedisDatabase(dockerStack(), 'cache', { version: RedisVersion.VALKEY_8_1, config: { 'commandlog-execution-slower-than': '1000' } })).not.toThrow();
  });

  test('refuses Valkey\'s names for the directives the construct owns', () => {
    expect(errorOf({ version: RedisVersion.VALKEY_8_1, config: { primaryauth: 'x' } })).toContain('`config` must not set "primaryauth": the construct owns it');
  });

  test('takes the underscore spelling of a directive where the version has it', () => {
    expect(() => new RedisDatabase(dockerStack(), 'cache', { version: RedisVersion.V7_2, config: { bgsave_cpulist: '0' } })).not.toThrow();
  });

  test('lists every unknown directive at once', () => {
    const message = errorOf({ version: RedisVersion.of('5.0'), config: { 'repl-diskless-load': 'swapdb', 'bogus-directive': 'yes' } });
    expect(message.split('\n')).toHaveLength(2);
  });

  test('accepts old and new spellings where the version has both', () => {
    const stack = dockerStack();
    expect(() => new RedisDatabase(stack, 'a', {
      version: RedisVersion.of('7.0'),
      config: { 'hash-max-ziplist-entries': '64', 'zset-max-listpack-entries': '64', 'slave-serve-stale-data': 'yes' },
    })).not.toThrow();
  });

  test('warns when snapshots that fail would no longer stop writes, and only then', () => {
    const warning = 'RedisDatabase cache: `config` sets "stop-writes-on-bgsave-error" to "no": when a snapshot fails (a full disk), Redis keeps acknowledging writes ' +
      'it cannot save and a restart loses everything since the last good snapshot; without it Redis refuses writes (MISCONF) until a snapshot succeeds';
    const warnings = (options: Partial<RedisDatabaseProps>) => warningsUnder(new RedisDatabase(dockerStack(), 'cache', { version: RedisVersion.V7_2, ...options }));
    expect(warnings({ config: { 'stop-writes-on-bgsave-error': 'no' } })).toContainEqual(warning);
    expect(warnings({ config: { 'stop-writes-on-bgsave-error': 'NO' } })).toContainEqual(warning);
    expect(warnings({ config: { 'stop-writes-on-bgsave-error': 'no' }, saveSchedule: [{ afterSeconds: 60, minChanges: 1 }] })).toContainEqual(warning);
    expect(warnings({ config: { 'stop-writes-on-bgsave-error': 'yes' } })).not.toContainEqual(warning);
    // Without a save schedule Redis never stops writes for a failed snapshot, so the setting changes nothing.
    expect(warnings({ config: { 'stop-writes-on-bgsave-error': 'no' }, saveSchedule: [], appendOnly: true })).not.toContainEqual(warning);
  });

  test('warns on a directive the version accepts but ignores', () => {
    const stack = dockerStack();
    const db = new RedisDatabase(stack, 'cache', { version: RedisVersion.of('8.2'), config: { 'io-threads-do-reads': 'yes' } });
    expect(warningsUnder(db)).toContainEqual(
      'RedisDatabase cache: `config` directive "io-threads-do-reads" is accepted but ignored by Redis 8.2: it has no effect',
    );
  });
});
