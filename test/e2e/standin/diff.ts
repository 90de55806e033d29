/**
 * How Terraform compares a resource's configuration with its refreshed state
 * (the SDK's schemaMap.diff, and the plugin framework's plan modifiers for the
 * random and tls providers), for the attribute shapes in the provider facts
 * table, and what a difference makes Terraform do.
 */
import { AttributeFact, Change, PROVIDER_FACTS } from '../../support/provider-facts';
import { isUnknown, UNKNOWN, Value } from './expressions';

export interface AttributeDifference {
  readonly attribute: string;
  /** What the difference makes Terraform do; a value read back merged with daemon defaults still forces a new object. */
  readonly change: Exclude<Change, 'computed'>;
  readonly state: unknown;
  readonly plan: unknown;
}

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

function zeroOf(fact: AttributeFact): unknown {
  switch (fact.shape) {
    case 'string': return '';
    case 'number': return 0;
    case 'bool': return false;
    case 'map': return {};
    default: return [];
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** A value in the comparable form of its shape; the zero value stands for unset. */
function canonical(fact: AttributeFact, v: unknown): string {
  if (v === undefined || v === null) v = zeroOf(fact);
  switch (fact.shape) {
    case 'string': return JSON.stringify(String(v));
    case 'number': return JSON.stringify(Number(v));
    case 'bool': return JSON.stringify(v === true || v === 'true');
    case 'list': return JSON.stringify((v as unknown[]).map(String));
    case 'set': return JSON.stringify((v as unknown[]).map(String).sort());
    case 'map': return JSON.stringify(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]).sort());
    case 'block':
    case 'block-list':
    case 'block-set': {
      const items = (Array.isArray(v) ? v : [v]).map((item) => canonicalBlock(fact, item as Record<string, unknown>));
      return JSON.stringify(fact.shape === 'block-set' ? items.sort() : items);
    }
  }
}

function canonicalBlock(fact: AttributeFact, item: Record<string, unknown>): string {
  const nested = fact.nested;
  if (!nested) return JSON.stringify(item);
  const names = [...new Set([...Object.keys(nested), ...Object.keys(item)])].sort();
  return JSON.stringify(names.map((name) => {
    const f = nested[name];
    if (!f) throw new Error(`nested attribute "${name}" is not in the provider facts table`);
    return [name, canonical(f, item[name] ?? f.default)];
  }));
}

/** Whether Terraform plans a change for one attribute, given its configuration (undefined: unset) and state. */
export function differs(fact: AttributeFact, config: unknown, state: unknown): boolean {
  if (config === undefined || config === null) {
    if (fact.computedWhenUnset || fact.emptySuppressesDiff) return false;
    config = fact.default;
  }
  if (isUnknown(config as Value)) return true;
  if (fact.emptySuppressesDiff && isEmpty(config)) return false;
  if ((fact.shape === 'block' || fact.shape === 'block-list') && fact.nested) {
    // Element by element, so a nested attribute left to the provider (a Docker-chosen port) accepts any state.
    const c = (Array.isArray(config) ? config : [config]).filter((x) => x !== undefined && x !== null) as Array<Record<string, unknown>>;
    const s = (Array.isArray(state) ? state : state === undefined || state === null ? [] : [state]) as Array<Record<string, unknown>>;
    if (c.length !== s.length) return true;
    return c.some((item, i) => Object.entries(fact.nested!).some(([name, f]) => differs(f, item[name], s[i][name]))
      || Object.keys(item).some((name) => !fact.nested![name]));
  }
  return canonical(fact, config) !== canonical(fact, state);
}

/** Every attribute of `config` and of the facts for which Terraform would plan a change. */
export function diffResource(type: string, config: Record<string, unknown>, state: Record<string, unknown>, ignoreChanges: readonly string[]): AttributeDifference[] {
  const facts = PROVIDER_FACTS[type];
  if (!facts) throw new Error(`resource type ${type} is not in the provider facts table`);
  for (const name of Object.keys(config)) {
    if (!facts.attributes[name]) throw new Error(`${type}.${name} is not in the provider facts table`);
  }
  const differences: AttributeDifference[] = [];
  for (const [name, fact] of Object.entries(facts.attributes)) {
    if (fact.change === 'computed' || ignoreChanges.includes(name)) continue;
    if (differs(fact, config[name], state[name])) {
      differences.push({ attribute: name, change: fact.change, state: state[name], plan: config[name] === undefined ? fact.default ?? null : config[name] });
    }
  }
  return differences;
}

/** The action a set of differences makes Terraform plan. */
export function actionFor(differences: readonly AttributeDifference[]): Action {
  if (differences.some((d) => d.change === 'force-new')) return 'replace';
  return differences.length > 0 ? 'update' : 'no-op';
}

/** A difference as `attr: state X, plan Y`, masking what is sensitive. */
export function describe(address: string, d: AttributeDifference, sensitive: boolean): string {
  const show = (v: unknown) => (sensitive ? '(sensitive value)' : v === UNKNOWN ? '(known after apply)' : JSON.stringify(v ?? null));
  const what = { 'force-new': 'forces replacement', update: 'update in place', 'provider-only': 'update in place', neither: 'update in place, never applied' }[d.change];
  return `${address}.${d.attribute}: state ${show(d.state)}, plan ${show(d.plan)} (${what})`;
}
