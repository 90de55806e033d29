import { RedisVersion } from '../../lib';

describe('RedisVersion catalog', () => {
  test('lists every supported release with its memory-only flavor, newest first', () => {
    expect(RedisVersion.NAMES).toEqual([
      '8.2', '8.2-nordb', '8.0', '8.0-nordb', '7.4', '7.4-nordb', '7.2', '7.2-nordb', '7.0', '7.0-nordb',
      '6.2', '6.2-nordb', '6.0', '6.0-nordb', '5.0', '5.0-nordb', '4.0', '4.0-nordb',
    ]);
  });

  test('pins every image to an exact patch release of the same line', () => {
    for (const version of RedisVersion.ALL) {
      expect(version.image).toMatch(/^redis:\d+\.\d+\.\d+$/);
      expect(version.patchRelease.startsWith(`${version.engineVersion}.`)).toBe(true);
    }
  });

  test('marks -nordb flavors memory-only', () => {
    expect(RedisVersion.V7_2.persistent).toBe(true);
    expect(RedisVersion.V7_2_NORDB.persistent).toBe(false);
    expect(RedisVersion.V7_2_NORDB.engineVersion).toBe('7.2');
    expect(RedisVersion.V7_2_NORDB.image).toBe(RedisVersion.V7_2.image);
  });

  test('defaults to the newest persistent version', () => {
    expect(RedisVersion.DEFAULT).toBe(RedisVersion.V8_2);
    expect(RedisVersion.DEFAULT.persistent).toBe(true);
  });

  test('looks versions up by name', () => {
    expect(RedisVersion.of('7.2-nordb')).toBe(RedisVersion.V7_2_NORDB);
    expect(RedisVersion.find('9.9')).toBeUndefined();
  });

  test('fails on an unknown version, listing the valid ones', () => {
    expect(() => RedisVersion.of('7.3')).toThrow(`unknown Redis version "7.3"; valid versions: ${RedisVersion.NAMES.join(', ')}`);
  });

  test('compares release lines, ignoring the flavor', () => {
    expect(RedisVersion.V6_2.isOlderThan(RedisVersion.V7_0)).toBe(true);
    expect(RedisVersion.V7_0.isOlderThan(RedisVersion.V6_2)).toBe(false);
    expect(RedisVersion.V7_2_NORDB.isOlderThan(RedisVersion.V7_2)).toBe(false);
    expect(RedisVersion.V4_0.isAtLeast(5, 0)).toBe(false);
    expect(RedisVersion.V5_0.isAtLeast(5, 0)).toBe(true);
  });

  test('flags end-of-life release lines', () => {
    const eol = RedisVersion.ALL.filter((v) => v.endOfLife).map((v) => v.engineVersion);
    expect([...new Set(eol)]).toEqual(['7.0', '6.0', '5.0', '4.0']);
  });
});
