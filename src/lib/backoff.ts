/**
 * Retry waits: capped exponential backoff, with full jitter (AWS's advice)
 * where many clients retry together, so that they spread out instead of
 * colliding again. Each caller names its own policy.
 */

export interface BackoffPolicy {
  /** The cap of the first retry's wait; it doubles with each attempt. */
  baseMs: number;
  /** No wait is longer. */
  capMs: number;
}

/** The longest wait before retry `attempt` (1 for the first retry): min(cap, base·2^attempt). */
export function exponentialMs(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}

/** The wait before retry `attempt`, with full jitter: uniform in [0, exponentialMs). */
export function backoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return random() * exponentialMs(policy, attempt);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
