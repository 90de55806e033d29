/**
 * The e2e stand-in's pieces that need no Docker engine: the expression
 * evaluator, Terraform's comparison of configuration and state, generated
 * passwords, duration formats and provider routing. Its Docker side runs in
 * the e2e suites.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { actionFor, diffResource, differs } from '../e2e/standin/diff';
import { goDurationString, parseGoDuration } from '../e2e/standin/docker-resources';
import { Engine } from '../e2e/standin/engine';
import { evaluate, ExpressionError, inlineLocals, referencedAddresses, Resolver, UNKNOWN } from '../e2e/standin/expressions';
import { createRandomPassword } from '../e2e/standin/generated';
import { dockerHostOf } from '../e2e/standin/standin';
import { PROVIDER_FACTS } from '../support/provider-facts';
import { tempDir } from '../support/processes';

const refs: Record<string, { value: any; sensitive?: boolean }> = {
  'random_password.pw.result': { value: 'S3cret', sensitive: true },
  'docker_container.c.ports': { value: [{ internal: 6379, external: 32768 }] },
  'docker_image.i.image_id': { value: UNKNOWN },
};
const resolve: Resolver = (t) => {
  const [type, name, attr, ...rest] = t;
  const base = refs[`${type}.${name}.${attr}`];
  if (!base) throw new ExpressionError(`unknown reference ${t.join('.')}`);
  let value = base.value;
  for (const step of rest) value = value === UNKNOWN ? UNKNOWN : value[step];
  return { value, sensitive: base.sensitive === true };
};

describe('expressions', () => {
  test('literal text, references with indexes, and a single interpolation keeping its type', () => {
    expect(evaluate('x', 'plain ${docker_container.c.ports[0].external} text', resolve)).toEqual({ value: 'plain 32768 text', sensitive: false });
    expect(evaluate('x', '${docker_container.c.ports[0].external}', resolve).value).toBe(32768);
    expect(evaluate('x', { a: ['$${not.a.ref}', '%%{x}'] }, resolve).value).toEqual({ a: ['${not.a.ref}', '%{x}'] });
  });

  test('sensitive() and sensitive attributes mark the result sensitive', () => {
    expect(evaluate('x', 'requirepass "${sensitive("pw")}"', resolve)).toEqual({ value: 'requirepass "pw"', sensitive: true });
    expect(evaluate('x', 'a:${random_password.pw.result}@h', resolve)).toEqual({ value: 'a:S3cret@h', sensitive: true });
  });

  // The expected value is what Terraform 1.11.4 evaluates this JSON string to (checked with a terraform_data resource).
  test('string literals inside interpolations are templates with HCL escapes', () => {
    expect(evaluate('x', 'CERT\n${sensitive("${trimspace("  KEY PEM ")}\\n")}', resolve)).toEqual({ value: 'CERT\nKEY PEM\n', sensitive: true });
    expect(evaluate('x', '${join(",", ["a", "b"], ["c"])}-${sha256("abc")}', resolve).value)
      .toBe('a,b,c-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('a value known only after apply makes the whole template unknown', () => {
    expect(evaluate('x', 'image ${docker_image.i.image_id}', resolve).value).toBe(UNKNOWN);
    expect(evaluate('x', '${trimspace(docker_image.i.image_id)}', resolve).value).toBe(UNKNOWN);
  });

  test.each([
    ['an unknown function', '${upper("a")}', /function upper\(\) is not supported/],
    ['an operator', '${1 + 2}', /expected "}"/],
    ['a conditional', '${true ? "a" : "b"}', /expected "}"/],
    ['a directive', '%{ if true }a%{ endif }', /directives/],
    ['a variable', '${var.password}', /references to var/],
    ['an unknown reference', '${docker_volume.v.name}', /unknown reference/],
    ['a reference to a whole resource', '${docker_volume.v}', /must name a resource attribute/],
    ['an unterminated interpolation', '${sensitive("a")', /expected "}"/],
  ])('refuses %s', (_what, text, error) => {
    expect(() => evaluate('x', text, resolve)).toThrow(error);
  });

  test('error messages never quote the text they fail on, which may hold a secret', () => {
    expect(() => evaluate('x', 'requirepass "${sensitive("TopSecret0123")} ${1 + 2}"', resolve)).toThrow(/^((?!TopSecret).)*$/s);
  });

  test('inlines the plan\'s locals where a template interpolates one whole, and refuses any other', () => {
    const plan = { locals: { body: 'echo $HOME\n' }, resource: { t: { n: { content: '#!/bin/sh\n${local.body}', n: 1 } } } };
    expect(inlineLocals(plan)).toEqual({ resource: { t: { n: { content: '#!/bin/sh\necho $HOME\n', n: 1 } } } });
    expect(() => inlineLocals({ locals: { body: '${random_password.pw.result}' } })).toThrow('local.body: only literal text is supported by the stand-in');
    expect(() => inlineLocals({ output: { o: { value: '${local.other}' } } })).toThrow('reference to local.other, which the plan does not declare');
    expect(() => evaluate('x', '${upper(local.body)}', resolve)).toThrow('references to local.* are not supported');
  });

  test('collects the resources a value refers to', () => {
    expect([...referencedAddresses('x', { a: '${docker_image.i.image_id}', b: ['x${random_password.pw.result}'] })].sort())
      .toEqual(['docker_image.i', 'random_password.pw']);
  });
});

describe('comparing configuration and state as the providers do', () => {
  const attr = (name: string) => PROVIDER_FACTS.docker_container.attributes[name];

  test('an unset optional attribute differs from a non-zero state: memory_swap that Docker doubled is an update', () => {
    expect(differs(attr('memory_swap'), undefined, 1024)).toBe(true);
    expect(differs(attr('memory_swap'), 512, 512)).toBe(false);
    expect(actionFor(diffResource('docker_container', { memory: 512 }, { memory: 512, memory_swap: 1024, network_mode: 'bridge', must_run: true, start: true, remove_volumes: true, container_read_refresh_timeout_milliseconds: 15000, wait_timeout: 60 }, [])))
      .toBe('update');
  });

  test('unset optional and computed attributes accept any state; defaults are compared', () => {
    expect(differs(attr('hostname'), undefined, 'abc')).toBe(false);
    expect(differs(attr('network_mode'), undefined, 'bridge')).toBe(false);
    expect(differs(attr('network_mode'), undefined, 'default')).toBe(true);
    expect(differs(attr('working_dir'), undefined, '/data')).toBe(false);
  });

  test('extra log options read back force a new container unless ignored', () => {
    const state = { log_opts: { 'max-size': '10m', compress: 'true' } };
    expect(diffResource('docker_container', { log_opts: { 'max-size': '10m' } }, state, []).find((d) => d.attribute === 'log_opts')?.change).toBe('force-new');
    expect(diffResource('docker_container', { log_opts: { 'max-size': '10m' } }, state, ['log_opts']).find((d) => d.attribute === 'log_opts')).toBeUndefined();
  });

  test('ports: a Docker-chosen external port accepts any state, defaults fill ip and protocol, a stopped container has none', () => {
    const ports = attr('ports');
    expect(differs(ports, [{ internal: 6379 }], [{ internal: 6379, external: 32768, ip: '0.0.0.0', protocol: 'tcp' }])).toBe(false);
    expect(differs(ports, [{ internal: 6379, external: 7000, ip: '127.0.0.1' }], [{ internal: 6379, external: 7000, ip: '127.0.0.1', protocol: 'tcp' }])).toBe(false);
    expect(differs(ports, [{ internal: 6379, external: 7000 }], [])).toBe(true);
  });

  test('sets compare without order, lists with it, healthcheck fields with their defaults', () => {
    expect(differs(attr('labels'), [{ label: 'a', value: '1' }, { label: 'b', value: '2' }], [{ label: 'b', value: '2' }, { label: 'a', value: '1' }])).toBe(false);
    expect(differs(attr('command'), ['a', 'b'], ['b', 'a'])).toBe(true);
    const hc = { test: ['CMD', 'x'], interval: '10s' };
    expect(differs(attr('healthcheck'), hc, { ...hc, timeout: '0s', start_period: '0s', start_interval: '0s', retries: 0 })).toBe(false);
    expect(differs(attr('healthcheck'), { ...hc, interval: '20s' }, { ...hc, timeout: '0s', start_period: '0s', start_interval: '0s', retries: 0 })).toBe(true);
  });

  test('capabilities: the read-back `ALL` and an empty `add` match the plan; a capability in another spelling than Docker\'s forces a new container', () => {
    const caps = attr('capabilities');
    expect(differs(caps, { drop: ['ALL'] }, [{ add: [], drop: ['ALL'] }])).toBe(false);
    expect(differs(caps, { add: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'], drop: ['ALL'] }, [{ add: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'], drop: ['ALL'] }])).toBe(false);
    expect(differs(caps, { add: ['net_bind_service'], drop: ['ALL'] }, [{ add: ['CAP_NET_BIND_SERVICE'], drop: ['ALL'] }])).toBe(true);
    expect(diffResource('docker_container', { capabilities: { add: ['chown'], drop: ['ALL'] } }, { capabilities: [{ add: ['CAP_CHOWN'], drop: ['ALL'] }] }, [])
      .find((d) => d.attribute === 'capabilities')?.change).toBe('force-new');
  });

  test('a value known only after apply always differs', () => {
    expect(differs(attr('image'), UNKNOWN, 'sha256:abc')).toBe(true);
  });
});

describe('random_password as the random provider makes it', () => {
  test('honours length, classes and override_special', () => {
    const letters = createRandomPassword('p', { length: 40, special: false });
    expect(letters.result).toMatch(/^[A-Za-z0-9]{40}$/);
    const special = createRandomPassword('p', { length: 64, upper: false, lower: false, numeric: false, override_special: '-_' });
    expect(special.result).toMatch(/^[-_]{64}$/);
    const minimums = createRandomPassword('p', { length: 4, special: false, upper: false, min_numeric: 4 });
    expect(minimums.result).toMatch(/^[0-9]{4}$/);
    expect(() => createRandomPassword('p', { length: 8, upper: false, lower: false, numeric: false, special: false })).toThrow(/character set specified is empty/);
    expect(() => createRandomPassword('p', { length: 8, keepers: {} })).toThrow(/not modelled/);
  });
});

test('durations convert as Go parses and prints them', () => {
  expect(parseGoDuration('d', '1m30s')).toBe(90e9);
  expect(parseGoDuration('d', '500ms')).toBe(5e8);
  expect(() => parseGoDuration('d', '10 seconds')).toThrow(/not understood/);
  expect(['10s', '1m30s', '1h0m0s', '500ms', '0s', '1.5s'].map((d) => goDurationString(parseGoDuration('d', d)))).toEqual(['10s', '1m30s', '1h0m0s', '500ms', '0s', '1.5s']);
});

describe('provider routing', () => {
  const plan = {
    provider: { docker: [{}, { alias: 'b', host: 'unix:///run/other-docker.sock' }] },
    resource: {
      docker_network: { a: { name: 'a' }, b: { name: 'b', provider: 'docker.b' } },
      docker_volume: { c: { name: 'c', provider: 'docker.missing' } },
    },
  };

  test('each Docker resource goes to the host of its provider configuration', () => {
    const previous = process.env.DOCKER_HOST;
    delete process.env.DOCKER_HOST;
    try {
      const { docker_volume: _ignored, ...resources } = plan.resource;
      const routable = { ...plan, resource: resources };
      expect(dockerHostOf(routable, 'docker_network.a')).toBe('unix:///var/run/docker.sock');
      expect(dockerHostOf(routable, 'docker_network.b')).toBe('unix:///run/other-docker.sock');
    } finally {
      if (previous !== undefined) process.env.DOCKER_HOST = previous;
    }
  });

  test('a resource naming a provider configuration the plan lacks is refused', () => {
    expect(() => dockerHostOf(plan, 'docker_network.a')).toThrow(/no provider configuration docker.missing/);
  });
});

describe('API version negotiation, as the provider\'s Go client does it', () => {
  const dir = tempDir('engine-negotiation');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An engine answering /_ping with `offered` and echoing the path of every other request. */
  async function withEngine(offered: string | undefined, body: (engine: Engine) => Promise<void>): Promise<void> {
    const socket = path.join(dir, `engine-${offered ?? 'none'}.sock`);
    const server = http.createServer((req, res) => {
      if (req.url === '/_ping') res.writeHead(200, offered ? { 'Api-Version': offered } : {}).end('OK');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await body(new Engine(`unix://${socket}`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  test.each([
    ['a newer engine (Docker 29)', '1.52', '1.49'],
    ['an older engine (Docker 20.10)', '1.41', '1.41'],
    ['an engine naming no version', undefined, '1.24'],
  ])('%s is spoken to in the lower of its version and the client\'s', async (_what, offered, expected) => {
    await withEngine(offered, async (engine) => {
      expect(await engine.apiVersion()).toBe(expected);
      expect((await engine.ok('GET', '/info')).path).toBe(`/v${expected}/info`);
    });
  });

  test('only unix sockets are reachable', () => {
    expect(() => new Engine('tcp://127.0.0.1:2375')).toThrow(/unix:\/\/ sockets only/);
  });
});
