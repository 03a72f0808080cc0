/**
 * What conversions add to the daily report counters. Pure.
 *
 * Each conversion counts on its own day, credited with the touches before it
 * (creditConversion), under every model:
 * - `conversions:<model>`: USER_UNITS per conversion, shared by its touches;
 * - `value:<model>:<currency>`: its value in hundredths, shared the same way.
 *   Currencies are kept apart and never converted: sma has no exchange rates
 *   it could vouch for, and a sum across currencies means nothing;
 * - `conversions_untouched`: the conversions no touch came before (credited to
 *   Direct, as GA4 does);
 * - `convert_days:<bucket>` and `convert_touches:<bucket>`: the distributions
 *   of days from first touch to conversion and of touches per conversion,
 *   under the first touch's channel, source and campaign.
 *
 * Every amount is a whole number, so adding a contribution and later taking
 * it back is exact and counters never drift.
 */
import { creditConversion, DIRECT_SHARE, type Conversion, type TouchShare } from './conversions';
import { addTo, dayOf, dims, parseCounterId, REPORT_MODELS, USER_UNITS, wholeUnits, type Contribution, type ReportModel } from './counters';
import type { ModelOptions } from './models';
import type { Touch } from './touches';

const SECONDS_PER_DAY = 86_400;

/** Values are counted in hundredths of their currency's unit, exactly. */
export const VALUE_UNITS = 100;

/** The currency part of a value counter for a conversion without one. */
export const NO_CURRENCY = '(not set)';

/** The most characters of a currency in a counter id; longer codes are not currencies anyone sums. */
export const MAX_CURRENCY_LENGTH = 16;

/** Days from first touch to conversion: bucket lower bounds and labels, in order. */
export const DAYS_TO_CONVERT_BUCKETS = [
  [0, '0'],
  [1, '1-3'],
  [4, '4-7'],
  [8, '8-14'],
  [15, '15-30'],
  [31, '31-90'],
  [91, '91+'],
] as const;

/** Touches per conversion: bucket lower bounds and labels, in order. */
export const TOUCHES_TO_CONVERT_BUCKETS = [
  [1, '1'],
  [2, '2'],
  [3, '3'],
  [4, '4-5'],
  [6, '6-10'],
  [11, '11+'],
] as const;

function bucketOf(n: number, buckets: readonly (readonly [number, string])[]): string {
  let label = buckets[0]?.[1] ?? String(n);
  for (const [from, name] of buckets) if (n >= from) label = name;
  return label;
}

/** A currency as it appears in a counter id: as given, but without the separators counter ids use. */
export function currencyKey(currency: string | null): string {
  if (currency === null) return NO_CURRENCY;
  // eslint-disable-next-line no-control-regex
  return currency.replace(/[#\u0000-\u001f]/g, '_').slice(0, MAX_CURRENCY_LENGTH) || NO_CURRENCY;
}

type SharedMetric = `conversions:${ReportModel}` | `value:${ReportModel}:${string}`;

function addShares(c: Contribution, day: string, metric: SharedMetric, shares: readonly TouchShare[], total: number): void {
  const units = wholeUnits(
    shares.map((s) => s.credit),
    total,
  );
  shares.forEach((s, i) => addTo(c, { day, metric, ...dims(s) }, units[i] ?? 0));
}

/** What one conversion adds to the counters, credited with `touches` (the person's, over every linked visitor). */
export function addConversion(c: Contribution, conversion: Conversion, touches: readonly Touch[], options: ModelOptions): void {
  const credit = creditConversion(touches, conversion.timestamp, options);
  const day = dayOf(conversion.timestamp);
  const cents = conversion.value ? Math.round(conversion.value.amount * VALUE_UNITS) : 0;
  const currency = currencyKey(conversion.value?.currency ?? null);
  for (const model of REPORT_MODELS) {
    const shares = credit.shares[model];
    addShares(c, day, `conversions:${model}`, shares, USER_UNITS);
    if (cents > 0) addShares(c, day, `value:${model}:${currency}`, shares, cents);
  }
  const first = credit.shares.first_touch[0];
  if (credit.noTouch || !first) {
    addTo(c, { day, metric: 'conversions_untouched', ...dims(first ?? DIRECT_SHARE) }, 1);
    return;
  }
  const days = Math.floor((credit.secondsToConvert ?? 0) / SECONDS_PER_DAY);
  addTo(c, { day, metric: `convert_days:${bucketOf(days, DAYS_TO_CONVERT_BUCKETS)}`, ...dims(first) }, 1);
  addTo(c, { day, metric: `convert_touches:${bucketOf(credit.touches, TOUCHES_TO_CONVERT_BUCKETS)}`, ...dims(first) }, 1);
}

/** True when a contribution counts a conversion: each one adds to the `conversions:` metric of every model. */
export function countsConversions(c: Contribution): boolean {
  return Object.keys(c).some((id) => parseCounterId(id)?.metric.startsWith('conversions:') === true);
}

/** What a person's conversions add to the counters, each credited at its own time. */
export function conversionContribution(conversions: readonly Conversion[], touches: readonly Touch[], options: ModelOptions): Contribution {
  const c: Contribution = {};
  for (const conversion of conversions) addConversion(c, conversion, touches, options);
  return c;
}
