/**
 * Day two, at synth time: what makes the second and every later plan after a
 * deploy empty, what a plan may print, and what a library upgrade or a prop
 * change replaces. Each finding of the provider review has its test here; the
 * e2e day-two suite shows the same on a Docker engine.
 */
import { actionFor, diffResource } from '../e2e/standin/diff';
import { containerAttributes } from '../e2e/standin/docker-resources';
import { PROVIDER_FACTS } from '../support/provider-facts';
import { representativePlans } from '../support/representative-plans';
import { RedisDatabase, RedisVersion } from '../../lib';
import { dockerStack, synthJson, warningsUnder } from '../support/synth';

const { plans, literalSecrets } = representativePlans();
const containers = Object.values(plans).flatMap((plan) =>
  Object.entries<any>(plan.resource.docker_container).map(([name, body]) => ({ address: `docker_container.${name}`, body })));
const plannedResources = Object.values(plans).flatMap((plan) =>
  Object.entries<Record<string, any>>(plan.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)));

describe('finding 1: a daemon\'s default log-opts do not replace containers', () => {
  test.each(containers.map((c) => [c.address, c.body]))('%s plans no change when the daemon merged its log-opts into the state', (_address, body) => {
    const { lifecycle, depends_on: _dependsOn, ...config } = body;
    // The state Read leaves when Docker runs the container as planned, except for the daemon's merged log-opts.
    const defaults = Object.entries(PROVIDER_FACTS.docker_container.attributes).filter(([, f]) => f.default !== undefined).map(([name, f]) => [name, f.default]);
    const state = {
      ...Object.fromEntries(defaults),
      ...config,
      healthcheck: config.healthcheck && { ...config.healthcheck, start_interval: '0s' },
      log_opts: { ...config.log_opts, mode: 'non-blocking', compress: 'true', tag: '{{.Name}}' },
    };
    expect(diffResource('docker_container', config, { ...state, log_opts: config.log_opts }, []).map((d) => d.attribute)).toEqual([]);
    expect(diffResource('docker_container', config, state, lifecycle?.ignore_changes ?? []).map((d) => d.attribute)).toEqual([]);
  });
});

describe('finding 2: secrets given as literals are masked by Terraform', () => {
  /** Every string in the plan with its `sensitive("...")` calls cut out. */
  function textOutsideSensitive(value: unknown): string[] {
    if (typeof value === 'string') return [value.replace(/\$\{sensitive\("(?:[^"\\]|\\.)*"\)\}/g, '')];
    if (Array.isArray(value)) return value.flatMap(textOutsideSensitive);
    if (value !== null && typeof value === 'object') return Object.values(value).flatMap(textOutsideSensitive);
    return [];
  }

  test('the literal password and private key appear only inside sensitive(...)', () => {
    const text = textOutsideSensitive(plans.given).join('\n');
    const keyBody = literalSecrets.privateKeyPem.split('\n')[1];
    expect(JSON.stringify(plans.given)).toContain(literalSecrets.password);
    expect(JSON.stringify(plans.given)).toContain(keyBody);
    expect(text).not.toContain(literalSecrets.password);
    expect(text).not.toContain(keyBody);
  });

  test('a key known only at apply time is marked sensitive as well', () => {
    const uploads = Object.values<any>(plans.given.resource.docker_container).flatMap((c) => c.upload ?? []);
    expect(uploads.map((u: any) => u.content)).toContainEqual(expect.stringContaining('${sensitive("${trimspace(file("/etc/pki/redis.key"))}\\n")}'));
  });
});

// The facts test recomputes every container's settings hash from its planned healthcheck, tmpfs and log options.
describe('finding 3: settings the provider never updates in place replace the container when they change', () => {
  const labelsOf = (version: RedisVersion, size: number) => {
    const stack = dockerStack();
    new RedisDatabase(stack, 'cache', { version, size });
    const redis = Object.values<any>(synthJson(stack).resource.docker_container).find((c) => c.name === 'cache');
    return Object.fromEntries(redis.labels.map((l: any) => [l.label, l.value]));
  };

  test('a new tmpfs size gives the container a new settings hash (labels force a new container)', () => {
    expect(labelsOf(RedisVersion.V7_2_NORDB, 2)['cdktf-docker-redis.settings-sha256']).not.toBe(labelsOf(RedisVersion.V7_2_NORDB, 3)['cdktf-docker-redis.settings-sha256']);
    expect(PROVIDER_FACTS.docker_container.attributes.labels.change).toBe('force-new');
    expect(PROVIDER_FACTS.docker_container.attributes.tmpfs.change).toBe('neither');
  });
});

describe('finding 4: memory limits read back as planned', () => {
  test.each(containers.map((c) => [c.address, c.body]))('%s sets memory_swap to its memory, so Docker allows no swap and stores what Read compares', (_address, body) => {
    expect(body.memory).toBeGreaterThan(0);
    expect(body.memory_swap).toBe(body.memory);
  });
});

describe('finding 5: a stopped database is left alone by a refresh', () => {
  test.each(containers.map((c) => [c.address, c.body]))('%s has must_run off', (_address, body) => {
    expect(body.must_run).toBe(false);
  });
});

describe('finding 8: every container gets time to stop cleanly', () => {
  const graceOf: Record<string, number> = { redis: 60, backup: 15, tls: 10, tunnel: 10, sentinel: 10, metrics: 10 };
  test.each(containers.map((c) => [c.address, c.body]))('%s has the destroy_grace_seconds of its kind (the provider\'s unset default kills at once)', (_address, body) => {
    expect(body.destroy_grace_seconds).toBe(graceOf[labelValue(body, 'component') ?? '']);
  });
});

describe('finding 6: containers are replaced with the network and volumes they use', () => {
  test.each(containers.map((c) => [c.address, c.body]))('%s lists every network and volume it refers to in replace_triggered_by, as bare addresses', (_address, body) => {
    const referenced = [...JSON.stringify([body.networks_advanced, body.volumes]).matchAll(/\$\{(docker_(?:network|volume)\.[\w-]+)\.name\}/g)]
      .map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    expect([...(body.lifecycle?.replace_triggered_by ?? [])].sort()).toEqual([...new Set(referenced)].sort());
    for (const address of body.lifecycle.replace_triggered_by) expect(plannedResources).toContain(address);
  });

  test('a follower is replaced with its primary\'s network', () => {
    const replica = containers.find((c) => c.body.name === 'replica')!.body;
    expect(replica.lifecycle.replace_triggered_by).toContainEqual(expect.stringMatching(/^docker_network\.cache_Network_/));
  });
});

test('a memory-only database warns at synth that a deploy replacing its container empties it', () => {
  const stack = dockerStack();
  const db = new RedisDatabase(stack, 'scratch', { version: RedisVersion.V7_2_NORDB });
  expect(warningsUnder(db)).toContainEqual(expect.stringMatching(/RedisDatabase scratch: memory-only: .*`containerSizeMb`.* empties the database/));
  const persistent = new RedisDatabase(stack, 'cache', { version: RedisVersion.V7_2, port: 7000, tlsPort: 7001 });
  expect(warningsUnder(persistent).join('\n')).not.toContain('memory-only');
});

/**
 * What Docker stores for a container as planned, on a daemon with
 * `default-ulimits` (for names the container does not set) and on a kernel
 * without swap accounting, where Docker stores MemorySwap -1 whatever was
 * asked (moby's daemon checks `sysInfo.SwapLimit` at create). The stand-in's
 * Read turns it into state as kreuzwerker/docker 3.6.2 does
 * (internal/provider/resource_docker_container_funcs.go, resourceDockerContainerRead:
 * `d.Set("ulimit", flattenUlimits(container.HostConfig.Ulimits))`, and
 * `memory_swap` in MiB when positive, else as stored: -1).
 */
function inspectOnCommonDaemon(config: any): any {
  const mib = 1024 * 1024;
  const own = (config.ulimit ?? []).map((u: any) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  const defaults = [{ Name: 'nofile', Soft: 1024, Hard: 4096 }, { Name: 'core', Soft: 0, Hard: 0 }].filter((d) => !own.some((u: any) => u.Name === d.Name));
  return {
    Id: 'c0ffee', Name: `/${config.name}`, State: { Running: true },
    Config: { Image: config.image, Hostname: config.hostname, Cmd: config.command, Entrypoint: config.entrypoint, User: config.user, StopTimeout: config.stop_timeout },
    HostConfig: {
      Memory: config.memory * mib, MemorySwap: -1, Ulimits: [...own, ...defaults],
      LogConfig: { Type: config.log_driver, Config: config.log_opts }, RestartPolicy: { Name: config.restart },
    },
  };
}

describe('finding 7: a daemon\'s default-ulimits and a kernel without swap accounting change no container', () => {
  test('the stand-in reads both back as the provider does', () => {
    const state = containerAttributes({}, inspectOnCommonDaemon({ name: 'x', memory: 512, ulimit: [{ name: 'nofile', soft: 10032, hard: 10032 }] }));
    expect(state.memory_swap).toBe(-1);
    expect(state.ulimit).toEqual([{ name: 'nofile', soft: 10032, hard: 10032 }, { name: 'core', soft: 0, hard: 0 }]);
  });

  test.each(containers.map((c) => [c.address, c.body]))('%s plans no change from that read-back, and would without its ignore_changes', (_address, body) => {
    const { lifecycle, depends_on: _dependsOn, ...config } = body;
    const read = containerAttributes(config, inspectOnCommonDaemon(config));
    const defaults = Object.entries(PROVIDER_FACTS.docker_container.attributes).filter(([, f]) => f.default !== undefined).map(([name, f]) => [name, f.default]);
    const state = {
      ...Object.fromEntries(defaults),
      ...config,
      healthcheck: config.healthcheck && { ...config.healthcheck, start_interval: '0s' },
      ulimit: read.ulimit,
      memory_swap: read.memory_swap,
    };
    const without = diffResource('docker_container', config, state, ['log_opts']);
    expect(without.map((d) => d.attribute).sort()).toEqual(['memory_swap', 'ulimit']);
    expect(actionFor(without)).toBe('replace');
    expect(diffResource('docker_container', config, state, lifecycle.ignore_changes).map((d) => d.attribute)).toEqual([]);
  });

  test('the servers that accept clients set the open files Redis\'s maxclients 10000 needs, in their settings hash', () => {
    const servers = containers.filter((c) => /^\$\{docker_image\./.test(c.body.image) && ['redis', 'tls', 'sentinel'].includes(labelValue(c.body, 'component') ?? ''));
    expect(servers.length).toBeGreaterThan(0);
    for (const c of servers) expect(c.body.ulimit).toEqual([{ name: 'nofile', soft: 10032, hard: 10032 }]);
  });
});

function labelValue(body: any, name: string): string | undefined {
  return (body.labels ?? []).find((l: any) => l.label === `cdktf-docker-redis.${name}`)?.value;
}
