/**
 * The one record of what the catalog and the default images are pinned to,
 * per release line: the pinned patch, the newest upstream patch known, the
 * date that was checked and where. `RedisVersion` and the default images read
 * their tags from here, and `cdktf-docker-redis versions` shows it. A unit
 * test holds every catalog line and default image to a row (consistency, not
 * freshness: README "Versions" says how a maintainer refreshes it).
 *
 * Sources named below:
 * - OFFICIAL: docker-library/official-images, `library/redis` and
 *   `library/haproxy` at commit 37079fb336 (2026-08-21), and their history.
 * - SEPTEMBER: the Redis security release of 2026-09-18, official-images PR
 *   22312, which that snapshot predates: known from the project's reference
 *   notes and issue 20, not read here.
 */

export type UpstreamStatus = 'supported' | 'end of life';

/** What upstream publishes of a release line, as far as known at `checked`. */
export interface UpstreamLine {
  /** The newest upstream patch release of the line. */
  readonly newestKnown: string;
  readonly upstream: UpstreamStatus;
  /** ISO date the row was checked. */
  readonly checked: string;
  /** Where it was checked, and what the releases fixed. */
  readonly source: string;
}

export interface VersionPin extends UpstreamLine {
  /** The patch release (or image tag) the library deploys. */
  readonly pinned: string;
  /** Whether a release after `pinned`, up to `newestKnown`, fixed a security problem. */
  readonly securityReleaseMissed: boolean;
}

const CHECKED = '2026-12-03';
const OFFICIAL = 'official-images library/redis @37079fb336 (2026-08-21)';
const NOT_RECHECKED_VALKEY = 'not re-checked: valkey/valkey is no official-images library; the reachable valkey-io/valkey mirror ends 2024-10. '
  + 'Last security release known: 9.1.1 (2026-07-21, CVE-2026-56684, CVE-2026-63639), older than the pin';

function pin(pinned: string, upstream: UpstreamStatus, source: string, newestKnown = pinned, securityReleaseMissed = false): VersionPin {
  return { pinned, newestKnown, securityReleaseMissed, upstream, checked: CHECKED, source };
}

/** Catalog lines, by `<engine> <line>`. */
export const CATALOG_PINS: Readonly<Record<string, VersionPin>> = {
  'redis 8.2': pin('8.2.10', 'supported', `${OFFICIAL} has 8.2.9; 8.2.10 is the SEPTEMBER release (official-images PR 22312: cluster bus `
    + 'warning, ACL rechecked at EXEC). 8.2.8 fixed remote code execution through a crafted stream RESTORE payload'),
  'redis 8.0': pin('8.0.6', 'end of life', 'left the official images 2026-05-07 (official-images 165262a5f3, PR 21400) at 8.0.6'),
  'redis 7.4': pin('7.4.11', 'supported', OFFICIAL),
  'redis 7.2': pin('7.2.16', 'supported', OFFICIAL),
  'redis 7.0': pin('7.0.15', 'end of life', `not in ${OFFICIAL}; 7.0.15 is the last 7.0 release`),
  'redis 6.2': pin('6.2.24', 'supported', OFFICIAL),
  'redis 6.0': pin('6.0.20', 'end of life', `not in ${OFFICIAL}; 6.0.20 is the last 6.0 release`),
  'redis 5.0': pin('5.0.14', 'end of life', `not in ${OFFICIAL}; 5.0.14 is the last 5.0 release`),
  'redis 4.0': pin('4.0.14', 'end of life', `not in ${OFFICIAL}; 4.0.14 is the last 4.0 release`),
  'valkey 9.1': pin('9.1.2', 'supported', NOT_RECHECKED_VALKEY),
  'valkey 9.0': pin('9.0.6', 'supported', NOT_RECHECKED_VALKEY),
  'valkey 8.1': pin('8.1.10', 'supported', NOT_RECHECKED_VALKEY),
  'valkey 8.0': pin('8.0.11', 'supported', NOT_RECHECKED_VALKEY),
};

/** Default images of the other containers, by image name. */
export const IMAGE_PINS: Readonly<Record<'haproxy' | 'oliver006/redis_exporter', VersionPin>> = {
  // The sidecar config is proven on HAProxy 2.6, 3.0 and 3.2 (test images); 3.4.3, the newer LTS line, is not.
  'haproxy': pin('3.2.22', 'supported', 'official-images library/haproxy @37079fb336 (2026-08-21): 3.2.22 newest of the 3.2 LTS line; '
    + '3.4.3 (LTS, `latest`) and 3.3.13 exist, unproven here'),
  'oliver006/redis_exporter': pin('v1.93.0', 'supported', 'not re-checked: the reachable oliver006/redis_exporter mirror ends at v1.88.0 '
    + '(2026-08), older than the pin'),
};

/**
 * Redis lines upstream publishes official images of that the catalog lacks:
 * each needs its config directive and ACL tables read from its sources
 * (config-directives.ts, acl-rules.ts), which are not reachable here.
 */
export const LINES_NOT_IN_CATALOG: Readonly<Record<string, UpstreamLine>> = {
  'redis 8.10': { newestKnown: '8.10.2', upstream: 'supported', checked: CHECKED, source: `${OFFICIAL} has 8.10.1; 8.10.2 is the SEPTEMBER release` },
  'redis 8.8': { newestKnown: '8.8.3', upstream: 'supported', checked: CHECKED, source: `${OFFICIAL} has 8.8.2; 8.8.3 is the SEPTEMBER release` },
  'redis 8.6': { newestKnown: '8.6.7', upstream: 'supported', checked: CHECKED, source: `${OFFICIAL} has 8.6.6; 8.6.7 is the SEPTEMBER release` },
  'redis 8.4': { newestKnown: '8.4.6', upstream: 'supported', checked: CHECKED, source: OFFICIAL },
};

/** The pin of a catalog line; a line without one is a release mistake, caught by the unit tests. */
export function catalogPin(engine: string, line: string): VersionPin {
  const found = CATALOG_PINS[`${engine} ${line}`];
  if (!found) throw new Error(`no version pin for ${engine} ${line} in lib/private/version-pins.ts`);
  return found;
}

/** `<name>:<pinned>` of a default image. */
export function pinnedImage(name: keyof typeof IMAGE_PINS): string {
  return `${name}:${IMAGE_PINS[name].pinned}`;
}
