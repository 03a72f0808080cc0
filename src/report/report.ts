/**
 * The visitor-source report, built from the rollup counters alone (no table
 * is scanned): new visitors by first-touch channel per day, users identified
 * by channel under a model, top sources and campaigns, and first against last
 * touch. Shared by GET /api/report, the /report page and `sma report`.
 */
import { parseCounterId, REPORT_MODELS, USER_UNITS, NOT_SET, type ReportModel } from '../attribution/counters';
import { InvalidInputError } from '../errors';
import { isoDay, parseDay } from '../lib/days';
import type { RollupStore } from '../app/ports';

/** Longest range a report covers: three years of daily counters. */
export const MAX_REPORT_DAYS = 1096;
/** Range when none is given: the last 30 days. */
export const DEFAULT_REPORT_DAYS = 30;
/** Rows in the sources and campaigns tables. */
export const MAX_TABLE_ROWS = 50;

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
const users = (units: number): number => Math.round((units / USER_UNITS) * 100) / 100;

function bump<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

const byValueDesc = <T>(rows: T[], value: (r: T) => number, name: (r: T) => string): T[] =>
  rows.sort((a, b) => value(b) - value(a) || name(a).localeCompare(name(b)));

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

function tally(counters: ReadonlyMap<string, number>, query: ReportQuery, days: readonly string[]): Tally {
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const newByChannel = new Map<string, number[]>();
  const usersByChannel = new Map<string, number>();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const sources = new Map<string, SourceRow>();
  const campaigns = new Map<string, CampaignRow>();
  const totals = { newVisitors: 0, touches: 0, users: 0 };
  const sourceRow = (source: string): SourceRow => {
    let row = sources.get(source);
    if (!row) sources.set(source, (row = { source, newVisitors: 0, touches: 0, users: 0 }));
    return row;
  };
  const campaignRow = (campaign: string, source: string): CampaignRow | undefined => {
    if (campaign === NOT_SET) return undefined;
    const id = `${campaign}\u0000${source}`;
    let row = campaigns.get(id);
    if (!row) campaigns.set(id, (row = { campaign, source, newVisitors: 0, touches: 0, users: 0 }));
    return row;
  };

  for (const [id, n] of counters) {
    const k = parseCounterId(id);
    const i = k ? dayIndex.get(k.day) : undefined;
    if (!k || i === undefined) continue;
    const campaign = campaignRow(k.campaign, k.source);
    if (k.metric === 'new_visitors') {
      const series = newByChannel.get(k.channel) ?? days.map(() => 0);
      series[i] = (series[i] ?? 0) + n;
      newByChannel.set(k.channel, series);
      totals.newVisitors += n;
      sourceRow(k.source).newVisitors += n;
      if (campaign) campaign.newVisitors += n;
    } else if (k.metric === 'touches') {
      totals.touches += n;
      sourceRow(k.source).touches += n;
      if (campaign) campaign.touches += n;
    } else {
      if (k.metric === 'users:first_touch') bump(first, k.channel, n);
      if (k.metric === 'users:last_touch') bump(last, k.channel, n);
      if (k.metric === `users:${query.model}`) {
        bump(usersByChannel, k.channel, n);
        totals.users += n;
        sourceRow(k.source).users += n;
        if (campaign) campaign.users += n;
      }
    }
  }

  return { newByChannel, usersByChannel, first, last, sources, campaigns, totals };
}

/** Builds the report from counter values (counter id → amount), as read for the query's range. */
export function buildReport(counters: ReadonlyMap<string, number>, query: ReportQuery): Report {
  const days = daysOf(query.since, query.until);
  const { newByChannel, usersByChannel, first, last, sources, campaigns, totals } = tally(counters, query, days);
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
  };
}

/** Reads the counters of the query's range and builds the report. */
export async function loadReport(query: ReportQuery, rollups: Pick<RollupStore, 'counters'>): Promise<Report> {
  return buildReport(await rollups.counters(query.since, query.until), query);
}
