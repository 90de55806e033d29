/**
 * What Terraform itself makes of the synthesized expressions: the examples
 * planned as terraform_data mirrors, with test values for what the providers
 * compute, and the evaluated files, healthchecks and outputs compared with
 * what the library means to deploy.
 */
import { EvaluatedMirror, planMirror, requireTerraform, TerraformJson, testPassword } from '../support/terraform';
import { CONSTRUCT_STACKS, synthExample } from './stacks';

jest.setTimeout(120_000);

requireTerraform();

const REDIS_CONF = '/usr/local/etc/redis/redis.conf';
const REFERENCE = /\$\{([a-z_]+)\.([\w-]+)\.([a-z_]+)\}/g;

/** The synthesized text with each plain reference `${type.name.attribute}` replaced by that attribute's value in the mirror. */
function withReferencesReplaced(text: string, mirror: EvaluatedMirror): string {
  return text.replace(REFERENCE, (ref, type, name, attribute) => {
    const value = mirror.resources[`${type}.${name}`]?.[attribute];
    if (typeof value !== 'string') throw new Error(`no string value in the mirror for ${ref}`);
    return value;
  });
}

function containersOf(stack: TerraformJson): Array<[string, any]> {
  return Object.entries(stack.resource.docker_container).map(([name, container]) => [`docker_container.${name}`, container]);
}

function passwordNameOf(stack: TerraformJson, handle: string): string {
  const names = Object.keys(stack.resource.random_password).filter((name) => name.startsWith(`${handle}_Password_`));
  if (names.length !== 1) throw new Error(`expected one random_password of ${handle}, found ${names.length}`);
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

  test('renders each redis.conf with its test password and nothing left to interpolate', () => {
    for (const handle of Object.keys(ports)) {
      const [address, container] = containersOf(stack).find(([, c]) => c.name === handle)!;
      const conf = uploadOf(mirror.resources[address], REDIS_CONF);
      expect(conf).toContain(`\nrequirepass "${testPassword(passwordNameOf(stack, handle))}"\n`);
      if (primaries[handle]) {
        expect(conf).toContain(`\nmasterauth "${testPassword(passwordNameOf(stack, primaries[handle]))}"\n`);
      }
      expect(conf).not.toMatch(/\$\{|%\{/);
      expect(conf).toBe(withReferencesReplaced(uploadOf(container, REDIS_CONF), mirror));
    }
  });

  test('uploads every file and runs every healthcheck exactly as synthesized, only references replaced', () => {
    for (const [address, container] of containersOf(stack)) {
      const evaluated = mirror.resources[address];
      expect(evaluated.upload.map((u: any) => u.file)).toEqual(container.upload.map((u: any) => u.file));
      for (const upload of container.upload) {
        expect({ file: upload.file, content: uploadOf(evaluated, upload.file) })
          .toEqual({ file: upload.file, content: withReferencesReplaced(upload.content, mirror) });
      }
      expect(evaluated.healthcheck).toEqual(container.healthcheck);
    }
  });

  test('keeps the shell of the Redis healthcheck and the HAProxy config free of Terraform templates', () => {
    const redis = containersOf(stack).map(([address]) => mirror.resources[address]).filter((c) => c.healthcheck);
    expect(redis).toHaveLength(Object.keys(ports).length);
    for (const container of redis) {
      expect(container.healthcheck.test[1]).toContain('pw=$(sed -n \'s/^requirepass "\\(.*\\)"$/\\1/p\' /usr/local/etc/redis/redis.conf); printf \'AUTH %s\\nPING\\n\' "$pw"');
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
