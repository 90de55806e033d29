/**
 * The composition of an instance (lib/instance/build-instance.ts): every
 * capability folder is one entry in its list, its checks run from that entry
 * in their check order, and what a capability contributes through the
 * contract (lib/private/capability.ts) reaches the node, in the list's order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { RedisDatabase, RedisFollower, RedisVersion } from '../../lib';
import { buildInstance, CAPABILITIES, checkCapabilities } from '../../lib/instance/build-instance';
import { Capability, CapabilityEntry, CheckRequest, InstanceSpec } from '../../lib/private/capability';
import { InstanceCheck } from '../../lib/private/instance-checks';
import { buildNode, instanceResources, instanceSecrets } from '../../lib/private/instance-core';
import { resolveSettings } from '../../lib/private/settings';
import { instanceAccess, USERS } from '../../lib/users/capability';
import { dockerStack, errorOf, resourceAt, uploadOf } from '../support/synth';

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
  const names = CAPABILITIES.map((entry) => entry.name).sort();
  expect(names).toEqual(folders);
});

test('every entry has checks, each at an order of its own, so the order of messages never depends on ties', () => {
  for (const entry of CAPABILITIES) expect(typeof entry.check).toBe('function');
  const orders = CAPABILITIES.map((entry) => entry.checkOrder);
  expect(new Set(orders).size).toBe(CAPABILITIES.length);
});

test('the public constructs run every capability\'s checks through the composition, in check order, and report them at once', () => {
  const stack = dockerStack();
  const message = errorOf(() => new RedisDatabase(stack, 'cache', {
    users: [{ name: 'Bad', permissions: '+@read ~*' }],
    announceAddress: '127.0.0.1',
    metrics: { enabled: 'yes' as any },
    backup: 'daily' as any,
  }));
  const lines = message.split('\n');
  // users (order 1), failover (2), metrics (3), backup (4); the list builds failover first.
  const at = (prop: string) => lines.findIndex((line) => line.startsWith(`RedisDatabase cache: \`${prop}`));
  const found = ['users[0]', 'announceAddress', 'metrics.enabled', 'backup'].map(at);
  expect(found.every((index) => index >= 0)).toBe(true);
  expect([...found].sort((x, y) => x - y)).toEqual(found);

  // A follower's request carries its kind: the backup capability refuses its props there.
  const other = dockerStack();
  const primary = new RedisDatabase(other, 'primary');
  expect(() => new RedisFollower(other, 'replica', { primary, backup: {} } as any))
    .toThrow('RedisFollower replica: `backup` is not a RedisFollower prop');
});

test('a planted entry\'s checks get the request, run in their check order, and what they resolved reaches the build in list order', () => {
  const stack = dockerStack();
  const scope = new Construct(stack, 'cache');
  const version = RedisVersion.V7_2;
  const settings = resolveSettings(version, {});
  const check = new InstanceCheck(scope, 'RedisDatabase', 'cache', undefined, undefined);
  const calls: string[] = [];
  const seen: CheckRequest[] = [];
  const planted = (name: string, checkOrder: number): CapabilityEntry => ({
    name,
    checkOrder,
    check: (request) => {
      calls.push(name);
      seen.push(request);
      // What the check resolves from the props is what its capability builds.
      const resolved = `${name} for ${request.check.handle} on ${request.version.name}`;
      return { name, node: () => ({ serverFiles: [{ file: `/usr/local/etc/redis/${name}.txt`, content: resolved }] }) };
    },
  });
  const request: CheckRequest = { check, kind: 'database', version, props: {}, settings, ports: [] };
  const capabilities = checkCapabilities(request, [...CAPABILITIES, planted('late', 9), planted('early', 0)]);
  expect(calls).toEqual(['early', 'late']);
  expect(seen).toEqual([request, request]);
  expect(capabilities.map((capability) => capability.name)).toEqual(['failover', 'users', 'metrics', 'backup', 'late', 'early']);
  check.problems.throwIfAny();

  const spec: InstanceSpec = { kind: 'database', handle: 'cache', version, options: {}, settings, networkName: 'cache' };
  buildInstance(scope, { ...spec, capabilities });
  const redis = resourceAt(stack, 'docker_container', 'cache/Node/Redis');
  expect(redis.upload.map((u: any) => u.file).slice(-2)).toEqual(['/usr/local/etc/redis/late.txt', '/usr/local/etc/redis/early.txt']);
  expect(uploadOf(redis, '/usr/local/etc/redis/late.txt')).toBe(`late for cache on ${version.name}`);
  // The real entries' capabilities were built too: the default backup of a persistent database.
  expect(resourceAt(stack, 'docker_container', 'cache/Backup').name).toBe('cache-backup');
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
