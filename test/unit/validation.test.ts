import { TerraformStack } from 'cdktf';
import { MaxmemoryPolicy, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisRestartPolicy, RedisTlsMode, RedisVersion } from '../../lib';
import { dockerStack, errorOf, warningsUnder } from '../support/synth';

function database(props: RedisDatabaseProps, stack: TerraformStack = dockerStack(), id = 'cache'): RedisDatabase {
  return new RedisDatabase(stack, id, props);
}

describe('RedisDatabase validation', () => {
  test('fails on an unknown version name from JavaScript, listing the valid ones', () => {
    expect(errorOf(() => database({ version: '7.3' as unknown as RedisVersion }))).toBe(
      `RedisDatabase cache: \`version\` must be a RedisVersion such as RedisVersion.V7_2 or one of the names ${RedisVersion.NAMES.join(', ')}, got "7.3"`,
    );
  });

  test('takes a catalog name string from JavaScript callers', () => {
    const db = database({ version: '7.2-nordb' as unknown as RedisVersion });
    expect(db.version).toBe(RedisVersion.V7_2_NORDB);
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

  test('fails on a handle used twice in a stack, naming both constructs', () => {
    const stack = dockerStack();
    database({ handle: 'shared' }, stack, 'one');
    expect(errorOf(() => database({ handle: 'shared', port: 7000, tlsPort: 7001 }, stack, 'two'))).toBe(
      'RedisDatabase shared: `handle` "shared" is already used by test/one in this stack (this one is test/two); every database and follower needs its own handle',
    );
  });

  test('fails on a host port used twice in a stack, saying the port was the default', () => {
    const stack = dockerStack();
    database({}, stack, 'one');
    expect(errorOf(() => database({ tlsPort: 7001 }, stack, 'two'))).toBe(
      'RedisDatabase two: `port` 6379 (the default) on 127.0.0.1 is already published by RedisDatabase one at test/one (`port` 6379 (the default)); choose another host port with `port`',
    );
  });

  test('fails on a TLS port that is another database\'s plaintext port', () => {
    const stack = dockerStack();
    database({ hostIp: '127.0.0.1' }, stack, 'one');
    expect(errorOf(() => database({ port: 7000, tlsPort: 6379 }, stack, 'two'))).toBe(
      'RedisDatabase two: `tlsPort` 6379 on 0.0.0.0 is already published by RedisDatabase one at test/one (`port` 6379 (the default)); choose another host port',
    );
  });

  test('warns that a construct id longer than a handle is cut, naming the handle it got', () => {
    const stack = dockerStack();
    const id = 'sessions-for-the-customer-facing-checkout-service';
    const db = database({}, stack, id);
    expect(db.handle).toBe('sessions-for-the-customer-facing-checkout');
    expect(warningsUnder(db)).toContainEqual(
      `RedisDatabase sessions-for-the-customer-facing-checkout: the construct id "${id}" is longer than 41 characters, so its handle is cut to "sessions-for-the-customer-facing-checkout"; set \`handle\` to choose the name of its Docker objects`,
    );
  });

  test('allows the same port on two distinct host addresses', () => {
    const stack = dockerStack();
    database({ hostIp: '127.0.0.1' }, stack, 'one');
    expect(() => database({ hostIp: '127.0.0.2', plaintextHostIp: '127.0.0.2' }, stack, 'two')).not.toThrow();
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
      'RedisDatabase cache: `tlsPort` 7000 on 0.0.0.0 is already published by RedisDatabase cache at test/cache (`port` 7000); choose another host port',
    );
  });

  test('fails on AOF with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: RedisVersion.V7_2_NORDB, appendOnly: true }))).toBe(
      'RedisDatabase cache: `appendOnly` needs a persistent version, got memory-only "7.2-nordb"; use "7.2"',
    );
  });

  test('fails on a snapshot schedule with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: RedisVersion.V6_2_NORDB, saveSchedule: [{ afterSeconds: 60, minChanges: 1 }] }))).toBe(
      'RedisDatabase cache: `saveSchedule` needs a persistent version, got memory-only "6.2-nordb"; use "6.2"',
    );
  });

  test('fails on enforceSize with a memory-only flavor', () => {
    expect(errorOf(() => database({ version: RedisVersion.V7_2_NORDB, enforceSize: true }))).toContain(
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

  test.each(['repl-diskless-load', 'repl-diskless-sync'])('fails on config setting %s of a memory-only flavor, which keeps full syncs off its tmpfs', (directive) => {
    expect(errorOf(() => database({ version: RedisVersion.V8_0_NORDB, config: { [directive]: 'disabled' } }))).toBe(
      `RedisDatabase cache: \`config\` must not set "${directive}" on memory-only "8.0-nordb": the construct keeps full syncs off the tmpfs data dir, ` +
      'which counts against the container\'s memory (a follower would be OOM-killed loading a large one)',
    );
    expect(() => database({ version: RedisVersion.V8_0, config: { [directive]: directive === 'repl-diskless-load' ? 'swapdb' : 'yes' } })).not.toThrow();
  });

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

  test('fails on a one-character password in proper English', () => {
    expect(errorOf(() => database({ password: 'x' }))).toContain('got a value of 1 character that does not match');
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
    expect(errorOf(() => database({ version: RedisVersion.V5_0, tlsMode: RedisTlsMode.NATIVE }))).toBe(
      'RedisDatabase cache: `tlsMode` "native" needs Redis 6.0 or later, got "5.0"; use the default sidecar',
    );
  });

  test('fails on an unknown TLS mode', () => {
    expect(errorOf(() => database({ tlsMode: 'stunnel' as RedisTlsMode }))).toBe(
      'RedisDatabase cache: `tlsMode` must be one of sidecar, native, got "stunnel"',
    );
  });

  test('fails on an unknown restart policy', () => {
    expect(errorOf(() => database({ restart: 'sometimes' as RedisRestartPolicy }))).toBe(
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
    const lines = errorOf(() => database({ version: '9.9' as unknown as RedisVersion, size: 0, containerSizeMb: 1, port: 0 })).split('\n');
    expect(lines).toEqual([
      expect.stringContaining('RedisDatabase cache: `version` must be a RedisVersion'),
      'RedisDatabase cache: `size` must be an integer >= 1 (GB), got 0',
      'RedisDatabase cache: `containerSizeMb` must be an integer >= 256 (MB), got 1',
      'RedisDatabase cache: `port` must be an integer from 1 to 65535, got 0',
    ]);
  });
});

describe('RedisFollower validation', () => {
  test('fails on a version older than the primary', () => {
    const stack = dockerStack();
    const primary = database({ version: RedisVersion.V7_2 }, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, version: RedisVersion.V6_2 }))).toBe(
      'RedisFollower replica: `version` cannot replicate from its primary cache: "6.2" (Redis 6.2, RDB format 9) is older than "7.2" (Redis 7.2, RDB format 11): it must run 7.2 or newer',
    );
  });

  test('fails on a Valkey follower of a primary whose snapshot format Valkey does not read, naming both', () => {
    const stack = dockerStack();
    const primary = database({ version: RedisVersion.V7_4 }, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, version: RedisVersion.VALKEY_8_1 }))).toBe(
      'RedisFollower replica: `version` cannot replicate from its primary cache: "valkey-8.1" (Valkey 8.1, RDB format 11) cannot read what "7.4" (Redis 7.4, RDB format 12) writes',
    );
  });

  test('allows a Valkey follower of a Redis 7.2 primary', () => {
    const stack = dockerStack();
    const primary = database({ version: RedisVersion.V7_2 }, stack);
    expect(() => new RedisFollower(stack, 'replica', { primary, version: RedisVersion.VALKEY_8_1 })).not.toThrow();
  });

  test('fails on an unknown version', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, version: 'latest' as unknown as RedisVersion }))).toContain(
      'RedisFollower replica: `version` must be a RedisVersion such as RedisVersion.V7_2 or one of the names 8.2, 8.2-nordb,',
    );
  });

  test('fails on a handle its primary already uses', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, handle: 'cache' }))).toBe(
      'RedisFollower cache: `handle` "cache" is already used by test/cache in this stack (this one is test/replica); every database and follower needs its own handle',
    );
  });

  test('fails on the primary\'s host port', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    expect(errorOf(() => new RedisFollower(stack, 'replica', { primary, port: 6379 }))).toBe(
      'RedisFollower replica: `port` 6379 on 127.0.0.1 is already published by RedisDatabase cache at test/cache (`port` 6379 (the default)); choose another host port',
    );
  });

  test('allows a follower of a follower', () => {
    const stack = dockerStack();
    const primary = database({}, stack);
    const first = new RedisFollower(stack, 'replica-1', { primary });
    expect(() => new RedisFollower(stack, 'replica-2', { primary: first })).not.toThrow();
  });
});
