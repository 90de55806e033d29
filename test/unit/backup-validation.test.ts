import { RedisBackupFile, RedisBackupOptions, RedisDatabase, RedisDatabaseProps, RedisFollower, RedisFollowerProps, RedisVersion } from '../../lib';
import { dockerStack, errorOf, warningsUnder } from '../support/synth';

function database(props: RedisDatabaseProps): RedisDatabase {
  return new RedisDatabase(dockerStack(), 'cache', props);
}

const backupError = (backup: unknown, version = RedisVersion.V7_2) => errorOf(() => database({ version, backup: backup as RedisBackupOptions }));
const restoreError = (restoreFrom: unknown, version = RedisVersion.V7_2) => errorOf(() => database({ version, restoreFrom: restoreFrom as RedisBackupFile }));
const FILE = 'cache-7.2-20261129T021300Z.rdb';

describe('RedisDatabase backup validation', () => {
  test.each([
    [{ everyHours: 0 }, '`backup.everyHours` must be an integer from 1 to 24, got 0'],
    [{ everyHours: 25 }, '`backup.everyHours` must be an integer from 1 to 24, got 25'],
    [{ everyHours: 1.5 }, '`backup.everyHours` must be an integer from 1 to 24, got 1.5'],
    [{ retainDaily: -1 }, '`backup.retainDaily` must be an integer >= 0 (days), got -1'],
    [{ retainMonthly: 1.5 }, '`backup.retainMonthly` must be an integer >= 0 (months), got 1.5'],
    [{ retainYearly: -2 }, '`backup.retainYearly` must be an integer >= 0 (years), got -2'],
    [{ retainDaily: '7' }, '`backup.retainDaily` must be an integer >= 0 (days), got "7"'],
    [{ everySecondsForTesting: 0 }, '`backup.everySecondsForTesting` must be an integer from 1 to 86400 (seconds), got 0'],
    [{ startAtUtc: '24:00' }, '`backup.startAtUtc` must be a UTC time "HH:MM" from "00:00" to "23:59", got "24:00"'],
    [{ startAtUtc: '7:30' }, '`backup.startAtUtc` must be a UTC time "HH:MM" from "00:00" to "23:59", got "7:30"'],
    [{ startAtUtc: 730 }, '`backup.startAtUtc` must be a UTC time "HH:MM" from "00:00" to "23:59", got 730'],
    [{ enabled: 'yes' }, '`backup.enabled` must be true or false, got "yes"'],
    [{ retainDays: 7 }, '`backup.retainDays` is not a backup option; the options are enabled, everyHours, startAtUtc, retainDaily, retainMonthly, retainYearly, hostPath, everySecondsForTesting'],
    [true, '`backup` must be a RedisBackupOptions object such as { retainDaily: 7 }, got true'],
    [{ everySecondsForTesting: 20, everyHours: 6 }, '`backup.everySecondsForTesting` replaces `backup.everyHours` and `backup.startAtUtc`: give either it or them'],
  ])('fails on backup %p', (backup, message) => {
    expect(backupError(backup)).toBe(`RedisDatabase cache: ${message}`);
  });

  test.each([
    ['backups', 'is relative'],
    ['./backups', 'is relative'],
    ['/', 'is the root directory'],
    ['/srv/../etc', 'is not normalized (empty, "." or ".." segments, or a trailing slash)'],
    ['/srv/backups/', 'is not normalized (empty, "." or ".." segments, or a trailing slash)'],
    ['/srv//backups', 'is not normalized (empty, "." or ".." segments, or a trailing slash)'],
    ['/srv/backups:ro', 'holds a ":", "," or a control character, which Docker\'s volume syntax cannot carry'],
    ['/srv/a,b', 'holds a ":", "," or a control character, which Docker\'s volume syntax cannot carry'],
    ['/srv/${x}', 'holds "${" or "%{", which Terraform would read as a template in the scripts that name it'],
    ['/srv/%{if}', 'holds "${" or "%{", which Terraform would read as a template in the scripts that name it'],
  ])('fails on backup.hostPath %p', (hostPath, why) => {
    expect(backupError({ hostPath })).toBe(
      `RedisDatabase cache: \`backup.hostPath\` must be an absolute, normalized directory path on the Docker host such as "/srv/backups", got ${JSON.stringify(hostPath)}, which ${why}`,
    );
  });

  test('fails listing every problem of backup and restoreFrom at once', () => {
    const message = errorOf(() => database({
      version: RedisVersion.V7_2_NORDB,
      backup: { enabled: true, everyHours: 0, retainDaily: -1, hostPath: 'rel' },
      restoreFrom: RedisBackupFile.inVolume('cache-backups', 'appendonly.aof'),
    }));
    expect(message.split('\n')).toEqual([
      'RedisDatabase cache: `backup.everyHours` must be an integer from 1 to 24, got 0',
      'RedisDatabase cache: `backup.retainDaily` must be an integer >= 0 (days), got -1',
      'RedisDatabase cache: `backup.hostPath` must be an absolute, normalized directory path on the Docker host such as "/srv/backups", got "rel", which is relative',
      'RedisDatabase cache: `restoreFrom` needs a persistent version, got memory-only "7.2-nordb": its data directory is empty after every restart, so the restore would run again at each one and bring the backup back; restore into "7.2"',
      'RedisDatabase cache: `restoreFrom` must name an RDB file (NAME.rdb, with NAME.rdb.b2sum beside it), got "appendonly.aof": an AOF cannot be restored; take a backup of the database it belongs to instead',
    ]);
  });

  test('fails on backups of a memory-only version before 6.0, whose cli cannot take a snapshot without the tmpfs', () => {
    expect(backupError({ enabled: true }, RedisVersion.V5_0_NORDB)).toBe(
      'RedisDatabase cache: `backup.enabled` on memory-only "5.0-nordb" needs Redis 6.0 or later: before 6.0 the cli cannot receive a snapshot ' +
      'unless the server first writes it into its data directory, which here is a tmpfs counted against the container\'s memory',
    );
  });

  test('warns that the backups of a memory-only database are the only copy of its data', () => {
    const db = database({ version: RedisVersion.V7_2_NORDB, backup: { enabled: true } });
    expect(warningsUnder(db)).toContainEqual(expect.stringMatching(/^RedisDatabase cache: backups of memory-only "7\.2-nordb" capture what is in memory: they are the only copy of the data that outlives a restart/));
  });

  test('warns when options have no effect because backups are off, naming them', () => {
    expect(warningsUnder(database({ version: RedisVersion.V7_2_NORDB, backup: { everyHours: 6, retainDaily: 7 } }))).toContainEqual(
      'RedisDatabase cache: `backup.everyHours`, `backup.retainDaily` have no effect: memory-only "7.2-nordb" takes no backups unless `backup.enabled` is true',
    );
    expect(warningsUnder(database({ backup: { enabled: false, hostPath: '/srv/backups' } }))).toContainEqual(
      'RedisDatabase cache: `backup.hostPath` has no effect: `backup.enabled` is false',
    );
  });

  test('warns when only the newest backup is kept, and when the test schedule is set', () => {
    const warnings = warningsUnder(database({ backup: { retainDaily: 0, retainMonthly: 0, retainYearly: 0, everySecondsForTesting: 30 } }));
    expect(warnings).toContainEqual(expect.stringContaining('`backup.retainDaily`, `retainMonthly` and `retainYearly` are all 0: only the newest backup is kept'));
    expect(warnings).toContainEqual('RedisDatabase cache: `backup.everySecondsForTesting` is set: a backup every 30 seconds, a setting for tests only');
  });

  test('takes backups of persistent versions by default, without a warning about them', () => {
    const warnings = warningsUnder(database({}));
    expect(warnings.filter((w) => /backup/.test(w))).toEqual([]);
  });
});

describe('RedisDatabase restoreFrom validation', () => {
  test.each([
    [RedisBackupFile.inVolume('bad/volume', FILE), '`restoreFrom` volume name must be a Docker volume name (letters, digits, "_", "." and "-", starting with a letter or digit), got "bad/volume"'],
    [RedisBackupFile.inVolume('cache-backups', 'sub/dir.rdb'), '`restoreFrom` file name must be a plain name at the top of the volume, such as "cache-7.2-20261129T021300Z.rdb", got "sub/dir.rdb"'],
    [RedisBackupFile.inVolume('cache-backups', '.hidden.rdb'), '`restoreFrom` file name must be a plain name at the top of the volume, such as "cache-7.2-20261129T021300Z.rdb", got ".hidden.rdb"'],
    [RedisBackupFile.inVolume('cache-backups', 'x${a}.rdb'), '`restoreFrom` file name must be a plain name at the top of the volume, such as "cache-7.2-20261129T021300Z.rdb", got "x${a}.rdb"'],
    [RedisBackupFile.atHostPath('/srv/%{x}/a.rdb'), '`restoreFrom` must be an absolute, normalized file path on the Docker host such as "/srv/backups/cache-7.2-20261129T021300Z.rdb", got "/srv/%{x}/a.rdb", which holds "${" or "%{", which Terraform would read as a template in the scripts that name it'],
    [RedisBackupFile.inVolume('cache-backups', 'dump'), '`restoreFrom` must name an RDB file (NAME.rdb, with NAME.rdb.b2sum beside it), got "dump"'],
    [RedisBackupFile.atHostPath('backups/x.rdb'), '`restoreFrom` must be an absolute, normalized file path on the Docker host such as "/srv/backups/cache-7.2-20261129T021300Z.rdb", got "backups/x.rdb", which is relative'],
    [RedisBackupFile.atHostPath('/x.rdb'), '`restoreFrom` must be an absolute, normalized file path on the Docker host such as "/srv/backups/cache-7.2-20261129T021300Z.rdb", got "/x.rdb", which is in the root directory, which would be mounted whole'],
    [RedisBackupFile.atHostPath('/srv/../x.rdb'), '`restoreFrom` must be an absolute, normalized file path on the Docker host such as "/srv/backups/cache-7.2-20261129T021300Z.rdb", got "/srv/../x.rdb", which is not normalized (empty, "." or ".." segments, or a trailing slash)'],
    [{ volumeName: 'cache-backups', fileName: FILE }, '`restoreFrom` must be a RedisBackupFile, such as RedisBackupFile.inVolume(\'cache-backups\', \'cache-7.2-20261129T021300Z.rdb\'), got {"volumeName":"cache-backups","fileName":"cache-7.2-20261129T021300Z.rdb"}'],
  ])('fails on restoreFrom %s', (restoreFrom, message) => {
    expect(restoreError(restoreFrom)).toBe(`RedisDatabase cache: ${message}`);
  });

  test('fails on a restore into memory-only from an AOF, with both problems', () => {
    expect(restoreError(RedisBackupFile.atHostPath('/srv/backups/appendonly.aof'), RedisVersion.V7_2_NORDB).split('\n')).toEqual([
      expect.stringContaining('`restoreFrom` needs a persistent version, got memory-only "7.2-nordb"'),
      expect.stringContaining('`restoreFrom` must name an RDB file (NAME.rdb, with NAME.rdb.b2sum beside it), got "appendonly.aof"'),
    ]);
  });

  test.each([
    ['cache-8.0-20261129T021300Z.rdb', RedisVersion.V7_2, '"7.2" (Redis 7.2, RDB format 11) cannot read what "8.0" (Redis 8.0, RDB format 12) writes; restore it into "8.0" or a version that reads its format'],
    ['cache-valkey-9.1-nordb-20261129T021300Z.rdb', RedisVersion.VALKEY_8_1, '"valkey-8.1" (Valkey 8.1, RDB format 11) cannot read what "valkey-9.1-nordb" (Valkey 9.1, RDB format 80) writes; restore it into "valkey-9.1" or a version that reads its format'],
    ['cache-7.4-20261129T021300Z.rdb', RedisVersion.VALKEY_9_1, '"valkey-9.1" (Valkey 9.1, RDB format 80) cannot read what "7.4" (Redis 7.4, RDB format 12) writes; restore it into "7.4" or a version that reads its format'],
  ])('fails on a backup named %s, which %s cannot load, naming both versions', (file, version, why) => {
    const parsed = /^cache-(.*)-\d{8}T\d{6}Z\.rdb$/.exec(file)![1];
    expect(restoreError(RedisBackupFile.inVolume('cache-backups', file), version)).toBe(
      `RedisDatabase cache: \`restoreFrom\` ${file} is a backup of a "${parsed}" database, and "${version.name}" cannot load it: ${why}`,
    );
  });

  test.each([
    ['cache-7.0-20261129T021300Z.rdb', RedisVersion.V7_2],
    ['cache-6.2-20261129T021300Z.rdb', RedisVersion.V6_0],
    ['cache-valkey-8.1-20261129T021300Z.rdb', RedisVersion.V7_2],
    ['cache-7.2-nordb-20261129T021300Z.rdb', RedisVersion.VALKEY_9_1],
    ['someone-elses-dump.rdb', RedisVersion.V6_0],
  ])('takes %s into %s, warning that it seeds a new database only', (file, version) => {
    const db = database({ version, restoreFrom: RedisBackupFile.atHostPath(`/srv/backups/${file}`) });
    expect(warningsUnder(db)).toContainEqual(
      `RedisDatabase cache: \`restoreFrom\` seeds the database from /srv/backups/${file} on the Docker host on its first start only; later starts skip it. ` +
      `Added to a database that already has data, it makes ${version.engine === 'redis' ? 'Redis' : 'Valkey'} refuse to start (its log says why)`,
    );
  });
});

describe('RedisFollower and backups', () => {
  test('fails on backup and restoreFrom from JavaScript: a follower is not a backup', () => {
    const stack = dockerStack();
    const primary = new RedisDatabase(stack, 'cache', {});
    const props = { primary, backup: { retainDaily: 7 }, restoreFrom: RedisBackupFile.inVolume('v', FILE) } as RedisFollowerProps;
    expect(errorOf(() => new RedisFollower(stack, 'replica', props)).split('\n')).toEqual([
      'RedisFollower replica: `backup` is not a RedisFollower prop: a follower is not a backup and is never restored; set `backup` on its primary',
      'RedisFollower replica: `restoreFrom` is not a RedisFollower prop: a follower is not a backup and is never restored; set `restoreFrom` on its primary',
    ]);
  });
});
