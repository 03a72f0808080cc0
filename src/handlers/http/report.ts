/**
 * GET /api/report (JSON) and GET /report (the page with charts): where users
 * come from and which channels bring the conversions, from the rollup
 * counters. Both need the API key; the page asks
 * the browser to prompt for it (HTTP Basic, the key as password).
 */
import { REPORT_PAGE_CSP, REPORT_PAGE_TEMPLATE } from '../../../generated/report-page';
import { loadReport, parseReportQuery, type Report } from '../../report/report';
import { loadDeps, type DepsSource } from '../deps';
import { httpHandler, json, requireApiKey, type HttpEvent, type HttpHandler, type HttpResult } from './http';

type ReportDeps = DepsSource<'config' | 'rollups'>;

/** Lets a browser prompt for the key: any user name, the API key as password. */
const REPORT_CHALLENGE = 'Basic realm="sma report", charset="UTF-8"';

/** The report a request asks for; `basic` lets a browser send the key as HTTP Basic (the page only). */
async function reportFor(event: HttpEvent, deps: ReportDeps, basic: boolean): Promise<Report> {
  const { config, rollups } = await deps();
  requireApiKey(event, config, { basic });
  const q = event.queryStringParameters ?? {};
  return loadReport(parseReportQuery({ since: q.since, until: q.until, model: q.model }), rollups);
}

/** The report as JSON inside the page; `<` is escaped so no value can close the script element. */
export function renderReportPage(report: Report): string {
  const data = JSON.stringify(report).replaceAll('<', '\\u003c');
  return REPORT_PAGE_TEMPLATE.replace('__REPORT_DATA__', () => data);
}

/** The page, locked down: only its own hashed script runs, and neither it nor its URL leaves the browser. */
function reportPageResponse(report: Report): HttpResult {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': REPORT_PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
    body: renderReportPage(report),
  };
}

/** Builds GET /api/report over its dependencies. */
export function createReportHandler(deps: ReportDeps): HttpHandler {
  return httpHandler(async (event) => json(200, await reportFor(event, deps, false)));
}

/** Builds GET /report over its dependencies; its 401 carries the Basic challenge. */
export function createReportPageHandler(deps: ReportDeps): HttpHandler {
  return httpHandler(async (event) => reportPageResponse(await reportFor(event, deps, true)), { challenge: REPORT_CHALLENGE });
}

export const getReport = createReportHandler(() => loadDeps(['apiKey']));
export const reportPage = createReportPageHandler(() => loadDeps(['apiKey']));
