import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RedisDatabase, RedisFollower } from '../../lib';
import { dockerStack, synthJson } from '../support/synth';

function twoHosts() {
  const stack = dockerStack();
  const hostB = new DockerProvider(stack, 'docker-b', { alias: 'b', host: 'unix:///run/docker-b.sock' });
  return { stack, hostB };
}

describe('Docker hosts', () => {
  test('every Docker resource of an instance goes to its provider; the default host\'s resources name none', () => {
    const { stack, hostB } = twoHosts();
    new RedisDatabase(stack, 'cache', {});
    new RedisDatabase(stack, 'remote', { provider: hostB });
    const json = synthJson(stack);
    for (const type of ['docker_container', 'docker_volume', 'docker_network', 'docker_image']) {
      for (const [id, resource] of Object.entries(json.resource[type]) as Array<[string, any]>) {
        const onB = id.startsWith('remote_') || id.endsWith('-on-b');
        expect({ id, provider: resource.provider }).toEqual({ id, provider: onB ? 'docker.b' : undefined });
      }
    }
  });

  test('each host pulls its own image; the default host keeps the image ids it always had', () => {
    const { stack, hostB } = twoHosts();
    new RedisDatabase(stack, 'cache', {});
    new RedisDatabase(stack, 'remote', { provider: hostB });
    expect(Object.keys(synthJson(stack).resource.docker_image).sort()).toEqual([
      'image-haproxy-3-2-22', 'image-haproxy-3-2-22-on-b', 'image-redis-8-2-10', 'image-redis-8-2-10-on-b',
    ]);
  });

  test('the same handle and host ports on two hosts are fine', () => {
    const { stack, hostB } = twoHosts();
    new RedisDatabase(stack, 'cache', {});
    expect(() => new RedisDatabase(stack, 'cache-b', { handle: 'cache', provider: hostB })).not.toThrow();
  });

  test('fails on a handle used twice on one host, also on an aliased one', () => {
    const { stack, hostB } = twoHosts();
    new RedisDatabase(stack, 'one', { handle: 'shared', provider: hostB });
    expect(() => new RedisDatabase(stack, 'two', { handle: 'shared', provider: hostB, port: 7000, tlsPort: 7001 })).toThrow(
      'RedisDatabase shared: `handle` "shared" is already used by test/one in this stack (this one is test/two)',
    );
  });

  test('fails on a follower on another host than its primary without primaryAddress, naming both hosts', () => {
    const { stack, hostB } = twoHosts();
    const primary = new RedisDatabase(stack, 'cache', {});
    expect(() => new RedisFollower(stack, 'replica', { primary, provider: hostB })).toThrow(
      'RedisFollower replica: `primaryAddress` is required: `provider` puts this follower on Docker host `docker.b` and its primary cache on the default Docker host',
    );
  });
});
