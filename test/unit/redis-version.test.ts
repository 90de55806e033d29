import { RedisEngine, RedisVersion } from '../../lib';
import { incompatibility, rdbFormatIncompatibility } from '../../lib/private/compatibility';

describe('RedisVersion catalog', () => {
  test('lists every supported release with its memory-only flavor, Redis then Valkey, newest first', () => {
    expect(RedisVersion.NAMES).toEqual([
      '8.2', '8.2-nordb', '8.0', '8.0-nordb', '7.4', '7.4-nordb', '7.2', '7.2-nordb', '7.0', '7.0-nordb',
      '6.2', '6.2-nordb', '6.0', '6.0-nordb', '5.0', '5.0-nordb', '4.0', '4.0-nordb',
      'valkey-9.1', 'valkey-9.1-nordb', 'valkey-9.0', 'valkey-9.0-nordb', 'valkey-8.1', 'valkey-8.1-nordb', 'valkey-8.0', 'valkey-8.0-nordb',
    ]);
  });

  test('pins every image to an exact patch release of the same line of the official image', () => {
    for (const version of RedisVersion.ALL) {
      const repository = version.engine === RedisEngine.REDIS ? 'redis' : 'valkey/valkey';
      expect(version.image).toBe(`${repository}:${version.patchRelease}`);
      expect(version.patchRelease).toMatch(new RegExp(`^${version.engineVersion.replace('.', '\\.')}\\.\\d+$`));
    }
  });

  test('carries engine, release line and license in the entry, not in its name', () => {
    expect(RedisVersion.VALKEY_8_1).toMatchObject({ engine: RedisEngine.VALKEY, engineVersion: '8.1', major: 8, minor: 1, license: 'BSD-3-Clause', persistent: true });
    expect(RedisVersion.V7_2.license).toBe('BSD-3-Clause');
    expect(RedisVersion.V7_4.license).toBe('RSALv2 OR SSPLv1');
    expect(RedisVersion.V8_0.license).toBe('RSALv2 OR SSPLv1 OR AGPLv3');
  });

  test('records the RDB format each release writes', () => {
    expect(RedisVersion.ALL.map((v) => `${v.name}:${v.rdbFormat}`).filter((e) => !e.includes('nordb'))).toEqual([
      '8.2:12', '8.0:12', '7.4:12', '7.2:11', '7.0:10', '6.2:9', '6.0:9', '5.0:9', '4.0:8',
      'valkey-9.1:80', 'valkey-9.0:80', 'valkey-8.1:11', 'valkey-8.0:11',
    ]);
  });

  test('marks -nordb flavors memory-only and links them to their persistent flavor', () => {
    expect(RedisVersion.V7_2.persistent).toBe(true);
    expect(RedisVersion.V7_2_NORDB.persistent).toBe(false);
    expect(RedisVersion.V7_2_NORDB.engineVersion).toBe('7.2');
    expect(RedisVersion.V7_2_NORDB.image).toBe(RedisVersion.V7_2.image);
    expect(RedisVersion.V7_2_NORDB.persistentFlavor).toBe(RedisVersion.V7_2);
    expect(RedisVersion.VALKEY_9_0_NORDB.persistentFlavor).toBe(RedisVersion.VALKEY_9_0);
    expect(RedisVersion.V7_2.persistentFlavor).toBe(RedisVersion.V7_2);
  });

  test('defaults to the newest persistent Redis version', () => {
    expect(RedisVersion.DEFAULT).toBe(RedisVersion.V8_2);
    expect(RedisVersion.DEFAULT.persistent).toBe(true);
  });

  test('looks versions up by name', () => {
    expect(RedisVersion.of('7.2-nordb')).toBe(RedisVersion.V7_2_NORDB);
    expect(RedisVersion.of('valkey-8.0')).toBe(RedisVersion.VALKEY_8_0);
    expect(RedisVersion.find('9.9')).toBeUndefined();
  });

  test('fails on an unknown version, listing the valid ones', () => {
    expect(() => RedisVersion.of('7.3')).toThrow(`unknown Redis version "7.3"; valid versions: ${RedisVersion.NAMES.join(', ')}`);
  });

  test('fails to change the catalog from outside: ALL and NAMES are frozen', () => {
    expect(() => RedisVersion.NAMES.push('9.9')).toThrow(TypeError);
    expect(() => RedisVersion.ALL.push(RedisVersion.V7_2)).toThrow(TypeError);
    expect(RedisVersion.NAMES).not.toContain('9.9');
  });

  test('compares release lines of one engine, ignoring the flavor', () => {
    expect(RedisVersion.V6_2.isOlderThan(RedisVersion.V7_0)).toBe(true);
    expect(RedisVersion.V7_0.isOlderThan(RedisVersion.V6_2)).toBe(false);
    expect(RedisVersion.V7_2_NORDB.isOlderThan(RedisVersion.V7_2)).toBe(false);
    expect(RedisVersion.V4_0.isAtLeast(5, 0)).toBe(false);
    expect(RedisVersion.V5_0.isAtLeast(5, 0)).toBe(true);
    expect(RedisVersion.VALKEY_8_0.isOlderThan(RedisVersion.V8_2)).toBe(false);
  });

  test('flags end-of-life release lines', () => {
    const eol = RedisVersion.ALL.filter((v) => v.endOfLife).map((v) => v.engineVersion);
    expect([...new Set(eol)]).toEqual(['8.0', '7.0', '6.0', '5.0', '4.0']);
  });
});

describe('which version can load what another writes (followers, restores)', () => {
  test.each([
    ['7.2', 'valkey-8.0'],
    ['7.2', 'valkey-9.1'],
    ['6.2', 'valkey-8.1'],
    ['valkey-8.0', 'valkey-8.1'],
    ['valkey-8.1', '7.2'],
    ['valkey-8.1', '8.2'],
    ['7.0', '8.0'],
    ['8.0-nordb', '8.2'],
    ['valkey-9.0', 'valkey-9.1'],
  ])('%s -> %s works', (writer, reader) => {
    expect(incompatibility(RedisVersion.of(writer), RedisVersion.of(reader))).toBeUndefined();
  });

  test.each([
    ['7.4', 'valkey-8.1', '"valkey-8.1" (Valkey 8.1, RDB format 11) cannot read what "7.4" (Redis 7.4, RDB format 12) writes'],
    ['8.2', 'valkey-9.1', '"valkey-9.1" (Valkey 9.1, RDB format 80) cannot read what "8.2" (Redis 8.2, RDB format 12) writes'],
    ['valkey-9.0', '8.2', '"8.2" (Redis 8.2, RDB format 12) cannot read what "valkey-9.0" (Valkey 9.0, RDB format 80) writes'],
    ['valkey-9.1', 'valkey-8.1', '"valkey-8.1" (Valkey 8.1, RDB format 11) is older than "valkey-9.1" (Valkey 9.1, RDB format 80): it must run 9.1 or newer'],
    ['7.2', '6.2', '"6.2" (Redis 6.2, RDB format 9) is older than "7.2" (Redis 7.2, RDB format 11): it must run 7.2 or newer'],
    ['valkey-8.0', '7.0', '"7.0" (Redis 7.0, RDB format 10) cannot read what "valkey-8.0" (Valkey 8.0, RDB format 11) writes'],
  ])('fails %s -> %s', (writer, reader, reason) => {
    expect(incompatibility(RedisVersion.of(writer), RedisVersion.of(reader))).toBe(reason);
  });
});

describe('which RDB files a version loads (the format table alone)', () => {
  test('a same-format file of a newer release of the engine loads, though a follower must not be older than its primary', () => {
    expect(rdbFormatIncompatibility(RedisVersion.VALKEY_8_1, RedisVersion.VALKEY_8_0)).toBeUndefined();
    expect(incompatibility(RedisVersion.VALKEY_8_1, RedisVersion.VALKEY_8_0)).toMatch(/is older than "valkey-8.1"/);
  });

  test('fails Redis 7.4 and later into any Valkey, and Valkey 9 into anything but Valkey 9', () => {
    for (const reader of [RedisVersion.VALKEY_8_0, RedisVersion.VALKEY_8_1, RedisVersion.VALKEY_9_0, RedisVersion.VALKEY_9_1]) {
      expect(rdbFormatIncompatibility(RedisVersion.V7_4, reader)).toMatch(/cannot read what "7.4" \(Redis 7.4, RDB format 12\) writes$/);
    }
    for (const reader of [RedisVersion.V8_2, RedisVersion.VALKEY_8_1]) {
      expect(rdbFormatIncompatibility(RedisVersion.VALKEY_9_0, reader)).toMatch(/cannot read what "valkey-9.0" \(Valkey 9.0, RDB format 80\) writes$/);
    }
    expect(rdbFormatIncompatibility(RedisVersion.VALKEY_9_1, RedisVersion.VALKEY_9_0)).toBeUndefined();
  });
});
