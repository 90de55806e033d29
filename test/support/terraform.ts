import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The real Terraform binary judging synthesized stacks without any provider:
 * none can be installed here or on CI, so `validate`, `plan` and `deploy` of
 * the stacks themselves cannot run. Two things still can:
 *
 * - `configurationErrors`: `terraform providers` loads the configuration the
 *   way every command does first, without init, providers or network. That
 *   catches what config loading checks (duplicate provider blocks, lifecycle
 *   and meta-argument shapes, names, required_providers), but no expression:
 *   undeclared references, unknown functions and stray `${` pass it.
 * - `planMirror`: every resource becomes a built-in `terraform_data` whose
 *   `input` holds its attributes plus test values for what the provider
 *   computes, and references point at those inputs. Terraform then plans it
 *   for real: every expression and escape is evaluated, references are
 *   checked, and sensitivity propagates as with the real providers.
 *
 * Neither sees a provider schema: attribute names, types and required
 * arguments of docker, random and tls resources are not checked by Terraform here.
 */

export type TerraformJson = Record<string, any>;

const TERRAFORM_TIMEOUT_MS = 60_000;

/**
 * What the pinned providers compute and mark sensitive, for each resource type
 * the library declares, read from the providers' sources at the versions the
 * `@cdktf/provider-*` packages pin (random 3.7.2, tls 4.1.0, docker 3.6.2):
 * the mirror must mask exactly what a real plan masks.
 */
interface ResourceFacts {
  /** Attribute paths (dot-separated; lists are crossed element by element) the schema marks sensitive. */
  readonly sensitive: readonly string[];
  /** Test values for the attributes the provider computes at apply, given the resource's logical name and config. */
  readonly computed: (name: string, config: Record<string, any>) => Record<string, unknown>;
}

const PROVIDER_VERSIONS: Record<string, string> = {
  'hashicorp/random': '3.7.2',
  'hashicorp/tls': '4.1.0',
  'kreuzwerker/docker': '3.6.2',
};

const testPem = (label: string, name: string) => `-----BEGIN ${label}-----\nTEST ${label} OF ${name}\n-----END ${label}-----\n`;

const RESOURCE_FACTS: Record<string, ResourceFacts> = {
  random_password: {
    sensitive: ['result', 'bcrypt_hash'],
    computed: (name) => ({ result: testPassword(name) }),
  },
  tls_private_key: {
    sensitive: ['private_key_pem', 'private_key_openssh', 'private_key_pem_pkcs8'],
    computed: (name) => ({ private_key_pem: testPem('PRIVATE KEY', name) }),
  },
  tls_self_signed_cert: {
    sensitive: ['private_key_pem'],
    computed: (name) => ({ cert_pem: testPem('CERTIFICATE', name) }),
  },
  tls_cert_request: {
    sensitive: ['private_key_pem'],
    computed: (name) => ({ cert_request_pem: testPem('CERTIFICATE REQUEST', name) }),
  },
  tls_locally_signed_cert: {
    sensitive: ['ca_private_key_pem'],
    computed: (name) => ({ cert_pem: testPem('CERTIFICATE', name) }),
  },
  // docker 3.6.2 marks nothing of containers, volumes and networks sensitive.
  docker_image: {
    sensitive: ['auth_config.password'],
    computed: (name) => ({ image_id: `sha256:test-image-id-of-${name}` }),
  },
  docker_container: {
    sensitive: [],
    // Docker picks a free port >= 32768 where none is given; one per container and index, so a URL built from the wrong one shows.
    computed: (name, config) => (config.ports === undefined ? {} : {
      ports: (config.ports as any[]).map((port, index) => ({ ...port, external: port.external ?? 32768 + (stringHash(name) % 3000) * 10 + index })),
    }),
  },
  docker_volume: {
    sensitive: [],
    computed: (name, config) => ({ name: config.name ?? `test-volume-${name}` }),
  },
  docker_network: {
    sensitive: [],
    computed: (name, config) => ({ name: config.name ?? `test-network-${name}` }),
  },
};

function stringHash(text: string): number {
  let hash = 0;
  for (const c of text) hash = (hash * 31 + c.charCodeAt(0)) % 1_000_003;
  return hash;
}

/** The `result` the mirror gives the `random_password` with this logical name. */
export function testPassword(name: string): string {
  return `TestPassword${name.replace(/[^A-Za-z0-9]/g, '')}`;
}

function factsOf(type: string): ResourceFacts {
  const facts = RESOURCE_FACTS[type];
  if (!facts) throw new Error(`the terraform_data mirror knows no schema facts of ${type}: add its sensitive and computed attributes`);
  return facts;
}

interface TerraformRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

type Terraform = (args: string[]) => TerraformRun;

/**
 * Runs `body` with Terraform in a fresh private directory, holding `config`
 * as main.tf.json (secrets stay in files, never in arguments), and removes it.
 * Only PATH comes from outside: TF_CLI_ARGS*, TF_DATA_DIR, TF_WORKSPACE or a
 * CLI config with plugin settings would change what runs. The CLI config
 * allows providers only from an empty directory, so nothing is ever fetched.
 */
function inTerraformDir<T>(config: TerraformJson | undefined, body: (terraform: Terraform) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-docker-redis-terraform-'));
  try {
    const noProviders = path.join(dir, 'no-providers');
    fs.mkdirSync(noProviders);
    fs.writeFileSync(path.join(dir, 'cli.tfrc'), `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(noProviders)}\n  }\n}\n`);
    if (config) fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      TF_CLI_CONFIG_FILE: path.join(dir, 'cli.tfrc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    };
    return body((args) => {
      const result = spawnSync('terraform', args, {
        cwd: dir, env, encoding: 'utf8', timeout: TERRAFORM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
      });
      if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        // A suite that skipped without Terraform would pass on a machine that checks nothing.
        throw new Error('missing terraform: the Terraform suite needs the `terraform` binary (1.11, as on CI) on the PATH');
      }
      if (result.error) throw new Error(`terraform ${args.join(' ')} failed to run: ${result.error.message}`);
      if (result.status === null) throw new Error(`terraform ${args.join(' ')} was killed by ${result.signal} (timeout ${TERRAFORM_TIMEOUT_MS} ms)`);
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails, in CI and elsewhere, when the binary is missing or too old for the mirror. */
export function requireTerraform(): void {
  const version = inTerraformDir(undefined, (terraform) => JSON.parse(terraform(['version', '-json']).stdout).terraform_version as string);
  const [major, minor] = version.split('.').map(Number);
  // terraform_data, which the mirror is made of, came with 1.4.
  if (major < 1 || (major === 1 && minor < 4)) throw new Error(`terraform ${version} is too old: the Terraform suite needs 1.4 or later`);
}

/**
 * What Terraform reports loading the stack's configuration without providers,
 * or '' when it loads. The backend block is left out: every command but
 * `init` refuses an uninitialised backend, and `init` needs the providers.
 */
export function configurationErrors(stack: TerraformJson): string {
  const { backend: _backend, ...settings } = stack.terraform ?? {};
  return inTerraformDir({ ...stack, terraform: settings }, (terraform) => {
    const run = terraform(['providers', '-no-color']);
    return run.status === 0 ? '' : `${run.stderr}${run.stdout}`.trim();
  });
}

/** `type.name` to the `terraform_data` standing in for it. */
function mirrorName(type: string, name: string): string {
  return `${type}__${name}`;
}

/** The address of the `terraform_data` standing in for the resource at `address` (`type.name`). */
export function mirrorAddress(address: string): string {
  const [type, name] = address.split('.');
  return `terraform_data.${mirrorName(type, name)}`;
}

/**
 * Rewrites the references to `addresses` inside the interpolations and
 * directives of an HCL template; literal text and `$${` / `%%{` escapes are
 * left as they are, for Terraform to evaluate exactly as in the real stack.
 */
function rewriteTemplate(text: string, rewriteExpression: (expression: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += text.slice(i, i + 3);
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      const end = closingBrace(text, i + 2);
      // An unterminated sequence is Terraform's to report, unchanged.
      if (end < 0) return out + text.slice(i);
      out += text.slice(i, i + 2) + rewriteExpression(text.slice(i + 2, end)) + '}';
      i = end + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Index of the `}` closing an interpolation whose expression starts at `from`, skipping quoted strings; -1 if none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function mapStrings(value: unknown, f: (text: string) => string): any {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  }
  return value;
}

/**
 * Replaces the value at each `path` under `value` with a reference to a local
 * holding it wrapped in `sensitive()`: a local, because the value may be any
 * template or structure and cannot be quoted into an expression safely.
 */
function markSensitive(value: any, pathSegments: string[], localName: string, locals: Record<string, unknown>): any {
  if (Array.isArray(value)) return value.map((v, i) => markSensitive(v, pathSegments, `${localName}__${i}`, locals));
  if (value === null || typeof value !== 'object' || !(pathSegments[0] in value)) return value;
  const [head, ...rest] = pathSegments;
  const name = `${localName}__${head}`;
  if (rest.length > 0) return { ...value, [head]: markSensitive(value[head], rest, name, locals) };
  locals[name] = value[head];
  return { ...value, [head]: `\${sensitive(local.${name})}` };
}

const RESOURCE_META_DROPPED = ['//', 'provider'];
const RESOURCE_META_REFUSED = ['count', 'for_each', 'provisioner', 'connection'];
const TOP_LEVEL_MIRRORED = ['//', 'terraform', 'provider', 'resource', 'output', 'locals', 'variable'];

/**
 * The stack with every managed resource `T.N` as `terraform_data.T__N`, its
 * attributes and the provider's computed test values in `input`, and every
 * reference `T.N…` rewritten to `terraform_data.T__N.input…`: inputs are known
 * at plan time, so a plan evaluates every expression and shows what a real
 * plan would show or mask. Provider blocks, required_providers and the backend
 * are dropped; outputs, locals and lifecycle blocks are kept. Anything the
 * mirror cannot carry faithfully is refused.
 */
export function mirrorConfiguration(stack: TerraformJson): TerraformJson {
  for (const key of Object.keys(stack)) {
    if (!TOP_LEVEL_MIRRORED.includes(key)) throw new Error(`the terraform_data mirror cannot carry top-level \`${key}\``);
  }
  const { required_providers: required = {}, backend: _backend, ...settings } = stack.terraform ?? {};
  for (const [name, requirement] of Object.entries(required as Record<string, { source: string; version: string }>)) {
    const known = PROVIDER_VERSIONS[requirement.source];
    if (known !== requirement.version) {
      throw new Error(`the stack requires ${name} ${requirement.source} ${requirement.version}; the mirror's schema facts are of ${known ?? 'no version of it'}: re-read them`);
    }
  }

  const resources = Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName as Record<string, Record<string, any>>).map(([name, body]) => ({ type, name, body })));
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const address = resources.length === 0 ? undefined : new RegExp(
    `(?<![A-Za-z0-9_.-])(${resources.map(({ type, name }) => `${escape(type)}\\.${escape(name)}`).join('|')})(?![A-Za-z0-9_-])`, 'g');
  const inputOf = (ref: string) => {
    const [type, name] = ref.split('.');
    return `terraform_data.${mirrorName(type, name)}.input`;
  };
  const rewrite = (value: unknown) => mapStrings(value, (text) =>
    (address ? rewriteTemplate(text, (expression) => expression.replace(address, inputOf)) : text));
  // depends_on holds bare resource addresses, not templates.
  const rewriteDependsOn = (dependsOn: string[] | undefined) => dependsOn?.map((ref) => {
    const [type, name] = ref.replace(/^\$\{(.*)\}$/, '$1').split('.');
    return resources.some((r) => r.type === type && r.name === name) ? `terraform_data.${mirrorName(type, name)}` : ref;
  });

  const locals: Record<string, unknown> = rewrite(stack.locals ?? {});
  const mirrored: Record<string, any> = {};
  for (const { type, name, body } of resources) {
    const facts = factsOf(type);
    const { depends_on: dependsOn, lifecycle, ...rest } = body;
    const attributes: Record<string, any> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (RESOURCE_META_REFUSED.includes(key)) throw new Error(`the terraform_data mirror cannot carry \`${key}\` of ${type}.${name}`);
      if (!RESOURCE_META_DROPPED.includes(key)) attributes[key] = rewrite(value);
    }
    let input: Record<string, any> = { ...attributes, ...facts.computed(name, attributes) };
    for (const sensitivePath of facts.sensitive) {
      input = markSensitive(input, sensitivePath.split('.'), `sensitive__${mirrorName(type, name)}`, locals);
    }
    // ignore_changes names the real schema's attributes, which terraform_data lacks; in the one plan the
    // mirror makes, everything is created and ignore_changes changes nothing. replace_triggered_by holds
    // bare resource addresses, pointed at the mirrored resources so Terraform still checks them.
    const { ignore_changes: _ignoreChanges, replace_triggered_by: triggers, ...keptLifecycle } = lifecycle ?? {};
    const mirroredLifecycle = {
      ...rewrite(keptLifecycle),
      ...(triggers === undefined ? {} : { replace_triggered_by: rewriteDependsOn(triggers) }),
    };
    mirrored[mirrorName(type, name)] = {
      input,
      ...(dependsOn === undefined ? {} : { depends_on: rewriteDependsOn(dependsOn) }),
      ...(Object.keys(mirroredLifecycle).length === 0 ? {} : { lifecycle: mirroredLifecycle }),
    };
  }

  const outputs = Object.fromEntries(Object.entries(stack.output ?? {}).map(([name, { depends_on: dependsOn, ...output }]: [string, any]) =>
    [name, { ...rewrite(output), ...(dependsOn === undefined ? {} : { depends_on: rewriteDependsOn(dependsOn) }) }]));

  return {
    ...(Object.keys(settings).length > 0 ? { terraform: settings } : {}),
    ...(Object.keys(locals).length > 0 ? { locals } : {}),
    // Variables hold no references: their defaults are what the plan reads.
    ...(stack.variable === undefined ? {} : { variable: stack.variable }),
    ...(resources.length > 0 ? { resource: { terraform_data: mirrored } } : {}),
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
}

export interface EvaluatedMirror {
  /** `terraform plan`'s human output: what a user sees, masking included. */
  readonly planText: string;
  /** The evaluated attributes of every resource, computed test values included, by original address `T.N`. */
  readonly resources: Record<string, Record<string, any>>;
  readonly outputs: Record<string, { readonly value: unknown; readonly sensitive: boolean }>;
}

function containsUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Mirrors the stack onto `terraform_data` and plans it with the real binary
 * (no init: the built-in provider needs none), then reads the evaluated values
 * from the saved plan. Throws with Terraform's diagnostics when the plan fails
 * or leaves a value unknown, since then not every expression was evaluated.
 */
export function planMirror(stack: TerraformJson): EvaluatedMirror {
  return inTerraformDir(mirrorConfiguration(stack), (terraform) => {
    const plan = terraform(['plan', '-no-color', '-input=false', '-out=mirror.tfplan']);
    if (plan.status !== 0) throw new Error(`terraform plan of the terraform_data mirror failed:\n${plan.stderr}${plan.stdout}`);
    const show = terraform(['show', '-json', 'mirror.tfplan']);
    if (show.status !== 0) throw new Error(`terraform show -json failed:\n${show.stderr}`);
    const json = JSON.parse(show.stdout);

    const resources: Record<string, Record<string, any>> = {};
    for (const change of json.resource_changes ?? []) {
      const [type, ...rest] = (change.name as string).split('__');
      const original = `${type}.${rest.join('__')}`;
      if (containsUnknown(change.change.after_unknown?.input)) {
        throw new Error(`the plan leaves parts of ${original} unknown: ${JSON.stringify(change.change.after_unknown.input)}`);
      }
      resources[original] = change.change.after.input;
    }
    const outputs: EvaluatedMirror['outputs'] = {};
    for (const [name, output] of Object.entries(json.output_changes ?? {}) as Array<[string, any]>) {
      if (containsUnknown(output.after_unknown)) throw new Error(`the plan leaves output ${name} unknown`);
      outputs[name] = { value: output.after, sensitive: output.after_sensitive === true };
    }
    return { planText: plan.stdout, resources, outputs };
  });
}
