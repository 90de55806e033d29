import { Testing } from 'cdktf';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { MultiHostStack } from '../../examples/multi-host/main';
import { RedisDatabase, RedisFollower } from '../../lib';
import { representativePlans } from '../support/representative-plans';
import { dockerStack, synthJson } from '../support/synth';

/**
 * Every container the library creates, from plans that between them have
 * each kind: Redis, the TLS sidecar, the exporter, backups (socket, network,
 * BGSAVE), restores, Sentinels (the multi-host example) and the replication
 * tunnel of a sidecar-mode follower on another host.
 */
function everyContainer(): Array<[string, any]> {
  const multiHost = JSON.parse(Testing.synth(new MultiHostStack(Testing.app(), 'multi-host')));
  const tunnelled = dockerStack();
  const primary = new RedisDatabase(tunnelled, 'tunnelled', { announceAddress: '10.0.0.5' });
  const hostB = new DockerProvider(tunnelled, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
  new RedisFollower(tunnelled, 'tunnelled-replica', { primary, provider: hostB, primaryAddress: '10.0.0.5' });
  const plans = [...Object.values(representativePlans().plans), multiHost, synthJson(tunnelled)];
  return plans.flatMap((plan) => Object.values(plan.resource.docker_container as Record<string, any>).map((c) => [c.name, c] as [string, any]));
}

const containers = everyContainer();

test('the plans hold every kind of container', () => {
  const components = new Set(containers.map(([, c]) => (c.labels as any[]).find((l) => l.label === 'cdktf-docker-redis.component').value));
  expect([...components].sort()).toEqual(['backup', 'metrics', 'redis', 'sentinel', 'tls', 'tunnel']);
});

test.each(containers)('%s drops every capability, adds none back, and runs with no-new-privileges', (_name, container) => {
  expect(container.capabilities).toEqual({ drop: ['ALL'] });
  expect(container.security_opts).toEqual(['no-new-privileges']);
});

test.each(containers)('%s runs as a user other than root from its start', (_name, container) => {
  expect(container.user).toMatch(/^(haproxy|[1-9]\d*)(:[1-9]\d*)?$/);
});
