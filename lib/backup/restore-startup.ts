import { RedisEngine, RedisVersion } from '../redis-version';
import { rdbFormatsReadBy } from '../private/compatibility';
import { EngineFiles, engineFeatures } from '../private/engine';
import { DATA_DIR, NodeStartup, REDIS_PORT } from '../private/redis-node';
import { healthSecretPath } from '../users/instance-users';
import { RedisBackupFile } from './backup-file';
import { RESTORE_SOURCE_DIR } from './paths';
import { renderRestoreScript } from './restore-script';

/** The longest a restore waits on the server (loading, writing the AOF) before it gives up. */
const RESTORE_TIMEOUT_SECONDS = 3600;

export interface RestoreStartupSpec {
  readonly handle: string;
  readonly version: RedisVersion;
  readonly files: EngineFiles;
  readonly file: RedisBackupFile;
  readonly appendOnly: boolean;
  readonly nativeTls: boolean;
}

/** Who writes each RDB format, from the catalog: `{ 12: 'Redis 7.4, 8.0 or 8.2' }`. */
function formatWriters(): Record<number, string> {
  const byFormat = new Map<number, RedisVersion[]>();
  for (const v of RedisVersion.ALL.filter((entry) => entry.persistent)) byFormat.set(v.rdbFormat, [...(byFormat.get(v.rdbFormat) ?? []), v]);
  const writers: Record<number, string> = {};
  for (const [format, versions] of byFormat) {
    const engines = [...new Set(versions.map((v) => v.engine))].map((engine) => {
      const lines = versions.filter((v) => v.engine === engine).map((v) => v.engineVersion).reverse();
      const product = engine === 'redis' ? 'Redis' : 'Valkey';
      return lines.length === 1 ? `${product} ${lines[0]}` : `${product} ${lines.slice(0, -1).join(', ')} or ${lines[lines.length - 1]}`;
    });
    writers[format] = engines.join(' or ');
  }
  return writers;
}

/**
 * What the Redis container of a database created with `restoreFrom` runs
 * first: the restore script, with the backup's directory mounted read-only
 * (the volume, or the host directory of the file).
 */
export function restoreStartup(spec: RestoreStartupSpec): NodeStartup {
  const { file, files, version } = spec;
  const formats = rdbFormatsReadBy(version);
  const hostDir = file.hostPath?.slice(0, file.hostPath.lastIndexOf('/'));
  const script = renderRestoreScript({
    handle: spec.handle,
    readerName: version.name,
    readerDisplayName: files.displayName,
    serverBinary: files.serverBinary,
    cliBinary: files.cliBinary,
    checkBinary: `${version.engine}-check-rdb`,
    configPath: files.configPath,
    dataDir: DATA_DIR,
    dumpFileName: 'dump.rdb',
    sourcePath: `${RESTORE_SOURCE_DIR}/${file.fileName}`,
    sourceLabel: file.toString(),
    ownFormat: formats.own,
    readsUpTo: formats.upTo,
    formatWriters: formatWriters(),
    appendOnly: spec.appendOnly,
    auth: engineFeatures(version).acl ? 'acl' : 'requirepass',
    nativeTls: spec.nativeTls,
    timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
    sanitizedLoad: version.engine === RedisEngine.VALKEY || version.isAtLeast(6, 2),
    healthSecretFile: engineFeatures(version).acl ? healthSecretPath(files) : undefined,
    port: REDIS_PORT,
  });
  return {
    script: { file: `${files.configDir}/restore.sh`, content: script },
    mounts: [
      hostDir !== undefined
        ? { hostPath: hostDir, containerPath: RESTORE_SOURCE_DIR, readOnly: true }
        : { volumeName: file.volumeName, containerPath: RESTORE_SOURCE_DIR, readOnly: true },
    ],
  };
}
