/**
 * The provider facts the constructs rely on, checked against every resource
 * they synthesize: an attribute missing from the table, a setting the provider
 * would never apply that no hash label covers, or a read-back Terraform does
 * not ignore fails here, before a deploy shows it.
 */
import { createHash } from 'crypto';
import { LABEL_PREFIX } from '../../lib/private/redis-node';
import { DOCKER_HANDLERS } from '../e2e/standin/docker-resources';
import { AttributeFact, META_ARGUMENTS, PROVIDER_FACTS } from '../support/provider-facts';
import { representativePlans } from '../support/representative-plans';

const { plans } = representativePlans();
const resources = Object.values(plans).flatMap((plan) =>
  Object.entries<Record<string, any>>(plan.resource).flatMap(([type, byName]) =>
    Object.entries<any>(byName).map(([name, body]) => ({ type, address: `${type}.${name}`, body }))));
const containers = resources.filter((r) => r.type === 'docker_container');

/**
 * The label that makes a change the provider would not apply replace the
 * container instead: a hash of every such setting the container has.
 */
const SETTINGS_HASH_LABEL = 'cdktf-docker-redis.settings-sha256';
/** Read back as the daemon, not the plan, decides: Terraform must ignore it. */
const daemonDecides = (fact: AttributeFact | undefined) => fact?.read === 'merged' || fact?.read === 'altered';
const needsHash = (fact: AttributeFact | undefined) => fact?.change === 'neither' || daemonDecides(fact);

/** Attributes set in a resource body, nested ones as `block.attribute`; meta-arguments left out. */
function attributesOf(type: string, body: Record<string, any>): Array<{ path: string; fact?: AttributeFact }> {
  const facts = PROVIDER_FACTS[type]?.attributes ?? {};
  const out: Array<{ path: string; fact?: AttributeFact }> = [];
  for (const path of Object.keys(body).filter((k) => !META_ARGUMENTS.includes(k))) {
    const fact = facts[path];
    out.push({ path, fact });
    if (fact?.nested) {
      const value = body[path];
      for (const item of (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>) {
        for (const nested of Object.keys(item)) out.push({ path: `${path}.${nested}`, fact: fact.nested[nested] });
      }
    }
  }
  return out;
}

/** JSON with sorted keys: the label must hash the settings exactly as the plan states them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function labelOf(body: any, label: string): string | undefined {
  return (body.labels ?? []).find((l: any) => l.label === label)?.value;
}

test('the representative plans exercise every resource type the constructs emit', () => {
  expect([...new Set(resources.map((r) => r.type))].sort()).toEqual([
    'docker_container', 'docker_image', 'docker_network', 'docker_volume', 'random_password', 'tls_cert_request',
    'tls_locally_signed_cert', 'tls_private_key', 'tls_self_signed_cert',
  ]);
  expect(containers.some((c) => c.body.tmpfs)).toBe(true);
  expect(containers.some((c) => (c.body.ports ?? []).some((p: any) => p.external === undefined))).toBe(true);
});

test('every attribute the library sets on any resource is in the provider facts table', () => {
  const missing = resources.flatMap((r) => attributesOf(r.type, r.body).filter((a) => !a.fact).map((a) => `${r.type}.${a.path}`));
  expect([...new Set(missing)]).toEqual([]);
  const computedButSet = resources.flatMap((r) => attributesOf(r.type, r.body).filter((a) => a.fact?.change === 'computed').map((a) => `${r.type}.${a.path}`));
  expect(computedButSet).toEqual([]);
});

test('every required provider is the version the facts were read from, with the files they come from', () => {
  for (const plan of Object.values(plans)) {
    for (const [name, required] of Object.entries<any>(plan.terraform.required_providers)) {
      const types = Object.keys(plan.resource).filter((t) => t.startsWith(`${name}_`));
      for (const type of types) {
        expect(`${type}: ${PROVIDER_FACTS[type].provider}`).toBe(`${type}: ${required.source} ${required.version}`);
        expect(PROVIDER_FACTS[type].files.length).toBeGreaterThan(0);
      }
    }
  }
});

test('every setting the provider stores but never applies, or reads back altered, is on a container with a settings hash label', () => {
  const uncovered = resources.flatMap((r) => attributesOf(r.type, r.body)
    .filter((a) => needsHash(a.fact) && !a.path.includes('.'))
    .filter(() => r.type !== 'docker_container' || labelOf(r.body, SETTINGS_HASH_LABEL) === undefined)
    .map((a) => `${r.address}.${a.path}`));
  expect(uncovered).toEqual([]);
});

test.each(containers.map((c) => [c.address, c.body]))('the settings hash label of %s is the hash of exactly those settings as planned', (_address, body) => {
  const settings = Object.fromEntries(attributesOf('docker_container', body).filter((a) => needsHash(a.fact) && !a.path.includes('.')).map((a) => [a.path, body[a.path]]));
  expect(labelOf(body, SETTINGS_HASH_LABEL)).toBe(createHash('sha256').update(canonical(settings)).digest('hex'));
});

test('a setting the daemon merges its defaults into or stores altered is ignored on read-back, set or not, so it does not change the container on every plan', () => {
  const daemonDecided = Object.entries(PROVIDER_FACTS.docker_container.attributes).filter(([, f]) => daemonDecides(f)).map(([name]) => name);
  expect(daemonDecided.sort()).toEqual(['log_opts', 'memory_swap', 'ulimit']);
  const notIgnored = containers.flatMap((r) => daemonDecided
    .filter((name) => !(r.body.lifecycle?.ignore_changes ?? []).includes(name))
    .map((name) => `${r.address}.${name}`));
  expect(notIgnored).toEqual([]);
});

test('a network setting the daemon merges its defaults into is ignored on read-back on every network the library makes', () => {
  const daemonDecided = Object.entries(PROVIDER_FACTS.docker_network.attributes).filter(([, f]) => daemonDecides(f)).map(([name]) => name);
  expect(daemonDecided).toEqual(['ipv6']);
  // The library's networks carry its handle label; a user's own (passed as `network`) is the user's.
  const networks = resources.filter((r) => r.type === 'docker_network' && (r.body.labels ?? []).some((l: any) => l.label === `${LABEL_PREFIX}.handle`));
  expect(networks.length).toBeGreaterThan(1);
  const notIgnored = networks.flatMap((r) => daemonDecided
    .filter((name) => !(r.body.lifecycle?.ignore_changes ?? []).includes(name))
    .map((name) => `${r.address}.${name}`));
  expect(notIgnored).toEqual([]);
});

test('every attribute Terraform is told to ignore is in the settings hash, so a change of it still replaces the container', () => {
  const unhashed = resources.flatMap((r) => ((r.body.lifecycle?.ignore_changes ?? []) as string[])
    // Unset, only a read-back the daemon fills in may be ignored: there is no value of the library's to hash.
    .filter((ignored) => !needsHash(PROVIDER_FACTS[r.type].attributes[ignored]) || (r.body[ignored] === undefined && !daemonDecides(PROVIDER_FACTS[r.type].attributes[ignored])))
    .map((ignored) => `${r.address}.${ignored}`));
  expect(unhashed).toEqual([]);
});

test('the stand-in reads back every attribute the provider\'s Read sets, and nothing the facts say Read leaves alone', () => {
  for (const [type, handler] of Object.entries(DOCKER_HANDLERS)) {
    const readByProvider = Object.entries(PROVIDER_FACTS[type].attributes).filter(([, f]) => f.read !== 'kept').map(([name]) => name);
    expect({ type, reads: [...handler.readBack].sort() }).toEqual({ type, reads: readByProvider.sort() });
  }
});
