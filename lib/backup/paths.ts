/** Where things live in the backup container and, for a restore, in the Redis container. */

/**
 * The backup directory in the backup container: the image's `/data`, which
 * the official images give to uid 999, so Docker hands a new backups volume
 * (it copies the ownership of the directory it is mounted over) to the user
 * the backups are written as.
 */
export const BACKUP_DIR = '/data';
/** The backup container's script and password. */
export const BACKUP_CONFIG_DIR = '/usr/local/etc/cdktf-docker-redis';
export const BACKUP_SCRIPT = `${BACKUP_CONFIG_DIR}/backup.sh`;
export const BACKUP_SECRET = `${BACKUP_CONFIG_DIR}/backup.secret`;
/** The lock and the status: the container's own filesystem, which nothing else shares. */
export const BACKUP_STATE_DIR = '/tmp/cdktf-docker-redis-backup';
/** Before Redis 6.0, the data volume, read-only: the backup copies the file a BGSAVE wrote. */
export const REDIS_DATA_MOUNT = '/redis-data';
/** In the Redis container of a database created with `restoreFrom`: the backup's directory, read-only. */
export const RESTORE_SOURCE_DIR = '/restore';
