/**
 * A backup to seed a new database from (`RedisDatabaseProps.restoreFrom`):
 * an RDB file with its checksum, `FILE.rdb.b2sum`, beside it.
 */
export class RedisBackupFile {
  /**
   * A file in a Docker volume on the database's Docker host, such as one of
   * the backups in `HANDLE-backups` (`npx cdktf-docker-redis backups HANDLE`
   * lists them).
   *
   * @param volumeName the volume, such as `cache-backups`
   * @param fileName the file at the volume's top, such as `cache-7.2-20261129T021300Z.rdb`
   */
  public static inVolume(volumeName: string, fileName: string): RedisBackupFile {
    return new RedisBackupFile(volumeName, undefined, fileName);
  }

  /**
   * A file on the Docker host, such as a backup in a `backup.hostPath`
   * directory, or an RDB file from elsewhere with a checksum made for it
   * (`b2sum FILE.rdb > FILE.rdb.b2sum`). It must be readable by uid 999.
   *
   * @param path the absolute path of the file on the Docker host
   */
  public static atHostPath(path: string): RedisBackupFile {
    const slash = path.lastIndexOf('/');
    return new RedisBackupFile(undefined, path, slash >= 0 ? path.slice(slash + 1) : path);
  }

  /** The volume holding the file, for `inVolume`. */
  public readonly volumeName?: string;
  /** The file's absolute path on the Docker host, for `atHostPath`. */
  public readonly hostPath?: string;
  /** The file's name. */
  public readonly fileName: string;

  private constructor(volumeName: string | undefined, hostPath: string | undefined, fileName: string) {
    this.volumeName = volumeName;
    this.hostPath = hostPath;
    this.fileName = fileName;
  }

  /** For messages: "FILE in volume VOLUME" or the host path. */
  public toString(): string {
    return this.volumeName !== undefined ? `${this.fileName} in volume ${this.volumeName}` : `${this.hostPath} on the Docker host`;
  }
}
