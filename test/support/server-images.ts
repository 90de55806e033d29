import { execFileSync } from 'child_process';
import { RedisVersion } from '../../lib';

/**
 * The test images scripts/build-test-images.sh builds from Debian's suites
 * (no image registry is reachable here). Each tag names the release the
 * image really carries: the script checks it at build time.
 */
const PREFIX = process.env.TEST_IMAGE_PREFIX ?? 'cdktf-docker-redis-test';

export interface ServerImage {
  /** For test names, such as "Valkey 8.1". */
  readonly label: string;
  readonly image: string;
  /** The catalog entry whose rendered config this server runs. */
  readonly version: RedisVersion;
}

export const REDIS_FAMILY_IMAGES: readonly ServerImage[] = [
  { label: 'Redis 7.0', image: `${PREFIX}/redis:7.0`, version: RedisVersion.V7_0 },
  { label: 'Redis 8.0', image: `${PREFIX}/redis:8.0`, version: RedisVersion.V8_0 },
  { label: 'Valkey 8.0', image: `${PREFIX}/valkey:8.0`, version: RedisVersion.VALKEY_8_0 },
  { label: 'Valkey 8.1', image: `${PREFIX}/valkey:8.1`, version: RedisVersion.VALKEY_8_1 },
  { label: 'Valkey 9.1', image: `${PREFIX}/valkey:9.1`, version: RedisVersion.VALKEY_9_1 },
  { label: 'Redis 6.0', image: `${PREFIX}/redis:6.0`, version: RedisVersion.V6_0 },
];

/** The newest Redis image: what the default-shaped stacks run. */
export const NEWEST_REDIS_IMAGE = REDIS_FAMILY_IMAGES[1];
/** The oldest pair, for a database declared at an older version. */
export const OLDEST_REDIS_IMAGE = REDIS_FAMILY_IMAGES[0];

export const HAPROXY_IMAGES = ['2.6', '3.0', '3.2'].map((line) => ({ label: `HAProxy ${line}`, image: `${PREFIX}/haproxy:${line}` }));
export const NEWEST_HAPROXY_IMAGE = HAPROXY_IMAGES[2];
export const OLDEST_HAPROXY_IMAGE = HAPROXY_IMAGES[0];

/** The memory-only flavor of a persistent catalog entry. */
export function memoryOnlyOf(version: RedisVersion): RedisVersion {
  const flavor = RedisVersion.ALL.find((v) => !v.persistent && v.persistentFlavor === version);
  if (!flavor) throw new Error(`no memory-only flavor of ${version.name} in the catalog`);
  return flavor;
}

/** Fails, naming the script that builds them, when test images are missing: a suite never skips. */
export function requireImages(images: readonly string[]): void {
  const missing = images.filter((image) => {
    try {
      execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 30_000 });
      return false;
    } catch {
      return true;
    }
  });
  // Docker 28 (scripts/start-docker28.sh) gets its images from the machine's engine when it starts.
  const build = process.env.CDKTF_DOCKER_REDIS_TEST_ENGINE === 'docker28' ? 'sudo bash scripts/build-test-images.sh && sudo bash scripts/start-docker28.sh' : 'sudo bash scripts/build-test-images.sh';
  if (missing.length > 0) throw new Error(`test images missing: ${missing.join(', ')}; run \`${build}\``);
}

/** prometheus-redis-exporter, Debian's build of oliver006/redis_exporter; its entrypoint is the exporter. */
export const REDIS_EXPORTER_IMAGE = `${PREFIX}/redis-exporter:1.69`;

/**
 * Which real server proves each catalog entry's rendered config: its own
 * release line's test image, or a neighbour whose rendered config is the same
 * but for the header line (test/unit/version-proofs.test.ts shows that), or
 * none: text only, by the unit tests. README's version table says the same.
 */
export const PROVEN_BY: Readonly<Record<string, { readonly image?: ServerImage; readonly neighbour?: RedisVersion }>> = {
  '8.2': { image: REDIS_FAMILY_IMAGES[1], neighbour: RedisVersion.V8_0 },
  '8.0': { image: REDIS_FAMILY_IMAGES[1] },
  '7.4': { image: REDIS_FAMILY_IMAGES[1], neighbour: RedisVersion.V8_0 },
  '7.2': { image: REDIS_FAMILY_IMAGES[0], neighbour: RedisVersion.V7_0 },
  '7.0': { image: REDIS_FAMILY_IMAGES[0] },
  '6.2': {},
  '6.0': { image: REDIS_FAMILY_IMAGES[5] },
  '5.0': {},
  '4.0': {},
  'valkey-9.1': { image: REDIS_FAMILY_IMAGES[4] },
  'valkey-9.0': { image: REDIS_FAMILY_IMAGES[4], neighbour: RedisVersion.VALKEY_9_1 },
  'valkey-8.1': { image: REDIS_FAMILY_IMAGES[3] },
  'valkey-8.0': { image: REDIS_FAMILY_IMAGES[2] },
};
