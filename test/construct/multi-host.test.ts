import { TerraformStack } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisFollowerProps, RedisTlsMode, RedisVersion } from '../../lib';
import { TUNNEL_CA_PATH } from '../../lib/private/redis-node';
import { dockerStack, resourceAt, resourcesOf, synthJson, uploadOf, warningsUnder } from '../support/synth';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeTestPki } from '../support/pki';

const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-host-pki-'));
const pki = makeTestPki(pkiDir);
afterAll(() => fs.rmSync(pkiDir, { recursive: true, force: true }));
const SUPPLIED = { tlsCertificatePem: pki.certPem, tlsPrivateKeyPem: pki.keyPem, tlsCaCertificatePem: pki.caCertPem };

const CONF = '/usr/local/etc/redis/redis.conf';
const HAPROXY_CONF = '/usr/local/etc/haproxy/haproxy.cfg';

function twoHosts(primaryProps: RedisDatabaseProps = {}, followerProps: Partial<RedisFollowerProps> = {}) {
  const stack: TerraformStack = dockerStack();
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
  const primary = new RedisDatabase(stack, 'cache', { announceAddress: '10.0.0.5', ...primaryProps });
  const follower = new RedisFollower(stack, 'replica', { primary, provider: hostB, primaryAddress: '10.0.0.5', ...followerProps });
  return { stack, hostB, primary, follower };
}

describe('a follower on another Docker host', () => {
  describe('with the sidecar (every version)', () => {
    const { stack, follower } = twoHosts({ version: RedisVersion.V4_0 });
    const redis = resourceAt(stack, 'docker_container', 'replica/Node/Redis');
    const tunnel = resourceAt(stack, 'docker_container', 'replica/Node/ReplicationTunnel');

    test('replicates in plaintext only to a tunnel container on its own host, which the config names', () => {
      const conf = uploadOf(redis, CONF);
      expect(conf).toContain('slaveof replica-tunnel 6379\n');
      expect(conf).not.toContain('10.0.0.5');
      expect(tunnel.provider).toBe('docker.b');
      expect(tunnel.name).toBe('replica-tunnel');
      expect(tunnel.ports).toBeUndefined();
      // HAProxy exits at once on SIGTERM; the provider's unset default would kill it before it closes its connections.
      expect(tunnel.destroy_grace_seconds).toBe(10);
      expect(tunnel.networks_advanced).toEqual([{ name: redis.networks_advanced[0].name, aliases: ['replica-tunnel'] }]);
    });

    test('the tunnel speaks TLS to the primary\'s published TLS port, verifying chain and name against the primary\'s own CA', () => {
      const conf = uploadOf(tunnel, HAPROXY_CONF);
      expect(conf).toMatch(new RegExp(`^    server primary 10\\.0\\.0\\.5:6380 ssl verify required ca-file ${TUNNEL_CA_PATH} verifyhost cache sni str\\(cache\\)$`, 'm'));
      expect(uploadOf(tunnel, TUNNEL_CA_PATH)).toMatch(/^\$\{tls_self_signed_cert\.cache_CaCertificate_\w+\.cert_pem\}$/);
      expect(conf).toContain('ssl-min-ver TLSv1.2');
    });

    test('gets a network of its own on its host instead of the primary\'s', () => {
      const networks = resourcesOf(stack, 'docker_network');
      expect(Object.values(networks).map((n: any) => [n.name, n.provider])).toEqual([['cache', undefined], ['replica', 'docker.b']]);
      expect(resourceAt(stack, 'docker_container', 'replica/Node/Redis').networks_advanced[0].name).toMatch(/^\$\{docker_network\.replica_Network_\w+\.name\}$/);
    });

    test('does not inherit the primary\'s host-bound settings', () => {
      expect(follower.settings.hostname).toBe('localhost');
    });

    test('the primary\'s generated certificate names its announced address', () => {
      const request = resourceAt(stack, 'tls_cert_request', 'cache/ServerCertificateRequest');
      expect(request.ip_addresses).toEqual(['127.0.0.1', '10.0.0.5']);
    });
  });

  describe('with native TLS', () => {
    const { stack } = twoHosts({ version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE });
    const redis = resourceAt(stack, 'docker_container', 'replica/Node/Redis');
    const conf = uploadOf(redis, CONF);

    test('replicates with tls-replication to the primary\'s TLS port and verifies it with the primary\'s CA, no tunnel', () => {
      expect(conf).toContain('replicaof 10.0.0.5 6380\nmasteruser replication\n');
      expect(conf).toContain('tls-replication yes\n');
      expect(conf).toContain('tls-ca-cert-file /usr/local/etc/redis/tls/primary-ca.crt\n');
      expect(uploadOf(redis, '/usr/local/etc/redis/tls/primary-ca.crt')).toMatch(/^\$\{tls_self_signed_cert\.cache_CaCertificate_\w+\.cert_pem\}$/);
      expect(Object.keys(resourcesOf(stack, 'docker_container')).some((id) => id.includes('ReplicationTunnel'))).toBe(false);
    });
  });

  test('announceAddress renders the announced address and the port peers reach', () => {
    const { stack } = twoHosts({ tlsMode: RedisTlsMode.NATIVE }, { announceAddress: 'b.example', port: 7000, tlsPort: 7001 });
    const conf = uploadOf(resourceAt(stack, 'docker_container', 'replica/Node/Redis'), CONF);
    expect(conf).toContain('replica-announce-ip b.example\nreplica-announce-port 7001\n');
    const legacy = twoHosts({ version: RedisVersion.V4_0 }, { announceAddress: 'b.example', port: 7000 });
    expect(uploadOf(resourceAt(legacy.stack, 'docker_container', 'replica/Node/Redis'), CONF)).toContain('slave-announce-ip b.example\nslave-announce-port 7000\n');
  });

  test('a primary address in tlsHostnames is fine; a DNS address is verified as itself', () => {
    const { stack } = twoHosts({ announceAddress: undefined, tlsHostnames: ['redis-a.example'] }, { primaryAddress: 'redis-a.example' });
    expect(uploadOf(resourceAt(stack, 'docker_container', 'replica/Node/ReplicationTunnel'), HAPROXY_CONF)).toContain(
      'server primary redis-a.example:6380 ssl verify required ca-file /usr/local/etc/haproxy/primary-ca.pem verifyhost redis-a.example sni str(redis-a.example)',
    );
  });

  test('fails on a primary address the primary\'s generated certificate does not name, saying how to name it', () => {
    expect(() => twoHosts({}, { primaryAddress: '10.9.9.9' })).toThrow(
      'RedisFollower replica: `primaryAddress` "10.9.9.9" is not named by cache\'s generated certificate (it names localhost, cache, cache-tls, 127.0.0.1, 10.0.0.5), so TLS to it would fail verification: '
      + 'set cache\'s `announceAddress` or add the address to its `tlsHostnames`',
    );
  });

  test('fails on a supplied primary certificate that does not name the primary address', () => {
    expect(() => twoHosts({ ...SUPPLIED, announceAddress: undefined }, { primaryAddress: 'other.example' })).toThrow(
      '`primaryAddress` "other.example" is not named by cache\'s `tlsCertificatePem`',
    );
  });

  test('warns that native replication with a supplied CA checks no host name', () => {
    const { follower } = twoHosts({ ...SUPPLIED, announceAddress: undefined, tlsMode: RedisTlsMode.NATIVE, version: RedisVersion.V7_2 }, { primaryAddress: 'cache' });
    expect(warningsUnder(follower)).toContainEqual(expect.stringMatching(/verifies cache's certificate chain but not its host name/));
  });

  test('fails on primaryAddress for a follower on its primary\'s host', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    expect(() => new RedisFollower(stack, 'replica', { primary, primaryAddress: '10.0.0.5' })).toThrow(
      '`primaryAddress` "10.0.0.5" is only for a follower on another Docker host than its primary',
    );
  });

  test('fails on announceAddress without the fixed port it announces, on a loopback or malformed one, and on a malformed tlsHostnames entry, all at once', () => {
    let message = '';
    try {
      twoHosts({ tlsHostnames: ['bad name'] }, { announceAddress: '127.0.0.1' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('RedisDatabase cache: `tlsHostnames[0]` must be a DNS name or an IPv4 address, got "bad name"');
    const follower = () => twoHosts({}, { announceAddress: '127.0.0.1' });
    expect(follower).toThrow('RedisFollower replica: `announceAddress` "127.0.0.1" is loopback');
    expect(follower).toThrow('RedisFollower replica: `announceAddress` needs `port` set');
  });

  test('same-host followers keep their construct ids, network and replication path', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    new RedisFollower(stack, 'replica', { primary });
    const json = synthJson(stack);
    expect(Object.keys(json.resource.docker_network)).toEqual(['cache_Network_F71C11E1']);
    expect(uploadOf(resourceAt(stack, 'docker_container', 'replica/Node/Redis'), CONF)).toContain('replicaof cache 6379\n');
  });
});
