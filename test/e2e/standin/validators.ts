/**
 * The docker provider's checks of the container attributes the constructs set
 * (kreuzwerker/docker 3.6.2, files under internal/provider/), each run when the
 * provider runs it: the schema's ValidateDiagFunc at plan, on every value known
 * then (Terraform validates again with the values known at apply), and the
 * checks resourceDockerContainerCreate makes itself, before or after the
 * container exists. A check after the container exists leaves a tainted
 * container (the provider has stored its id), one before leaves nothing.
 * Messages are the provider's.
 */
import { Attributes } from './docker-resources';
import { isUnknown, Value } from './expressions';

export type ValidationStage =
  /** Schema ValidateDiagFunc: `terraform plan` refuses the configuration. */
  | 'plan'
  /** resourceDockerContainerCreate, before ContainerCreate: nothing is created. */
  | 'create-before-container'
  /** resourceDockerContainerCreate, after ContainerCreate and d.SetId: the container stays, tainted. */
  | 'create-after-container';

export interface ProviderValidator {
  readonly type: string;
  /** The attribute, `block.attribute` for one in a nested block. */
  readonly attribute: string;
  readonly stage: ValidationStage;
  /** Where the provider has the check. */
  readonly source: string;
  /** The provider's error for a value, or undefined when it passes. */
  check(value: unknown): string | undefined;
}

// validators.go: validateStringMatchesPattern
function matching(pattern: string): (value: unknown) => string | undefined {
  const re = new RegExp(pattern);
  return (value) => (re.test(String(value)) ? undefined : `'${String(value)}' doesn't match the pattern '${pattern}'`);
}

// validators.go: validateIntegerGeqThan
function atLeast(threshold: number): (value: unknown) => string | undefined {
  return (value) => (Number(value) < threshold ? `'${String(value)}' cannot be lower than ${threshold}` : undefined);
}

const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

// validators.go: validateDurationGeq0, which calls Go's time.ParseDuration ("0" alone, signed or not, needs no unit).
function durationGeq0(value: unknown): string | undefined {
  const text = String(value);
  if (!/^[-+]?0$/.test(text) && !GO_DURATION.test(text)) return `'${text}' is not a valid duration`;
  if (/^-/.test(text) && /[1-9]/.test(text)) return `'${text}' duration must not be negative`;
  return undefined;
}

// validators.go: validateDockerContainerPath
function absolutePath(value: unknown): string | undefined {
  return /^[a-zA-Z]:[\\/]|^\//.test(String(value)) ? undefined : `'${String(value)}' must be an absolute path`;
}

const SCHEMA = 'resource_docker_container.go (schema), validators.go';
const CREATE = 'resource_docker_container_funcs.go (resourceDockerContainerCreate)';

export const PROVIDER_VALIDATORS: readonly ProviderValidator[] = [
  { type: 'docker_container', attribute: 'restart', stage: 'plan', source: SCHEMA, check: matching('^(no|on-failure|always|unless-stopped)$') },
  { type: 'docker_container', attribute: 'memory', stage: 'plan', source: SCHEMA, check: atLeast(0) },
  { type: 'docker_container', attribute: 'memory_swap', stage: 'plan', source: SCHEMA, check: atLeast(-1) },
  { type: 'docker_container', attribute: 'upload.permissions', stage: 'plan', source: SCHEMA, check: matching('^0[0-7]{3}$') },
  { type: 'docker_container', attribute: 'volumes.host_path', stage: 'plan', source: SCHEMA, check: absolutePath },
  ...['interval', 'timeout', 'start_period', 'start_interval'].map((name): ProviderValidator => (
    { type: 'docker_container', attribute: `healthcheck.${name}`, stage: 'plan', source: SCHEMA, check: durationGeq0 })),
  { type: 'docker_container', attribute: 'healthcheck.retries', stage: 'plan', source: SCHEMA, check: atLeast(0) },
  {
    type: 'docker_container', attribute: 'command', stage: 'create-before-container', source: CREATE,
    check: (value) => ((value as unknown[]).some((v) => v === '') ? 'values for command may not be empty' : undefined),
  },
  {
    type: 'docker_container', attribute: 'upload', stage: 'create-after-container', source: CREATE,
    check: (value) => {
      const set = (value as Attributes[]).map((u) => ['content', 'content_base64', 'source'].filter((k) => (u[k] ?? '') !== '').length);
      if (set.some((n) => n === 0)) return "error with upload content: one of 'content', 'content_base64', or 'source' must be set";
      if (set.some((n) => n > 1)) return "error with upload content: only one of 'content', 'content_base64', or 'source' can be set";
      return undefined;
    },
  },
];

/** The values at `attribute` of a configuration: one per nested block for `block.attribute`. */
function valuesAt(config: Attributes, attribute: string): unknown[] {
  const [first, nested] = attribute.split('.');
  const value = config[first];
  if (value === undefined || value === null) return [];
  if (!nested) return [value];
  return (Array.isArray(value) ? value : [value]).map((block) => (block as Attributes)?.[nested]).filter((v) => v !== undefined && v !== null);
}

/** The provider's errors for a resource's configuration at one stage; values not yet known are checked later, as Terraform does. */
export function validationErrors(type: string, where: string, config: Attributes, stage: ValidationStage): string[] {
  const errors: string[] = [];
  for (const v of PROVIDER_VALIDATORS) {
    if (v.type !== type || v.stage !== stage) continue;
    for (const value of valuesAt(config, v.attribute)) {
      if (isUnknown(value as Value) || (Array.isArray(value) && value.some((x) => isUnknown(x as Value)))) continue;
      const error = v.check(value);
      if (error) errors.push(`${where}.${v.attribute}: ${error}`);
    }
  }
  return errors;
}

/** Throws the provider's errors of one stage, all of them, as Terraform reports every diagnostic. */
export function validate(type: string, where: string, config: Attributes, stage: ValidationStage): void {
  const errors = validationErrors(type, where, config, stage);
  if (errors.length > 0) throw new Error(errors.join('; '));
}
