/**
 * The order in which Terraform applies a plan: a graph of steps walked with
 * up to 10 at once (`-parallelism`, default 10), each step starting once the
 * steps it waits for are done; a failed step's dependants never start, and
 * the others still run (Terraform reports every error at the end).
 *
 * Edges, as Terraform's graph builders draw them for destroy-before-create
 * (the only replacement the stand-in models: create_before_destroy is refused):
 * - a create or update waits for the create or update of everything it refers to;
 * - a replacement's create waits for its own destroy;
 * - a destroy waits for the destroys of everything whose state refers to it, so
 *   when a resource and a dependant are both replaced, both are destroyed before
 *   either is created (hashicorp/terraform#16200);
 * - the destroy of a resource gone from the configuration waits for the updates
 *   of those that referred to it and stay.
 *
 * `STANDIN_PARALLELISM=1` walks the graph one step at a time (for debugging).
 */

export type StepAction = 'create' | 'update' | 'destroy';

export interface Step {
  readonly key: string;
  readonly action: StepAction;
  readonly address: string;
  /** Keys of the steps this one waits for. */
  readonly after: ReadonlySet<string>;
}

export interface PlannedActions {
  /** The plan's action per address, no-ops left out. */
  readonly actions: ReadonlyMap<string, 'create' | 'update' | 'replace' | 'delete'>;
  /** What each resource of the configuration refers to. */
  readonly configDependencies: ReadonlyMap<string, ReadonlySet<string>>;
  /** What each resource in the state referred to when it was applied. */
  readonly stateDependencies: ReadonlyMap<string, ReadonlySet<string>>;
}

const DEFAULT_PARALLELISM = 10;

/** How many steps run at once: Terraform's default, or `STANDIN_PARALLELISM`. */
export function applyParallelism(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.STANDIN_PARALLELISM;
  if (given === undefined || given === '') return DEFAULT_PARALLELISM;
  if (!/^[1-9]\d*$/.test(given)) throw new Error(`STANDIN_PARALLELISM must be a whole number from 1, not ${JSON.stringify(given)}`);
  return Number(given);
}

const destroyKey = (address: string) => `destroy ${address}`;
const applyKey = (address: string) => `apply ${address}`;

/** The steps of a plan and what each waits for. */
export function applySteps(plan: PlannedActions): Map<string, Step> {
  const destroyed = [...plan.actions].filter(([, a]) => a === 'replace' || a === 'delete').map(([address]) => address);
  const applied = [...plan.actions].filter(([, a]) => a !== 'delete').map(([address]) => address);
  const steps = new Map<string, Step>();
  for (const address of destroyed) {
    const after = new Set<string>();
    for (const other of destroyed) {
      if (other !== address && plan.stateDependencies.get(other)?.has(address)) after.add(destroyKey(other));
    }
    if (plan.actions.get(address) === 'delete') {
      for (const other of applied) {
        if (plan.actions.get(other) === 'update' && plan.stateDependencies.get(other)?.has(address)) after.add(applyKey(other));
      }
    }
    steps.set(destroyKey(address), { key: destroyKey(address), action: 'destroy', address, after });
  }
  for (const address of applied) {
    const action = plan.actions.get(address)!;
    const after = new Set<string>();
    for (const dependency of plan.configDependencies.get(address) ?? []) {
      if (plan.actions.has(dependency) && plan.actions.get(dependency) !== 'delete') after.add(applyKey(dependency));
    }
    if (action === 'replace') after.add(destroyKey(address));
    steps.set(applyKey(address), { key: applyKey(address), action: action === 'update' ? 'update' : 'create', address, after });
  }
  return steps;
}

/**
 * Runs every step once what it waits for is done, at most `parallelism` at once, in address order
 * among those ready. Throws the error of a failed step (all of them, when several failed) after every
 * step that could run has run.
 */
export async function runSteps(steps: ReadonlyMap<string, Step>, run: (step: Step) => Promise<void>, parallelism: number): Promise<void> {
  const waiting = new Set([...steps.keys()].sort());
  const done = new Set<string>();
  const blocked = new Set<string>();
  const errors: Error[] = [];
  const inFlight = new Map<string, Promise<void>>();
  // Each pass starts or finishes at least one step, or ends the walk.
  for (let pass = 0; pass <= 2 * steps.size + 1; pass++) {
    // A step waiting for a failed or skipped one never runs; marked to a fixed point, at most one pass per step.
    for (let changed = true, i = 0; changed && i <= steps.size; i++) {
      changed = false;
      for (const key of waiting) {
        if ([...steps.get(key)!.after].some((k) => blocked.has(k))) {
          waiting.delete(key);
          blocked.add(key);
          changed = true;
        }
      }
    }
    for (const key of waiting) {
      if (inFlight.size >= parallelism) break;
      const step = steps.get(key)!;
      if (![...step.after].every((k) => done.has(k))) continue;
      waiting.delete(key);
      inFlight.set(key, run(step).then(
        () => { done.add(key); },
        (e: unknown) => {
          blocked.add(key);
          errors.push(e instanceof Error ? e : new Error(String(e)));
        },
      ).finally(() => { inFlight.delete(key); }));
    }
    if (inFlight.size === 0) {
      if (waiting.size > 0 && errors.length === 0) throw new Error(`circular dependencies between ${[...waiting].join(', ')}`);
      break;
    }
    await Promise.race(inFlight.values());
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`${errors.length} errors: ${errors.map((e) => e.message).join(' | ')}`);
}
