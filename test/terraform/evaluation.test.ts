/**
 * What Terraform itself makes of the synthesized expressions: the examples
 * planned as terraform_data mirrors, with test values for what the providers
 * compute, and the evaluated files, healthchecks and outputs compared with
 * what the library means to deploy.
 */
import { createHash } from 'crypto';
import { evaluate, inlineLocals } from '../e2e/standin/expressions';
import { EvaluatedMirror, planMirror, requireTerraform, TerraformJson, testPassword } from '../support/terraform';
import { CONSTRUCT_STACKS, synthExample } from './stacks';

jest.setTimeout(120_000);

requireTerraform();

const REDIS_CONF = '/usr/local/etc/redis/redis.conf';
const USERS_ACL = '/usr/local/etc/redis/users.acl';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The synthesized text as the e2e stand-in's own evaluator makes of it, with
 * the mirror's values for the references: a second, independent evaluation
 * (references, sha256, join, sensitive) to hold Terraform's against.
 */
function evaluatedByStandIn(text: string, mirror: EvaluatedMirror): string {
  const { value } = evaluate('upload', text, ([type, name, ...path]) => {
    let v: any = mirror.resources[`${type}.${name}`];
    for (const step of path) v = v?.[step];
    if (v === undefined) throw new Error(`no value in the mirror for ${[type, name, ...path].join('.')}`);
    return { value: v, sensitive: false };
  });
  return value as string;
}

/** The containers of the plan, with the text of its locals in place of references to them (the stand-in's evaluator follows no `local.`). */
function containersOf(stack: TerraformJson): Array<[string, any]> {
  return Object.entries(inlineLocals(stack).resource.docker_container).map(([name, container]) => [`docker_container.${name}`, container]);
}

function passwordNameOf(stack: TerraformJson, handle: string, kind = 'Password'): string {
  const names = Object.keys(stack.resource.random_password).filter((name) => name.startsWith(`${handle}_${kind}_`));
  if (names.length !== 1) throw new Error(`expected one random_password ${kind} of ${handle}, found ${names.length}`);
  return names[0];
}

function uploadOf(container: any, file: string): string {
  const upload = (container.upload as any[]).find((u) => u.file === file);
  if (!upload) throw new Error(`container ${container.name} uploads no ${file}`);
  return upload.content;
}

describe.each([
  ['basic', { cache: [6379, 6380] }, {}],
  ['follower', { sessions: [6379, 6380], 'sessions-replica': [6479, 6480] }, { 'sessions-replica': 'sessions' }],
  ['memory-only', { scratch: [6379, 6380] }, {}],
] as Array<[string, Record<string, [number, number]>, Record<string, string>]>)('examples/%s evaluated by Terraform', (example, ports, primaries) => {
  const stack = synthExample(example);
  let mirror: EvaluatedMirror;
  beforeAll(() => {
    mirror = planMirror(stack);
  });

  test('renders each ACL file with the hash of the test password, and a follower\'s masterauth from its primary\'s secret, nothing left to interpolate', () => {
    for (const handle of Object.keys(ports)) {
      const [address] = containersOf(stack).find(([, c]) => c.name === handle)!;
      const conf = uploadOf(mirror.resources[address], REDIS_CONF);
      const acl = uploadOf(mirror.resources[address], USERS_ACL);
      expect(acl).toContain(`user default on #${sha256(testPassword(passwordNameOf(stack, handle)))} ~* &* +@all\n`);
      expect(acl).toContain(`user health on #${sha256(sha256(`${testPassword(passwordNameOf(stack, handle, 'InternalSecret'))}/health`))} +ping\n`);
      if (primaries[handle]) {
        const replication = sha256(`${testPassword(passwordNameOf(stack, primaries[handle], 'InternalSecret'))}/replication`);
        expect(conf).toContain(`\nmasteruser replication\nmasterauth "${replication}"\n`);
      }
      for (const text of [conf, acl]) expect(text).not.toMatch(/\$\{|%\{/);
    }
  });

  test('uploads every file and runs every healthcheck exactly as synthesized, only references replaced', () => {
    for (const [address, container] of containersOf(stack)) {
      const evaluated = mirror.resources[address];
      expect(evaluated.upload.map((u: any) => u.file)).toEqual(container.upload.map((u: any) => u.file));
      for (const upload of container.upload) {
        expect({ file: upload.file, content: uploadOf(evaluated, upload.file) })
          .toEqual({ file: upload.file, content: evaluatedByStandIn(upload.content, mirror) });
      }
      expect(evaluated.healthcheck).toEqual(container.healthcheck);
    }
  });

  test('keeps the shell of the Redis healthcheck and the HAProxy config free of Terraform templates', () => {
    const redis = containersOf(stack).map(([address]) => mirror.resources[address]).filter((c) => Object.keys(ports).includes(c.name));
    expect(redis).toHaveLength(Object.keys(ports).length);
    for (const container of redis) {
      expect(container.healthcheck.test[1]).toBe('printf \'AUTH health %s\\nPING\\n\' "$(cat /usr/local/etc/redis/health.secret)" | redis-cli -p 6379 | grep -qx PONG');
    }
    const sidecars = containersOf(stack).map(([address]) => mirror.resources[address]).filter((c) => c.name.endsWith('-tls'));
    expect(sidecars).toHaveLength(Object.keys(ports).length);
    for (const sidecar of sidecars) {
      expect(uploadOf(sidecar, '/usr/local/etc/haproxy/haproxy.cfg')).toMatch(/^# HAProxy TLS sidecar for Redis[^$%]*\n {4}server redis unix@\/run\/redis\/redis\.sock\n$/);
    }
  });

  test('outputs the host and network URLs with the test password and the CA certificate, all sensitive', () => {
    const expected: EvaluatedMirror['outputs'] = {};
    for (const [handle, [port, tlsPort]] of Object.entries(ports)) {
      const password = testPassword(passwordNameOf(stack, handle));
      const caName = Object.keys(stack.resource.tls_self_signed_cert).find((name) => name.startsWith(`${handle}_CaCertificate_`));
      expected[`${handle}_url`] = { value: `redis://default:${password}@localhost:${port}`, sensitive: true };
      expected[`${handle}_tls_url`] = { value: `rediss://default:${password}@localhost:${tlsPort}`, sensitive: true };
      expected[`${handle}_network_url`] = { value: `redis://default:${password}@${handle}:6379`, sensitive: true };
      expected[`${handle}_network_tls_url`] = { value: `rediss://default:${password}@${handle}-tls:6380`, sensitive: true };
      expected[`${handle}_ca_certificate`] = { value: mirror.resources[`tls_self_signed_cert.${caName}`].cert_pem, sensitive: true };
    }
    expect(mirror.outputs).toEqual(expected);
  });
});

describe('metrics exporters, evaluated by Terraform', () => {
  const [, synth] = CONSTRUCT_STACKS.find(([name]) => name.startsWith('metrics on a database'))!;
  const stack = synth();
  let mirror: EvaluatedMirror;
  beforeAll(() => {
    mirror = planMirror(stack);
  });
  const evaluatedContainer = (name: string) => mirror.resources[containersOf(stack).find(([, c]) => c.name === name)![0]];

  test.each([
    ['cache', 'cache-tls'],
    ['replica', 'replica'],
  ])('%s\'s exporter logs in with the password whose hash its ACL file holds for the exporter user, at %s:6380', (handle, tlsHost) => {
    const passwordFile = JSON.parse(uploadOf(evaluatedContainer(`${handle}-metrics`), '/etc/redis_exporter/password.json'));
    const password = sha256(`${testPassword(passwordNameOf(stack, handle, 'InternalSecret'))}/exporter`);
    expect(passwordFile).toEqual({ [`rediss://exporter@${tlsHost}:6380`]: password });
    expect(uploadOf(evaluatedContainer(handle), USERS_ACL)).toContain(`user exporter on #${sha256(password)} `);
  });

  test('outputs the metrics URLs, the port Docker chose or the one given, unmasked', () => {
    const chosen = evaluatedContainer('cache-metrics').ports[0].external;
    expect(mirror.outputs.cache_metrics_url).toEqual({ value: `http://127.0.0.1:${chosen}/metrics`, sensitive: false });
    expect(mirror.outputs.replica_metrics_url).toEqual({ value: 'http://127.0.0.1:9121/metrics', sensitive: false });
  });
});

describe('followers with Docker-chosen ports, evaluated by Terraform', () => {
  const [, synth] = CONSTRUCT_STACKS.find(([name]) => name.startsWith('a follower with Docker-chosen ports'))!;
  const stack = synth();
  let mirror: EvaluatedMirror;
  beforeAll(() => {
    mirror = planMirror(stack);
  });

  /** The host port Docker published for `internal` on the container named `name`, as the mirror's test value has it. */
  const publishedPort = (name: string, internal: number) => {
    const [address] = containersOf(stack).find(([, c]) => c.name === name)!;
    const port = mirror.resources[address].ports.find((p: any) => p.internal === internal);
    if (!port) throw new Error(`container ${name} publishes no port ${internal}`);
    return port.external as number;
  };

  test('gives every Docker-chosen port a test value of its own', () => {
    const chosen = [publishedPort('replica', 6379), publishedPort('replica-tls', 6380), publishedPort('replica-2', 6379), publishedPort('replica-2', 6380)];
    expect(new Set(chosen).size).toBe(chosen.length);
  });

  test.each([
    ['replica', 'replica-tls'],
    ['replica-2', 'replica-2'],
  ])('%s\'s URLs carry the ports Docker chose for Redis and for its TLS endpoint (%s)', (handle, tlsContainer) => {
    const password = testPassword(passwordNameOf(stack, handle));
    expect(mirror.outputs[`${handle}_url`].value).toBe(`redis://default:${password}@localhost:${publishedPort(handle, 6379)}`);
    expect(mirror.outputs[`${handle}_tls_url`].value).toBe(`rediss://default:${password}@localhost:${publishedPort(tlsContainer, 6380)}`);
  });
});
