/** The first retry waits up to this long; each failure doubles it. */
export const backoffBaseMs = 1000;

/** No retry waits longer than this. */
export const backoffCapMs = 5 * 60_000;

/**
 * How long to wait before attempt `attempts + 1` after `attempts` failures in a row: capped
 * exponential backoff with full jitter (a random time between 0 and min(cap, base · 2^(n−1))), so
 * stations that lost the same server do not all come back at the same second; never sooner than
 * the server's Retry-After.
 */
export function computeBackoffMs(attempts: number, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, backoffCapMs));
}
