import { RedisDatabase, RedisVersion } from '../../lib';
import { CATALOG_PINS, IMAGE_PINS, LINES_NOT_IN_CATALOG, VersionPin } from '../../lib/private/version-pins';
import { dockerStack, synthJson } from '../support/synth';

/**
 * Consistency, not freshness: the catalog and the default images deploy what
 * the pin record says, and the record is well-formed. README "Versions" says
 * how a maintainer refreshes it.
 */
const catalogLines = [...new Set(RedisVersion.ALL.map((v) => `${v.engine} ${v.engineVersion}`))];

function patchParts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map(Number);
}

function isNotNewer(a: string, b: string): boolean {
  const [x, y] = [patchParts(a), patchParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return true;
}

test('every catalog line has exactly one pin row, and every row a catalog line', () => {
  expect(Object.keys(CATALOG_PINS).sort()).toEqual([...catalogLines].sort());
});

test.each(RedisVersion.ALL.map((v) => [v.name, v] as const))('%s deploys the pinned patch and takes its end of life from the record', (_name, v) => {
  const pin = CATALOG_PINS[`${v.engine} ${v.engineVersion}`];
  expect(v.patchRelease).toBe(pin.pinned);
  expect(v.image).toBe(`${v.engine === 'redis' ? 'redis' : 'valkey/valkey'}:${pin.pinned}`);
  expect(v.endOfLife).toBe(pin.upstream === 'end of life');
});

test('the sidecar and exporter default to their pinned images', () => {
  const stack = dockerStack();
  new RedisDatabase(stack, 'cache', { metrics: { enabled: true } });
  const images = Object.values(synthJson(stack).resource.docker_image as Record<string, any>).map((i) => i.name).sort();
  expect(images).toEqual([`haproxy:${IMAGE_PINS.haproxy.pinned}`, `oliver006/redis_exporter:${IMAGE_PINS['oliver006/redis_exporter'].pinned}`,
    RedisVersion.DEFAULT.image].sort());
});

test.each([...Object.entries(CATALOG_PINS), ...Object.entries(IMAGE_PINS)])('the %s row is well-formed', (_line, pin: VersionPin) => {
  // The newest patch of the same line.
  expect(patchParts(pin.pinned).slice(0, 2)).toEqual(patchParts(pin.newestKnown).slice(0, 2));
  expect(isNotNewer(pin.pinned, pin.newestKnown)).toBe(true);
  // A missed security release needs a newer patch to have been missed.
  if (pin.securityReleaseMissed) expect(pin.pinned).not.toBe(pin.newestKnown);
  expect(pin.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(pin.source.length).toBeGreaterThan(10);
});

test('the lines upstream publishes that the catalog lacks are not in it', () => {
  for (const line of Object.keys(LINES_NOT_IN_CATALOG)) expect(catalogLines).not.toContain(line);
});

test('the default is the newest persistent Redis line of the catalog', () => {
  const redis = RedisVersion.ALL.filter((v) => v.engine === 'redis' && v.persistent);
  expect(redis.every((v) => isNotNewer(v.engineVersion, RedisVersion.DEFAULT.engineVersion))).toBe(true);
});
