/**
 * The stand-in's plan-time and create-time checks (the docker provider's
 * validators, each refusing a bad value in a container the library emits),
 * the order in which it applies a plan (Terraform's graph walk), and a
 * network's refresh and a container's delete as the provider does them,
 * without a Docker engine: a plan of an empty state touches none, and a fake
 * engine answers the rest.
 */
import { RedisDatabase, RedisVersion } from '../../lib';
import { applyParallelism, applySteps, PlannedActions, runSteps, Step } from '../e2e/standin/apply-order';
import { dockerContainer, dockerNetwork } from '../e2e/standin/docker-resources';
import { StandIn } from '../e2e/standin/standin';
import { PROVIDER_VALIDATORS, validationErrors } from '../e2e/standin/validators';
import { dockerStack, synthJson } from '../support/synth';

/** A database with a backup to a host directory: containers with uploads, a healthcheck, host paths, memory and restart. */
function libraryPlan(): any {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', { handle: 'cache', version: RedisVersion.V7_2, backup: { hostPath: '/srv/backups' } });
  return synthJson(stack);
}

/** The plan's containers with `attribute` (nested: `block.attribute`) set. */
function containersWith(plan: any, attribute: string): any[] {
  const [block, nested] = attribute.split('.');
  return Object.values<any>(plan.resource.docker_container).filter((c) => {
    if (c[block] === undefined) return false;
    return !nested || (Array.isArray(c[block]) ? c[block] : [c[block]]).some((b: any) => b[nested] !== undefined);
  });
}

/** Sets the first value of `attribute` in the first container that has one. */
function withValue(attribute: string, value: unknown): any {
  const plan = libraryPlan();
  const [container] = containersWith(plan, attribute);
  const [block, nested] = attribute.split('.');
  if (!nested) container[block] = value;
  else (Array.isArray(container[block]) ? container[block] : [container[block]]).find((b: any) => b[nested] !== undefined)[nested] = value;
  return plan;
}

describe('the docker provider\'s validators, as the stand-in runs them', () => {
  test('the library\'s own containers pass every one, and each checks an attribute the stand-in\'s create accepts', async () => {
    const plan = libraryPlan();
    const changes = await new StandIn().changes(plan);
    expect(changes.filter((c) => c.address.startsWith('docker_container.')).map((c) => c.action)).toEqual(['create', 'create', 'create']);
    for (const v of PROVIDER_VALIDATORS) {
      expect(dockerContainer.supported).toContain(v.attribute.split('.')[0]);
      for (const c of containersWith(plan, v.attribute)) expect(validationErrors('docker_container', 'c', c, v.stage)).toEqual([]);
    }
  });

  test.each([
    ['restart outside its enum', 'restart', 'sometimes', /\.restart: 'sometimes' doesn't match the pattern '\^\(no\|on-failure\|always\|unless-stopped\)\$'/],
    ['upload permissions without the leading 0', 'upload.permissions', '640', /\.upload\.permissions: '640' doesn't match the pattern '\^0\[0-7\]\{3\}\$'/],
    ['upload permissions with a digit above 7', 'upload.permissions', '0648', /'0648' doesn't match the pattern/],
    ['a relative host path', 'volumes.host_path', 'srv/backups', /\.volumes\.host_path: 'srv\/backups' must be an absolute path/],
    ['a duration Go cannot parse', 'healthcheck.interval', '10 seconds', /\.healthcheck\.interval: '10 seconds' is not a valid duration/],
    ['a duration without a unit', 'healthcheck.timeout', '5', /\.healthcheck\.timeout: '5' is not a valid duration/],
    ['a negative duration', 'healthcheck.start_period', '-1s', /\.healthcheck\.start_period: '-1s' duration must not be negative/],
    ['negative retries', 'healthcheck.retries', -1, /\.healthcheck\.retries: '-1' cannot be lower than 0/],
    ['a negative memory', 'memory', -1, /\.memory: '-1' cannot be lower than 0/],
    ['a memory_swap below -1', 'memory_swap', -2, /\.memory_swap: '-2' cannot be lower than -1/],
  ])('fails the plan with %s', async (_what, attribute, value, message) => {
    await expect(new StandIn().changes(withValue(attribute, value))).rejects.toThrow(message);
  });

  test('fails the create, before any container exists, with an empty command element', () => {
    const [container] = containersWith(libraryPlan(), 'command');
    const bad = { ...container, command: [...container.command, ''] };
    expect(validationErrors('docker_container', 'c', bad, 'create-before-container')).toEqual(['c.command: values for command may not be empty']);
    expect(validationErrors('docker_container', 'c', bad, 'plan')).toEqual([]);
  });

  test('fails the create, after the container exists, with an empty upload content', () => {
    const [container] = containersWith(libraryPlan(), 'upload');
    const bad = { ...container, upload: [...container.upload, { file: '/etc/empty', content: '' }] };
    expect(validationErrors('docker_container', 'c', bad, 'create-after-container')).toEqual([
      "c.upload: error with upload content: one of 'content', 'content_base64', or 'source' must be set",
    ]);
    expect(validationErrors('docker_container', 'c', bad, 'plan')).toEqual([]);
  });
});

/** Runs the steps with every step taking a few turns of the event loop, recording when each starts and ends. */
async function walk(plan: PlannedActions, parallelism: number, failing: string[] = []): Promise<{ events: string[]; maxInFlight: number; error?: Error }> {
  const events: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const run = async (step: Step) => {
    events.push(`start ${step.key}`);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    for (let i = 0; i < 3; i++) await Promise.resolve();
    inFlight--;
    events.push(`end ${step.key}`);
    if (failing.includes(step.key)) throw new Error(`${step.key} failed`);
  };
  try {
    await runSteps(applySteps(plan), run, parallelism);
    return { events, maxInFlight };
  } catch (e) {
    return { events, maxInFlight, error: e as Error };
  }
}

const deps = (entries: Record<string, string[]>) => new Map(Object.entries(entries).map(([k, v]) => [k, new Set(v)]));

describe('the apply order, as Terraform walks its graph', () => {
  // A network replaced (relabelled), the Redis container on it and its sidecar that refers to the Redis container.
  const chain: PlannedActions = {
    actions: new Map([
      ['docker_network.net', 'replace'], ['docker_container.redis', 'replace'], ['docker_container.sidecar', 'replace'], ['docker_volume.other', 'create'],
    ]),
    configDependencies: deps({ 'docker_container.redis': ['docker_network.net'], 'docker_container.sidecar': ['docker_container.redis', 'docker_network.net'] }),
    stateDependencies: deps({ 'docker_container.redis': ['docker_network.net'], 'docker_container.sidecar': ['docker_container.redis', 'docker_network.net'] }),
  };

  test('a replaced resource and its replaced dependants are all destroyed, dependants first, before any is created', async () => {
    const { events, error } = await walk(chain, 10);
    expect(error).toBeUndefined();
    const ofChain = events.filter((e) => !e.includes('docker_volume'));
    expect(ofChain).toEqual([
      'start destroy docker_container.sidecar', 'end destroy docker_container.sidecar',
      'start destroy docker_container.redis', 'end destroy docker_container.redis',
      'start destroy docker_network.net', 'end destroy docker_network.net',
      'start apply docker_network.net', 'end apply docker_network.net',
      'start apply docker_container.redis', 'end apply docker_container.redis',
      'start apply docker_container.sidecar', 'end apply docker_container.sidecar',
    ]);
    // The unrelated volume waits for nothing: it starts with the first destroy.
    expect(events.slice(0, 2).sort()).toEqual(['start apply docker_volume.other', 'start destroy docker_container.sidecar']);
  });

  test('independent steps run up to 10 at once, and STANDIN_PARALLELISM=1 serializes them', async () => {
    const many: PlannedActions = {
      actions: new Map(Array.from({ length: 15 }, (_, i) => [`docker_volume.v${String(i).padStart(2, '0')}`, 'create' as const])),
      configDependencies: new Map(),
      stateDependencies: new Map(),
    };
    expect((await walk(many, applyParallelism({}))).maxInFlight).toBe(10);
    const serial = await walk(many, applyParallelism({ STANDIN_PARALLELISM: '1' }));
    expect(serial.maxInFlight).toBe(1);
    expect(serial.events.filter((e) => e.startsWith('start'))).toEqual([...many.actions.keys()].map((a) => `start apply ${a}`));
  });

  test('fails on a STANDIN_PARALLELISM that is not a whole number from 1', () => {
    expect(() => applyParallelism({ STANDIN_PARALLELISM: '0' })).toThrow(/STANDIN_PARALLELISM must be a whole number from 1, not "0"/);
    expect(() => applyParallelism({ STANDIN_PARALLELISM: 'all' })).toThrow(/not "all"/);
  });

  test('fails with the error of a failed step, whose dependants never start while the others still run', async () => {
    const { events, error } = await walk(chain, 10, ['apply docker_network.net']);
    expect(error?.message).toBe('apply docker_network.net failed');
    expect(events.filter((e) => e.startsWith('start apply'))).toEqual(['start apply docker_volume.other', 'start apply docker_network.net']);
  });

  test('a resource gone from the configuration is destroyed after the update of one that referred to it', async () => {
    const removal: PlannedActions = {
      actions: new Map([['docker_volume.old', 'delete'], ['random_password.kept', 'update']]),
      configDependencies: new Map(),
      stateDependencies: deps({ 'random_password.kept': ['docker_volume.old'] }),
    };
    const { events } = await walk(removal, 10);
    expect(events).toEqual(['start apply random_password.kept', 'end apply random_password.kept', 'start destroy docker_volume.old', 'end destroy docker_volume.old']);
  });

  test('fails on circular dependencies', async () => {
    const circular: PlannedActions = {
      actions: new Map([['random_password.a', 'create'], ['random_password.b', 'create']]),
      configDependencies: deps({ 'random_password.a': ['random_password.b'], 'random_password.b': ['random_password.a'] }),
      stateDependencies: new Map(),
    };
    expect((await walk(circular, 10)).error?.message).toBe('circular dependencies between apply random_password.a, apply random_password.b');
  });
});

/** An engine that answers every call with `answer` (a status, or a failure to connect), recording the calls. */
function fakeEngine(answer: (method: string, path: string) => { status: number; body?: any } | Error) {
  const calls: string[] = [];
  const call = async (method: string, path: string) => {
    calls.push(`${method} ${path}`);
    const a = answer(method, path);
    if (a instanceof Error) throw a;
    return a;
  };
  return { calls, engine: { host: 'unix:///fake.sock', call, ok: call } as any };
}

describe('refresh and delete where the provider does not forgive', () => {
  test.each([
    ['a 404', () => ({ status: 404 })],
    ['a 500', () => ({ status: 500, body: { message: 'daemon trouble' } })],
    ['a refused connection', () => new Error('connect ECONNREFUSED /fake.sock')],
  ])('a network whose inspect fails with %s leaves the state, as the provider\'s Read drops it', async (_what, answer) => {
    const { engine } = fakeEngine(answer);
    expect(await dockerNetwork.read(engine, 'docker_network.n', { id: 'n1', name: 'n' })).toBeUndefined();
  });

  test('fails the destroy of a container gone since the refresh, as the provider\'s stop does', async () => {
    const { engine, calls } = fakeEngine(() => ({ status: 404, body: { message: 'No such container: c1' } }));
    await expect(dockerContainer.delete(engine, 'docker_container.c', { id: 'c1' })).rejects.toThrow(
      'docker_container.c: Error stopping container c1: HTTP 404 No such container: c1',
    );
    expect(calls).toEqual(['POST /containers/c1/stop?t=0']);
  });
});
