/**
 * The composition of one instance: the shared parts (lib/private/instance-core.ts)
 * and the capabilities, each one folder and one entry in `CAPABILITIES`. It sits
 * above the capabilities, so lib/private never imports them (test/unit/layering.test.ts).
 */
import { Construct } from 'constructs';
import { backupCapability } from '../backup/capability';
import { ResolvedBackup } from '../backup/backup-checks';
import { RedisBackupFile } from '../backup/backup-file';
import { CrossHostFollower, failoverCapability } from '../failover/capability';
import { metricsCapability } from '../metrics/capability';
import { ResolvedMetrics } from '../metrics/metrics-checks';
import { Capability, InstanceSpec } from '../private/capability';
import {
  buildNode, instanceResources, instanceSecrets, publishCredentials, recordInternals, RedisService,
} from '../private/instance-core';
import { ensureSettinglessProviders } from '../private/providers';
import { instanceAccess, USERS } from '../users/capability';

/** What the public constructs resolved from their props: the shared spec and each capability's checked props. */
export interface RedisInstanceSpec extends InstanceSpec {
  readonly crossHost?: CrossHostFollower;
  readonly metrics?: ResolvedMetrics;
  /** Databases only: backups, and the backup to seed a new database from. */
  readonly backup?: ResolvedBackup;
  readonly restoreFrom?: RedisBackupFile;
}

/**
 * The capabilities of every instance, in the order they contribute: config
 * transforms, server files and preconditions are joined in this order, and
 * companion containers are built in it (construct order is plan order).
 */
export const CAPABILITIES: ReadonlyArray<(spec: RedisInstanceSpec) => Capability> = [
  (spec) => failoverCapability(spec.crossHost),
  () => USERS,
  (spec) => metricsCapability(spec.metrics),
  (spec) => backupCapability(spec.backup, spec.restoreFrom),
];

/** Builds one database or follower once its props are valid. */
export function buildInstance(scope: Construct, spec: RedisInstanceSpec): RedisService {
  ensureSettinglessProviders(scope);
  const secrets = instanceSecrets(scope, spec);
  const access = instanceAccess(scope, spec, secrets);
  const instance = instanceResources(scope, spec, secrets, access);

  const capabilities = CAPABILITIES.map((capabilityFor) => capabilityFor(spec));
  const contributions = capabilities.map((capability) => capability.node?.(instance) ?? {});
  const built = buildNode(instance, capabilities, contributions);
  const { credentials, appCredentials } = publishCredentials(built);
  recordInternals(built, contributions);

  const companions = capabilities.map((capability) => capability.companions?.(built) ?? {});
  return companions.reduce<RedisService>((service, c) => ({ ...service, ...c.attributes }), { credentials, appCredentials, dependableFqn: built.node.dependableFqn });
}
