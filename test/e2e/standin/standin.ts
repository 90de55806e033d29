/**
 * The stand-in for `terraform apply`, `plan` and `destroy` of a synthesized
 * stack: it keeps a state as Terraform would, refreshes it the way each
 * provider's Read does, plans a configuration against it with the providers'
 * semantics (provider facts table: force-new replaces, updatable updates,
 * the rest is stored) and Terraform's (references known or not yet, ignore_changes,
 * replace_triggered_by, prevent_destroy, destroy before create), and applies
 * the plan through the Docker Engine API and the generated resources of the
 * random and tls providers. Everything it does not model is an error.
 */
import { factFor, META_ARGUMENTS, PROVIDER_FACTS } from '../../support/provider-facts';
import { Action, actionFor, AttributeDifference, describe, diffResource } from './diff';
import { applyParallelism, applySteps, runSteps, Step } from './apply-order';
import { Attributes, CreatedButFailed, DOCKER_HANDLERS } from './docker-resources';
import { DEFAULT_DOCKER_HOST, Engine, engineFor } from './engine';
import { evaluate, ExpressionError, inlineLocals, referencedAddresses, Resolved, TraversalStep, UNKNOWN, Value } from './expressions';
import {
  createCertRequest, createLocallySignedCert, createPrivateKey, createRandomPassword, createSelfSignedCert, readyForRenewal,
} from './generated';
import { validate } from './validators';

interface Lifecycle {
  readonly preventDestroy: boolean;
  readonly ignoreChanges: readonly string[];
  readonly replaceTriggeredBy: readonly string[];
}

interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** The resource's arguments as written in the plan, expressions unevaluated. */
  readonly arguments: Record<string, unknown>;
  readonly lifecycle: Lifecycle;
  /** `docker` or `docker.<alias>`: the provider configuration it is applied with. */
  readonly provider: string;
  readonly dependencies: ReadonlySet<string>;
}

interface ResourceState {
  readonly address: string;
  readonly type: string;
  readonly provider: string;
  readonly attributes: Attributes;
  /** Top-level attributes whose value is sensitive: from a sensitive attribute or `sensitive()`. */
  readonly sensitive: ReadonlySet<string>;
  readonly dependencies: ReadonlySet<string>;
  /** Its create failed after the object existed: the next plan replaces it. */
  readonly tainted?: boolean;
}

export interface PlannedChange {
  readonly address: string;
  readonly action: Exclude<Action, 'no-op'>;
  /** Why: the differing attributes (values masked when sensitive) or the trigger. */
  readonly reasons: readonly string[];
}

export interface OutputValue {
  readonly value: Value;
  readonly sensitive: boolean;
}

const GENERATED: Record<string, (where: string, config: Attributes) => Attributes> = {
  random_password: createRandomPassword,
  tls_private_key: createPrivateKey,
  tls_self_signed_cert: createSelfSignedCert,
  tls_cert_request: createCertRequest,
  tls_locally_signed_cert: createLocallySignedCert,
};
const RENEWABLE = ['tls_self_signed_cert', 'tls_locally_signed_cert'];
const PROVIDER_SOURCES: Record<string, string> = { docker: 'kreuzwerker/docker', random: 'hashicorp/random', tls: 'hashicorp/tls' };

function providerOf(type: string): string {
  return type.split('_')[0];
}

/** The resources of a plan, checked against what the stand-in models. */
function parsePlan(planJson: any): { resources: Map<string, PlannedResource>; hosts: Map<string, string>; outputs: Record<string, any> } {
  const plan = inlineLocals(planJson);
  for (const key of Object.keys(plan)) {
    if (!['//', 'terraform', 'provider', 'resource', 'output'].includes(key)) throw new Error(`plan section "${key}" is not modelled by the stand-in`);
  }
  for (const [name, required] of Object.entries<any>(plan.terraform?.required_providers ?? {})) {
    const expected = PROVIDER_SOURCES[name];
    const facts = Object.values(PROVIDER_FACTS).find((f) => f.provider.startsWith(`${expected} `));
    if (!expected || !facts || facts.provider !== `${required.source} ${required.version}`) {
      throw new Error(`provider ${name} ${required.source} ${required.version}: the provider facts table holds ${facts?.provider ?? 'nothing for it'}; review the table first`);
    }
  }
  const hosts = new Map<string, string>();
  for (const [name, configs] of Object.entries<any>(plan.provider ?? {})) {
    for (const config of configs as any[]) {
      const key = config.alias ? `${name}.${config.alias}` : name;
      const allowed = name === 'docker' ? ['alias', 'host'] : ['alias'];
      for (const attr of Object.keys(config)) {
        if (!allowed.includes(attr)) throw new Error(`provider ${key}: setting "${attr}" is not modelled by the stand-in`);
      }
      if (name === 'docker') hosts.set(key, config.host ?? process.env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST);
    }
  }
  const resources = new Map<string, PlannedResource>();
  for (const [type, byName] of Object.entries<Record<string, any>>(plan.resource ?? {})) {
    if (!PROVIDER_FACTS[type]) throw new Error(`resource type ${type} is not in the provider facts table`);
    for (const [name, declared] of Object.entries<any>(byName)) {
      const address = `${type}.${name}`;
      const args: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(declared)) {
        if (META_ARGUMENTS.includes(key)) continue;
        const fact = factFor(type, key);
        if (!fact || fact.change === 'computed') throw new Error(`${address}: attribute "${key}" is not in the provider facts table as an argument`);
        const handler = DOCKER_HANDLERS[type];
        if (handler && fact.read !== 'kept' && !handler.readBack.includes(key)) {
          throw new Error(`${address}: the provider reads "${key}" back from Docker and the stand-in cannot: a refresh would miss its changes`);
        }
        if (fact.nested) {
          for (const item of (Array.isArray(value) ? value : [value]) as unknown[]) {
            if (item === null || typeof item !== 'object') throw new Error(`${address}: ${key} given as an expression, not as blocks, is not modelled`);
            for (const nested of Object.keys(item)) {
              if (!fact.nested[nested]) throw new Error(`${address}: attribute "${key}.${nested}" is not in the provider facts table`);
            }
          }
        }
        args[key] = value;
      }
      const lc = declared.lifecycle ?? {};
      for (const key of Object.keys(lc)) {
        if (!['prevent_destroy', 'ignore_changes', 'replace_triggered_by'].includes(key)) throw new Error(`${address}: lifecycle.${key} is not modelled by the stand-in`);
      }
      if (lc.ignore_changes === 'all' || (lc.ignore_changes ?? []).some((a: string) => !factFor(type, a))) {
        throw new Error(`${address}: lifecycle.ignore_changes must list attributes of ${type}`);
      }
      const triggers: string[] = lc.replace_triggered_by ?? [];
      for (const t of triggers) {
        if (!/^[a-z0-9_]+\.[\w-]+$/.test(t)) throw new Error(`${address}: replace_triggered_by entry is not a resource address Terraform accepts in JSON: ${t}`);
      }
      const provider = declared.provider ?? providerOf(type);
      if (providerOf(type) === 'docker' && !hosts.has(provider)) throw new Error(`${address}: no provider configuration ${provider} in the plan`);
      const dependsOn: string[] = declared.depends_on ?? [];
      resources.set(address, {
        address, type, name, arguments: args, provider,
        lifecycle: { preventDestroy: lc.prevent_destroy === true, ignoreChanges: lc.ignore_changes ?? [], replaceTriggeredBy: triggers },
        dependencies: new Set([...referencedAddresses(address, args), ...dependsOn.map((d) => d.replace(/^\$\{(.*)\}$/, '$1')), ...triggers]),
      });
    }
  }
  for (const r of resources.values()) {
    for (const d of r.dependencies) if (!resources.has(d)) throw new Error(`${r.address} refers to ${d}, which the plan does not declare`);
  }
  return { resources, hosts, outputs: plan.output ?? {} };
}

/** The Docker host a resource of the plan is applied on, from its `provider` and the plan's provider configurations. */
export function dockerHostOf(planJson: any, address: string): string {
  const parsed = parsePlan(planJson);
  const r = parsed.resources.get(address);
  if (!r) throw new Error(`${address} is not in the plan`);
  const host = parsed.hosts.get(r.provider);
  if (!host) throw new Error(`${address} is not a Docker resource`);
  return host;
}

/** Addresses in an order where each comes after everything it depends on. */
function dependencyOrder(nodes: Map<string, { dependencies: ReadonlySet<string> }>): string[] {
  const ordered: string[] = [];
  const pending = new Set(nodes.keys());
  while (pending.size > 0) {
    const ready = [...pending].filter((a) => [...nodes.get(a)!.dependencies].every((d) => !pending.has(d)));
    if (ready.length === 0) throw new Error(`circular references between ${[...pending].join(', ')}`);
    for (const a of ready.sort()) {
      ordered.push(a);
      pending.delete(a);
    }
  }
  return ordered;
}

function traverse(address: string, value: unknown, steps: readonly TraversalStep[], whenMissing: () => Value): Value {
  let v: any = value;
  for (const step of steps) {
    if (v === UNKNOWN) return UNKNOWN;
    const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
    // A single nested block is held as an object; Terraform addresses it as element 0 of a list.
    if (step === 0 && isObject) continue;
    if (typeof step === 'number' && Array.isArray(v)) v = v[step];
    else if (typeof step === 'string' && isObject) v = v[step];
    else throw new ExpressionError(`reference ${address}.${steps.join('.')} does not match the value's shape`);
    if (v === undefined) return whenMissing();
  }
  return v as Value;
}

interface Plan {
  readonly parsed: ReturnType<typeof parsePlan>;
  readonly changes: PlannedChange[];
}

export class StandIn {
  private readonly state = new Map<string, ResourceState>();
  private hosts = new Map<string, string>();

  /** Attributes of a resource in the state, as Terraform stores them. */
  attributesOf(address: string): Attributes {
    const r = this.state.get(address);
    if (!r) throw new Error(`${address} is not in the stand-in's state`);
    return r.attributes;
  }

  /** Addresses in the state of one type. */
  addressesOf(type: string): string[] {
    return [...this.state.values()].filter((r) => r.type === type).map((r) => r.address).sort();
  }

  private engine(provider: string): Engine {
    const host = this.hosts.get(provider);
    if (!host) throw new Error(`no host for provider configuration ${provider}`);
    return engineFor(host);
  }

  /** `terraform refresh`: every resource read back as its provider's Read does. */
  async refresh(): Promise<void> {
    for (const r of [...this.state.values()]) {
      const where = r.address;
      const handler = DOCKER_HANDLERS[r.type];
      if (handler) {
        const read = await handler.read(this.engine(r.provider), where, r.attributes);
        if (read) this.state.set(r.address, { ...r, attributes: read });
        else this.state.delete(r.address);
      } else if (RENEWABLE.includes(r.type) && readyForRenewal(r.attributes)) {
        this.state.set(r.address, { ...r, attributes: { ...r.attributes, ready_for_renewal: true } });
      }
    }
  }

  /** The plan's provider configurations join those of earlier plans: the state may hold resources of both. */
  private parse(planJson: any): ReturnType<typeof parsePlan> {
    const parsed = parsePlan(planJson);
    this.hosts = new Map([...this.hosts, ...parsed.hosts]);
    return parsed;
  }

  private plan(parsed: ReturnType<typeof parsePlan>): Plan {
    const order = dependencyOrder(parsed.resources);
    const actions = new Map<string, Action>();
    const planned = new Map<string, { values: Attributes; sensitive: Set<string> }>();
    const changes: PlannedChange[] = [];

    const resolver = (from: string) => (t: readonly TraversalStep[]): Resolved => {
      const address = `${t[0]}.${t[1]}`;
      const target = planned.get(address);
      if (!target) throw new ExpressionError(`${from}: reference to ${address}, which is not planned before it`);
      const creating = ['create', 'replace'].includes(actions.get(address)!);
      const value = traverse(address, target.values, t.slice(2), () => {
        if (creating) return UNKNOWN;
        throw new ExpressionError(`${from}: reference ${address}.${t.slice(2).join('.')} names an attribute the stand-in does not model`);
      });
      return { value, sensitive: factFor(t[0] as string, t[2] as string)?.sensitive === true || target.sensitive.has(t[2] as string) };
    };

    for (const address of order) {
      const r = parsed.resources.get(address)!;
      const { values, sensitive } = this.evaluateArguments(r, resolver(address));
      validate(r.type, address, values, 'plan');
      const existing = this.state.get(address);
      let action: Action;
      const reasons: string[] = [];
      if (!existing) {
        action = 'create';
      } else {
        const differences = diffResource(r.type, values, existing.attributes, r.lifecycle.ignoreChanges);
        const masked = (d: AttributeDifference) => sensitive.has(d.attribute) || existing.sensitive.has(d.attribute) || factFor(r.type, d.attribute)?.sensitive === true;
        reasons.push(...differences.map((d) => describe(address, d, masked(d))));
        action = actionFor(differences);
        const trigger = r.lifecycle.replaceTriggeredBy.find((t) => ['replace', 'update'].includes(actions.get(t) ?? ''));
        if (trigger) {
          action = 'replace';
          reasons.push(`${address}: replace_triggered_by ${trigger}`);
        }
        if (existing.attributes.ready_for_renewal === true) {
          action = 'replace';
          reasons.push(`${address}: ready_for_renewal`);
        }
        if (existing.tainted) {
          action = 'replace';
          reasons.push(`${address}: tainted (its create failed), so must be replaced`);
        }
      }
      actions.set(address, action);
      if (action === 'create' || action === 'replace') {
        const facts = PROVIDER_FACTS[r.type].attributes;
        const plannedValues: Attributes = {};
        for (const [name, fact] of Object.entries(facts)) {
          if (values[name] !== undefined) plannedValues[name] = values[name];
          else if (fact.change === 'computed' || fact.computedWhenUnset) plannedValues[name] = UNKNOWN;
          else if (fact.default !== undefined) plannedValues[name] = fact.default;
        }
        planned.set(address, { values: plannedValues, sensitive });
      } else {
        planned.set(address, { values: { ...existing!.attributes, ...values }, sensitive: new Set([...existing!.sensitive, ...sensitive]) });
      }
      if (action !== 'no-op') changes.push({ address, action, reasons });
    }
    for (const address of this.state.keys()) {
      if (!parsed.resources.has(address)) {
        actions.set(address, 'delete');
        changes.push({ address, action: 'delete', reasons: [`${address}: not in the configuration`] });
      }
    }
    for (const c of changes) {
      const r = parsed.resources.get(c.address);
      if (r?.lifecycle.preventDestroy && (c.action === 'replace' || c.action === 'delete')) {
        throw new Error(
          `Instance cannot be destroyed: resource ${c.address} has lifecycle.prevent_destroy set, but the plan calls for it to be ${c.action === 'replace' ? 'replaced' : 'destroyed'} (${c.reasons.join('; ')})`,
        );
      }
    }
    return { parsed, changes };
  }

  private evaluateArguments(r: PlannedResource, resolve: (t: readonly TraversalStep[]) => Resolved): { values: Attributes; sensitive: Set<string> } {
    const values: Attributes = {};
    const sensitive = new Set<string>();
    for (const [name, json] of Object.entries(r.arguments)) {
      const evaluated = evaluate(`${r.address}.${name}`, json, resolve);
      values[name] = evaluated.value;
      if (evaluated.sensitive) sensitive.add(name);
    }
    return { values, sensitive };
  }

  /** `terraform plan`: refresh, then what an apply of `planJson` would change. */
  async changes(planJson: any): Promise<PlannedChange[]> {
    const parsed = this.parse(planJson);
    await this.refresh();
    return this.plan(parsed).changes;
  }

  /** A plan after apply must be empty: throws naming each attribute whose state differs from the plan. */
  async expectNoChanges(planJson: any): Promise<void> {
    const changes = await this.changes(planJson);
    if (changes.length > 0) {
      throw new Error(`plan after apply is not empty: ${changes.map((c) => `${c.address} (${c.action}): ${c.reasons.join('; ')}`).join(' | ')}`);
    }
  }

  /** `terraform apply`: refresh, plan, then walk the plan's steps as Terraform does (see apply-order.ts). */
  async apply(planJson: any): Promise<PlannedChange[]> {
    const parsed = this.parse(planJson);
    await this.refresh();
    const plan = this.plan(parsed);
    const actions = new Map(plan.changes.map((c) => [c.address, c.action]));
    const steps = applySteps({
      actions,
      configDependencies: new Map([...parsed.resources.values()].map((r) => [r.address, r.dependencies])),
      stateDependencies: new Map([...this.state.values()].map((r) => [r.address, r.dependencies])),
    });
    await runSteps(steps, (step) => this.applyStep(plan, step), applyParallelism());
    return plan.changes;
  }

  private async applyStep(plan: Plan, step: Step): Promise<void> {
    if (step.action === 'destroy') return this.destroyOne(step.address);
    const r = plan.parsed.resources.get(step.address)!;
    const { values, sensitive } = this.evaluateArguments(r, this.stateResolver(step.address));
    const config = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null));
    // Terraform validates again once every value is known.
    validate(r.type, step.address, config, 'plan');
    const stored = { address: step.address, type: r.type, provider: r.provider, sensitive, dependencies: r.dependencies };
    try {
      const attributes = step.action === 'update' ? await this.updateOne(r, config) : await this.createOne(r, config);
      this.state.set(step.address, { ...stored, attributes });
    } catch (e) {
      if (e instanceof CreatedButFailed) this.state.set(step.address, { ...stored, attributes: this.withDefaults(r.type, e.attributes), tainted: true });
      throw e;
    }
  }

  /** Whether the state holds a resource as tainted (its create failed after the object existed). */
  isTainted(address: string): boolean {
    return this.state.get(address)?.tainted === true;
  }

  private stateResolver(from: string) {
    return (t: readonly TraversalStep[]): Resolved => {
      const address = `${t[0]}.${t[1]}`;
      const r = this.state.get(address);
      if (!r) throw new ExpressionError(`${from}: reference to ${address}, which is not applied yet`);
      const value = traverse(address, r.attributes, t.slice(2), () => {
        throw new ExpressionError(`${from}: reference ${address}.${t.slice(2).join('.')} names an attribute the stand-in does not model`);
      });
      return { value, sensitive: factFor(r.type, t[2] as string)?.sensitive === true || r.sensitive.has(t[2] as string) };
    };
  }

  private withDefaults(type: string, attributes: Attributes): Attributes {
    const out = { ...attributes };
    for (const [name, fact] of Object.entries(PROVIDER_FACTS[type].attributes)) {
      if (out[name] === undefined && fact.default !== undefined) out[name] = fact.default;
    }
    return out;
  }

  private async createOne(r: PlannedResource, config: Attributes): Promise<Attributes> {
    const handler = DOCKER_HANDLERS[r.type];
    if (handler) return this.withDefaults(r.type, await handler.create(this.engine(r.provider), r.address, config));
    const generate = GENERATED[r.type];
    if (!generate) throw new Error(`${r.address}: resource type ${r.type} is not modelled by the stand-in`);
    return this.withDefaults(r.type, generate(r.address, config));
  }

  private async updateOne(r: PlannedResource, config: Attributes): Promise<Attributes> {
    const existing = this.state.get(r.address)!;
    const handler = DOCKER_HANDLERS[r.type];
    if (!handler) return { ...existing.attributes, ...config };
    if (!handler.update) throw new Error(`${r.address}: ${r.type} has no update in the provider`);
    return handler.update(this.engine(r.provider), r.address, existing.attributes, config);
  }

  /** Dependents before what they depend on, as Terraform orders destroys. */
  private destroyOrder(addresses: string[]): string[] {
    const set = new Set(addresses);
    const ordered: string[] = [];
    while (set.size > 0) {
      const ready = [...set].filter((a) => ![...set].some((other) => other !== a && this.state.get(other)?.dependencies.has(a)));
      if (ready.length === 0) throw new Error(`circular dependencies between ${[...set].join(', ')}`);
      for (const a of ready.sort()) {
        ordered.push(a);
        set.delete(a);
      }
    }
    return ordered;
  }

  private async destroyOne(address: string): Promise<void> {
    const r = this.state.get(address)!;
    const handler = DOCKER_HANDLERS[r.type];
    if (handler) await handler.delete(this.engine(r.provider), address, r.attributes);
    this.state.delete(address);
  }

  /** `terraform destroy`: refused before anything is touched if the configuration protects a resource in the state. */
  async destroy(planJson: any): Promise<void> {
    const parsed = this.parse(planJson);
    await this.refresh();
    const protectedOnes = [...this.state.keys()].filter((a) => parsed.resources.get(a)?.lifecycle.preventDestroy);
    if (protectedOnes.length > 0) {
      throw new Error(`Instance cannot be destroyed: ${protectedOnes.join(', ')} ${protectedOnes.length > 1 ? 'have' : 'has'} lifecycle.prevent_destroy set`);
    }
    const steps = applySteps({
      actions: new Map([...this.state.keys()].map((a) => [a, 'delete' as const])),
      configDependencies: new Map(),
      stateDependencies: new Map([...this.state.values()].map((r) => [r.address, r.dependencies])),
    });
    await runSteps(steps, (step) => this.destroyOne(step.address), applyParallelism());
  }

  /** The plan's outputs from the state, as `terraform output` shows them; a sensitive value in an output not marked sensitive is an error, as in Terraform. */
  outputs(planJson: any): Record<string, OutputValue> {
    const out: Record<string, OutputValue> = {};
    for (const [name, output] of Object.entries<any>(planJson.output ?? {})) {
      const evaluated = evaluate(`output.${name}`, output.value, this.stateResolver(`output.${name}`));
      if (evaluated.sensitive && output.sensitive !== true) throw new Error(`output ${name}: output refers to sensitive values but is not marked sensitive`);
      out[name] = { value: evaluated.value, sensitive: output.sensitive === true };
    }
    return out;
  }

  /**
   * Test teardown, not a Terraform operation: removes every object in the
   * state, protected or not, and keeps going past errors so one failure does
   * not leave the rest behind; throws the first error at the end.
   */
  async cleanUp(): Promise<void> {
    let first: unknown;
    // As before a destroy: what is gone already leaves the state, since deleting a gone container fails.
    await this.refresh().catch((e) => { first = e; });
    for (const address of this.destroyOrder([...this.state.keys()])) {
      try {
        await this.destroyOne(address);
      } catch (e) {
        first ??= e;
        this.state.delete(address);
      }
    }
    if (first) throw first;
  }
}
