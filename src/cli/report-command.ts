/**
 * `sma report`: the /report tables in the terminal, from the rollup counters.
 */
import { REPORT_MODELS } from '../attribution/counters';
import { InvalidInputError } from '../errors';
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

/** A plain text table: the first column left-aligned, numbers right-aligned. */
export function formatTable(title: string, headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? number(c) : c)))];
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
  ].join('\n');
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
