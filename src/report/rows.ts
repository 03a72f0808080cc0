/**
 * What the report's parts share: the counters of the range, parsed once, and
 * how their rows are summed, rounded and ordered.
 */
import { parseCounterId, type CounterKey } from '../attribution/counters';

/** Rows in the sources and campaigns tables. */
export const MAX_TABLE_ROWS = 50;

/** A counter of the report's range: what it counts, the index of its day in the range, and its amount. */
export interface RangeCounter {
  key: CounterKey;
  day: number;
  n: number;
}

/** The counters whose day is one of `days`, parsed; ids sma does not write are left out. */
export function rangeCounters(counters: ReadonlyMap<string, number>, days: readonly string[]): RangeCounter[] {
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const out: RangeCounter[] = [];
  for (const [id, n] of counters) {
    const key = parseCounterId(id);
    const day = key ? dayIndex.get(key.day) : undefined;
    if (key && day !== undefined) out.push({ key, day, n });
  }
  return out;
}

/** Adds `n` to a map's entry. */
export function bump<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** The map's entry, created by `make` when missing. */
export function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/** Rows by a value, largest first, ties by name so the order is stable. */
export const byValueDesc = <T>(rows: T[], value: (r: T) => number, name: (r: T) => string): T[] =>
  rows.sort((a, b) => value(b) - value(a) || name(a).localeCompare(name(b)));

/** Two decimals: multi-touch credits are fractions, and sums of them carry float noise. */
export const hundredths = (n: number): number => Math.round(n * 100) / 100;

/** Campaigns and sources counted together: one key for both. */
export const campaignKey = (campaign: string, source: string): string => `${campaign}\u0000${source}`;
