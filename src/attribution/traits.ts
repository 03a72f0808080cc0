/**
 * Flattening touches into Segment traits and track properties: flat
 * snake_case only, because Segment's destinations (Mixpanel, Customer.io,
 * warehouses) handle nested objects badly. The names are a public contract.
 */
import type { Touch } from './touches';

/**
 * The touch fields that become `source_first_<field>` / `source_last_<field>`:
 * every classifier field (but `touch`, which is always true for a touch) plus
 * when and where the visitor landed.
 */
export const TOUCH_FIELDS = [
  'channel',
  'source',
  'medium',
  'campaign',
  'content',
  'term',
  'campaign_id',
  'click_id',
  'referrer_host',
  'reason',
  'timestamp',
  'landing_page',
  'referrer',
] as const satisfies readonly (keyof Touch)[];

export type FlatValue = string | null;

/** One touch as flat properties, optionally prefixed (`source_first_`). Absent values are null, so a stale trait is cleared. */
export function flattenTouch(touch: Touch, prefix = ''): Record<string, FlatValue> {
  return Object.fromEntries(TOUCH_FIELDS.map((field) => [`${prefix}${field}`, touch[field] ?? null]));
}

/** The identify traits for a first and a last touch. */
export function buildIdentifyTraits(first: Touch | undefined, last: Touch | undefined): Record<string, FlatValue> {
  return { ...(first ? flattenTouch(first, 'source_first_') : {}), ...(last ? flattenTouch(last, 'source_last_') : {}) };
}
