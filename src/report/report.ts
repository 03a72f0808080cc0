/**
 * The visitor-source report, built from the rollup counters alone (no table
 * is scanned): new visitors by first-touch channel per day, users identified
 * by channel under a model, top sources and campaigns, first against last
 * touch, and the conversions (see conversions.ts). Shared by GET /api/report,
 * the /report page and `sma report`.
 */
import { REPORT_MODELS, USER_UNITS, NOT_SET, type CounterKey, type ReportModel } from '../attribution/counters';
import { InvalidInputError } from '../errors';
import { isoDay, parseDay } from '../lib/days';
import type { RollupStore } from '../app/ports';
import { buildConversions, type ConversionsReport } from './conversions';
import { bump, byValueDesc, campaignKey, entry, hundredths, MAX_TABLE_ROWS, rangeCounters, type RangeCounter } from './rows';

export { MAX_TABLE_ROWS };

/** Longest range a report covers: three years of daily counters. */
export const MAX_REPORT_DAYS = 1096;
/** Range when none is given: the last 30 days. */
export const DEFAULT_REPORT_DAYS = 30;

const DAY_MS = 86_400_000;

export interface ReportQuery {
  since: string;
  until: string;
  model: ReportModel;
}

// Type aliases rather than interfaces, so rows pass as plain records to the page's tables.
export type SourceRow = {
  source: string;
  newVisitors: number;
  touches: number;
  users: number;
};

export type CampaignRow = SourceRow & { campaign: string };

export interface Report {
  since: string;
  until: string;
  model: ReportModel;
  models: readonly ReportModel[];
  totals: { newVisitors: number; touches: number; users: number };
  days: string[];
  /** New visitors per day by first-touch channel, largest channel first. */
  newVisitorsByChannel: { channel: string; counts: number[]; total: number }[];
  /** Users identified in the range, credited by the model. */
  usersByChannel: { channel: string; users: number }[];
  sources: SourceRow[];
  campaigns: CampaignRow[];
  /** Users by channel under first touch and under last touch. */
  firstVsLast: { channel: string; first: number; last: number }[];
  /** Conversions and their value per currency; zero totals and empty lists when the range has none. */
  conversions: ConversionsReport;
}

/** Validates a report's parameters; the range defaults to the last 30 days up to today (UTC). */
export function parseReportQuery(params: { since?: string; until?: string; model?: string }, today: Date = new Date()): ReportQuery {
  const until = params.until ? parseDay(params.until, 'until') : isoDay(today);
  const since = params.since ? parseDay(params.since, 'since') : isoDay(new Date(Date.parse(until) - (DEFAULT_REPORT_DAYS - 1) * DAY_MS));
  if (since > until) throw new InvalidInputError('since must not be after until', 'since');
  if ((Date.parse(until) - Date.parse(since)) / DAY_MS + 1 > MAX_REPORT_DAYS) {
    throw new InvalidInputError(`a report covers at most ${MAX_REPORT_DAYS} days; narrow since/until`, 'since');
  }
  const model = params.model ?? 'first_touch';
  if (!(REPORT_MODELS as readonly string[]).includes(model)) {
    throw new InvalidInputError(`model must be one of ${REPORT_MODELS.join(', ')}`, 'model');
  }
  return { since, until, model: model as ReportModel };
}

/** Every day of the range. */
export function daysOf(since: string, until: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(since); t <= Date.parse(until); t += DAY_MS) days.push(isoDay(new Date(t)));
  return days;
}

/** Users are counted in units (see USER_UNITS); shown with two decimals, as multi-touch credits are fractions. */
const users = (units: number): number => hundredths(units / USER_UNITS);

/** The counters of a range, added up by what the report shows. */
interface Tally {
  newByChannel: Map<string, number[]>;
  usersByChannel: Map<string, number>;
  first: Map<string, number>;
  last: Map<string, number>;
  sources: Map<string, SourceRow>;
  campaigns: Map<string, CampaignRow>;
  totals: { newVisitors: number; touches: number; users: number };
}

function tally(counters: readonly RangeCounter[], query: ReportQuery, days: readonly string[]): Tally {
  const newByChannel = new Map<string, number[]>();
  const usersByChannel = new Map<string, number>();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const sources = new Map<string, SourceRow>();
  const campaigns = new Map<string, CampaignRow>();
  const totals = { newVisitors: 0, touches: 0, users: 0 };
  const sourceRow = (source: string): SourceRow => entry(sources, source, () => ({ source, newVisitors: 0, touches: 0, users: 0 }));
  const campaignRow = (campaign: string, source: string): CampaignRow | undefined =>
    campaign === NOT_SET
      ? undefined
      : entry(campaigns, campaignKey(campaign, source), () => ({ campaign, source, newVisitors: 0, touches: 0, users: 0 }));

  // Only what a row counts creates it: a campaign seen in other counters alone has no row.
  const add = (k: CounterKey, field: keyof Tally['totals'], n: number): void => {
    totals[field] += n;
    sourceRow(k.source)[field] += n;
    const campaign = campaignRow(k.campaign, k.source);
    if (campaign) campaign[field] += n;
  };

  for (const { key: k, day: i, n } of counters) {
    if (k.metric === 'new_visitors') {
      const series = entry(newByChannel, k.channel, () => days.map(() => 0));
      series[i] = (series[i] ?? 0) + n;
      add(k, 'newVisitors', n);
    } else if (k.metric === 'touches') {
      add(k, 'touches', n);
    } else {
      if (k.metric === 'users:first_touch') bump(first, k.channel, n);
      if (k.metric === 'users:last_touch') bump(last, k.channel, n);
      if (k.metric === `users:${query.model}`) {
        bump(usersByChannel, k.channel, n);
        add(k, 'users', n);
      }
    }
  }

  return { newByChannel, usersByChannel, first, last, sources, campaigns, totals };
}

/** Builds the report from counter values (counter id → amount), as read for the query's range. */
export function buildReport(counters: ReadonlyMap<string, number>, query: ReportQuery): Report {
  const days = daysOf(query.since, query.until);
  const inRange = rangeCounters(counters, days);
  const { newByChannel, usersByChannel, first, last, sources, campaigns, totals } = tally(inRange, query, days);
  const inUsers = <T extends { users: number }>(r: T): T => ({ ...r, users: users(r.users) });
  const channels = new Set([...first.keys(), ...last.keys()]);
  return {
    since: query.since,
    until: query.until,
    model: query.model,
    models: REPORT_MODELS,
    totals: { ...totals, users: users(totals.users) },
    days,
    newVisitorsByChannel: byValueDesc(
      [...newByChannel].map(([channel, counts]) => ({ channel, counts, total: counts.reduce((a, b) => a + b, 0) })),
      (r) => r.total,
      (r) => r.channel,
    ),
    usersByChannel: byValueDesc(
      [...usersByChannel].map(([channel, n]) => ({ channel, users: users(n) })),
      (r) => r.users,
      (r) => r.channel,
    ),
    sources: byValueDesc(
      [...sources.values()].map(inUsers),
      (r) => r.newVisitors + r.users,
      (r) => r.source,
    ).slice(0, MAX_TABLE_ROWS),
    campaigns: byValueDesc(
      [...campaigns.values()].map(inUsers),
      (r) => r.newVisitors + r.users,
      (r) => r.campaign,
    ).slice(0, MAX_TABLE_ROWS),
    firstVsLast: byValueDesc(
      [...channels].map((channel) => ({ channel, first: users(first.get(channel) ?? 0), last: users(last.get(channel) ?? 0) })),
      (r) => r.first + r.last,
      (r) => r.channel,
    ),
    conversions: buildConversions(inRange, query.model, days.length),
  };
}

/** Reads the counters of the query's range and builds the report. */
export async function loadReport(query: ReportQuery, rollups: Pick<RollupStore, 'counters'>): Promise<Report> {
  return buildReport(await rollups.counters(query.since, query.until), query);
}
