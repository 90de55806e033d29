import { TerraformOutput, Testing } from 'cdktf';
import { Image } from '@cdktf/provider-docker/lib/image';
import { MaxmemoryPolicy, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisFollowerProps, RedisTlsMode, RedisVersion } from '../../lib';
import { dockerStack, resourceAt, resourcesOf, synthJson, uploadOf, warningsUnder } from '../support/synth';

const CONF = '/usr/local/etc/redis/redis.conf';

function synthFollower(primaryProps: RedisDatabaseProps = {}, followerProps: Partial<RedisFollowerProps> = {}) {
  const stack = dockerStack();
  const primary = new RedisDatabase(stack, 'cache', primaryProps);
  const follower = new RedisFollower(stack, 'replica', { primary, ...followerProps });
  const json = synthJson(stack);
  return {
    stack,
    follower,
    json,
    conf: uploadOf(resourceAt(stack, 'docker_container', 'replica/Node/Redis'), CONF),
    redis: resourceAt(stack, 'docker_container', 'replica/Node/Redis'),
    sidecar: follower.settings.tlsMode === RedisTlsMode.NATIVE ? undefined : resourceAt(stack, 'docker_container', 'replica/Node/TlsSidecar'),
    warnings: warningsUnder(follower),
  };
}

describe('RedisFollower', () => {
  const s = synthFollower();

  test('replicates from the primary\'s network alias as the primary\'s replication user, read-only', () => {
    const lines = s.conf.split('\n');
    expect(lines).toContain('replicaof cache 6379');
    expect(lines).toContain('masteruser replication');
    expect(lines).toContain('masterauth "${sha256(join("/", [random_password.cache_InternalSecret_50E52651.result, "replication"]))}"');
    expect(lines).toContain('replica-read-only yes');
  });

  test('has its own password and users', () => {
    const acl = uploadOf(s.redis, '/usr/local/etc/redis/users.acl');
    expect(acl).toMatch(/^user default on #\$\{sha256\(random_password\.replica_Password_[0-9A-F]{8}\.result\)\} /m);
    expect(acl).toMatch(/^user replication on #\$\{sha256\(sha256\(join\("\/", \[random_password\.replica_InternalSecret_[0-9A-F]{8}\.result, "replication"\]\)\)\)\} /m);
  });

  test('before Redis 6 replicates with the primary\'s password, which is all there is', () => {
    const t = synthFollower({ version: RedisVersion.V5_0 });
    expect(t.conf).toContain('replicaof cache 6379\nmasterauth "${random_password.cache_Password_747427C2.result}"\n');
    expect(t.conf).not.toContain('masteruser');
  });

  test('joins the primary\'s network without creating one', () => {
    expect(Object.keys(resourcesOf(s.stack, 'docker_network'))).toEqual(['cache_Network_F71C11E1']);
    expect(s.redis.networks_advanced).toEqual([{ name: '${docker_network.cache_Network_F71C11E1.name}', aliases: ['replica'] }]);
    expect(s.sidecar.networks_advanced).toEqual([{ name: '${docker_network.cache_Network_F71C11E1.name}', aliases: ['replica-tls'] }]);
  });

  test('lets Docker choose host ports by default and reports them in its credentials', () => {
    expect(s.redis.ports).toEqual([{ internal: 6379, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.sidecar.ports).toEqual([{ internal: 6380, ip: '0.0.0.0', protocol: 'tcp' }]);
    expect(s.json.output.replica_url.value).toMatch(
      /^redis:\/\/default:\$\{random_password\.replica_Password_\w+\.result\}@localhost:\$\{docker_container\.replica_Node_Redis_\w+\.ports\[0\]\.external\}$/,
    );
    expect(s.json.output.replica_tls_url.value).toMatch(/@localhost:\$\{docker_container\.replica_Node_TlsSidecar_\w+\.ports\[0\]\.external\}$/);
  });

  test('with native TLS, reports Redis\'s own Docker-chosen TLS port', () => {
    const t = synthFollower({}, { tlsMode: RedisTlsMode.NATIVE });
    expect(t.redis.ports).toEqual([
      { internal: 6379, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 6380, ip: '0.0.0.0', protocol: 'tcp' },
    ]);
    expect(t.json.output.replica_tls_url.value).toMatch(/@localhost:\$\{docker_container\.replica_Node_Redis_\w+\.ports\[1\]\.external\}$/);
  });

  test('runs the primary\'s version by default, with its own TLS sidecar and CA', () => {
    expect(s.follower.version.name).toBe('8.2');
    expect(resourceAt(s.stack, 'docker_container', 'replica/Node/TlsSidecar').name).toBe('replica-tls');
    expect(resourceAt(s.stack, 'tls_self_signed_cert', 'replica/CaCertificate')).toBeDefined();
    expect(s.json.output.replica_ca_certificate.sensitive).toBe(true);
  });

  test('has its own data volume', () => {
    expect(resourceAt(s.stack, 'docker_volume', 'replica/Data').name).toBe('replica-data');
  });

  test('inherits its primary\'s memory, disk, policy, TLS mode, AOF, addresses and host name unless given', () => {
    const t = synthFollower({
      hostIp: '127.0.0.1',
      plaintextHostIp: '127.0.0.2',
      hostname: 'redis.internal.example',
      size: 50,
      enforceSize: true,
      containerSizeMb: 4096,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
      appendOnly: true,
      tlsMode: RedisTlsMode.NATIVE,
    });
    expect(t.follower.settings).toEqual({
      size: 50,
      enforceSize: true,
      containerSizeMb: 4096,
      maxmemoryMb: 2048,
      maxmemoryPolicy: MaxmemoryPolicy.ALLKEYS_LRU,
      hostname: 'redis.internal.example',
      hostIp: '127.0.0.1',
      plaintextHostIp: '127.0.0.2',
      publishPlaintext: true,
      allowedSources: [],
      tlsMode: RedisTlsMode.NATIVE,
      appendOnly: true,
    });
    expect(t.redis.memory).toBe(4096);
    expect(t.redis.ports.map((p: any) => p.ip)).toEqual(['127.0.0.2', '127.0.0.1']);
    expect(resourceAt(t.stack, 'docker_volume', 'replica/Data').driver_opts).toEqual({ size: '50G' });
    expect(t.conf).toContain('maxmemory 2048mb\nmaxmemory-policy allkeys-lru\n');
    expect(t.conf).toContain('appendonly yes');
    expect(t.conf).toContain('tls-port 6380');
    expect(t.json.output.replica_url.value).toContain('@redis.internal.example:');
    expect(resourceAt(t.stack, 'tls_cert_request', 'replica/ServerCertificateRequest').dns_names).toContain('redis.internal.example');
    expect(t.warnings.join('\n')).not.toMatch(/less than its primary|more widely/);
  });

  test('inherits on its primary\'s host that no plaintext port is published, and the allowed sources', () => {
    const t = synthFollower({ publishPlaintext: false, allowedSources: ['10.1.0.0/16'] });
    expect(t.follower.settings).toMatchObject({ publishPlaintext: false, allowedSources: ['10.1.0.0/16'] });
    expect(t.redis.ports).toEqual([]);
    expect(uploadOf(t.sidecar, '/usr/local/etc/haproxy/haproxy.cfg')).toContain('    acl allowed_source src 10.1.0.0/16\n    tcp-request connection reject unless allowed_source\n');
    expect(t.json.output.replica_url).toBeUndefined();
  });

  test('warns when it publishes plaintext that its primary keeps on loopback or does not publish', () => {
    expect(synthFollower({}, { plaintextHostIp: '0.0.0.0' }).warnings).toContainEqual(
      'RedisFollower replica: `plaintextHostIp` 0.0.0.0 publishes this copy of the data in plaintext more widely than its primary cache (127.0.0.1): it can be read in clear where the primary cannot',
    );
    expect(synthFollower({ publishPlaintext: false }, { publishPlaintext: true }).warnings).toContainEqual(
      'RedisFollower replica: `plaintextHostIp` 127.0.0.1 publishes this copy of the data in plaintext more widely than its primary cache (no plaintext port): it can be read in clear where the primary cannot',
    );
    expect(synthFollower().warnings.join('\n')).not.toMatch(/in plaintext more widely/);
  });

  test('a memory-only follower of a persistent primary takes its memory but no disk or AOF settings', () => {
    const t = synthFollower({ size: 50, appendOnly: true, containerSizeMb: 2048 }, { version: RedisVersion.V8_2_NORDB });
    expect(t.follower.settings).toMatchObject({ size: 1, appendOnly: false, enforceSize: false, containerSizeMb: 2048, maxmemoryMb: 1638 });
    expect(t.redis.tmpfs).toEqual({ '/data': 'size=1g,uid=999,gid=999,mode=0700' });
  });

  test('warns when given less memory or disk than its primary, saying what will happen', () => {
    const t = synthFollower({ containerSizeMb: 4096, size: 50 }, { containerSizeMb: 1024, size: 10 });
    expect(t.warnings).toContainEqual(
      'RedisFollower replica: `containerSizeMb` 1024 is less than its primary cache\'s 4096: a replica keeps the primary\'s whole data set and does not evict at `maxmemory`, so once the primary holds more than this container\'s memory the follower is OOM-killed and replication restarts over and over',
    );
    expect(t.warnings).toContainEqual(
      'RedisFollower replica: `size` 10 GB is less than its primary cache\'s 50 GB: the follower writes the same snapshots, and a full disk stops its snapshots and replication',
    );
  });

  test('warns when published more widely than its primary', () => {
    const t = synthFollower({ hostIp: '127.0.0.1' }, { hostIp: '0.0.0.0' });
    expect(t.warnings).toContainEqual(
      'RedisFollower replica: `hostIp` 0.0.0.0 publishes this copy of the data more widely than its primary cache (127.0.0.1): it can be reached where the primary cannot',
    );
  });

  test('a memory-only follower loads its full sync from the socket, or warns where the version cannot', () => {
    const modern = synthFollower({ version: RedisVersion.V7_2_NORDB });
    expect(modern.conf).toContain('repl-diskless-sync yes\nrepl-diskless-load on-empty-db\n');
    const old = synthFollower({ version: RedisVersion.V5_0_NORDB });
    expect(old.conf).not.toContain('repl-diskless-load');
    expect(old.warnings).toContainEqual(expect.stringContaining('memory-only 5.0-nordb cannot load a full sync from the socket (Redis 6.0 added that)'));
  });

  test('has network URLs of its own: its alias, and its sidecar\'s alias the certificate names', () => {
    expect(s.json.output.replica_network_url.value).toMatch(/@replica:6379$/);
    expect(s.json.output.replica_network_tls_url.value).toMatch(/@replica-tls:6380$/);
    expect(resourceAt(s.stack, 'tls_cert_request', 'replica/ServerCertificateRequest').dns_names).toEqual(['localhost', 'replica', 'replica-tls']);
  });

  test('takes its own size, container size and ports', () => {
    const t = synthFollower({}, { size: 20, containerSizeMb: 2048, port: 7000, tlsPort: 7001, enforceSize: true });
    expect([t.redis.ports[0].external, t.sidecar.ports[0].external]).toEqual([7000, 7001]);
    expect(resourceAt(t.stack, 'docker_container', 'replica/Node/Redis').memory).toBe(2048);
    expect(resourceAt(t.stack, 'docker_volume', 'replica/Data').driver_opts).toEqual({ size: '20G' });
    expect(t.conf).toContain('maxmemory 1024mb');
  });

  test('uses slaveof for a 4.0 primary', () => {
    const t = synthFollower({ version: RedisVersion.V4_0 });
    expect(t.conf).toContain('slaveof cache 6379\nmasterauth');
    expect(t.conf).toContain('slave-read-only yes');
    expect(t.conf).not.toMatch(/^replica/m);
  });

  test('may run a newer version than its primary', () => {
    const t = synthFollower({ version: RedisVersion.V7_0 }, { version: RedisVersion.V7_2 });
    expect(Testing.synth(t.stack)).toHaveResourceWithProperties(Image, { name: 'redis:7.2.16' });
  });

  test('warns when its primary is memory-only', () => {
    const t = synthFollower({ version: RedisVersion.V7_2_NORDB });
    expect(t.warnings).toContainEqual(
      'RedisFollower replica: its primary cache is memory-only; when the primary restarts empty, this follower replicates the empty data set and loses everything',
    );
    expect(s.warnings.join('\n')).not.toContain('memory-only');
  });

  test('replicates from a follower through that follower\'s alias and password', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    const first = new RedisFollower(stack, 'replica', { primary });
    new RedisFollower(stack, 'replica-2', { primary: first });
    const conf = uploadOf(resourceAt(stack, 'docker_container', 'replica-2/Node/Redis'), CONF);
    expect(conf).toContain('replicaof replica 6379\nmasteruser replication\nmasterauth "${sha256(join("/", [random_password.replica_InternalSecret_');
  });

  test('exposes credentials with Docker-chosen ports as tokens', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    const follower = new RedisFollower(stack, 'replica', { primary, createOutputs: false });
    new TerraformOutput(stack, 'ports', { value: [follower.credentials.port, follower.credentials.tlsPort] });
    expect(synthJson(stack).output.ports.value).toEqual([
      expect.stringMatching(/^\$\{docker_container\.replica_Node_Redis_\w+\.ports\[0\]\.external\}$/),
      expect.stringMatching(/^\$\{docker_container\.replica_Node_TlsSidecar_\w+\.ports\[0\]\.external\}$/),
    ]);
  });
});
