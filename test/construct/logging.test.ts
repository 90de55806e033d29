/**
 * `logging`: one driver and its options on every container of an instance,
 * and on a failover group's Sentinels.
 */
import { RedisDatabase, RedisDatabaseProps, RedisFollower, RedisLogDriver } from '../../lib';
import { dockerStack, synthJson } from '../support/synth';

const SYSLOG = { driver: RedisLogDriver.SYSLOG, options: { 'syslog-address': 'udp://127.0.0.1:5514', tag: '{{.Name}}' } };

function containersOf(props: RedisDatabaseProps, followerLogging?: RedisDatabaseProps['logging']): any[] {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'cache', { metrics: { enabled: true }, backup: {}, ...props });
  new RedisFollower(stack, 'replica', { primary: db, port: 7000, tlsPort: 7001, logging: followerLogging });
  return Object.values<any>(synthJson(stack).resource.docker_container);
}

const hashOf = (c: any) => c.labels.find((l: any) => l.label === 'cdktf-docker-redis.settings-sha256').value;

test('by default every container logs to json-file with the library\'s size limits', () => {
  for (const c of containersOf({})) expect([c.name, c.log_driver, c.log_opts]).toEqual([c.name, 'json-file', { 'max-size': '10m', 'max-file': '3' }]);
});

test('a database\'s logging reaches each of its containers (Redis, sidecar, backup, exporter) and not its follower\'s', () => {
  const containers = containersOf({ logging: SYSLOG });
  const own = containers.filter((c) => c.name.startsWith('cache'));
  expect(own.map((c) => c.name).sort()).toEqual(['cache', 'cache-backup', 'cache-metrics', 'cache-tls']);
  for (const c of own) expect([c.name, c.log_driver, c.log_opts]).toEqual([c.name, 'syslog', SYSLOG.options]);
  for (const c of containers.filter((x) => x.name.startsWith('replica'))) expect(c.log_driver).toBe('json-file');
});

test('a follower has its own; local without options keeps the driver\'s defaults', () => {
  const replica = containersOf({}, { driver: RedisLogDriver.LOCAL }).filter((c) => c.name.startsWith('replica'));
  expect(replica.length).toBeGreaterThan(0);
  for (const c of replica) expect([c.name, c.log_driver, c.log_opts]).toEqual([c.name, 'local', {}]);
});

test('new options change every container\'s settings hash (log_opts is ignored on read-back, so the hash replaces them)', () => {
  const before = containersOf({ logging: SYSLOG }).filter((c) => c.name.startsWith('cache'));
  const after = containersOf({ logging: { ...SYSLOG, options: { ...SYSLOG.options, tag: 'redis' } } }).filter((c) => c.name.startsWith('cache'));
  before.forEach((c, i) => expect(hashOf(after[i])).not.toBe(hashOf(c)));
  for (const c of before) expect(c.lifecycle.ignore_changes).toContain('log_opts');
});

test('fails on log option names and values Docker or Terraform would not take, naming each', () => {
  expect(() => containersOf({ logging: { driver: RedisLogDriver.SYSLOG, options: { 'Syslog Address': 'x', tag: '${var.x}' } } })).toThrow(
    'RedisDatabase cache: `logging.options` names must be Docker log option names such as "tag" or "syslog-address", got "Syslog Address"\n'
    + 'RedisDatabase cache: `logging.options` value of "tag" must not contain "${" or "%{" (Terraform would interpolate it), got "${var.x}"',
  );
});

test('fails on a driver that is not offered, listing those that are', () => {
  expect(() => containersOf({ logging: { driver: { name: 'gelf' } as any } })).toThrow(
    'RedisDatabase cache: `logging.driver` must be one of RedisLogDriver.JSON_FILE, RedisLogDriver.LOCAL, RedisLogDriver.SYSLOG, got "gelf"',
  );
});
