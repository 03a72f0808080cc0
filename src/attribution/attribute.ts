/**
 * Attribution of one user or visitor: first and last touch, the multi-touch
 * credits, and the identify traits, under the configured options.
 */
import { CREDIT_MODELS, creditBy, firstTouch, lastTouch, type CreditModel, type ModelOptions } from './models';
import type { Touch } from './touches';
import { buildIdentifyTraits, type FlatValue } from './traits';

export interface Attribution {
  first: Touch | null;
  last: Touch | null;
  credits: Record<CreditModel, { channel: Record<string, number>; source: Record<string, number> }>;
  /** Exactly the traits identify sends. */
  traits: Record<string, FlatValue>;
}

/** Computes the attribution of a set of touches. */
export function attribute(touches: readonly Touch[], options: ModelOptions): Attribution {
  const first = firstTouch(touches, options);
  const last = lastTouch(touches, options);
  const credits = Object.fromEntries(CREDIT_MODELS.map((m) => [m, creditBy(touches, m, options)])) as Attribution['credits'];
  return { first: first ?? null, last: last ?? null, credits, traits: buildIdentifyTraits(first, last) };
}
