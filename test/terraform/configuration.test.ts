/**
 * Every example and every stack shape the other suites synthesize, loaded by
 * the real Terraform binary and planned as a terraform_data mirror (see
 * test/support/terraform.ts for what each step can and cannot check).
 */
import { TerraformStack } from 'cdktf';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { configurationErrors, planMirror, requireTerraform, TerraformJson } from '../support/terraform';
import { CONSTRUCT_STACKS, databaseStack, EXAMPLES, providerAfterFirstDatabase, synthExample } from './stacks';

jest.setTimeout(120_000);

requireTerraform();

function addressesOf(stack: TerraformJson): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`)).sort();
}

describe.each([
  ...EXAMPLES.map(([name]): [string, () => TerraformJson] => [`examples/${name}`, () => synthExample(name)]),
  ...CONSTRUCT_STACKS,
])('%s', (_name, synth) => {
  const stack = synth();

  test('loads in Terraform without configuration errors', () => {
    expect(configurationErrors(stack)).toBe('');
  });

  test('plans every resource and output in the terraform_data mirror', () => {
    const mirror = planMirror(stack);
    expect(Object.keys(mirror.resources).sort()).toEqual(addressesOf(stack));
    expect(Object.keys(mirror.outputs).sort()).toEqual(Object.keys(stack.output ?? {}).sort());
  });
});

/**
 * The README lets users declare the random and tls providers themselves. One
 * declared after the first database meets the block the library already
 * added, and Terraform refuses two default blocks of one provider.
 */
describe.each([
  ['RandomProvider', (stack: TerraformStack) => new RandomProvider(stack, 'random', {})],
  ['TlsProvider', (stack: TerraformStack) => new TlsProvider(stack, 'tls', {})],
])('a %s the user declares after the first database', (_name, declare) => {
  test('loads in Terraform without configuration errors', () => {
    expect(configurationErrors(providerAfterFirstDatabase(declare))).toBe('');
  });
});

/** The checks above are only worth something if these mistakes fail them. */
describe('the loader and the mirror', () => {
  const base = databaseStack();
  const variant = (change: (stack: TerraformJson) => void): TerraformJson => {
    const copy = JSON.parse(JSON.stringify(base));
    change(copy);
    return copy;
  };
  const [volumeName] = Object.keys(base.resource.docker_volume);
  const [passwordName] = Object.keys(base.resource.random_password);

  test('fails two default blocks of one provider', () => {
    const stack = variant((s) => s.provider.random.push({}));
    expect(configurationErrors(stack)).toContain('Error: Duplicate provider configuration');
  });

  test('fails an invalid lifecycle block', () => {
    const stack = variant((s) => { s.resource.docker_volume[volumeName].lifecycle = { prevent_destroy: 'maybe', prevent: true }; });
    const errors = configurationErrors(stack);
    expect(errors).toContain('Error: Unsuitable value type');
    expect(errors).toContain('Error: Extraneous JSON object property');
  });

  test('fails a reference to an undeclared resource in the mirror only: loading checks no expression', () => {
    const stack = variant((s) => { s.output.cache_url.value = '${random_password.missing.result}'; });
    expect(configurationErrors(stack)).toBe('');
    expect(() => planMirror(stack)).toThrow('Reference to undeclared resource');
  });

  test('fails a reference to an attribute the resource does not have', () => {
    const stack = variant((s) => { s.output.cache_url.value = `\${random_password.${passwordName}.missing}`; });
    expect(() => planMirror(stack)).toThrow('Unsupported attribute');
  });

  test('fails a call to an unknown function', () => {
    const stack = variant((s) => { s.resource.docker_volume[volumeName].name = '${missing_function(1)}'; });
    expect(configurationErrors(stack)).toBe('');
    expect(() => planMirror(stack)).toThrow('Call to unknown function');
  });

  test('fails a stray ${ in a string', () => {
    const stack = variant((s) => { s.resource.docker_volume[volumeName].name = 'cache-${data'; });
    expect(configurationErrors(stack)).toBe('');
    expect(() => planMirror(stack)).toThrow('Unclosed template interpolation sequence');
  });

  test('fails a stray %{ in a string', () => {
    const stack = variant((s) => { s.resource.docker_volume[volumeName].name = 'cache-%{data'; });
    expect(() => planMirror(stack)).toThrow('Invalid template control keyword');
  });

  test('evaluates $${ and %%{ escapes to literal text, as Terraform does', () => {
    const stack = variant((s) => { s.resource.docker_volume[volumeName].name = 'a $${b} %%{c}'; });
    expect(planMirror(stack).resources[`docker_volume.${volumeName}`].name).toBe('a ${b} %{c}');
  });
});
