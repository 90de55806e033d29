import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { ContainerHealthcheck, containerHealthcheckToTerraform } from '@cdktf/provider-docker/lib/container';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { RedisEngine, RedisVersion } from '../redis-version';
import { DockerContainer } from '../private/docker-container';
import { EngineFiles } from '../private/engine';
import { InternalLogin } from '../private/internals';
import { sharedText } from '../private/stack-registry';
import { ContainerLogging } from '../logging/container-logging';
import { componentLabels, CONTAINER_HARDENING, IGNORED_READ_BACK, REDIS_PORT, REDIS_UID, replacedWith, SOCKET_DIR, SOCKET_PATH } from '../private/redis-node';
import { ResolvedBackup } from './backup-checks';
import { BACKUP_SCRIPT_BODY, renderBackupScriptHead, SnapshotMethod } from './backup-script';
import { BACKUP_DIR, BACKUP_SCRIPT, BACKUP_SECRET, BACKUP_STATE_DIR, REDIS_DATA_MOUNT } from './paths';

/**
 * The backup container's memory limit: the cli and b2sum need little, but the
 * page cache of the snapshot it writes and then reads back for its checksum is
 * charged to it. Under a limit smaller than the snapshot, the writes stall on
 * writeback and the checksum reads the file from disk again; a database holds
 * at most its `containerSizeMb`, so that is the limit (at least 512 MB).
 */
const MIN_BACKUP_MEMORY_MB = 512;
/** SIGTERM ends its wait at once; a backup running then gets this long to finish its current step. */
const BACKUP_STOP_GRACE_SECONDS = 15;
/** The longest one backup may take before it is ended and reported failed. */
const MAX_BACKUP_SECONDS = 3600;

export interface BackupContainerSpec {
  readonly handle: string;
  readonly version: RedisVersion;
  readonly provider?: DockerProvider;
  readonly files: EngineFiles;
  /** The Redis container's image: it has the cli and a shell, so nothing more is pulled. */
  readonly imageId: string;
  readonly backup: ResolvedBackup;
  readonly login: InternalLogin;
  readonly restart: string;
  readonly logging: ContainerLogging;
  /** The Redis container's memory limit: a snapshot is smaller. */
  readonly containerSizeMb: number;
  /** Redis's Unix socket volume (sidecar mode): the backup container then needs no network at all. */
  readonly socketVolume?: Volume;
  /** Otherwise it joins the database network and reaches `HANDLE:6379`. */
  readonly networkName: string;
  readonly network?: TerraformResource;
  /** The data volume of a persistent database: mounted read-only where a backup copies the file a BGSAVE writes. */
  readonly dataVolume?: Volume;
}

/**
 * How a backup takes its snapshot: streamed with `cli --rdb` as the backup
 * user; or, where that cannot work, by BGSAVE and a copy of the file from the
 * data volume: before 6.0 (no ACL users, no `--askpass`) and on persistent
 * Valkey 9, which streams a cli an RDB 11 that cannot hold its hash field
 * expirations (see the backup user's rules in lib/users/acl-rules.ts).
 */
export function snapshotMethod(version: RedisVersion, login: InternalLogin): SnapshotMethod {
  if (login.user === undefined) return 'bgsave';
  return version.engine === RedisEngine.VALKEY && version.major >= 9 && version.persistent ? 'bgsave' : 'replication';
}

/**
 * `HANDLE-backup`: the Redis image running the backup script (lib/backup/backup-script.ts)
 * as uid 999, with the password of the internal `backup` user (or, before
 * Redis 6.0, the database password) in a root-owned 0640 file it reads
 * through group 0, never in its environment, command line or log.
 */
export function buildBackupContainer(scope: Construct, id: string, spec: BackupContainerSpec): DockerContainer {
  const { backup, files, login, version } = spec;
  const bgsave = snapshotMethod(version, login) === 'bgsave';
  if (bgsave && !spec.dataVolume) throw new Error(`${spec.handle}: a backup by BGSAVE copies the server's file and needs its data volume`);
  const everySeconds = backup.schedule.everySeconds ?? backup.schedule.everyHours * 3600;
  const head = renderBackupScriptHead({
    handle: spec.handle,
    versionName: version.name,
    engine: version.engine,
    displayName: files.displayName,
    cliBinary: files.cliBinary,
    backupDir: BACKUP_DIR,
    secretFile: BACKUP_SECRET,
    socketPath: spec.socketVolume ? SOCKET_PATH : undefined,
    host: spec.socketVolume ? undefined : spec.handle,
    port: spec.socketVolume ? undefined : REDIS_PORT,
    method: bgsave ? 'bgsave' : 'replication',
    user: login.user,
    redisDumpFile: bgsave ? `${REDIS_DATA_MOUNT}/dump.rdb` : undefined,
    schedule: backup.schedule,
    retention: backup.retention,
    knownVersions: RedisVersion.NAMES,
    timeoutSeconds: Math.min(MAX_BACKUP_SECONDS, everySeconds),
    failureHint: version.engine === RedisEngine.VALKEY && version.major >= 9 && !bgsave
      ? 'Valkey 9 streams the cli an RDB 11, which cannot hold hash fields with expirations: if the database\'s log says "Can\'t store key", that is why'
      : undefined,
    stateDir: BACKUP_STATE_DIR,
  });
  const memoryMb = Math.max(MIN_BACKUP_MEMORY_MB, spec.containerSizeMb);
  const healthcheck: ContainerHealthcheck = {
    test: ['CMD', 'sh', BACKUP_SCRIPT, 'health'],
    interval: '1m0s',
    timeout: '10s',
    retries: 1,
    startPeriod: '0s',
  };
  return new DockerContainer(scope, id, {
    provider: spec.provider,
    name: `${spec.handle}-backup`,
    image: spec.imageId,
    entrypoint: ['sh', BACKUP_SCRIPT],
    command: ['schedule'],
    user: `${REDIS_UID}:${REDIS_UID}`,
    groupAdd: ['0'],
    ...CONTAINER_HARDENING,
    hostname: `${spec.handle}-backup`,
    ...(spec.socketVolume
      ? { networkMode: 'none' }
      : { networksAdvanced: [{ name: spec.networkName, aliases: [`${spec.handle}-backup`] }] }),
    volumes: [
      backup.hostPath !== undefined
        ? { hostPath: backup.hostPath, containerPath: BACKUP_DIR }
        // No docker_volume: Docker creates this one when the container first mounts it, and no destroy removes it.
        : { volumeName: `${spec.handle}-backups`, containerPath: BACKUP_DIR },
      ...(spec.socketVolume ? [{ volumeName: spec.socketVolume.name, containerPath: SOCKET_DIR, readOnly: true }] : []),
      ...(bgsave ? [{ volumeName: spec.dataVolume!.name, containerPath: REDIS_DATA_MOUNT, readOnly: true }] : []),
    ],
    memory: memoryMb,
    memorySwap: memoryMb,
    restart: spec.restart,
    mustRun: false,
    stopTimeout: BACKUP_STOP_GRACE_SECONDS,
    destroyGraceSeconds: BACKUP_STOP_GRACE_SECONDS,
    upload: [
      // The body is the same for every database: stored once per stack, about 15 KiB of plan per database less.
      { file: BACKUP_SCRIPT, content: `${head}${sharedText(scope, 'cdktf_docker_redis_backup_script', BACKUP_SCRIPT_BODY)}`, permissions: '0644' },
      { file: BACKUP_SECRET, content: login.password, permissions: '0640' },
    ],
    healthcheck,
    labels: componentLabels(spec.handle, 'database', 'backup', { healthcheck: containerHealthcheckToTerraform(healthcheck), log_opts: spec.logging.logOpts, memory_swap: memoryMb }),
    ...spec.logging,
    lifecycle: {
      ignoreChanges: IGNORED_READ_BACK,
      replaceTriggeredBy: replacedWith(spec.socketVolume ? undefined : spec.network, spec.socketVolume, bgsave ? spec.dataVolume : undefined),
    },
  });
}
