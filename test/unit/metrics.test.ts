import * as fs from 'fs';
import { TerraformStack } from 'cdktf';
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisFollowerProps, RedisMetricsOptions, RedisTlsMode, RedisVersion } from '../../lib';
import { renderExporterCommand, renderExporterPasswordFile } from '../../lib/metrics/exporter-config';
import { makeTestPki } from '../support/pki';
import { tempDir } from '../support/processes';
import { dockerStack, errorOf, warningsUnder } from '../support/synth';

const input = { tlsHost: 'cache-tls', tlsPort: 6380, user: 'exporter' };

describe('the exporter\'s command line and password file', () => {
  test('connect over TLS to the name the certificate names, verified with the CA file, as the exporter user, without CONFIG', () => {
    expect(renderExporterCommand(input)).toEqual([
      '--redis.addr=rediss://cache-tls:6380',
      '--redis.user=exporter',
      '--redis.password-file=/etc/redis_exporter/password.json',
      '--tls-ca-cert-file=/etc/redis_exporter/ca.crt',
      '--config-command=-',
      '--web.listen-address=:9121',
    ]);
  });

  test('never skip TLS verification and carry no password on the command line', () => {
    const args = renderExporterCommand(input).join(' ');
    expect(args).not.toMatch(/skip-tls-verification|--redis\.password=/);
  });

  test('key the password under the address with the user in it, as redis_exporter looks it up with --redis.user', () => {
    const file = renderExporterPasswordFile(input, 'p4ss');
    expect(JSON.parse(file)).toEqual({ 'rediss://exporter@cache-tls:6380': 'p4ss' });
    expect(file.endsWith('}\n')).toBe(true);
  });

  test('escape a password as JSON', () => {
    expect(JSON.parse(renderExporterPasswordFile(input, 'a"b\\c'))).toEqual({ 'rediss://exporter@cache-tls:6380': 'a"b\\c' });
  });
});

function database(props: RedisDatabaseProps, stack: TerraformStack = dockerStack(), id = 'cache'): RedisDatabase {
  return new RedisDatabase(stack, id, props);
}

function follower(primaryProps: RedisDatabaseProps, props: Partial<RedisFollowerProps> = {}): RedisFollower {
  const stack = dockerStack();
  const primary = database(primaryProps, stack);
  return new RedisFollower(stack, 'replica', { primary, ...props });
}

describe('metrics validation', () => {
  test('fails on a metrics port out of range', () => {
    expect(errorOf(() => database({ metrics: { enabled: true, port: 70000 } }))).toBe(
      'RedisDatabase cache: `metrics.port` must be an integer from 1 to 65535, got 70000',
    );
  });

  test('fails on a metrics hostIp that is not an IPv4 address', () => {
    expect(errorOf(() => database({ metrics: { enabled: true, hostIp: 'localhost' } }))).toBe(
      'RedisDatabase cache: `metrics.hostIp` must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "localhost"',
    );
  });

  test('fails on enabled that is not a boolean, from JavaScript', () => {
    expect(errorOf(() => database({ metrics: { enabled: 'yes' } as unknown as RedisMetricsOptions }))).toBe(
      'RedisDatabase cache: `metrics.enabled` must be true or false, got "yes"',
    );
  });

  test('fails on a metrics port another instance publishes, naming it', () => {
    const stack = dockerStack();
    database({ port: 7000, tlsPort: 7001, hostIp: '127.0.0.1' }, stack, 'one');
    expect(errorOf(() => database({ metrics: { enabled: true, port: 7000 } }, stack, 'two'))).toBe(
      'RedisDatabase two: `metrics.port` 7000 on 127.0.0.1 is already published by RedisDatabase one at test/one (`port` 7000); choose another host port',
    );
  });

  test('fails on a metrics port the same instance publishes for Redis', () => {
    expect(errorOf(() => database({ port: 9121, metrics: { enabled: true, port: 9121, hostIp: '0.0.0.0' } }))).toBe(
      'RedisDatabase cache: `metrics.port` 9121 on 0.0.0.0 is already published by RedisDatabase cache at test/cache (`port` 9121); choose another host port',
    );
  });

  test('fails before Redis 6, which has no user for the exporter', () => {
    expect(errorOf(() => database({ version: RedisVersion.V5_0, metrics: { enabled: true } }))).toBe(
      'RedisDatabase cache: `metrics` needs Redis 6.0 or later or Valkey: the exporter logs in as a user of its own with only the commands it needs, and "5.0" has no ACL users; upgrade, or leave `metrics` off',
    );
  });

  test('fails when the given certificate does not name the host the exporter verifies it for', () => {
    const dir = tempDir('metrics-pki');
    const pki = makeTestPki(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const tls = { tlsCertificatePem: pki.certPem, tlsPrivateKeyPem: pki.keyPem, tlsCaCertificatePem: pki.caCertPem };
    expect(errorOf(() => database({ ...tls, metrics: { enabled: true } }))).toBe(
      'RedisDatabase cache: `metrics` reads the server over TLS as "cache-tls" on the Docker network and verifies the certificate for that name, which `tlsCertificatePem` does not name: add DNS:cache-tls to the certificate, or leave `metrics` off',
    );
    // With native TLS the exporter connects to the handle, which the test certificate names.
    expect(() => database({ ...tls, tlsMode: RedisTlsMode.NATIVE, metrics: { enabled: true } })).not.toThrow();
  });

  test('reports every problem of metrics and the other props in one error', () => {
    expect(errorOf(() => database({ size: 0, metrics: { enabled: true, port: 0, hostIp: '::1' } })).split('\n')).toEqual([
      'RedisDatabase cache: `size` must be an integer >= 1 (GB), got 0',
      'RedisDatabase cache: `metrics.port` must be an integer from 1 to 65535, got 0',
      'RedisDatabase cache: `metrics.hostIp` must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "::1"',
    ]);
  });

  test('checks nothing of a metrics option that is off', () => {
    expect(() => database({ version: RedisVersion.V5_0, metrics: { enabled: false, port: 0 } })).not.toThrow();
  });

  test.each([
    ['0.0.0.0', 'on every address of the Docker host'],
    ['10.1.2.3', 'on 10.1.2.3'],
  ])('warns that an endpoint on %s has no authentication', (hostIp, where) => {
    expect(warningsUnder(database({ metrics: { enabled: true, hostIp } }))).toContain(
      `RedisDatabase cache: \`metrics.hostIp\` ${hostIp} publishes the metrics endpoint ${where}, and it has no authentication: whoever reaches it reads the server's INFO ` +
      '(memory, clients, replication, the number of keys); keep it on 127.0.0.1, or on an address only your Prometheus reaches',
    );
  });

  test('does not warn about an endpoint on loopback', () => {
    expect(warningsUnder(database({ metrics: { enabled: true } })).filter((w) => w.includes('metrics'))).toEqual([]);
  });
});

describe('a follower\'s metrics', () => {
  test('inherit the primary\'s exporter and its address, not its port', () => {
    const f = follower({ metrics: { enabled: true, port: 9121, hostIp: '10.1.2.3' } });
    expect(f.metricsUrl).toMatch(/^http:\/\/10\.1\.2\.3:\$\{TfToken\[TOKEN\.\d+\]\}\/metrics$/);
  });

  test('are off when the follower turns them off', () => {
    expect(follower({ metrics: { enabled: true } }, { metrics: { enabled: false } }).metricsUrl).toBeUndefined();
  });

  test('run on their own for a follower of a primary without them', () => {
    expect(follower({}, { metrics: { enabled: true, port: 9200 } }).metricsUrl).toBe('http://127.0.0.1:9200/metrics');
  });

  test('are off when neither turns them on', () => {
    expect(follower({}).metricsUrl).toBeUndefined();
  });
});
