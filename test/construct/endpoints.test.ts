import { TerraformStack } from 'cdktf';
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisTlsMode, RedisVersion } from '../../lib';
import { dockerStack, errorOf, resourceAt, synthJson, uploadOf, warningsUnder } from '../support/synth';

const HAPROXY_CFG = '/usr/local/etc/haproxy/haproxy.cfg';

function synthDatabase(props: RedisDatabaseProps = {}, stack: TerraformStack = dockerStack()) {
  const db = new RedisDatabase(stack, 'cache', props);
  const json = synthJson(stack);
  return {
    db,
    json,
    redis: resourceAt(stack, 'docker_container', 'cache/Node/Redis'),
    sidecar: db.settings.tlsMode === RedisTlsMode.NATIVE ? undefined : resourceAt(stack, 'docker_container', 'cache/Node/TlsSidecar'),
    warnings: warningsUnder(db),
  };
}

describe('endpoints by default', () => {
  const s = synthDatabase();

  test('the plan publishes plaintext 6379 on 127.0.0.1 and TLS 6380 on 0.0.0.0', () => {
    expect(s.redis.ports).toEqual([{ internal: 6379, external: 6379, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, external: 6380, ip: '0.0.0.0', protocol: 'tcp' }]);
    expect(s.db.settings).toMatchObject({ hostIp: '0.0.0.0', plaintextHostIp: '127.0.0.1', publishPlaintext: true, allowedSources: [] });
  });

  test('the sidecar admits any source', () => {
    expect(uploadOf(s.sidecar, HAPROXY_CFG)).not.toMatch(/acl |tcp-request/);
  });

  test('a persistent database gets no warning about its endpoints', () => {
    expect(s.warnings.join('\n')).not.toMatch(/plaintextHostIp|allowedSources|in clear/);
  });
});

describe('publishPlaintext: false', () => {
  const s = synthDatabase({ publishPlaintext: false, users: [{ name: 'app', permissions: '~* +@read' }] });

  test('publishes no 6379: Redis publishes nothing, the sidecar only TLS', () => {
    expect(s.redis.ports ?? []).toEqual([]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, external: 6380, ip: '0.0.0.0', protocol: 'tcp' }]);
  });

  test('creates no plaintext URL output; `url` and `port` are the TLS ones, and the network keeps plaintext', () => {
    expect(s.json.output.cache_url).toBeUndefined();
    expect(s.json.output.cache_user_app_url).toBeUndefined();
    expect(s.json.output.cache_tls_url).toBeDefined();
    expect(s.db.credentials.url).toBe(s.db.credentials.tlsUrl);
    expect(s.db.credentials.url).toMatch(/^rediss:\/\/default:.*@localhost:6380$/);
    expect(s.db.credentials.port).toBe(6380);
    expect(s.db.credentialsFor('app').url).toMatch(/^rediss:\/\/app:.*@localhost:6380$/);
    expect(s.db.credentials.networkUrl).toMatch(/^redis:\/\/default:.*@cache:6379$/);
  });

  test('in native TLS mode Redis publishes only its TLS port', () => {
    const native = synthDatabase({ publishPlaintext: false, tlsMode: RedisTlsMode.NATIVE });
    expect(native.redis.ports).toEqual([{ internal: 6380, external: 6380, ip: '0.0.0.0', protocol: 'tcp' }]);
    expect(native.db.credentials.port).toBe(6380);
  });

  test('fails with `port`, which it would not publish', () => {
    expect(errorOf(() => synthDatabase({ publishPlaintext: false, port: 7000 }))).toBe(
      'RedisDatabase cache: `port` is given with `publishPlaintext: false`, which publishes no plaintext port: leave `port` out',
    );
  });

  test('leaves the plaintext host port to other databases', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'tls-only', { publishPlaintext: false, tlsPort: 7001 });
    expect(() => new RedisDatabase(stack, 'other', {})).not.toThrow();
  });
});

describe('plaintextHostIp', () => {
  test('publishes plaintext on its own address, TLS stays on hostIp', () => {
    const s = synthDatabase({ plaintextHostIp: '10.0.0.5', hostIp: '10.0.0.6' });
    expect(s.redis.ports).toEqual([{ internal: 6379, external: 6379, ip: '10.0.0.5', protocol: 'tcp' }]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, external: 6380, ip: '10.0.0.6', protocol: 'tcp' }]);
  });

  test('warns off loopback, saying what travels in clear', () => {
    expect(synthDatabase({ plaintextHostIp: '0.0.0.0' }).warnings).toContainEqual(
      'RedisDatabase cache: `plaintextHostIp` 0.0.0.0 publishes the plaintext port beyond this host: every password (AUTH, the URL\'s) and every command and value travel in clear ' +
      'to and from any client that reaches it; clients off the host should use the TLS endpoint, and `publishPlaintext: false` removes the plaintext port',
    );
    expect(synthDatabase({ plaintextHostIp: '0.0.0.0', publishPlaintext: false }).warnings.join('\n')).not.toContain('in clear');
  });

  test('fails on a value that is not an IPv4 address', () => {
    expect(errorOf(() => synthDatabase({ plaintextHostIp: 'localhost' }))).toBe(
      'RedisDatabase cache: `plaintextHostIp` must be an IPv4 address such as 127.0.0.1, got "localhost"',
    );
  });

  test('a port clash is found on the address each port is published on', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'one', { plaintextHostIp: '0.0.0.0' });
    expect(errorOf(() => new RedisDatabase(stack, 'two', { tlsPort: 7001 }))).toBe(
      'RedisDatabase two: `port` 6379 (the default) on 127.0.0.1 is already published by RedisDatabase one at test/one (`port` 6379 (the default)); choose another host port with `port`',
    );
  });
});

describe('memory-only databases whose plaintext port moves', () => {
  const moved = 'RedisDatabase cache: memory-only, and its plaintext port moves from `hostIp` 0.0.0.0, where releases before 0.2.0 published it, to 127.0.0.1: ' +
    'deployed by such a release, the next deploy replaces the Redis container and the database starts empty; set `plaintextHostIp` (to `hostIp` to keep the old address) to choose, and this warning goes';

  test('warn that the next deploy of one deployed by an earlier release empties it', () => {
    expect(synthDatabase({ version: RedisVersion.V7_2_NORDB }).warnings).toContainEqual(moved);
  });

  test.each<[string, RedisDatabaseProps]>([
    ['a persistent database', {}],
    ['plaintextHostIp given', { version: RedisVersion.V7_2_NORDB, plaintextHostIp: '127.0.0.1' }],
    ['publishPlaintext given', { version: RedisVersion.V7_2_NORDB, publishPlaintext: true }],
    ['hostIp 127.0.0.1, where both ports were and are', { version: RedisVersion.V7_2_NORDB, hostIp: '127.0.0.1' }],
  ])('do not warn with %s', (_, props) => {
    expect(synthDatabase(props).warnings).not.toContainEqual(moved);
  });

  test('a memory-only follower of a database that sets plaintextHostIp inherits it without a warning only when it matches hostIp', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_2_NORDB, plaintextHostIp: '0.0.0.0' });
    const follower = new RedisFollower(stack, 'replica', { primary });
    expect(warningsUnder(follower).join('\n')).not.toContain('plaintext port moves');
    expect(follower.settings.plaintextHostIp).toBe('0.0.0.0');
  });
});

describe('allowedSources', () => {
  test('the sidecar closes every other source before the TLS handshake', () => {
    const s = synthDatabase({ allowedSources: ['192.0.2.0/24', '2001:db8::/32'] });
    expect(uploadOf(s.sidecar, HAPROXY_CFG)).toContain(
      '    acl allowed_source src 192.0.2.0/24\n    acl allowed_source src 2001:db8::/32\n    tcp-request connection reject unless allowed_source\n',
    );
  });

  test('each database\'s sidecar keeps its own sources when the stack stores the sidecar config once per text', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'open', { port: 7000, tlsPort: 7001 });
    new RedisDatabase(stack, 'office', { port: 7002, tlsPort: 7003, allowedSources: ['192.0.2.0/24'] });
    new RedisDatabase(stack, 'lab', { port: 7004, tlsPort: 7005, allowedSources: ['198.51.100.7/32'] });
    const cfg = (id: string) => uploadOf(resourceAt(stack, 'docker_container', `${id}/Node/TlsSidecar`), HAPROXY_CFG);
    expect(cfg('open')).not.toContain('allowed_source');
    expect(cfg('office')).toContain('    acl allowed_source src 192.0.2.0/24\n    tcp-request connection reject unless allowed_source\n');
    expect(cfg('lab')).toContain('    acl allowed_source src 198.51.100.7/32\n    tcp-request connection reject unless allowed_source\n');
    expect(cfg('lab')).not.toContain('192.0.2.0/24');
  });

  test('warns that clients through Docker\'s userland proxy show as the network\'s gateway', () => {
    expect(synthDatabase({ allowedSources: ['192.0.2.0/24'] }).warnings).toContainEqual(
      'RedisDatabase cache: `allowedSources` sees the address Docker hands the sidecar: clients connecting to a loopback address go through Docker\'s userland proxy ' +
      'and show as the Docker network\'s gateway, as every client does on an engine run with `--iptables=false`; allow that gateway only if you mean to admit every such client (README, "Security")',
    );
    expect(synthDatabase({ allowedSources: ['192.0.2.0/24'], hostIp: '127.0.0.1' }).warnings.join('\n')).toContain('clients connecting to `hostIp` 127.0.0.1 go through');
  });

  test('accepts 50 entries', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `10.0.${i}.0/24`);
    expect(() => synthDatabase({ allowedSources: fifty })).not.toThrow();
  });

  test('fails on a 51st entry, naming it', () => {
    const many = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    expect(errorOf(() => synthDatabase({ allowedSources: many }))).toBe(
      'RedisDatabase cache: `allowedSources` holds 51 entries, at most 50 are allowed (the 51st is "10.0.50.0/24"); use wider CIDRs',
    );
  });

  test.each([
    ['10.0.0.0/33', 0],
    ['2001:db8::/129', 0],
    ['10.0.0.1', 0],
    ['not a cidr', 0],
    ['10.0.0.256/24', 0],
    ['fe80::1%eth0/64', 0],
    ['10.0.0.0/8 ', 0],
  ])('fails on %p, naming the prop, its index and the value', (bad) => {
    expect(errorOf(() => synthDatabase({ allowedSources: ['192.0.2.0/24', bad] }))).toBe(
      `RedisDatabase cache: \`allowedSources[1]\` must be an IPv4 CIDR (prefix 0 to 32) or an IPv6 CIDR (prefix 0 to 128) such as 10.0.0.0/8 or 2001:db8::/32, got ${JSON.stringify(bad)}`,
    );
  });

  test('fails when empty, which would refuse every client', () => {
    expect(errorOf(() => synthDatabase({ allowedSources: [] }))).toBe(
      'RedisDatabase cache: `allowedSources` is empty, which would refuse every client: leave it out to allow any source',
    );
  });

  test('fails in native TLS mode, saying why', () => {
    expect(errorOf(() => synthDatabase({ allowedSources: ['192.0.2.0/24'], tlsMode: RedisTlsMode.NATIVE }))).toBe(
      'RedisDatabase cache: `allowedSources` needs the TLS sidecar, which closes other sources before the TLS handshake: with `tlsMode` "native" Redis itself publishes the TLS port ' +
      'and nothing could enforce the list; use the default sidecar, or leave `allowedSources` out and filter in the host\'s DOCKER-USER chain',
    );
  });

  test('collects its problems with the others', () => {
    const message = errorOf(() => synthDatabase({ allowedSources: ['x'], plaintextHostIp: 'y' }));
    expect(message.split('\n')).toHaveLength(2);
  });
});
