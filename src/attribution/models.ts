/**
 * Attribution models over a user's (or visitor's) touches. Pure.
 *
 * - First touch: the earliest touch.
 * - Last touch: the latest non-direct touch, or direct when there is no other
 *   (`non-direct`, the default, as GA4's last non-direct click); or simply the
 *   latest (`any`).
 * - Multi-touch credit per channel and source: linear, time decay (7-day
 *   half-life, as GA4's former time-decay model), position based (40% first,
 *   40% last, 20% shared by the middle).
 * - An optional lookback window keeps only touches within N days before the
 *   reference time (the conversion, or now).
 */
import { compareByTime, type Touch } from './touches';

export type LastTouchMode = 'non-direct' | 'any';
export const CREDIT_MODELS = ['linear', 'time_decay', 'position_based'] as const;
export type CreditModel = (typeof CREDIT_MODELS)[number];

/** Time decay halves a touch's weight for every 7 days before the reference time. */
export const TIME_DECAY_HALF_LIFE_DAYS = 7;
/** Position based: the first and the last touch each get 40%, the touches between share 20%. */
export const POSITION_BASED_ENDS = 0.4;

const DAY_MS = 86_400_000;

export interface ModelOptions {
  /** Default `non-direct`. */
  lastTouch?: LastTouchMode;
  /** Keep only touches within this many days before `reference`. Default: no window. */
  lookbackDays?: number;
  /** The conversion time the window and time decay count back from. Default: the latest touch. */
  reference?: Date;
}

/** The touches a model sees: sorted by time, and within the lookback window if one is set. */
export function touchesInWindow(touches: readonly Touch[], options: ModelOptions = {}): Touch[] {
  const sorted = [...touches].sort(compareByTime);
  if (options.lookbackDays === undefined) return sorted;
  const reference = (options.reference ?? new Date(Date.parse(sorted[sorted.length - 1]?.timestamp ?? '1970-01-01'))).getTime();
  const from = reference - options.lookbackDays * DAY_MS;
  return sorted.filter((t) => {
    const time = Date.parse(t.timestamp);
    return time >= from && time <= reference;
  });
}

/** The earliest touch. */
export function firstTouch(touches: readonly Touch[], options: ModelOptions = {}): Touch | undefined {
  return touchesInWindow(touches, options)[0];
}

/** The latest touch the model sees, direct or not: the identify's timestamp. */
export function latestTouch(touches: readonly Touch[], options: ModelOptions = {}): Touch | undefined {
  const sorted = touchesInWindow(touches, options);
  return sorted[sorted.length - 1];
}

/** The latest touch: the latest non-direct one unless `lastTouch` is `any`. */
export function lastTouch(touches: readonly Touch[], options: ModelOptions = {}): Touch | undefined {
  const sorted = touchesInWindow(touches, options);
  if (options.lastTouch === 'any') return sorted[sorted.length - 1];
  const nonDirect = sorted.filter((t) => t.channel !== 'Direct');
  return nonDirect[nonDirect.length - 1] ?? sorted[sorted.length - 1];
}

/** Each touch's share of the credit under a model; the shares sum to 1. */
export function touchCredits(
  touches: readonly Touch[],
  model: CreditModel,
  options: ModelOptions = {},
): { touch: Touch; credit: number }[] {
  const sorted = touchesInWindow(touches, options);
  const n = sorted.length;
  if (n === 0) return [];
  let weights: number[];
  switch (model) {
    case 'linear':
      weights = sorted.map(() => 1);
      break;
    case 'time_decay': {
      const reference = (options.reference ?? new Date(Date.parse(sorted[n - 1]?.timestamp ?? '1970-01-01'))).getTime();
      weights = sorted.map((t) => 2 ** (-Math.max(0, reference - Date.parse(t.timestamp)) / (TIME_DECAY_HALF_LIFE_DAYS * DAY_MS)));
      break;
    }
    case 'position_based':
      weights =
        n === 1
          ? [1]
          : n === 2
            ? [0.5, 0.5]
            : sorted.map((_, i) => (i === 0 || i === n - 1 ? POSITION_BASED_ENDS : (1 - 2 * POSITION_BASED_ENDS) / (n - 2)));
      break;
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return sorted.map((touch, i) => ({ touch, credit: (weights[i] ?? 0) / total }));
}

/** Credit per channel and per source under a model, rounded to 4 decimals. */
export function creditBy(
  touches: readonly Touch[],
  model: CreditModel,
  options: ModelOptions = {},
): { channel: Record<string, number>; source: Record<string, number> } {
  const channel: Record<string, number> = {};
  const source: Record<string, number> = {};
  for (const { touch, credit } of touchCredits(touches, model, options)) {
    channel[touch.channel] = (channel[touch.channel] ?? 0) + credit;
    source[touch.source] = (source[touch.source] ?? 0) + credit;
  }
  const round = (r: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 10_000) / 10_000]));
  return { channel: round(channel), source: round(source) };
}
