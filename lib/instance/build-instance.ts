/**
 * The composition of one instance: the shared parts (lib/private/instance-core.ts)
 * and the capabilities, each one folder and one entry in `CAPABILITIES`. It sits
 * above the capabilities, so lib/private never imports them (test/unit/layering.test.ts).
 */
import { Construct } from 'constructs';
import { backupEntry } from '../backup/capability';
import { failoverEntry } from '../failover/capability';
import { metricsEntry } from '../metrics/capability';
import { Capability, CapabilityEntry, CheckRequest, InstanceSpec } from '../private/capability';
import {
  buildNode, instanceResources, instanceSecrets, publishCredentials, recordInternals, RedisService,
} from '../private/instance-core';
import { ensureSettinglessProviders } from '../private/providers';
import { instanceAccess, usersEntry } from '../users/capability';

/** What the public constructs resolved from their props: the shared spec and the capabilities their checks made. */
export interface RedisInstanceSpec extends InstanceSpec {
  /** What `checkCapabilities` returned, in the list's order. */
  readonly capabilities: readonly Capability[];
}

/**
 * The capabilities of every instance, in the order they contribute: config
 * transforms, server files and preconditions are joined in this order, and
 * companion containers are built in it (construct order is plan order). Their
 * checks run in each entry's `checkOrder`.
 */
export const CAPABILITIES: readonly CapabilityEntry[] = [
  failoverEntry,
  usersEntry,
  metricsEntry,
  backupEntry,
];

/**
 * Runs every capability's checks, in their `checkOrder`, and returns the
 * capabilities they made, in the list's order, for `buildInstance`. The
 * caller throws the problems they collected before building anything.
 */
export function checkCapabilities(request: CheckRequest, entries: readonly CapabilityEntry[] = CAPABILITIES): Capability[] {
  const checked = new Map<CapabilityEntry, Capability>();
  // Array.prototype.sort is stable: entries of equal order check in the list's.
  for (const entry of [...entries].sort((a, b) => a.checkOrder - b.checkOrder)) checked.set(entry, entry.check(request));
  return entries.map((entry) => checked.get(entry)!);
}

/** Builds one database or follower once its props are valid. */
export function buildInstance(scope: Construct, spec: RedisInstanceSpec): RedisService {
  ensureSettinglessProviders(scope);
  const secrets = instanceSecrets(scope, spec);
  const access = instanceAccess(scope, spec, secrets);
  const instance = instanceResources(scope, spec, secrets, access);

  const { capabilities } = spec;
  const contributions = capabilities.map((capability) => capability.node?.(instance) ?? {});
  const built = buildNode(instance, capabilities, contributions);
  const { credentials, appCredentials } = publishCredentials(built);
  recordInternals(built, contributions);

  const companions = capabilities.map((capability) => capability.companions?.(built) ?? {});
  return companions.reduce<RedisService>((service, c) => ({ ...service, ...c.attributes }), { credentials, appCredentials, dependableFqn: built.node.dependableFqn });
}
