/**
 * What each visitor and each user adds to the daily report counters, as pure
 * functions. The counters are kept incrementally: when a visitor's touches or
 * a user's links change, the entity's new contribution is computed, compared
 * with the one it made before, and only the difference is applied. Reports
 * then read a few counter partitions instead of scanning any table.
 *
 * Counters, per UTC day and per (channel, source, campaign):
 * - `touches`: every touch, on the day it happened;
 * - `new_visitors`: each visitor's first touch, on that day;
 * - `users:<model>`: each identified user, on the day they were first linked,
 *   credited to their touches by the model (first touch, last touch, linear,
 *   time decay, position based). A user with no touches is counted as
 *   Unassigned, so the users of a day always add up.
 */
import { boundedUtf8 } from '../lib/utf8';
import { CREDIT_MODELS, firstTouch, lastTouch, touchCredits, type ModelOptions } from './models';
import { compareByTime, type Touch } from './touches';

/** Attribution models of the report: first and last touch, and the multi-touch models. */
export const REPORT_MODELS = ['first_touch', 'last_touch', ...CREDIT_MODELS] as const;
export type ReportModel = (typeof REPORT_MODELS)[number];

export const METRICS = ['touches', 'new_visitors', ...REPORT_MODELS.map((m) => `users:${m}` as const)] as const;

/**
 * Conversion metrics (see conversion-counters.ts): conversions and their value
 * per model, value per currency, the conversions no touch came before, and
 * the two distributions (days and touches to convert) by bucket.
 */
export type ConversionMetric =
  | `conversions:${ReportModel}`
  | `value:${ReportModel}:${string}`
  | 'conversions_untouched'
  | `convert_days:${string}`
  | `convert_touches:${string}`;

export type Metric = (typeof METRICS)[number] | ConversionMetric;

const CONVERSION_METRIC = new RegExp(
  `^(conversions:(${REPORT_MODELS.join('|')})|value:(${REPORT_MODELS.join('|')}):.+|conversions_untouched|convert_(days|touches):.+)$`,
);

/** True when a counter id's metric part is one sma writes. */
export function isMetric(metric: string): metric is Metric {
  return (METRICS as readonly string[]).includes(metric) || CONVERSION_METRIC.test(metric);
}

/**
 * One user counts this many units in `users:*` counters. Multi-touch credits
 * are fractions of a user; kept as whole units, adding and later subtracting
 * the same credit is exact, so counters never drift.
 */
export const USER_UNITS = 1_000_000;

/** GA4's label for a missing value. */
export const NOT_SET = '(not set)';
/** The channel of users with no touch at all. */
export const UNASSIGNED = 'Unassigned';

/** What one counter counts. */
export interface CounterKey {
  day: string;
  metric: Metric;
  channel: string;
  source: string;
  campaign: string;
}

/** Counter id → amount this entity adds to it. */
export type Contribution = Record<string, number>;

/** Separates the parts of a counter id; a control character no channel, source or campaign contains after cleaning. */
const SEP = '\u001f';

/**
 * The most bytes of a source or campaign in a counter id. Ids are sort keys
 * (at most 1,024 bytes with an import's tag); a longer value counts under a
 * bounded form that stays distinct (boundedUtf8), while its touches keep it
 * whole.
 */
export const MAX_COUNTER_PART_BYTES = 200;

/** The counter id: `<day>#<metric>#<channel>␟<source>␟<campaign>`, sorted by day first. */
export function counterId(k: CounterKey): string {
  const clean = (s: string): string => boundedUtf8(s.replaceAll(SEP, ' '), MAX_COUNTER_PART_BYTES);
  return `${k.day}#${k.metric}#${clean(k.channel)}${SEP}${clean(k.source)}${SEP}${clean(k.campaign)}`;
}

/**
 * A counter row of one bulk import: the counter id with the import's tag as a
 * fourth part. An import writes what its visitors add up to as absolute
 * values under its own rows, so a repeat overwrites instead of adding twice;
 * a report adds every row of a counter (see baseCounterId).
 */
export function taggedCounterId(id: string, tag: string): string {
  return `${id}${SEP}${tag.replaceAll(SEP, ' ')}`;
}

/** The fifth part of a take-back row (see takeBackCounterId). */
const TAKE_BACK = 'live';

/**
 * A row that counts with one import's rows and takes back what they count for
 * one of its visitors: the visitor came in live before the import had
 * finished and was counted then, one by one. Its amounts are added (not set,
 * as the import's own rows are), by the commit that counted the visitor.
 */
export function takeBackCounterId(id: string, tag: string): string {
  return `${taggedCounterId(id, tag)}${SEP}${TAKE_BACK}`;
}

/**
 * A counter row's parts: the counter it counts for, and the import's tag when
 * it is an import's row or one of its take-back rows (both count once that
 * import has finished).
 */
export function splitCounterRow(rowId: string): { id: string; tag: string | undefined } {
  const parts = rowId.split(SEP);
  return parts.length > 3 ? { id: parts.slice(0, 3).join(SEP), tag: parts[3] } : { id: rowId, tag: undefined };
}

/** The counter a row counts for: the id without an import's tag. */
export function baseCounterId(rowId: string): string {
  return splitCounterRow(rowId).id;
}

/** Adds one contribution into a running sum (in place). */
export function addContribution(into: Contribution, c: Contribution): void {
  for (const [id, n] of Object.entries(c)) into[id] = (into[id] ?? 0) + n;
}

export function parseCounterId(id: string): CounterKey | undefined {
  const [day, metric, dims] = splitOnce(id, '#', 2);
  const parts = dims?.split(SEP);
  if (!day || !metric || !parts || parts.length !== 3 || !isMetric(metric)) return undefined;
  const [channel = '', source = '', campaign = ''] = parts;
  return { day, metric, channel, source, campaign };
}

function splitOnce(s: string, sep: string, times: number): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < times; i++) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/** The UTC day (YYYY-MM-DD) of an ISO time. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** A touch's counter dimensions, with GA4's label for what is missing. */
export function dims(t: Pick<Touch, 'channel' | 'source' | 'campaign'>): Pick<CounterKey, 'channel' | 'source' | 'campaign'> {
  return { channel: t.channel || NOT_SET, source: t.source || NOT_SET, campaign: t.campaign ?? NOT_SET };
}

/** Adds `amount` to one counter of a contribution (in place). */
export function addTo(c: Contribution, key: CounterKey, amount: number): void {
  if (amount === 0) return;
  const id = counterId(key);
  c[id] = (c[id] ?? 0) + amount;
}

/** A visitor's contribution: each touch, and its first touch as a new visitor. */
export function visitorContribution(touches: readonly Touch[]): Contribution {
  const c: Contribution = {};
  const sorted = [...touches].sort(compareByTime);
  for (const t of sorted) addTo(c, { day: dayOf(t.timestamp), metric: 'touches', ...dims(t) }, 1);
  const first = sorted[0];
  if (first) addTo(c, { day: dayOf(first.timestamp), metric: 'new_visitors', ...dims(first) }, 1);
  return c;
}

/**
 * A user's contribution, on the day they were identified, under every model.
 * Credits are rounded to whole units with the remainder given to the largest
 * share, so each model adds exactly USER_UNITS per user.
 */
export function userContribution(touches: readonly Touch[], identifiedAt: string, options: ModelOptions): Contribution {
  const c: Contribution = {};
  const day = dayOf(identifiedAt);
  const unassigned = { channel: UNASSIGNED, source: NOT_SET, campaign: NOT_SET };
  const whole = (metric: Metric, t: Touch | undefined): void => addTo(c, { day, metric, ...(t ? dims(t) : unassigned) }, USER_UNITS);
  whole('users:first_touch', firstTouch(touches, options));
  whole('users:last_touch', lastTouch(touches, options));
  for (const model of CREDIT_MODELS) {
    const credits = touchCredits(touches, model, options);
    if (credits.length === 0) {
      whole(`users:${model}`, undefined);
      continue;
    }
    const units = wholeUnits(
      credits.map(({ credit }) => credit),
      USER_UNITS,
    );
    credits.forEach(({ touch }, i) => addTo(c, { day, metric: `users:${model}`, ...dims(touch) }, units[i] ?? 0));
  }
  return c;
}

/**
 * `total` whole units shared in proportion to `credits` (which sum to 1):
 * each share rounded down, and the units lost to rounding given to the
 * largest shares first, so the parts always add up to `total` exactly.
 */
export function wholeUnits(credits: readonly number[], total: number): number[] {
  const units = credits.map((credit) => Math.floor(credit * total));
  let rest = total - units.reduce((a, b) => a + b, 0);
  const order = credits.map((_, i) => i).sort((a, b) => (credits[b] ?? 0) - (credits[a] ?? 0) || a - b);
  for (const i of order) {
    if (rest <= 0) break;
    units[i] = (units[i] ?? 0) + 1;
    rest -= 1;
  }
  return units;
}

/** What to add to each counter to go from `before` to `after`; counters that do not change are left out. */
export function contributionDelta(before: Contribution, after: Contribution): Contribution {
  const delta: Contribution = {};
  for (const [id, n] of Object.entries(after)) {
    const d = n - (before[id] ?? 0);
    if (d !== 0) delta[id] = d;
  }
  for (const [id, n] of Object.entries(before)) if (!(id in after) && n !== 0) delta[id] = -n;
  return delta;
}
