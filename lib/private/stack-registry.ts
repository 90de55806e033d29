import { createHash } from 'crypto';
import { TerraformLocal, TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ProblemList } from './validation';

interface PortClaim {
  readonly hostKey: string;
  readonly ip: string;
  readonly port: number;
  /** Who claimed it and through which prop, for the message of a clash. */
  readonly claimant: string;
}

interface StackRecord {
  /** Docker host key and handle to the construct path that claimed it. */
  readonly handles: Map<string, string>;
  readonly ports: PortClaim[];
  /** Image id token per stack-level `docker_image` construct id. */
  readonly imageIds: Map<string, string>;
  /** The `docker_network` resource behind each network name token databases expose. */
  readonly networks: Map<string, TerraformResource>;
  /** The reference to each text the stack's containers share, by its local's name. */
  readonly sharedTexts: Map<string, string>;
}

/**
 * Handles name Docker objects and host ports are a host-wide resource, so two
 * databases of one stack claiming the same one would only fail at apply time,
 * half-deployed. Claims are recorded per stack to fail at synth instead.
 */
const recordsByStack = new WeakMap<TerraformStack, StackRecord>();

function recordOf(scope: IConstruct): StackRecord {
  const stack = TerraformStack.of(scope);
  let record = recordsByStack.get(stack);
  if (!record) {
    record = { handles: new Map(), ports: [], imageIds: new Map(), networks: new Map(), sharedTexts: new Map() };
    recordsByStack.set(stack, record);
  }
  return record;
}

export function sharedImageIdsOf(scope: IConstruct): Map<string, string> {
  return recordOf(scope).imageIds;
}

/**
 * Followers get only their primary's network name; containers on a network
 * also need the resource itself, to be replaced when it is.
 */
/**
 * `text` as a reference to a Terraform local holding it, one per stack and
 * name: text every database's container gets alike is then stored and
 * resolved once, not once per database. Terraform evaluates the reference to
 * the text itself, so a container's upload is the same. `text` must hold no
 * `${` or `%{`, which Terraform would read as a template in the local too.
 */
export function sharedText(scope: IConstruct, name: string, text: string): string {
  const texts = recordOf(scope).sharedTexts;
  const key = `${name}\0${text}`;
  let reference = texts.get(key);
  if (reference === undefined) {
    // Texts that differ under one name (a sidecar with its own allowed sources) each get a local of their
    // own: the first keeps the plain name, the others add a hash of their text.
    const taken = [...texts.keys()].some((k) => k.startsWith(`${name}\0`));
    const localName = taken ? `${name}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}` : name;
    // Every read of a local's value mints a token (and captures a stack trace): read it once per stack.
    reference = new TerraformLocal(TerraformStack.of(scope), localName, text).asString;
    texts.set(key, reference);
  }
  return reference;
}

export function recordNetwork(scope: IConstruct, networkName: string, network: TerraformResource): void {
  recordOf(scope).networks.set(networkName, network);
}

export function networkNamed(scope: IConstruct, networkName: string): TerraformResource | undefined {
  return recordOf(scope).networks.get(networkName);
}

export function claimHandle(scope: IConstruct, hostKey: string, handle: string, problems: ProblemList): void {
  if (Token.isUnresolved(handle)) return;
  const handles = recordOf(scope).handles;
  const key = `${hostKey}/${handle}`;
  const existing = handles.get(key);
  if (existing) {
    problems.add(
      `\`handle\` "${handle}" is already used by ${existing} in this stack (this one is ${scope.node.path}); every database and follower needs its own handle`,
    );
    return;
  }
  handles.set(key, scope.node.path);
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === '0.0.0.0' || b === '0.0.0.0';
}

/** A host port an instance asks for, and whether it came from the prop's default. */
export interface HostPortRequest {
  readonly prop: string;
  readonly port?: number;
  readonly isDefault: boolean;
}

export function claimHostPort(scope: IConstruct, hostKey: string, ip: string, request: HostPortRequest, owner: string, problems: ProblemList): void {
  const { prop, port } = request;
  if (port === undefined || Token.isUnresolved(port) || Token.isUnresolved(ip)) return;
  const described = `\`${prop}\` ${port}${request.isDefault ? ' (the default)' : ''}`;
  const ports = recordOf(scope).ports;
  const clash = ports.find((claim) => claim.hostKey === hostKey && claim.port === port && overlaps(claim.ip, ip));
  if (clash) {
    problems.add(`${described} on ${ip} is already published by ${clash.claimant}; choose another host port${request.isDefault ? ` with \`${prop}\`` : ''}`);
    return;
  }
  ports.push({ hostKey, ip, port, claimant: `${owner} at ${scope.node.path} (${described})` });
}
