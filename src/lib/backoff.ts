/**
 * Retry waits: capped exponential backoff with full jitter (AWS's advice),
 * so that clients retrying together spread out instead of colliding again.
 * Each caller names its own policy.
 */

export interface BackoffPolicy {
  /** The cap of the first retry's wait; it doubles with each attempt. */
  baseMs: number;
  /** No wait is longer. */
  capMs: number;
}

/** The wait before retry `attempt` (1 for the first retry): uniform in [0, min(cap, base·2^attempt)). */
export function backoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
