import { Capability } from '../private/capability';
import { ResolvedBackup } from './backup-checks';
import { buildBackupContainer } from './backup-container';
import { RedisBackupFile } from './backup-file';
import { restoreStartup } from './restore-startup';

/** A restore as the Redis container's first start (`restoreFrom`), and the `Backup` container beside the node (`backup`). */
export function backupCapability(backup: ResolvedBackup | undefined, restoreFrom: RedisBackupFile | undefined): Capability {
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
