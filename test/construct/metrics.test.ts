import { TerraformResource, Testing } from 'cdktf';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisFollowerProps, RedisTlsMode, RedisVersion } from '../../lib';
import { dockerStack, resourceAt, resourcesOf, synthJson, uploadOf } from '../support/synth';

const PASSWORD_FILE = '/etc/redis_exporter/password.json';
const CA_FILE = '/etc/redis_exporter/ca.crt';

function synth(props: RedisDatabaseProps = {}, followerProps?: Partial<RedisFollowerProps>) {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'cache', props);
  const follower = followerProps && new RedisFollower(stack, 'replica', { primary: db, ...followerProps });
  return { stack, db, follower, json: synthJson(stack), synthesized: Testing.synth(stack) };
}

function exporterOf(stack: any, path = 'cache/Metrics/Exporter'): any {
  return resourceAt(stack, 'docker_container', path);
}

describe('a database with metrics enabled', () => {
  const s = synth({ version: RedisVersion.VALKEY_8_1, metrics: { enabled: true } });
  const exporter = exporterOf(s.stack);

  test('runs the official exporter image as its own user, on the database network under HANDLE-metrics', () => {
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'oliver006/redis_exporter:v1.93.0', keep_locally: true });
    expect(exporter).toMatchObject({
      name: 'cache-metrics',
      entrypoint: ['/redis_exporter'],
      user: '59000:59000',
      hostname: 'cache-metrics',
      networks_advanced: [{ name: '${docker_network.cache_Network_F71C11E1.name}', aliases: ['cache-metrics'] }],
      memory: 128,
      memory_swap: 128,
      must_run: false,
      restart: 'unless-stopped',
    });
  });

  test('reads the server through the TLS sidecar\'s alias, verifying the database\'s CA, as the exporter user without CONFIG', () => {
    expect(exporter.command).toEqual([
      '--redis.addr=rediss://cache-tls:6380',
      '--redis.user=exporter',
      `--redis.password-file=${PASSWORD_FILE}`,
      `--tls-ca-cert-file=${CA_FILE}`,
      '--config-command=-',
      '--web.listen-address=:9121',
    ]);
    expect(uploadOf(exporter, CA_FILE)).toBe('${tls_self_signed_cert.cache_CaCertificate_FD4F48CD.cert_pem}');
  });

  test('keeps its password in a root-owned 0640 file it reads through group root, never in its command or environment', () => {
    expect(exporter.upload.map((u: any) => [u.file, u.permissions])).toEqual([[PASSWORD_FILE, '0640'], [CA_FILE, '0644']]);
    expect(exporter.group_add).toEqual(['0']);
    expect(exporter.env).toBeUndefined();
    expect(JSON.stringify(exporter.command)).not.toContain('${');
  });

  test('logs in with the password whose hash the ACL file holds for the exporter user', () => {
    const secret = 'random_password.cache_InternalSecret_50E52651.result';
    const password = `\${sha256(join("/", [${secret}, "exporter"]))}`;
    expect(uploadOf(exporter, PASSWORD_FILE)).toBe(`{"rediss://exporter@cache-tls:6380":"${password}"}\n`);
    const acl = uploadOf(resourceAt(s.stack, 'docker_container', 'cache/Node/Redis'), '/usr/local/etc/valkey/users.acl');
    expect(acl).toContain(`user exporter on #\${sha256(sha256(join("/", [${secret}, "exporter"])))} `);
  });

  test('publishes the endpoint on 127.0.0.1 on a port Docker chooses, and outputs its URL unmasked', () => {
    expect(exporter.ports).toEqual([{ internal: 9121, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(s.json.output.cache_metrics_url).toEqual({
      value: 'http://127.0.0.1:${docker_container.cache_Metrics_Exporter_E8748D2C.ports[0].external}/metrics',
    });
  });

  test('labels the container and replaces it with its network', () => {
    expect(exporter.labels).toEqual(expect.arrayContaining([
      { label: 'cdktf-docker-redis.component', value: 'metrics' },
      { label: 'cdktf-docker-redis.handle', value: 'cache' },
      { label: 'cdktf-docker-redis.role', value: 'database' },
    ]));
    expect(exporter.lifecycle).toEqual({ ignore_changes: ['log_opts', 'ulimit', 'memory_swap'], replace_triggered_by: ['docker_network.cache_Network_F71C11E1'] });
  });
});

describe('metrics options', () => {
  test('by default, no exporter and no metrics output', () => {
    const s = synth();
    expect(Object.values(resourcesOf(s.stack, 'docker_container')).map((c: any) => c.name).sort()).toEqual(['cache', 'cache-backup', 'cache-tls']);
    expect(s.json.output.cache_metrics_url).toBeUndefined();
    expect(s.db.metricsUrl).toBeUndefined();
  });

  test('turning metrics on adds the exporter and its image and changes no other resource', () => {
    const without = synth({ version: RedisVersion.VALKEY_8_1 }).json;
    const withMetrics = synth({ version: RedisVersion.VALKEY_8_1, metrics: { enabled: true } }).json;
    const { cache_Metrics_Exporter_E8748D2C: exporter, ...containers } = withMetrics.resource.docker_container;
    expect(exporter).toBeDefined();
    expect(containers).toEqual(without.resource.docker_container);
    const { 'image-oliver006-redis-exporter-v1-93-0': image, ...images } = withMetrics.resource.docker_image;
    expect(image).toBeDefined();
    expect(images).toEqual(without.resource.docker_image);
    for (const type of ['docker_volume', 'docker_network', 'random_password', 'tls_private_key', 'tls_self_signed_cert', 'tls_cert_request', 'tls_locally_signed_cert']) {
      expect(withMetrics.resource[type]).toEqual(without.resource[type]);
    }
  });

  test('with native TLS, reads the server under its handle, which the certificate names', () => {
    const s = synth({ tlsMode: RedisTlsMode.NATIVE, metrics: { enabled: true } });
    expect(exporterOf(s.stack).command[0]).toBe('--redis.addr=rediss://cache:6380');
    expect(uploadOf(exporterOf(s.stack), PASSWORD_FILE)).toMatch(/^\{"rediss:\/\/exporter@cache:6380":/);
  });

  test('publishes a given port and address; on 0.0.0.0 the URL names the database\'s hostname', () => {
    const s = synth({ hostname: 'redis.example', metrics: { enabled: true, port: 9121, hostIp: '0.0.0.0' } });
    expect(exporterOf(s.stack).ports).toEqual([{ internal: 9121, external: 9121, ip: '0.0.0.0', protocol: 'tcp' }]);
    expect(s.db.metricsUrl).toBe('http://redis.example:9121/metrics');
    expect(s.json.output.cache_metrics_url.value).toBe('http://redis.example:9121/metrics');
  });

  test('runs the exporter image given as metricsImage', () => {
    const s = synth({ metrics: { enabled: true }, metricsImage: 'registry.local/redis_exporter:v1.93.0' });
    expect(s.synthesized).toHaveResourceWithProperties(Image, { name: 'registry.local/redis_exporter:v1.93.0' });
    expect(s.synthesized).not.toHaveResourceWithProperties(Image, { name: 'oliver006/redis_exporter:v1.93.0' });
  });

  test('creates no metrics output with createOutputs false', () => {
    const s = synth({ metrics: { enabled: true }, createOutputs: false });
    expect(s.json.output).toBeUndefined();
    expect(s.synthesized).toHaveResourceWithProperties(Container, { name: 'cache-metrics' });
  });

  test('keeps the exporter\'s ids stable (renaming one replaces live resources)', () => {
    const s = synth({ metrics: { enabled: true } });
    const paths = s.stack.node.findAll().filter((c) => c instanceof TerraformResource).map((c) => c.node.path);
    expect(paths.filter((p) => /[Mm]etrics|exporter/.test(p)).sort()).toEqual(['test/cache/Metrics/Exporter', 'test/image-oliver006-redis-exporter-v1-93-0']);
  });

  test('shares one exporter image between the databases of a stack', () => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'one', { metrics: { enabled: true } });
    new RedisDatabase(stack, 'two', { port: 7000, tlsPort: 7001, metrics: { enabled: true } });
    const images = Object.values(resourcesOf(stack, 'docker_image')).map((i: any) => i.name);
    expect(images.filter((name) => name.includes('redis_exporter'))).toEqual(['oliver006/redis_exporter:v1.93.0']);
  });
});

describe('a follower of a database with metrics', () => {
  const s = synth({ metrics: { enabled: true } }, {});
  const exporter = exporterOf(s.stack, 'replica/Metrics/Exporter');

  test('runs an exporter of its own, reading the follower through its own TLS endpoint', () => {
    expect(exporter.name).toBe('replica-metrics');
    expect(exporter.command[0]).toBe('--redis.addr=rediss://replica-tls:6380');
    expect(exporter.labels).toContainEqual({ label: 'cdktf-docker-redis.role', value: 'follower' });
    expect(uploadOf(exporter, PASSWORD_FILE)).toContain('random_password.replica_InternalSecret_');
    expect(s.json.output.replica_metrics_url.value).toMatch(/^http:\/\/127\.0\.0\.1:\$\{docker_container\.replica_Metrics_Exporter_[0-9A-F]{8}\.ports\[0\]\.external\}\/metrics$/);
  });
});
