import { Redis } from './clients';

/** Writes `seq:N` keys one at a time for `durationMs`; returns when each write was acknowledged. */
export async function writeSequence(client: Redis, durationMs: number): Promise<number[]> {
  const ackedAt: number[] = [];
  const writeUntil = Date.now() + durationMs;
  for (let i = 0; Date.now() < writeUntil && i < 1_000_000; i++) {
    const reply = await client.set(`seq:${i}`, String(i));
    if (reply !== 'OK') throw new Error(`SET seq:${i} answered ${reply}`);
    ackedAt.push(Date.now());
  }
  return ackedAt;
}

/**
 * How long before `crashedAt` the oldest acknowledged write that is now
 * missing was acknowledged: 0 when nothing was lost.
 */
export async function oldestLostWriteAgeMs(client: Redis, ackedAt: number[], crashedAt: number): Promise<number> {
  const values: Array<string | null> = [];
  for (let i = 0; i < ackedAt.length; i += 1000) {
    const keys = ackedAt.slice(i, i + 1000).map((_, j) => `seq:${i + j}`);
    values.push(...(await client.mget(...keys)));
  }
  const lost = ackedAt.filter((_, i) => values[i] !== String(i));
  return lost.length === 0 ? 0 : crashedAt - Math.min(...lost);
}
