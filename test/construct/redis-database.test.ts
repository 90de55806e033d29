import { createHash } from 'crypto';
import * as fs from 'fs';
import { Fn, TerraformOutput, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { Network } from '@cdktf/provider-docker/lib/network';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { Password } from '@cdktf/provider-random/lib/password';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { MaxmemoryPolicy, RedisDatabase, RedisDatabaseProps, RedisRestartPolicy, RedisTlsMode, RedisVersion } from '../../lib';
import { inlineLocals } from '../e2e/standin/expressions';
import { makeTestPki } from '../support/pki';
import { tempDir } from '../support/processes';
import { dockerStack, resourceAt, resourcesOf, synthJson, uploadOf, warningsUnder } from '../support/synth';

const pkiDir = tempDir('construct-pki');
const pki = makeTestPki(pkiDir);
afterAll(() => fs.rmSync(pkiDir, { recursive: true, force: true }));

const CONF = '/usr/local/etc/redis/redis.conf';
const HAPROXY_CFG = '/usr/local/etc/haproxy/haproxy.cfg';
const ACL = '/usr/local/etc/redis/users.acl';
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const PEM = '/usr/local/etc/haproxy/certs/server.pem';

function synthDatabase(props: RedisDatabaseProps = {}) {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'cache', props);
  const json = synthJson(stack);
  const containers = json.resource.docker_container as Record<string, any>;
  const byName = (name: string) => Object.values(containers).find((c: any) => c.name === name);
  return {
    stack,
    db,
    json,
    synthesized: Testing.synth(stack),
    redis: byName(db.handle) as any,
    sidecar: byName(`${db.handle}-tls`) as any,
    conf: uploadOf(byName(db.handle), CONF),
    /** The sidecar's config as Terraform gives it, from the plan's locals (every sidecar's is the same: stored once per stack). */
    tlsProxyConf: () => uploadOf(Object.values<any>(inlineLocals(json).resource.docker_container).find((c) => c.name === `${db.handle}-tls`), HAPROXY_CFG),
    warnings: warningsUnder(db),
  };
}

describe('RedisDatabase defaults', () => {
  const s = synthDatabase();

  test('runs the newest persistent version from a pinned image kept on the host', () => {
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'redis:8.2.10', keep_locally: true });
    expect(s.redis.image).toMatch(/^\$\{docker_image\.image-redis-8-2-10\.image_id\}$/);
    expect(s.conf).toContain('# redis.conf for Redis 8.2,');
  });

  test('runs Redis as the non-root redis user from uploaded files only it can read (group root, 0640)', () => {
    expect(s.redis).toMatchObject({
      user: '999:999',
      group_add: ['0'],
      entrypoint: ['redis-server'],
      command: [CONF],
      upload: [
        { file: CONF, permissions: '0640' },
        { file: ACL, permissions: '0640' },
        { file: '/usr/local/etc/redis/health.secret', permissions: '0640' },
      ],
    });
  });

  test('keeps the password out of the environment, the command line and every file: the ACL file holds its hash', () => {
    for (const container of [s.redis, s.sidecar]) {
      expect(container.env).toBeUndefined();
      expect(JSON.stringify([container.command, container.entrypoint, container.healthcheck])).not.toContain('random_password');
    }
    expect(s.conf).toMatch(/^aclfile \/usr\/local\/etc\/redis\/users\.acl$/m);
    expect(s.conf).not.toContain('requirepass');
    const acl = uploadOf(s.redis, ACL);
    expect(acl).toMatch(/^user default on #\$\{sha256\(random_password\.cache_Password_[0-9A-F]{8}\.result\)\} ~\* &\* \+@all$/m);
    for (const upload of s.redis.upload as any[]) {
      expect(upload.content.replace(/sha256\(random_password\.cache_Password_[0-9A-F]{8}\.result\)/g, '')).not.toContain('cache_Password_');
    }
  });

  test('has the library\'s own users from the first deploy, each with only what it needs and a password derived from one secret', () => {
    const acl = uploadOf(s.redis, ACL).split('\n').filter((l) => l.startsWith('user '));
    const derived = (user: string) => `#\${sha256(sha256(join("/", [random_password.cache_InternalSecret_50E52651.result, "${user}"])))}`;
    expect(acl.slice(1)).toEqual([
      `user replication on ${derived('replication')} +psync +replconf +ping`,
      `user backup on ${derived('backup')} +replconf +sync`,
      `user health on ${derived('health')} +ping`,
      expect.stringMatching(new RegExp(`^${escaped(`user sentinel on ${derived('sentinel')} resetchannels &__sentinel__:hello +ping `)}`)),
      expect.stringMatching(/^user exporter on #\$\{sha256\(sha256\(join\("\/", \[random_password\.cache_InternalSecret_50E52651\.result, "exporter"\]\)\)\)\} \+client\|setname /),
    ]);
    expect(s.synthesized).toHaveResourceWithProperties(Password, { length: 64, special: false });
  });

  test('generates a 40-character URL-safe password', () => {
    expect(s.synthesized).toHaveResourceWithProperties(Password, { length: 40, special: false });
  });

  test('mounts a labelled, destroy-protected data volume at /data without enforcing its size', () => {
    const volume = resourceAt(s.stack, 'docker_volume', 'cache/Data');
    expect(volume).toMatchObject({
      name: 'cache-data',
      driver: 'local',
      labels: expect.arrayContaining([{ label: 'cdktf-docker-redis.size-gb', value: '10' }]),
      lifecycle: { prevent_destroy: true },
    });
    expect(volume.driver_opts).toBeUndefined();
    expect(s.redis.volumes).toEqual([
      { container_path: '/data', volume_name: '${docker_volume.cache_Data_D78F01E0.name}' },
      { container_path: '/run/redis', volume_name: expect.stringMatching(/^\$\{docker_volume\.cache_SocketDir_[0-9A-F]{8}\.name\}$/) },
    ]);
    expect(s.redis.tmpfs).toBeUndefined();
    expect(s.warnings).toContainEqual(expect.stringContaining('RedisDatabase cache: the data volume\'s `size` (10 GB) is recorded in a label but not enforced'));
  });

  test('snapshots on the Aptible schedule', () => {
    expect(s.conf).toContain('save 900 1\nsave 300 10\nsave 60 10000\nappendonly no\n');
  });

  test('limits memory to 1024 MB and gives Redis half of it, without eviction', () => {
    expect(s.redis.memory).toBe(1024);
    expect(s.redis.memory_swap).toBe(1024);
    expect(s.conf).toContain('maxmemory 512mb\nmaxmemory-policy noeviction\n');
  });

  test('publishes plaintext 6379 from Redis on 127.0.0.1 only, and TLS 6380 from the sidecar on every IPv4 address', () => {
    expect(s.redis.ports).toEqual([{ internal: 6379, external: 6379, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, external: 6380, ip: '0.0.0.0', protocol: 'tcp' }]);
  });

  test('gives Redis and the sidecar network namespaces of their own, so either restarts alone', () => {
    expect(s.redis.network_mode).toBeUndefined();
    expect(s.sidecar.network_mode).toBeUndefined();
    // The third, the backup container, reaches Redis through its socket and has no network at all.
    expect(Object.values<any>(s.json.resource.docker_container).map((c) => [c.name, c.network_mode])).toEqual([
      ['cache-backup', 'none'], ['cache', undefined], ['cache-tls', undefined],
    ]);
  });

  test('creates a network named after the handle, where Redis answers to the handle and the sidecar to HANDLE-tls', () => {
    expect(s.synthesized).toHaveResourceWithProperties(Network, { name: 'cache' });
    expect(s.redis.networks_advanced).toEqual([{ name: '${docker_network.cache_Network_F71C11E1.name}', aliases: ['cache'] }]);
    expect(s.sidecar.networks_advanced).toEqual([{ name: '${docker_network.cache_Network_F71C11E1.name}', aliases: ['cache-tls'] }]);
  });

  test('hands Redis\'s Unix socket to the sidecar through a small tmpfs volume both mount', () => {
    const volume = resourceAt(s.stack, 'docker_volume', 'cache/SocketDir');
    expect(volume).toMatchObject({
      name: 'cache-run',
      driver: 'local',
      driver_opts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=999,gid=999,mode=0750' },
    });
    expect(volume.lifecycle).toBeUndefined();
    const mount = { container_path: '/run/redis', volume_name: expect.stringMatching(/cache_SocketDir_/) };
    expect(s.redis.volumes).toContainEqual(mount);
    expect(s.sidecar.volumes).toEqual([mount]);
    expect(s.conf).toContain('unixsocket /run/redis/redis.sock\nunixsocketperm 770\n');
    expect(uploadOf(s.sidecar, HAPROXY_CFG)).toBe('${local.cdktf_docker_redis_tls_proxy_conf}');
    expect(s.tlsProxyConf()).toContain('server redis unix@/run/redis/redis.sock');
  });

  test('gives Redis a minute to save on stop and removal', () => {
    expect(s.redis.destroy_grace_seconds).toBe(60);
    expect(s.redis.stop_timeout).toBe(60);
  });

  test('restarts unless stopped and rotates json-file logs', () => {
    for (const container of [s.redis, s.sidecar]) {
      expect(container).toMatchObject({ restart: 'unless-stopped', log_driver: 'json-file', log_opts: { 'max-size': '10m', 'max-file': '3' } });
    }
  });

  test('checks health by authenticating through stdin', () => {
    expect(s.redis.healthcheck).toMatchObject({ interval: '10s', retries: 3 });
    expect(s.redis.healthcheck.test[0]).toBe('CMD-SHELL');
    expect(s.redis.healthcheck.test[1]).toBe("printf 'AUTH health %s\\nPING\\n' \"$(cat /usr/local/etc/redis/health.secret)\" | redis-cli -p 6379 | grep -qx PONG");
    expect(s.redis.healthcheck.test[1]).not.toMatch(/\$\{|%\{/);
  });

  test('runs the HAProxy sidecar as haproxy with Redis\'s group, the key readable by root and group root only', () => {
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'haproxy:3.2.22', keep_locally: true });
    expect(s.sidecar).toMatchObject({
      entrypoint: ['haproxy'], command: ['-W', '-db', '-f', '/usr/local/etc/haproxy/haproxy.cfg'], user: 'haproxy:999', group_add: ['0'],
    });
    const pem = (s.sidecar.upload as any[]).find((u) => u.file === PEM);
    expect(pem.permissions).toBe('0640');
    expect(pem.content).toMatch(/^\$\{tls_locally_signed_cert\.cache_ServerCertificate_\w+\.cert_pem\}\$\{tls_private_key\.cache_ServerKey_\w+\.private_key_pem\}$/);
    expect(s.tlsProxyConf()).toContain('bind :6380 ssl crt /usr/local/etc/haproxy/certs/server.pem');
  });

  test('signs a certificate for localhost, the network aliases and 127.0.0.1 with its own CA', () => {
    expect(s.synthesized).toHaveResourceWithProperties(CertRequest, { dns_names: ['localhost', 'cache', 'cache-tls'], ip_addresses: ['127.0.0.1'] });
    expect(resourceAt(s.stack, 'tls_self_signed_cert', 'cache/CaCertificate')).toMatchObject({ is_ca_certificate: true });
    expect(resourceAt(s.stack, 'tls_locally_signed_cert', 'cache/ServerCertificate')).toMatchObject({
      validity_period_hours: 17520,
      early_renewal_hours: 720,
    });
  });

  test('outputs the host and network URLs and the CA certificate as sensitive', () => {
    const pw = '${random_password.cache_Password_747427C2.result}';
    expect(s.json.output).toEqual({
      cache_url: { value: `redis://default:${pw}@localhost:6379`, sensitive: true },
      cache_tls_url: { value: `rediss://default:${pw}@localhost:6380`, sensitive: true },
      cache_network_url: { value: `redis://default:${pw}@cache:6379`, sensitive: true },
      cache_network_tls_url: { value: `rediss://default:${pw}@cache-tls:6380`, sensitive: true },
      cache_ca_certificate: { value: '${tls_self_signed_cert.cache_CaCertificate_FD4F48CD.cert_pem}', sensitive: true },
    });
  });

  test('exposes the credentials as tokens that resolve to the outputs\' values', () => {
    const stack = dockerStack();
    const c = new RedisDatabase(stack, 'cache', { createOutputs: false }).credentials;
    new TerraformOutput(stack, 'all', { value: { ...c } });
    const pw = '${random_password.cache_Password_747427C2.result}';
    expect(synthJson(stack).output.all.value).toEqual({
      url: `redis://default:${pw}@localhost:6379`,
      tlsUrl: `rediss://default:${pw}@localhost:6380`,
      networkUrl: `redis://default:${pw}@cache:6379`,
      networkTlsUrl: `rediss://default:${pw}@cache-tls:6380`,
      host: 'localhost',
      port: 6379,
      tlsPort: 6380,
      password: pw,
      caCertificatePem: '${tls_self_signed_cert.cache_CaCertificate_FD4F48CD.cert_pem}',
    });
  });



  test('adds the random and tls providers, never the Docker one', () => {
    expect(Object.keys(s.json.provider).sort()).toEqual(['docker', 'random', 'tls']);
    expect(s.json.provider.random).toHaveLength(1);
    expect(s.json.provider.tls).toHaveLength(1);
  });

  test('derives the handle from the construct id', () => {
    const stack = dockerStack();
    expect(new RedisDatabase(stack, 'Session_Store', {}).handle).toBe('session-store');
  });
});

describe('RedisDatabase props', () => {
  test('version picks the pinned image and the flavor', () => {
    const s = synthDatabase({ version: RedisVersion.V6_2 });
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'redis:6.2.24' });
  });

  test('memory-only flavors get a tmpfs of exactly size GB, no volume and no snapshots', () => {
    const s = synthDatabase({ version: RedisVersion.V7_2_NORDB, size: 3 });
    expect(Object.keys(resourcesOf(s.stack, 'docker_volume'))).toEqual([expect.stringMatching(/^cache_SocketDir_/)]);
    expect(s.redis.volumes).toEqual([{ container_path: '/run/redis', volume_name: expect.stringMatching(/cache_SocketDir_/) }]);
    expect(s.redis.tmpfs).toEqual({ '/data': 'size=3g,uid=999,gid=999,mode=0700' });
    expect(s.redis.labels).toContainEqual({ label: 'cdktf-docker-redis.tmpfs-size-gb', value: '3' });
    expect(s.conf).toContain('save ""\nappendonly no\n');
    expect(s.conf).toContain('maxmemory 819mb');
    expect(s.warnings.join('\n')).not.toContain('not enforced');
  });

  test('a Valkey version runs the official Valkey image with its own binaries and config path', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', { version: RedisVersion.VALKEY_8_1, tlsMode: RedisTlsMode.NATIVE });
    const redis = resourceAt(stack, 'docker_container', 'cache/Node/Redis');
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Image, { name: 'valkey/valkey:8.1.10', keep_locally: true });
    expect(redis).toMatchObject({ entrypoint: ['valkey-server'], command: ['/usr/local/etc/valkey/valkey.conf'], user: '999:999' });
    const conf = uploadOf(redis, '/usr/local/etc/valkey/valkey.conf');
    expect(conf.split('\n')[0]).toBe('# valkey.conf for Valkey 8.1, generated by cdktf-docker-redis.');
    expect(conf).toContain('tls-cert-file /usr/local/etc/valkey/tls/server.crt');
    expect(redis.healthcheck.test[1]).toContain('/usr/local/etc/valkey/health.secret');
    expect(redis.healthcheck.test[1]).toContain('| valkey-cli -p 6379 |');
    expect(synthJson(stack).output.cache_url.value).toMatch(/^redis:\/\/default:/);
  });

  test('memory-only flavors default to a 1 GB data dir: their memory comes from containerSizeMb', () => {
    const s = synthDatabase({ version: RedisVersion.V7_4_NORDB, containerSizeMb: 2048 });
    expect(s.db.settings).toMatchObject({ size: 1, containerSizeMb: 2048, maxmemoryMb: 1638 });
    expect(s.redis.tmpfs).toEqual({ '/data': 'size=1g,uid=999,gid=999,mode=0700' });
    expect(s.warnings.join('\n')).not.toContain('`size` is disk');
  });

  test('a memory-only flavor given more size warns that size is disk and memory comes from containerSizeMb', () => {
    expect(synthDatabase({ version: RedisVersion.V7_4_NORDB, size: 2 }).warnings).toContainEqual(
      'RedisDatabase cache: `size` is disk, not memory: memory-only "7.4-nordb" keeps its data in memory, up to `maxmemory` 819mb from `containerSizeMb` 1024, ' +
      'and its 2 GB tmpfs data dir holds no data (anything written there counts against that memory); set `size` 1 and raise `containerSizeMb` for a larger cache',
    );
  });

  test('memory-only flavors send and load full syncs over the socket, not through the tmpfs', () => {
    expect(synthDatabase({ version: RedisVersion.V6_2_NORDB }).conf).toContain('repl-diskless-sync yes\nrepl-diskless-load on-empty-db\n');
    expect(synthDatabase({ version: RedisVersion.V6_2 }).conf).not.toContain('repl-diskless');
  });

  test('size and enforceSize set the local driver\'s size option', () => {
    const s = synthDatabase({ size: 25, enforceSize: true });
    expect(s.synthesized).toHaveResourceWithProperties(Volume, {
      driver_opts: { size: '25G' },
      labels: expect.arrayContaining([{ label: 'cdktf-docker-redis.size-gb', value: '25' }]),
    });
    expect(s.warnings.join('\n')).not.toContain('not enforced');
  });

  test('preventDestroy false lifts the guard with a warning', () => {
    const s = synthDatabase({ preventDestroy: false });
    expect(resourceAt(s.stack, 'docker_volume', 'cache/Data').lifecycle).toEqual({ prevent_destroy: false });
    expect(s.warnings).toContainEqual(expect.stringContaining('`preventDestroy` is off'));
  });

  test('containerSizeMb sets the memory limit and maxmemory', () => {
    const s = synthDatabase({ containerSizeMb: 4096 });
    expect(s.redis.memory).toBe(4096);
    expect(s.conf).toContain('maxmemory 2048mb');
  });

  test('maxmemoryPolicy is rendered', () => {
    expect(synthDatabase({ maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LFU }).conf).toContain('maxmemory-policy allkeys-lfu');
  });

  test('hostname goes into the URLs and the certificate', () => {
    const s = synthDatabase({ hostname: 'redis.example.com' });
    expect(s.json.output.cache_url.value).toMatch(/@redis\.example\.com:6379$/);
    expect(s.synthesized).toHaveResourceWithProperties(CertRequest, {
      dns_names: ['redis.example.com', 'cache', 'cache-tls', 'localhost'],
      ip_addresses: ['127.0.0.1'],
      subject: [{ common_name: 'redis.example.com', organization: 'cdktf-docker-redis' }],
    });
  });

  test('an IPv4 hostname becomes an IP subject alternative name', () => {
    const s = synthDatabase({ hostname: '192.0.2.10' });
    expect(s.synthesized).toHaveResourceWithProperties(CertRequest, {
      dns_names: ['cache', 'cache-tls', 'localhost'],
      ip_addresses: ['192.0.2.10', '127.0.0.1'],
    });
  });

  test('port, tlsPort and hostIp set the published ports', () => {
    const s = synthDatabase({ port: 7000, tlsPort: 7001, hostIp: '127.0.0.1' });
    expect(s.redis.ports).toEqual([{ internal: 6379, external: 7000, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, external: 7001, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.json.output.cache_tls_url.value).toMatch(/@localhost:7001$/);
  });

  test('a given password replaces the generated one: hashed at synth into the ACL file, marked sensitive in the URLs', () => {
    const password = 'Given-Password_0123456789';
    const s = synthDatabase({ password });
    expect(Object.keys(resourcesOf(s.stack, 'random_password'))).toEqual(['cache_InternalSecret_50E52651']);
    expect(uploadOf(s.redis, ACL)).toContain(`user default on #${createHash('sha256').update(password).digest('hex')} ~* &* +@all`);
    expect(s.json.output.cache_url).toEqual({ value: `redis://default:\${sensitive("${password}")}@localhost:6379`, sensitive: true });
    for (const container of [s.redis, s.sidecar]) expect(JSON.stringify(container)).not.toContain(password);
  });

  test('before Redis 6, with no users, the one password is requirepass in the 0640 config', () => {
    const s = synthDatabase({ version: RedisVersion.V5_0 });
    expect(s.conf).toMatch(/^requirepass "\$\{random_password\.cache_Password_[0-9A-F]+\.result\}"$/m);
    expect((s.redis.upload as any[]).map((u) => u.file)).toEqual([CONF]);
    expect(s.redis.healthcheck.test[1]).toContain("pw=$(sed -n 's/^requirepass");
    expect(resourcesOf(s.stack, 'random_password')).not.toHaveProperty('cache_InternalSecret_50E52651');
  });

  test('given TLS material replaces the generated CA and certificate, trimmed to end with one newline', () => {
    const s = synthDatabase({
      tlsCertificatePem: `${pki.certPem}\n`,
      tlsPrivateKeyPem: `\n${pki.keyPem}\n\n`,
      tlsCaCertificatePem: pki.caCertPem.trim(),
    });
    for (const type of ['tls_private_key', 'tls_self_signed_cert', 'tls_cert_request', 'tls_locally_signed_cert']) {
      expect(resourcesOf(s.stack, type)).toEqual({});
    }
    expect(uploadOf(s.sidecar, PEM)).toBe(`${pki.certPem}\${sensitive(${JSON.stringify(pki.keyPem)})}`);
    expect(s.json.output.cache_ca_certificate).toEqual({ value: pki.caCertPem, sensitive: true });
  });

  test('fails at synth on given TLS material that would fail at deploy: a key of another certificate, a host it does not name', () => {
    expect(() => synthDatabase({
      hostname: 'redis.example.com',
      tlsCertificatePem: pki.certPem,
      tlsPrivateKeyPem: pki.otherCaKeyPem,
      tlsCaCertificatePem: pki.caCertPem,
    })).toThrow([
      'RedisDatabase cache: `tlsPrivateKeyPem` is not the key of `tlsCertificatePem` (their public keys differ): TLS would fail at the first handshake',
      'RedisDatabase cache: `tlsCertificatePem` does not name `hostname` "redis.example.com" (it names DNS:localhost, DNS:cache, IP Address:127.0.0.1): clients verifying the host name would refuse it',
    ].join('\n'));
  });

  test('given TLS material known only at apply time is trimmed there and ends with a newline', () => {
    const s = synthDatabase({
      tlsCertificatePem: Fn.file('/etc/pki/redis.crt'),
      tlsPrivateKeyPem: Fn.file('/etc/pki/redis.key'),
      tlsCaCertificatePem: Fn.file('/etc/pki/ca.crt'),
    });
    expect(uploadOf(s.sidecar, PEM)).toBe('${trimspace(file("/etc/pki/redis.crt"))}\n${sensitive("${trimspace(file("/etc/pki/redis.key"))}\\n")}');
    expect(s.json.output.cache_ca_certificate.value).toBe('${trimspace(file("/etc/pki/ca.crt"))}\n');
  });

  test('saveSchedule replaces the default snapshot rules', () => {
    const s = synthDatabase({ saveSchedule: [{ afterSeconds: 120, minChanges: 5 }] });
    expect(s.conf).toMatch(/\nsave 120 5\nappendonly no\n/);
    expect(s.conf).not.toContain('save 900 1');
  });

  test('an empty saveSchedule turns snapshots off with a warning', () => {
    const s = synthDatabase({ saveSchedule: [] });
    expect(s.conf).toContain('save ""');
    expect(s.warnings).toContainEqual(expect.stringContaining('nothing is written to disk and a restart loses all data'));
  });

  test('appendOnly adds an everysec AOF', () => {
    expect(synthDatabase({ appendOnly: true }).conf).toContain('appendonly yes\nappendfsync everysec\n');
  });

  test('image and tlsSidecarImage override the images', () => {
    const s = synthDatabase({ image: 'registry.local/redis@sha256:abc', tlsSidecarImage: 'registry.local/haproxy:3.2.4' });
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'registry.local/redis@sha256:abc' });
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'registry.local/haproxy:3.2.4' });
    expect(s.synthesized).not.toHaveResourceWithProperties(Image, { name: 'redis:8.2.10' });
  });

  test('tlsMode NATIVE lets Redis terminate TLS without a sidecar', () => {
    const s = synthDatabase({ version: RedisVersion.V7_2, tlsMode: RedisTlsMode.NATIVE });
    expect(s.sidecar).toBeUndefined();
    expect(s.synthesized).not.toHaveResourceWithProperties(Image, { name: 'haproxy:3.2.22' });
    expect(s.conf).toContain('tls-port 6380\ntls-cert-file /usr/local/etc/redis/tls/server.crt\n');
    const uploads = Object.fromEntries((s.redis.upload as any[]).map((u) => [u.file, u]));
    expect(uploads['/usr/local/etc/redis/tls/server.key']).toEqual({
      file: '/usr/local/etc/redis/tls/server.key',
      content: expect.stringMatching(/^\$\{tls_private_key\.cache_ServerKey_\w+\.private_key_pem\}$/),
      permissions: '0640',
    });
    expect(uploads['/usr/local/etc/redis/tls/server.crt'].permissions).toBe('0644');
    expect(uploads['/usr/local/etc/redis/tls/ca.crt'].content).toMatch(/tls_self_signed_cert\.cache_CaCertificate_/);
    expect(s.redis.group_add).toEqual(['0']);
    expect(Object.keys(resourcesOf(s.stack, 'docker_volume')).filter((id) => id.includes('SocketDir'))).toEqual([]);
    expect(s.conf).not.toContain('unixsocket');
    expect(s.redis.ports).toEqual([
      { internal: 6379, external: 6379, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 6380, external: 6380, ip: '0.0.0.0', protocol: 'tcp' },
    ]);
    expect(s.json.output.cache_tls_url.value).toMatch(/@localhost:6380$/);
  });

  test('the default sidecar mode renders no TLS directives', () => {
    expect(synthDatabase().conf).not.toContain('tls-');
  });

  test('restart sets every container\'s policy', () => {
    const s = synthDatabase({ restart: RedisRestartPolicy.ALWAYS });
    expect([s.redis.restart, s.sidecar.restart]).toEqual(['always', 'always']);
  });

  test('network attaches to an existing network instead of creating one', () => {
    const stack = dockerStack();
    const network = new Network(stack, 'apps', { name: 'apps' });
    new RedisDatabase(stack, 'cache', { network });
    expect(Object.keys(resourcesOf(stack, 'docker_network'))).toEqual(['apps']);
    expect(resourceAt(stack, 'docker_container', 'cache/Node/Redis').networks_advanced).toEqual([
      { name: '${docker_network.apps.name}', aliases: ['cache'] },
    ]);
    expect(resourceAt(stack, 'docker_container', 'cache/Node/TlsSidecar').networks_advanced).toEqual([
      { name: '${docker_network.apps.name}', aliases: ['cache-tls'] },
    ]);
  });

  test('config adds directives', () => {
    expect(synthDatabase({ config: { timeout: '300', 'notify-keyspace-events': 'Ex' } }).conf).toMatch(
      /unixsocketperm 770\nnotify-keyspace-events Ex\ntimeout 300\n$/,
    );
  });

  test('createOutputs false leaves the outputs to the user', () => {
    expect(synthDatabase({ createOutputs: false }).json.output).toBeUndefined();
  });

  test('an end-of-life version warns', () => {
    expect(synthDatabase({ version: RedisVersion.V5_0 }).warnings).toContainEqual(
      'RedisDatabase cache: Redis 5.0 is end of life upstream and gets no security fixes; plan an upgrade',
    );
  });
});

describe('RedisDatabase in a stack', () => {
  test('databases of one version share one image resource', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'one', { version: RedisVersion.V7_2 });
    new RedisDatabase(stack, 'two', { version: RedisVersion.V7_2_NORDB, port: 7000, tlsPort: 7001 });
    expect(Object.keys(resourcesOf(stack, 'docker_image')).sort()).toEqual(['image-haproxy-3-2-22', 'image-redis-7-2-16']);
  });

  test.each([
    ['before', (stack: TerraformStack, declare: () => void) => {
      declare();
      new RedisDatabase(stack, 'cache', {});
    }],
    ['after', (stack: TerraformStack, declare: () => void) => {
      new RedisDatabase(stack, 'cache', {});
      declare();
    }],
  ])('keeps the providers the user declared %s the first database, and adds no second default block', (_when, build) => {
    const stack = dockerStack();
    build(stack, () => {
      new RandomProvider(stack, 'my-random', {});
      new TlsProvider(stack, 'my-tls', {});
    });
    const json = synthJson(stack);
    expect(json.provider.random).toEqual([{}]);
    expect(json.provider.tls).toEqual([{}]);
    expect(stack.node.tryFindChild('cdktf-docker-redis-random')).toBeUndefined();
    expect(stack.node.tryFindChild('cdktf-docker-redis-tls')).toBeUndefined();
  });

  test('adds its own default provider beside one the user declared with an alias', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', {});
    new RandomProvider(stack, 'aliased', { alias: 'other' });
    expect(synthJson(stack).provider.random).toEqual([{ alias: 'other' }, {}]);
  });

  test('lets an app container depend on a database: it waits for Redis and its TLS sidecar', () => {
    const stack = dockerStack();
    const db = new RedisDatabase(stack, 'cache', {});
    const app = new Container(stack, 'app', { name: 'app', image: 'app:1', dependsOn: [db] });
    expect(synthJson(stack).resource.docker_container.app.depends_on).toEqual([expect.stringMatching(/^docker_container\.cache_Node_TlsSidecar_\w+$/)]);
    expect(app.dependsOn).toHaveLength(1);
    expect(resourceAt(stack, 'docker_container', 'cache/Node/TlsSidecar').depends_on).toEqual([
      expect.stringMatching(/^docker_container\.cache_Node_Redis_\w+$/),
    ]);
  });

  test('with native TLS, dependsOn waits for the Redis container', () => {
    const stack = dockerStack();
    const db = new RedisDatabase(stack, 'cache', { tlsMode: RedisTlsMode.NATIVE });
    new Container(stack, 'app', { name: 'app', image: 'app:1', dependsOn: [db] });
    expect(synthJson(stack).resource.docker_container.app.depends_on).toEqual([expect.stringMatching(/^docker_container\.cache_Node_Redis_\w+$/)]);
  });

  test('keeps child ids stable (renaming one replaces live resources)', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', {});
    const paths = stack.node
      .findAll()
      .filter((c) => c instanceof TerraformResource)
      .map((c) => c.node.path)
      .sort();
    expect(paths).toEqual([
      'test/cache/Backup',
      'test/cache/CaCertificate',
      'test/cache/CaKey',
      'test/cache/Data',
      'test/cache/InternalSecret',
      'test/cache/Network',
      'test/cache/Node/Redis',
      'test/cache/Node/TlsSidecar',
      'test/cache/Password',
      'test/cache/ServerCertificate',
      'test/cache/ServerCertificateRequest',
      'test/cache/ServerKey',
      'test/cache/SocketDir',
      'test/image-haproxy-3-2-22',
      'test/image-redis-8-2-10',
    ]);
  });
});

describe('RedisDatabase credentials by version', () => {
  test.each([
    ['4.0', ''],
    ['5.0-nordb', ''],
    ['6.0', 'default'],
    ['8.2', 'default'],
  ])('%s URLs carry the username %p', (version, user) => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', { version: RedisVersion.of(version), password: 'Given-Password_0123456789' });
    const output = synthJson(stack).output;
    expect(output.cache_url.value).toBe(`redis://${user}:\${sensitive("Given-Password_0123456789")}@localhost:6379`);
    expect(output.cache_tls_url.value).toBe(`rediss://${user}:\${sensitive("Given-Password_0123456789")}@localhost:6380`);
  });
});
