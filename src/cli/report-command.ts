/**
 * `sma report`: the /report tables in the terminal, from the rollup counters.
 */
import { REPORT_MODELS } from '../attribution/counters';
import { InvalidInputError } from '../errors';
import type { Bucket, ConversionFigures } from '../report/conversions';
import { loadReport, parseReportQuery, type Report } from '../report/report';
import { cliDeps, targetConfig } from './import-command';
import { reportFailure } from './failure';

export interface ReportFlags {
  since?: string;
  until?: string;
  model?: string;
  json?: boolean;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

/** Rows shown per table in the terminal (the page and --json have up to 50). */
export const TERMINAL_ROWS = 15;

const number = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const money = (n: number): string => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (n: number): string => `${number(n)}%`;

/** How the numbers of a column show, by column index; `number` for any other. */
type ColumnFormats = Partial<Record<number, (n: number) => string>>;

/** A plain text table: the first column left-aligned, numbers right-aligned. */
export function formatTable(title: string, headers: string[], rows: (string | number)[][], formats: ColumnFormats = {}): string {
  const cells = [headers, ...rows.map((r) => r.map((c, i) => (typeof c === 'number' ? (formats[i] ?? number)(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || typeof rows[0]?.[i] === 'string' ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const body = rows.length === 0 ? ['  (nothing in this range)'] : cells.slice(1).map((r) => `  ${line(r)}`);
  return [title, `  ${line(headers)}`, ...body].join('\n');
}

export function formatReport(r: Report): string {
  const top = <T>(rows: T[]) => rows.slice(0, TERMINAL_ROWS);
  return [
    `sma report ${r.since} … ${r.until}, users credited by ${r.model}`,
    `  new visitors ${number(r.totals.newVisitors)}   touches ${number(r.totals.touches)}   users identified ${number(r.totals.users)}`,
    '',
    formatTable(
      'New visitors by first-touch channel',
      ['channel', 'new visitors'],
      r.newVisitorsByChannel.map((c) => [c.channel, c.total]),
    ),
    '',
    formatTable(
      `Users identified by channel (${r.model})`,
      ['channel', 'users'],
      r.usersByChannel.map((c) => [c.channel, c.users]),
    ),
    '',
    formatTable(
      'First touch against last touch (users)',
      ['channel', 'first', 'last'],
      r.firstVsLast.map((c) => [c.channel, c.first, c.last]),
    ),
    '',
    formatTable(
      'Top sources',
      ['source', 'new visitors', 'touches', 'users'],
      top(r.sources).map((s) => [s.source, s.newVisitors, s.touches, s.users]),
    ),
    '',
    formatTable(
      'Top campaigns',
      ['campaign', 'source', 'new visitors', 'touches', 'users'],
      top(r.campaigns).map((c) => [c.campaign, c.source, c.newVisitors, c.touches, c.users]),
    ),
    '',
    ...formatConversions(r),
  ].join('\n');
}

/** A value per currency, as `EUR 20.00, USD 10.50`; never one sum across currencies. */
const values = (value: Record<string, number>): string =>
  Object.entries(value)
    .map(([currency, amount]) => `${currency} ${money(amount)}`)
    .join(', ') || 'none';

/** The conversions part of the report: totals, tables by channel, source and campaign, the models side by side, and the distributions. */
export function formatConversions(r: Report): string[] {
  const c = r.conversions;
  if (c.byModel.length === 0) return ['Conversions: none in this range (sma counts them when CONVERSION_EVENTS is set)'];
  const valueHeaders = c.currencies.map((currency) => `value ${currency}`);
  const figures = (f: ConversionFigures): number[] => [f.count, ...c.currencies.map((currency) => f.value[currency] ?? 0)];
  // Columns after the names and the count are money.
  const moneyFrom = (first: number): ColumnFormats => Object.fromEntries(c.currencies.map((_, i) => [first + i, money]));
  const buckets = (title: string, unit: string, rows: Bucket[]): string =>
    formatTable(
      title,
      [unit, 'conversions'],
      rows.map((b) => [b.bucket, b.conversions]),
    );
  return [
    `Conversions credited by ${r.model}`,
    `  conversions ${number(c.total.count)}   value ${values(c.total.value)}   with no touch before (credited to Direct) ${number(c.untouched)}`,
    '',
    formatTable(
      `Conversions by channel (${r.model})`,
      ['channel', 'conversions', ...valueHeaders],
      c.byChannel.map((row) => [row.channel, ...figures(row)]),
      moneyFrom(2),
    ),
    '',
    formatTable(
      `Conversions by source (${r.model})`,
      ['source', 'conversions', ...valueHeaders],
      c.bySource.slice(0, TERMINAL_ROWS).map((row) => [row.source, ...figures(row)]),
      moneyFrom(2),
    ),
    '',
    formatTable(
      `Conversions by campaign (${r.model})`,
      ['campaign', 'source', 'conversions', ...valueHeaders],
      c.byCampaign.slice(0, TERMINAL_ROWS).map((row) => [row.campaign, row.source, ...figures(row)]),
      moneyFrom(3),
    ),
    '',
    formatTable(
      'Share of conversions by model',
      ['channel', ...r.models],
      c.comparison.map((row) => [row.channel, ...r.models.map((m) => row.share[m])]),
      Object.fromEntries(r.models.map((_, i) => [i + 1, percent])),
    ),
    '',
    buckets('Days from first touch to conversion', 'days', c.daysToConvert),
    '',
    buckets('Touches per conversion', 'touches', c.touchesPerConversion),
  ];
}

/** Prints the report; returns the exit code. */
export async function runReport(flags: ReportFlags, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  try {
    const query = parseReportQuery({ since: flags.since, until: flags.until, model: flags.model });
    const config = targetConfig(flags);
    const report = await loadReport(query, cliDeps(config).rollups);
    io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return 0;
  } catch (e: unknown) {
    if (e instanceof InvalidInputError) {
      io.stderr.write(`sma report: --${e.field}: ${e.message}\n`);
      if (e.field === 'model') io.stderr.write(`models: ${REPORT_MODELS.join(', ')}\n`);
      return 2;
    }
    return reportFailure('report', e, io.stderr, '');
  }
}
