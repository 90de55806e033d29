import { Aspects, IAspect, TerraformProvider, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';

const SETTINGLESS_PROVIDERS: ReadonlyArray<readonly [string, string, (stack: TerraformStack, id: string) => TerraformProvider]> = [
  ['random', 'cdktf-docker-redis-random', (stack, id) => new RandomProvider(stack, id)],
  ['tls', 'cdktf-docker-redis-tls', (stack, id) => new TlsProvider(stack, id)],
];

/**
 * Adds the random and tls providers at synthesis, where the whole stack is
 * known: they need no settings, so a stack that uses the constructs should not
 * have to declare them, and a second default block of the same provider is a
 * Terraform error ("Duplicate provider configuration"). Deciding at synthesis
 * makes the user's own default block win wherever in the code it is declared;
 * an aliased one is not a default and does not count.
 */
class SettinglessProviders implements IAspect {
  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    for (const [type, id, create] of SETTINGLESS_PROVIDERS) {
      if (node.node.tryFindChild(id)) continue;
      const declared = node.node
        .findAll()
        .some((c) => TerraformProvider.isTerraformProvider(c) && c.terraformResourceType === type && c.alias === undefined);
      if (!declared) create(node, id);
    }
  }
}

const aspectByStack = new WeakMap<TerraformStack, SettinglessProviders>();

export function ensureSettinglessProviders(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (aspectByStack.has(stack)) return;
  const aspect = new SettinglessProviders();
  aspectByStack.set(stack, aspect);
  Aspects.of(stack).add(aspect);
}
