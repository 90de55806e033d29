import { TerraformStack } from 'cdktf';
import { MaxmemoryPolicy, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { dockerStack } from '../support/synth';

function database(props: RedisDatabaseProps, stack: TerraformStack = dockerStack(), id = 'cache'): RedisDatabase {
  return new RedisDatabase(stack, id, props);
}

function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

describe('RedisDatabase validation', () => {
  test('fails on an unknown version, listing the valid ones', () => {
    expect(errorOf(() => database({ version: '7.3' }))).toBe(
      `RedisDatabase cache: \`version\` must be one of ${RedisVersion.NAMES.join(', ')}, got "7.3"`,
    );
  });

  test.each([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
  ])('fails on size %p', (size, shown) => {
    expect(errorOf(() => database({ size }))).toBe(`RedisDatabase cache: \`size\` must be an integer >= 1 (GB), got ${shown}`);
  });

  test('fails on a container too small for Redis', () => {
    expect(errorOf(() => database({ containerSizeMb: 128 }))).toBe(
      'RedisDatabase cache: `containerSizeMb` must be an integer >= 256 (MB), got 128',
    );
  });

  test.each(['Cache', '-cache', 'cache_1', 'a'.repeat(42), ''])('fails on handle %p', (handle) => {
    expect(errorOf(() => database({ handle }))).toContain(
      `: \`handle\` must be lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters, got "${handle}"`,
    );
  });

  test('fails on a handle used twice in a stack', () => {
    const stack = dockerStack();
    database({ handle: 'shared' }, stack, 'one');
    expect(errorOf(() => database({ handle: 'shared', port: 7000, tlsPort: 7001 }, stack, 'two'))).toBe(
      'RedisDatabase shared: `handle` "shared" is already used by RedisDatabase shared in this stack; every database and follower needs its own handle',
    );
  });

  test('fails on a host port used twice in a stack', () => {
    const stack = dockerStack();
    database({}, stack, 'one');
    expect(errorOf(() => database({ tlsPort: 7001 }, stack, 'two'))).toBe(
      'RedisDatabase two: `port` 6379 on 0.0.0.0 is already published by RedisDatabase one (`port`); choose another host port',
    );
  });

  test('fails on a TLS port that is another database\'s plaintext port', () => {
    const stack = dockerStack();
    database({ hostIp: '127.0.0.1' }, stack, 'one');
    expect(errorOf(() => database({ port: 7000, tlsPort: 6379 }, stack, 'two'))).toBe(
      'RedisDatabase two: `tlsPort` 6379 on 0.0.0.0 is already published by RedisDatabase one (`port`); choose another host port',
    );
  });

  test('allows the same port on two distinct host addresses', () => {
    const stack = dockerStack();
    database({ hostIp: '127.0.0.1' }, stack, 'one');
    expect(() => database({ hostIp: '127.0.0.2' }, stack, 'two')).not.toThrow();
  });

  test.each([
    ['port', 0],
    ['port', 65536],
    ['tlsPort', 70000],
    ['port', 80.5],
  ])('fails on %s %p', (prop, value) => {
    expect(errorOf(() => database({ [prop]: value }))).toBe(
      `RedisDatabase cache: \`${prop}\` must be an integer from 1 to 65535, got ${value}`,
    );
  });

  test('fails when port and tlsPort are equal', () => {
    expect(errorOf(() => database({ port: 7000, tlsPort: 7000 }))).toBe(
      'RedisDatabase cache: `tlsPort` 7000 on 0.0.0.0 is already published by RedisDatabase cache (`port`); choose another host port',
    );
  });

  test('fails on AOF with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: '7.2-nordb', appendOnly: true }))).toBe(
      'RedisDatabase cache: `appendOnly` needs a persistent version, got memory-only "7.2-nordb"; use "7.2"',
    );
  });

  test('fails on a snapshot schedule with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: '6.2-nordb', saveSchedule: [{ afterSeconds: 60, minChanges: 1 }] }))).toBe(
      'RedisDatabase cache: `saveSchedule` needs a persistent version, got memory-only "6.2-nordb"; use "6.2"',
    );
  });

  test('fails on enforceSize with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: '7.2-nordb', enforceSize: true }))).toContain(
      '`enforceSize` needs a persistent version: memory-only "7.2-nordb" has a tmpfs of exactly `size` GB and no volume',
    );
  });

  test('fails on a snapshot rule that is not a positive integer', () => {
    expect(errorOf(() => database({ saveSchedule: [{ afterSeconds: 0, minChanges: 1 }] }))).toBe(
      'RedisDatabase cache: `saveSchedule[0].afterSeconds` must be an integer >= 1 (seconds), got 0',
    );
  });

  test.each(['port', 'requirepass', 'save', 'replicaof', 'slaveof', 'dir', 'maxmemory', 'appendonly', 'SAVE'])(
    'fails on config overriding owned directive %s',
    (directive) => {
      expect(errorOf(() => database({ config: { [directive]: '1' } }))).toContain(
        `RedisDatabase cache: \`config\` must not set "${directive}": the construct owns it (owned: port, bind, dir,`,
      );
    },
  );

  test('fails on a config value spanning lines', () => {
    expect(errorOf(() => database({ config: { timeout: '0\nrequirepass x' } }))).toBe(
      'RedisDatabase cache: `config` value of "timeout" must be a single line',
    );
  });

  test('fails on a malformed directive name', () => {
    expect(errorOf(() => database({ config: { 'hz 10\nport': '1' } }))).toBe(
      'RedisDatabase cache: `config` directive names must be lowercase redis.conf names such as "timeout", got "hz 10\nport"',
    );
  });

  test('fails on a weak password without showing it', () => {
    const message = errorOf(() => database({ password: 'hunter2' }));
    expect(message).toBe(
      'RedisDatabase cache: `password` must be 16 to 128 URL-safe characters (A-Z a-z 0-9 . _ ~ -), got a value of 7 characters that does not match',
    );
    expect(message).not.toContain('hunter2');
  });

  test('fails on a password with characters that would break the URL, without showing it', () => {
    const secret = 'abcdefgh@ijklmnop/qrs';
    expect(errorOf(() => database({ password: secret }))).not.toContain(secret);
  });

  test('fails on part of the TLS material', () => {
    expect(errorOf(() => database({ tlsCertificatePem: 'CERT' }))).toBe(
      'RedisDatabase cache: `tlsCertificatePem` given without `tlsPrivateKeyPem`, `tlsCaCertificatePem`: give all three TLS PEMs or none',
    );
  });

  test('fails on native TLS before Redis 6.0', () => {
    expect(errorOf(() => database({ version: '5.0', tlsMode: RedisTlsMode.NATIVE }))).toBe(
      'RedisDatabase cache: `tlsMode` "native" needs Redis 6.0 or later, got "5.0"; use the default sidecar',
    );
  });

  test('fails on an unknown TLS mode', () => {
    expect(errorOf(() => database({ tlsMode: 'stunnel' as RedisTlsMode }))).toBe(
      'RedisDatabase cache: `tlsMode` must be one of sidecar, native, got "stunnel"',
    );
  });

  test('fails on an unknown restart policy', () => {
    expect(errorOf(() => database({ restart: 'sometimes' }))).toBe(
      'RedisDatabase cache: `restart` must be one of no, on-failure, always, unless-stopped, got "sometimes"',
    );
  });

  test('fails on an unknown maxmemory policy', () => {
    expect(errorOf(() => database({ maxmemoryPolicy: 'lru' as MaxmemoryPolicy }))).toContain(
      '`maxmemoryPolicy` must be one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl, got "lru"',
    );
  });

  test('fails on a hostname that is not a DNS name or IPv4 address', () => {
    expect(errorOf(() => database({ hostname: 'redis host' }))).toBe(
      'RedisDatabase cache: `hostname` must be a DNS name or an IPv4 address, got "redis host"',
    );
  });

  test.each(['localhost', '256.1.1.1', '::1'])('fails on host address %p', (hostIp) => {
    expect(errorOf(() => database({ hostIp }))).toBe(
      `RedisDatabase cache: \`hostIp\` must be an IPv4 address such as 0.0.0.0 or 127.0.0.1, got "${hostIp}"`,
    );
  });

  test('fails with every problem of the construct in one error', () => {
    const lines = errorOf(() => database({ version: '9.9', size: 0, containerSizeMb: 1, port: 0 })).split('\n');
    expect(lines).toEqual([
      expect.stringContaining('RedisDatabase cache: `version` must be one of'),
      'RedisDatabase cache: `size` must be an integer >= 1 (GB), got 0',
      'RedisDatabase cache: `containerSizeMb` must be an integer >= 256 (MB), got 1',
      'RedisDatabase cache: `port` must be an integer from 1 to 65535, got 0',
    ]);
  });
});

describe('RedisFollower validation', () => {
  test('fails on a version older than the primary', () => {
    const stack = dockerStack();
    const primary = database({ version: '7.2' }, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, version: '6.2' }))).toBe(
      'RedisFollower replica: `version` "6.2" is older than the primary\'s "7.2": a follower must run 7.2 or newer',
    );
  });

  test('fails on an unknown version', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, version: 'latest' }))).toContain(
      'RedisFollower replica: `version` must be one of 8.2, 8.2-nordb,',
    );
  });

  test('fails on a handle its primary already uses', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, handle: 'cache' }))).toBe(
      'RedisFollower cache: `handle` "cache" is already used by RedisDatabase cache in this stack; every database and follower needs its own handle',
    );
  });

  test('fails on the primary\'s host port', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, port: 6379 }))).toBe(
      'RedisFollower replica: `port` 6379 on 0.0.0.0 is already published by RedisDatabase cache (`port`); choose another host port',
    );
  });

  test('allows a follower of a follower', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    const first = new RedisFollower(stack, 'replica-1', { primary });
    expect(() => new RedisFollower(stack, 'replica-2', { primary: first })).not.toThrow();
  });
});
