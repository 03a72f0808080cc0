/**
 * The report's conversions, from the conversion counters alone (see
 * attribution/conversion-counters.ts): count and value by channel, source and
 * campaign under the chosen model; by channel under every model, and each
 * channel's share under each model side by side; the conversions no touch
 * came before; conversions per day; and the distributions of days and
 * touches to convert.
 *
 * Counts are in conversions, with two decimals for multi-touch shares. Values
 * are in currency units, one entry per currency: sma has no exchange rates
 * it could vouch for, and a sum across currencies means nothing.
 */
import { DAYS_TO_CONVERT_BUCKETS, TOUCHES_TO_CONVERT_BUCKETS, VALUE_UNITS } from '../attribution/conversion-counters';
import { NOT_SET, REPORT_MODELS, USER_UNITS, type ReportModel } from '../attribution/counters';
import { bump, byValueDesc, campaignKey, entry, hundredths, MAX_TABLE_ROWS, type RangeCounter } from './rows';

/** Amount per currency code, in that currency's units. */
export type Money = Record<string, number>;

// Type aliases rather than interfaces, so rows pass as plain records to the page's tables.
export type ConversionFigures = { count: number; value: Money };
export type ChannelConversions = ConversionFigures & { channel: string };
export type SourceConversions = ConversionFigures & { source: string };
export type CampaignConversions = SourceConversions & { campaign: string };
/** One model's conversions by channel. */
export type ModelConversions = { model: ReportModel; total: ConversionFigures; byChannel: ChannelConversions[] };
/** A channel's share (%) of all conversions under each model. */
export type ChannelShares = { channel: string; share: Record<ReportModel, number> };
/** One bucket of a distribution, in whole conversions. */
export type Bucket = { bucket: string; conversions: number };

export interface ConversionsReport {
  /** Under the chosen model; every model credits the same total. */
  total: ConversionFigures;
  /** Under the chosen model, largest first. */
  byChannel: ChannelConversions[];
  /** Under the chosen model, the top MAX_TABLE_ROWS. */
  bySource: SourceConversions[];
  /** Under the chosen model, the top MAX_TABLE_ROWS; conversions with no campaign are left out. */
  byCampaign: CampaignConversions[];
  /** Every currency with a value in the range, sorted: the value columns of a table. */
  currencies: string[];
  /** By channel under each model, in REPORT_MODELS order. */
  byModel: ModelConversions[];
  /** Each channel's share under every model, side by side. */
  comparison: ChannelShares[];
  /** Conversions no touch came before, credited to Direct under every model. */
  untouched: number;
  /** Days from first touch to conversion, in DAYS_TO_CONVERT_BUCKETS order (conversions with a touch). */
  daysToConvert: Bucket[];
  /** Touches per conversion, in TOUCHES_TO_CONVERT_BUCKETS order (conversions with a touch). */
  touchesPerConversion: Bucket[];
  /** Conversions per day of the range by channel under the chosen model, largest channel first. */
  byDay: { channel: string; counts: number[]; total: number }[];
}

/** What counters add up to: conversion units (USER_UNITS each) and value hundredths per currency. */
interface Figures {
  units: number;
  cents: Map<string, number>;
}

type CampaignFigures = [{ campaign: string; source: string }, Figures];

interface ConversionTally {
  /** Whether the range has any conversion counter at all. */
  any: boolean;
  /** Model → channel → figures. */
  channels: Map<string, Map<string, Figures>>;
  sources: Map<string, Figures>;
  campaigns: Map<string, CampaignFigures>;
  /** Channel → units per day, under the chosen model. */
  perDay: Map<string, number[]>;
  untouched: number;
  days: Map<string, number>;
  touches: Map<string, number>;
}

const figures = (): Figures => ({ units: 0, cents: new Map() });

function tallyConversions(counters: readonly RangeCounter[], model: ReportModel, dayCount: number): ConversionTally {
  const t: ConversionTally = {
    any: false,
    channels: new Map(),
    sources: new Map(),
    campaigns: new Map(),
    perDay: new Map(),
    untouched: 0,
    days: new Map(),
    touches: new Map(),
  };
  for (const { key, day, n } of counters) {
    // Metrics are `conversions:<model>`, `value:<model>:<currency>`, `convert_*:<bucket>` or `conversions_untouched`.
    const [kind = '', ...rest] = key.metric.split(':');
    if (kind === 'conversions_untouched') t.untouched += n;
    else if (kind === 'convert_days') bump(t.days, rest.join(':'), n);
    else if (kind === 'convert_touches') bump(t.touches, rest.join(':'), n);
    else if (kind === 'conversions' || kind === 'value') {
      const [of = '', ...currency] = rest;
      const add = (f: Figures): void => (kind === 'conversions' ? void (f.units += n) : bump(f.cents, currency.join(':'), n));
      add(
        entry(
          entry(t.channels, of, () => new Map<string, Figures>()),
          key.channel,
          figures,
        ),
      );
      if (of === model) {
        add(entry(t.sources, key.source, figures));
        if (key.campaign !== NOT_SET) {
          const { campaign, source } = key;
          add(entry(t.campaigns, campaignKey(campaign, source), (): CampaignFigures => [{ campaign, source }, figures()])[1]);
        }
        if (kind === 'conversions') {
          const series = entry(t.perDay, key.channel, () => new Array<number>(dayCount).fill(0));
          series[day] = (series[day] ?? 0) + n;
        }
      }
    } else continue;
    t.any = true;
  }
  return t;
}

const count = (units: number): number => hundredths(units / USER_UNITS);

function money(cents: ReadonlyMap<string, number>): Money {
  return Object.fromEntries(
    [...cents]
      .filter(([, c]) => c !== 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, c]) => [currency, hundredths(c / VALUE_UNITS)]),
  );
}

const shown = (f: Figures): ConversionFigures => ({ count: count(f.units), value: money(f.cents) });
const counted = (f: Figures): boolean => f.units !== 0 || [...f.cents.values()].some((c) => c !== 0);

/** Figures as rows: what was counted, in report units, largest first. */
function rowsOf<T extends object>(rows: Iterable<readonly [T, Figures]>, name: (r: T) => string): (T & ConversionFigures)[] {
  const out = [...rows].filter(([, f]) => counted(f)).map(([row, f]) => ({ ...row, ...shown(f) }));
  return byValueDesc(out, (r) => r.count, name);
}

function sumOf(all: Iterable<Figures>): Figures {
  const sum = figures();
  for (const f of all) {
    sum.units += f.units;
    for (const [currency, c] of f.cents) bump(sum.cents, currency, c);
  }
  return sum;
}

function byChannel(channels: ReadonlyMap<string, Figures> | undefined): ChannelConversions[] {
  return rowsOf(
    [...(channels ?? [])].map(([channel, f]) => [{ channel }, f] as const),
    (r) => r.channel,
  );
}

/** Each channel's share (%, one decimal) of the conversions under each model; channels with most credit overall first. */
function compareModels(channels: ConversionTally['channels']): ChannelShares[] {
  const names = new Set(REPORT_MODELS.flatMap((m) => [...(channels.get(m)?.keys() ?? [])]));
  const totals = new Map(REPORT_MODELS.map((m) => [m, sumOf(channels.get(m)?.values() ?? []).units]));
  const shareOf = (m: ReportModel, channel: string): number => {
    const total = totals.get(m) ?? 0;
    return total === 0 ? 0 : Math.round(((channels.get(m)?.get(channel)?.units ?? 0) / total) * 1000) / 10;
  };
  const rows = [...names].map((channel) => ({
    channel,
    share: Object.fromEntries(REPORT_MODELS.map((m) => [m, shareOf(m, channel)])) as Record<ReportModel, number>,
  }));
  return byValueDesc(
    rows,
    (r) => REPORT_MODELS.reduce((a, m) => a + r.share[m], 0),
    (r) => r.channel,
  );
}

/** The buckets in their order, then any a bucketing no longer has (older counters), so nothing counted is dropped. */
function distribution(counts: ReadonlyMap<string, number>, buckets: readonly (readonly [number, string])[]): Bucket[] {
  const labels: string[] = buckets.map(([, label]) => label);
  const older = [...counts.keys()].filter((b) => !labels.includes(b)).sort();
  return [...labels, ...older].map((bucket) => ({ bucket, conversions: counts.get(bucket) ?? 0 }));
}

/** The report's conversions when the range has none: zero totals and empty lists, so clients need no special case. */
export function noConversions(): ConversionsReport {
  return {
    total: { count: 0, value: {} },
    byChannel: [],
    bySource: [],
    byCampaign: [],
    currencies: [],
    byModel: [],
    comparison: [],
    untouched: 0,
    daysToConvert: [],
    touchesPerConversion: [],
    byDay: [],
  };
}

/** The conversions of a range (its counters, parsed), under `model` for the tables; `dayCount` days in the range. */
export function buildConversions(counters: readonly RangeCounter[], model: ReportModel, dayCount: number): ConversionsReport {
  const t = tallyConversions(counters, model, dayCount);
  if (!t.any) return noConversions();
  const total = shown(sumOf(t.channels.get(model)?.values() ?? []));
  return {
    total,
    byChannel: byChannel(t.channels.get(model)),
    bySource: rowsOf(
      [...t.sources].map(([source, f]) => [{ source }, f] as const),
      (r) => r.source,
    ).slice(0, MAX_TABLE_ROWS),
    byCampaign: rowsOf(t.campaigns.values(), (r) => r.campaign).slice(0, MAX_TABLE_ROWS),
    currencies: Object.keys(total.value),
    byModel: REPORT_MODELS.map((m) => ({
      model: m,
      total: shown(sumOf(t.channels.get(m)?.values() ?? [])),
      byChannel: byChannel(t.channels.get(m)),
    })),
    comparison: compareModels(t.channels),
    untouched: t.untouched,
    daysToConvert: distribution(t.days, DAYS_TO_CONVERT_BUCKETS),
    touchesPerConversion: distribution(t.touches, TOUCHES_TO_CONVERT_BUCKETS),
    byDay: byValueDesc(
      [...t.perDay].map(([channel, units]) => {
        const counts = units.map(count);
        return { channel, counts, total: count(units.reduce((a, b) => a + b, 0)) };
      }),
      (r) => r.total,
      (r) => r.channel,
    ),
  };
}
