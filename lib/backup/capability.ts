import { Capability, CapabilityEntry } from '../private/capability';
import { checkBackup, checkRestore, refuseBackupProps, ResolvedBackup } from './backup-checks';
import { buildBackupContainer } from './backup-container';
import { RedisBackupFile } from './backup-file';
import { restoreStartup } from './restore-startup';

/** A restore as the Redis container's first start (`restoreFrom`), and the `Backup` container beside the node (`backup`). */
function backupCapability(backup: ResolvedBackup | undefined, restoreFrom: RedisBackupFile | undefined): Capability {
  return {
    name: 'backup',
    node: ({ handle, version, files, settings, nativeTls }) => (restoreFrom ? {
      startup: restoreStartup({ handle, version, files, file: restoreFrom, appendOnly: settings.appendOnly, nativeTls }),
      internals: { restoring: true },
    } : {}),
    companions: (instance) => {
      if (backup) {
        buildBackupContainer(instance.scope, 'Backup', {
          handle: instance.handle, version: instance.version, files: instance.files, imageId: instance.redisImageId, backup, login: instance.access.backup,
          restart: instance.restart, logging: instance.logging, provider: instance.options.provider, containerSizeMb: instance.settings.containerSizeMb,
          socketVolume: instance.socketVolume, networkName: instance.networkName, network: instance.network, dataVolume: instance.dataVolume,
        });
      }
      return {};
    },
  };
}

/** A database's `backup` and `restoreFrom`; a follower has neither, and is told so. */
export const backupEntry: CapabilityEntry = {
  name: 'backup',
  checkOrder: 4,
  check: ({ check, kind, version, props }) => {
    if (kind === 'follower') {
      refuseBackupProps(check, props);
      return backupCapability(undefined, undefined);
    }
    // A database's own props; checkBackup and checkRestore take them as JavaScript callers may give them.
    const { backup, restoreFrom } = props as { readonly backup?: unknown; readonly restoreFrom?: unknown };
    return backupCapability(checkBackup(check, version, backup), checkRestore(check, version, restoreFrom));
  },
};
