/**
 * The composition of an instance (lib/instance/build-instance.ts): every
 * capability folder is one entry in its list, and what a capability
 * contributes through the contract (lib/private/capability.ts) reaches the
 * node, in the list's order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { RedisVersion } from '../../lib';
import { CAPABILITIES } from '../../lib/instance/build-instance';
import { Capability, InstanceSpec } from '../../lib/private/capability';
import { buildNode, instanceResources, instanceSecrets } from '../../lib/private/instance-core';
import { resolveSettings } from '../../lib/private/settings';
import { instanceAccess, USERS } from '../../lib/users/capability';
import { dockerStack, resourceAt } from '../support/synth';

const LIB = path.join(__dirname, '..', '..', 'lib');

test('every folder with a capability.ts is one entry in the composition, and the composition lists no other', () => {
  const folders = fs.readdirSync(LIB, { withFileTypes: true })
    // lib/private/capability.ts is the contract itself.
    .filter((entry) => entry.isDirectory() && entry.name !== 'private' && fs.existsSync(path.join(LIB, entry.name, 'capability.ts')))
    .map((entry) => entry.name)
    .sort();
  expect(folders).toEqual(['backup', 'failover', 'metrics', 'users']);
  const composition = fs.readFileSync(path.join(LIB, 'instance', 'build-instance.ts'), 'utf8');
  for (const folder of folders) expect(composition).toContain(`from '../${folder}/capability'`);
  const names = CAPABILITIES.map((capabilityFor) => capabilityFor({} as any).name).sort();
  expect(names).toEqual(folders);
});

/** An instance's shared parts, as the composition builds them, for a node built from the given capabilities. */
function nodeWith(capabilities: Capability[]) {
  const stack = dockerStack();
  const scope = new Construct(stack, 'cache');
  const version = RedisVersion.V7_2;
  const spec: InstanceSpec = { kind: 'database', handle: 'cache', version, options: {}, settings: resolveSettings(version, {}), networkName: 'cache' };
  const secrets = instanceSecrets(scope, spec);
  const instance = instanceResources(scope, spec, secrets, instanceAccess(scope, spec, secrets));
  buildNode(instance, capabilities, capabilities.map((capability) => capability.node?.(instance) ?? {}));
  return resourceAt(stack, 'docker_container', 'cache/Node/Redis');
}

test('a capability\'s server files and config change reach the node, after the config and in the list\'s order', () => {
  const extra: Capability = {
    name: 'extra',
    node: () => ({
      serverFiles: [{ file: '/usr/local/etc/redis/extra.conf', content: 'extra' }],
      conf: (input) => ({ ...input, extraDirectives: { ...input.extraDirectives, 'lazyfree-lazy-eviction': 'yes' } }),
    }),
  };
  const redis = nodeWith([USERS, extra]);
  expect(redis.upload.map((u: any) => u.file)).toEqual([
    '/usr/local/etc/redis/redis.conf', '/usr/local/etc/redis/users.acl', '/usr/local/etc/redis/health.secret', '/usr/local/etc/redis/extra.conf',
  ]);
  expect(redis.upload[0].content).toMatch(/^lazyfree-lazy-eviction yes$/m);
});

test('two capabilities that each give the node its start script fail with both names', () => {
  const startup = { script: { file: '/usr/local/etc/redis/first.sh', content: 'exec "$@"' }, mounts: [] };
  const one: Capability = { name: 'one', node: () => ({ startup }) };
  const other: Capability = { name: 'other', node: () => ({ startup }) };
  expect(() => nodeWith([USERS, one, other])).toThrow('the capabilities one and other each give the Redis node\'s `startup`; only one may');
});
