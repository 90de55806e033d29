import { RedisVersion } from '../../lib';
import { BackupScriptData, renderBackupScript } from '../../lib/backup/backup-script';
import { backupFileName, backupStamp, parseBackupFileName, parseBackupStamp } from '../../lib/backup/names';
import { renderRestoreScript } from '../../lib/backup/restore-script';
import { backupsToKeep, prunePlan, RetentionPolicy } from '../../lib/backup/retention';
import { BackupScheduleData, defaultStartMinuteUtc, describeSchedule, formatUtcTime, lastBackupAtOrBefore, nextBackupAfter, parseUtcTime } from '../../lib/backup/schedule';
import { RETENTION_CASES, SCHEDULE_CASES, utc } from '../support/backup-cases';

describe('backup file names', () => {
  test('carry the handle, the catalog version and the UTC time to the second', () => {
    expect(backupFileName('cache', '7.2', utc('2026-11-29 02:13:07'))).toBe('cache-7.2-20261129T021307Z.rdb');
    expect(backupStamp(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });

  test.each([
    ['cache-7.2-20261129T021307Z.rdb', 'cache', '7.2'],
    ['my-cache-2-7.2-nordb-20261129T021307Z.rdb', 'my-cache-2', '7.2-nordb'],
    ['sessions-valkey-8.1-20261129T021307Z.rdb', 'sessions', 'valkey-8.1'],
    ['a-valkey-9.1-nordb-20261129T021307Z.rdb', 'a', 'valkey-9.1-nordb'],
  ])('%s names the backup of %s at version %s', (name, handle, version) => {
    const parsed = parseBackupFileName(name);
    expect({ handle: parsed?.handle, version: parsed?.version.name, takenAt: parsed?.takenAt.toISOString() })
      .toEqual({ handle, version, takenAt: '2026-11-29T02:13:07.000Z' });
  });

  test.each([
    'dump.rdb', 'cache-7.3-20261129T021307Z.rdb', 'cache-7.2-20261129T021307Z.aof', 'cache-7.2-20261329T021307Z.rdb',
    '7.2-20261129T021307Z.rdb', 'cache-7.2-20261129T0213Z.rdb', 'Cache-7.2-20261129T021307Z.rdb',
  ])('%s is not a name this library writes', (name) => {
    expect(parseBackupFileName(name)).toBeUndefined();
  });

  test('a stamp of a day that does not exist is no time at all', () => {
    expect(parseBackupStamp('20260230T000000Z')).toBeUndefined();
    expect(parseBackupStamp('20260228T235959Z')?.toISOString()).toBe('2026-02-28T23:59:59.000Z');
  });
});

describe('backup schedule', () => {
  // Pinned: another hash would move every database's backups, and replace every backup container.
  test('the default first backup time comes from the handle and is the same in every synth', () => {
    expect(formatUtcTime(defaultStartMinuteUtc('cache'))).toBe(formatUtcTime(defaultStartMinuteUtc('cache')));
    expect(['cache', 'sessions', 'queue', 'db'].map((h) => formatUtcTime(defaultStartMinuteUtc(h)))).toEqual(['17:30', '13:52', '04:37', '04:34']);
  });

  test('the default first backup times of a fleet spread over the whole day', () => {
    const hours = new Set(Array.from({ length: 200 }, (_, i) => Math.floor(defaultStartMinuteUtc(`db-${i}`) / 60)));
    expect(hours.size).toBe(24);
    const minutes = new Set(Array.from({ length: 200 }, (_, i) => defaultStartMinuteUtc(`db-${i}`)));
    // Distinct minutes for almost every handle: a handful of 200 may share one.
    expect(minutes.size).toBeGreaterThan(180);
  });

  test.each([['00:00', 0], ['02:13', 133], ['23:59', 1439]])('reads %s as %p minutes after midnight UTC', (text, minutes) => {
    expect(parseUtcTime(text)).toBe(minutes);
    expect(formatUtcTime(minutes)).toBe(text);
  });

  test.each(['24:00', '7:00', '07:60', '0700', 'noon', ' 07:00', '07:00Z'])('%p is not a time of day', (text) => {
    expect(parseUtcTime(text)).toBeUndefined();
  });

  test.each(SCHEDULE_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const schedule: BackupScheduleData = c.schedule;
    const now = utc(c.now).getTime() / 1000;
    expect(new Date(nextBackupAfter(schedule, now) * 1000).toISOString()).toBe(utc(c.next).toISOString());
    expect(new Date(lastBackupAtOrBefore(schedule, now) * 1000).toISOString()).toBe(utc(c.last).toISOString());
  });

  test('describes itself for the script header', () => {
    expect(describeSchedule({ startSecondsUtc: 133 * 60, everyHours: 24 })).toBe('daily at 02:13 UTC');
    expect(describeSchedule({ startSecondsUtc: 133 * 60, everyHours: 6 })).toBe('every 6 hours from 02:13 UTC each day');
    expect(describeSchedule({ startSecondsUtc: 0, everyHours: 24, everySeconds: 20 })).toBe('every 20 seconds (test setting)');
  });
});

describe('retention: which scheduled backups pruning keeps', () => {
  test.each(RETENTION_CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const names = c.backups.map((at) => backupFileName('cache', '7.2', utc(at)));
    const kept = backupsToKeep(names, c.policy, utc(c.now));
    expect(kept.map((name) => parseBackupFileName(name)!.takenAt.toISOString().replace('T', ' ').replace('.000Z', ''))).toEqual(c.kept);
  });

  test('names that carry no time are left out', () => {
    expect(backupsToKeep(['dump.rdb', 'cache-7.2-20261129T021307Z.rdb'], { daily: 1, monthly: 0, yearly: 0 }, utc('2026-12-01 00:00:00'))).toEqual(['cache-7.2-20261129T021307Z.rdb']);
  });
});

describe('retention: what pruning removes from a backup directory', () => {
  const policy: RetentionPolicy = { daily: 1, monthly: 0, yearly: 0 };
  const now = utc('2026-11-29 12:00:00');
  const meta = (name: string, extra: Record<string, string> = {}) => {
    const parsed = parseBackupFileName(name)!;
    return { name: `${name}.meta`, meta: { writer: 'cdktf-docker-redis', handle: parsed.handle, version: parsed.version.name, trigger: 'scheduled', ...extra } };
  };
  const backup = (name: string, extra: Record<string, string> = {}) => [{ name }, { name: `${name}.b2sum` }, meta(name, extra)];

  test('removes the scheduled backups the policy does not keep, and nothing else: on-demand backups, other databases\' files and foreign files stay', () => {
    const files = [
      ...backup('cache-7.2-20261129T020000Z.rdb'),
      ...backup('cache-7.2-20261128T020000Z.rdb'),
      ...backup('cache-7.2-20261127T020000Z.rdb', { trigger: 'on-demand' }),
      ...backup('cache-7.0-20261126T020000Z.rdb'),
      // Another database whose handle starts like this one's, in the same directory.
      ...backup('cache-2-7.2-20261125T020000Z.rdb'),
      // Named like a backup of this database, but no .meta of it says so.
      { name: 'cache-7.2-20261124T020000Z.rdb' },
      // Its .meta names another handle.
      { name: 'cache-7.2-20261123T020000Z.rdb' }, meta('cache-7.2-20261123T020000Z.rdb', { handle: 'other' }),
      // Its .meta names another version than its name.
      { name: 'cache-7.2-20261122T020000Z.rdb' }, meta('cache-7.2-20261122T020000Z.rdb', { version: '7.0' }),
      // Not a catalog version.
      { name: 'cache-7.3-20261121T020000Z.rdb' }, meta('cache-7.2-20261121T020000Z.rdb'),
      { name: 'notes.txt' }, { name: 'cache.index' },
    ];
    expect(prunePlan('cache', files, RedisVersion.NAMES, policy, now)).toEqual({
      keep: ['cache-7.2-20261129T020000Z.rdb', 'cache-7.2-20261127T020000Z.rdb'],
      remove: ['cache-7.2-20261128T020000Z.rdb', 'cache-7.0-20261126T020000Z.rdb'],
    });
  });

  test('never removes the newest scheduled backup, even with every count at 0', () => {
    const files = [...backup('cache-7.2-20261129T020000Z.rdb'), ...backup('cache-7.2-20261128T020000Z.rdb')];
    expect(prunePlan('cache', files, RedisVersion.NAMES, { daily: 0, monthly: 0, yearly: 0 }, now)).toEqual({
      keep: ['cache-7.2-20261129T020000Z.rdb'],
      remove: ['cache-7.2-20261128T020000Z.rdb'],
    });
  });
});

describe('the rendered scripts', () => {
  const backupInput: BackupScriptData = {
    handle: 'cache', versionName: '7.2', engine: 'redis', displayName: 'Redis 7.2', cliBinary: 'redis-cli', backupDir: '/data',
    secretFile: '/secret', socketPath: '/run/redis/redis.sock', method: 'replication', user: 'backup',
    schedule: { startSecondsUtc: 133 * 60, everyHours: 24 }, retention: { daily: 30, monthly: 12, yearly: 0 },
    knownVersions: RedisVersion.NAMES, timeoutSeconds: 3600, stateDir: '/tmp/state',
  };
  const backup = renderBackupScript(backupInput);
  const restore = renderRestoreScript({
    handle: 'cache', readerName: '7.2', readerDisplayName: 'Redis 7.2', serverBinary: 'redis-server', cliBinary: 'redis-cli', checkBinary: 'redis-check-rdb',
    configPath: '/usr/local/etc/redis/redis.conf', dataDir: '/data', dumpFileName: 'dump.rdb', sourcePath: '/restore/x.rdb', sourceLabel: "it's x.rdb",
    ownFormat: 11, readsUpTo: 11, formatWriters: { 11: 'Redis 7.2' }, appendOnly: true, auth: 'acl', nativeTls: false, timeoutSeconds: 3600,
    sanitizedLoad: true, healthSecretFile: '/usr/local/etc/redis/health.secret', port: 6379,
  });

  test('hold nothing Terraform would read as a template in an upload\'s content', () => {
    for (const script of [backup, restore]) expect(script).not.toMatch(/\$\{|%\{/);
  });

  test('quote what they are given for the shell', () => {
    expect(restore).toContain(`LABEL='it'\\''s x.rdb'`);
    expect(backup).toContain("KNOWN_VERSIONS=' 8.2 8.2-nordb ");
  });

  test('are the same text for the same input', () => {
    expect(renderBackupScript({ ...backupInput })).toBe(backup);
  });

  test('fails to render a backup script without its connection or method inputs', () => {
    const base = {
      handle: 'cache', versionName: '7.2', engine: 'redis', displayName: 'Redis 7.2', cliBinary: 'redis-cli', backupDir: '/data', secretFile: '/secret',
      schedule: { startSecondsUtc: 0, everyHours: 24 }, retention: { daily: 1, monthly: 0, yearly: 0 }, knownVersions: [], timeoutSeconds: 1, stateDir: '/s',
    };
    expect(() => renderBackupScript({ ...base, method: 'replication', user: 'backup' })).toThrow('give exactly one of socketPath and host');
    expect(() => renderBackupScript({ ...base, socketPath: '/s', method: 'replication' })).toThrow('the replication method needs the backup user');
    expect(() => renderBackupScript({ ...base, socketPath: '/s', method: 'bgsave' })).toThrow('the bgsave method needs the server\'s dump file');
  });
});
