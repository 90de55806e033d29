import { RedisVersion } from '../../lib';
import { RedisConfInput, renderRedisConf } from '../../lib/private/redis-conf';

const base: RedisConfInput = {
  versionName: '7.2',
  engine: 'redis',
  major: 7,
  minor: 2,
  memoryOnly: false,
  port: 6379,
  dataDir: '/data',
  auth: { requirepass: 'correct-horse-battery-staple' },
  savePoints: [
    { afterSeconds: 900, minChanges: 1 },
    { afterSeconds: 300, minChanges: 10 },
    { afterSeconds: 60, minChanges: 10000 },
  ],
  appendOnly: false,
  maxmemoryMb: 512,
  maxmemoryPolicy: 'noeviction',
  extraDirectives: {},
};

function directives(conf: string): string[] {
  return conf.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('renderRedisConf', () => {
  test('renders the Aptible snapshot schedule one pair per line', () => {
    const lines = directives(renderRedisConf(base));
    expect(lines).toEqual([
      'port 6379',
      'dir /data',
      'dbfilename dump.rdb',
      'logfile ""',
      'loglevel notice',
      'requirepass "correct-horse-battery-staple"',
      'enable-protected-configs no',
      'enable-debug-command no',
      'enable-module-command no',
      'maxmemory 512mb',
      'maxmemory-policy noeviction',
      'save 900 1',
      'save 300 10',
      'save 60 10000',
      'appendonly no',
    ]);
  });

  test('renders the admin switches `no` from Redis 7.0 and on Valkey, and none before (6.x has no such directive)', () => {
    const switches = (input: Partial<RedisConfInput>) => directives(renderRedisConf({ ...base, ...input })).filter((l) => l.startsWith('enable-'));
    const all = ['enable-protected-configs no', 'enable-debug-command no', 'enable-module-command no'];
    expect(switches({ versionName: '7.0', major: 7, minor: 0 })).toEqual(all);
    expect(switches({ versionName: 'valkey-8.0', engine: 'valkey', major: 8, minor: 0 })).toEqual(all);
    expect(switches({ versionName: '6.2', major: 6, minor: 2 })).toEqual([]);
    expect(switches({ versionName: '5.0', major: 5, minor: 0 })).toEqual([]);
  });

  test('renders a switch given `no` in `config` once, where the construct puts it', () => {
    const lines = directives(renderRedisConf({ ...base, extraDirectives: { 'enable-debug-command': 'no', timeout: '300' } }));
    expect(lines.filter((l) => l.startsWith('enable-debug-command'))).toEqual(['enable-debug-command no']);
    expect(lines[lines.length - 1]).toBe('timeout 300');
  });

  test('renders save "" and appendonly no without save points', () => {
    const lines = directives(renderRedisConf({ ...base, savePoints: [] }));
    expect(lines).toContain('save ""');
    expect(lines).toContain('appendonly no');
    expect(lines.filter((l) => l.startsWith('save'))).toEqual(['save ""']);
  });

  test('renders AOF with everysec fsync', () => {
    const lines = directives(renderRedisConf({ ...base, appendOnly: true }));
    expect(lines).toEqual(expect.arrayContaining(['appendonly yes', 'appendfsync everysec', 'appendfilename "appendonly.aof"']));
    expect(lines).not.toContain('appendonly no');
  });

  test('escapes quotes and backslashes in quoted values', () => {
    const conf = renderRedisConf({ ...base, auth: { requirepass: 'a"b\\c' } });
    expect(conf).toContain('requirepass "a\\"b\\\\c"');
  });

  test('renders extra directives sorted after the owned ones', () => {
    const lines = directives(renderRedisConf({ ...base, extraDirectives: { timeout: '300', 'hz': '20' } }));
    expect(lines.slice(-2)).toEqual(['hz 20', 'timeout 300']);
  });

  test('renders a Unix socket for the sidecar when asked', () => {
    const lines = directives(renderRedisConf({ ...base, unixSocket: { path: '/run/redis/redis.sock', permissions: '770' } }));
    expect(lines).toEqual(expect.arrayContaining(['unixsocket /run/redis/redis.sock', 'unixsocketperm 770']));
    expect(directives(renderRedisConf(base)).some((l) => l.startsWith('unixsocket'))).toBe(false);
  });

  test('is deterministic', () => {
    expect(renderRedisConf(base)).toBe(renderRedisConf({ ...base }));
  });

  describe.each(RedisVersion.ALL.map((v) => [v.name, v] as const))('replica settings for %s', (_name, version) => {
    const conf = renderRedisConf({
      ...base,
      versionName: version.name,
      engine: version.engine,
      major: version.major,
      minor: version.minor,
      replicaOf: { host: 'primary', port: 6379, password: 'primary-password-123' },
    });
    const lines = directives(conf);
    const legacy = version.engine === 'redis' && version.major < 5;

    test(`uses ${legacy ? 'slaveof' : 'replicaof'}`, () => {
      expect(lines).toContain(`${legacy ? 'slaveof' : 'replicaof'} primary 6379`);
      expect(lines).toContain(`${legacy ? 'slave-read-only' : 'replica-read-only'} yes`);
      expect(lines).toContain('masterauth "primary-password-123"');
      expect(conf).not.toMatch(legacy ? /replica/ : /slave/);
    });

    test('names the engine and version in the header', () => {
      const engine = version.engine === 'redis' ? 'redis.conf for Redis' : 'valkey.conf for Valkey';
      expect(conf.split('\n')[0]).toBe(`# ${engine} ${version.name.replace('valkey-', '')}, generated by cdktf-docker-redis.`);
    });
  });

  describe('authentication', () => {
    test('names an ACL file instead of requirepass, which Redis would ignore beside one', () => {
      const lines = directives(renderRedisConf({ ...base, auth: { aclFile: '/usr/local/etc/redis/users.acl' } }));
      expect(lines).toContain('aclfile /usr/local/etc/redis/users.acl');
      expect(lines.some((l) => l.startsWith('requirepass'))).toBe(false);
      expect(lines.some((l) => l.startsWith('acl-pubsub-default'))).toBe(false);
    });

    test('gives new users no Pub/Sub channels on 6.2, as 7.0 and Valkey do by default', () => {
      const lines = directives(renderRedisConf({ ...base, versionName: '6.2', major: 6, minor: 2, auth: { aclFile: '/users.acl' } }));
      expect(lines).toEqual(expect.arrayContaining(['aclfile /users.acl', 'acl-pubsub-default resetchannels']));
    });

    test('replicates as the primary\'s replication user', () => {
      const lines = directives(renderRedisConf({ ...base, auth: { aclFile: '/users.acl' }, replicaOf: { host: 'cache', port: 6379, user: 'replication', password: 'pw-0123456789abcdef' } }));
      expect(lines).toEqual(expect.arrayContaining(['replicaof cache 6379', 'masteruser replication', 'masterauth "pw-0123456789abcdef"']));
    });

    test('fails on an ACL file for a release without users', () => {
      expect(() => renderRedisConf({ ...base, versionName: '5.0', major: 5, minor: 0, auth: { aclFile: '/users.acl' } })).toThrow('ACL users need Redis 6.0 or later, got 5.0');
    });

    test('fails unless exactly one of requirepass and aclFile is given', () => {
      expect(() => renderRedisConf({ ...base, auth: {} })).toThrow('give exactly one of requirepass and aclFile');
      expect(() => renderRedisConf({ ...base, auth: { requirepass: 'x', aclFile: '/a' } })).toThrow('give exactly one of requirepass and aclFile');
    });
  });

  describe('memory-only flavors', () => {
    test('send full syncs over the socket and load them from it, never through the tmpfs data dir', () => {
      const lines = directives(renderRedisConf({ ...base, memoryOnly: true, savePoints: [] }));
      expect(lines).toEqual(expect.arrayContaining(['repl-diskless-sync yes', 'repl-diskless-load on-empty-db']));
    });

    test.each([['4.0', 4, 0], ['5.0', 5, 0]])('%s sends diskless but has no diskless load to offer', (versionName, major, minor) => {
      const lines = directives(renderRedisConf({ ...base, versionName, major, minor, memoryOnly: true, savePoints: [] }));
      expect(lines).toContain('repl-diskless-sync yes');
      expect(lines.some((l) => l.startsWith('repl-diskless-load'))).toBe(false);
    });

    test('Valkey loads diskless like Redis 6.0 and later', () => {
      const lines = directives(renderRedisConf({ ...base, engine: 'valkey', major: 8, minor: 0, memoryOnly: true, savePoints: [] }));
      expect(lines).toContain('repl-diskless-load on-empty-db');
    });

    test('persistent flavors keep the release\'s own sync defaults', () => {
      expect(directives(renderRedisConf(base)).some((l) => l.startsWith('repl-diskless'))).toBe(false);
    });
  });

  describe('native TLS', () => {
    const tls = { port: 6380, certFile: '/tls/server.crt', keyFile: '/tls/server.key', caFile: '/tls/ca.crt' };

    test('listens for TLS 1.2+ with the certificate and no client certificates', () => {
      const lines = directives(renderRedisConf({ ...base, tls }));
      expect(lines).toEqual(expect.arrayContaining([
        'tls-port 6380',
        'tls-cert-file /tls/server.crt',
        'tls-key-file /tls/server.key',
        'tls-ca-cert-file /tls/ca.crt',
        'tls-auth-clients no',
        'tls-protocols "TLSv1.2 TLSv1.3"',
        'tls-prefer-server-ciphers yes',
      ]));
      expect(lines.find((l) => l.startsWith('tls-ciphers '))).toMatch(/^tls-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:/);
    });

    test('fails for a release without TLS support', () => {
      expect(() => renderRedisConf({ ...base, versionName: '5.0', major: 5, minor: 0, tls })).toThrow('native TLS needs Redis 6.0 or later, got 5.0');
    });
  });
});
