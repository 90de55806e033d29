import { isIPv4, isIPv6 } from 'net';
import { Token } from 'cdktf';

/**
 * Collects every problem of one construct so the user sees them all in one
 * synth run instead of fixing them one error at a time.
 */
export class ProblemList {
  private readonly problems: string[] = [];

  constructor(private readonly subject: string) {}

  /** How many problems are listed so far. */
  public get count(): number {
    return this.problems.length;
  }

  public add(problem: string): void {
    this.problems.push(`${this.subject}: ${problem}`);
  }

  public integerAtLeast(prop: string, value: number | undefined, min: number, unit: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min) {
      this.add(`\`${prop}\` must be an integer >= ${min} (${unit}), got ${value}`);
    }
  }

  public port(prop: string, value: number | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      this.add(`\`${prop}\` must be an integer from 1 to 65535, got ${value}`);
    }
  }

  public matches(prop: string, value: string | undefined, pattern: RegExp, allowed: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!pattern.test(value)) {
      this.add(`\`${prop}\` must be ${allowed}, got "${value}"`);
    }
  }

  /** Throws one error listing every problem, one per line. */
  public throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new Error(this.problems.join('\n'));
    }
  }
}

export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9-]{0,40}$/;
export const HANDLE_RULE = 'lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

export function isHostname(value: string): boolean {
  return DNS_NAME.test(value) || IPV4.test(value);
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

/** `ADDRESS/PREFIX`, an IPv4 address with a prefix of 0 to 32 or an IPv6 one with 0 to 128, as HAProxy's `src` reads it. */
export function isCidr(value: string): boolean {
  // Hex digits, dots and colons only: Node would also take an IPv6 zone (`%eth0`), which HAProxy does not.
  const m = /^([0-9A-Fa-f.:]+)\/(\d{1,3})$/.exec(value);
  if (!m) return false;
  const prefix = Number(m[2]);
  return isIPv4(m[1]) ? prefix <= 32 : isIPv6(m[1]) && prefix <= 128;
}

export const MAX_HANDLE_LENGTH = 41;

/** Derives a handle from a construct id: `MyCache` becomes `mycache`, `my_cache` becomes `my-cache`. */
export function handleFromId(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_HANDLE_LENGTH);
}

/** "1 character", "2 characters". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Further than this, a suggestion is more often a different name than the one meant. */
const MAX_SUGGESTION_DISTANCE = 2;

/** The name a misspelling most likely meant: the nearest within two edits, alphabetically first on a tie. */
export function closestName(names: Iterable<string>, name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const candidate of [...names].sort()) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
