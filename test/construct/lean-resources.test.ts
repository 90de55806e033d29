import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Testing, Tokenization } from 'cdktf';
import { EXAMPLE_STACKS } from '../support/example-stacks';
import { Password as ProviderPassword } from '@cdktf/provider-random/lib/password';
import { Password, withoutUndefined } from '../../lib/private/lean-resources';


const resolved = (stack: TerraformStack, value: unknown) =>
  Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()), preparing: false });

/** How many keys of `value`, at any depth, hold `undefined`. */
function undefinedKeys(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + undefinedKeys(item), 0);
  if (value === null || typeof value !== 'object' || Tokenization.isResolvable(value)) return 0;
  return Object.values(value).reduce((sum: number, entry) => sum + (entry === undefined ? 1 : undefinedKeys(entry)), 0);
}

/** The `toTerraform()` of the class a library resource extends: what cdktf got before the library dropped unset keys. */
const providerFragment = (resource: TerraformResource) => Object.getPrototypeOf(Object.getPrototypeOf(resource)).toTerraform.call(resource);

describe('resources without unset keys (withoutUnsetArguments, DockerContainer)', () => {
  test.each(EXAMPLE_STACKS)('every resource of %s resolves to what its provider class hands cdktf, with no undefined key left', (_name, StackClass) => {
    const stack = new StackClass(Testing.app(), 'test');
    // The library's resources; the examples' own (an app container and its image) are provider classes as they come.
    const resources = stack.node.findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource && Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(c), 'toTerraform'));
    expect(resources.length).toBeGreaterThan(10);
    let dropped = 0;
    for (const resource of resources) {
      const lean = resource.toTerraform();
      const full = providerFragment(resource);
      const path = resource.node.path;
      expect({ path, plan: resolved(stack, lean) }).toEqual({ path, plan: resolved(stack, full) });
      expect({ path, undefinedKeys: undefinedKeys(lean) }).toEqual({ path, undefinedKeys: 0 });
      dropped += undefinedKeys(full);
    }
    // Each resource leaves at least `moved`, `import` and its metadata's `stackTrace` unset.
    expect(dropped).toBeGreaterThanOrEqual(3 * resources.length);
  });
});

describe('withoutUndefined', () => {
  test('keeps empty objects and lists, tokens and non-plain objects as they are, and leaves its input unchanged', () => {
    const token = { resolve: () => 'x', creationStack: [], toString: () => 'x' };
    const date = new Date(0);
    const fragment = {
      resource: { t: { a: { kept: {}, list: [], block: [{ x: undefined, y: 1 }], single: { z: undefined }, token, date, gone: undefined, '//': { metadata: { path: 'p', stackTrace: undefined } } } } },
      moved: undefined,
    };
    const before = JSON.stringify(fragment);
    expect(withoutUndefined(fragment)).toEqual({
      resource: { t: { a: { kept: {}, list: [], block: [{ y: 1 }], single: {}, token, date, '//': { metadata: { path: 'p' } } } } },
    });
    const attributes = withoutUndefined(fragment).resource.t.a;
    expect(Object.keys(attributes)).not.toContain('gone');
    expect(attributes.token).toBe(token);
    expect(attributes.date).toBe(date);
    expect(JSON.stringify(fragment)).toBe(before);
    expect('gone' in fragment.resource.t.a).toBe(true);
  });
});

describe('withoutUnsetArguments', () => {
  test('a library resource is an instance of its provider class, under its name and resource type', () => {
    const password = new Password(new TerraformStack(Testing.app(), 'test'), 'Password', { length: 40 });
    expect(password).toBeInstanceOf(ProviderPassword);
    expect(password.constructor.name).toBe('Password');
    expect(password.terraformResourceType).toBe('random_password');
  });
});
