/**
 * When to try a webhook again. Like Svix: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts
 * over about 28 hours. Each delay gets ±20 % jitter so endpoints that failed together do not retry in lockstep.
 */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/**
 * A receiver's Retry-After is honoured up to this; longer requests are treated as this long.
 * @internal exported for its tests
 */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export interface RetryPolicy {
  /** Delay before attempt n+2 after attempt n+1 failed; its length + 1 is the number of attempts. */
  delaysMs: readonly number[];
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: DEFAULT_RETRY_DELAYS_MS, jitter: 0.2 };

/**
 * The delay before the next attempt after `attemptsMade` failed attempts, or undefined when they are used up.
 * `retryAfterMs` (from a 429/503 Retry-After header) replaces the scheduled delay.
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | undefined {
  const scheduled = policy.delaysMs[attemptsMade - 1];
  if (scheduled === undefined) return undefined;
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), MAX_RETRY_AFTER_MS);
  return Math.round(scheduled * (1 + policy.jitter * (2 * random() - 1)));
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(date - nowMs, 0);
}
