import { TerraformProvider, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';

const ensured = new WeakMap<TerraformStack, Set<string>>();

/**
 * The random and tls providers need no settings, so a stack that uses the
 * constructs should not have to declare them; a second default block of the
 * same provider would be a Terraform error, so one the user declared first wins.
 * The Docker provider is never created here: its host and daemon TLS are the
 * user's to configure.
 */
export function ensureSettinglessProviders(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  let done = ensured.get(stack);
  if (!done) {
    done = new Set();
    ensured.set(stack, done);
  }
  for (const [type, create] of [
    ['random', () => new RandomProvider(stack, 'cdktf-docker-redis-random')],
    ['tls', () => new TlsProvider(stack, 'cdktf-docker-redis-tls')],
  ] as const) {
    if (done.has(type)) continue;
    const declared = stack.node
      .findAll()
      .some((c) => c instanceof TerraformProvider && c.terraformResourceType === type);
    if (!declared) create();
    done.add(type);
  }
}
