/**
 * GET /api/report (JSON) and GET /report (the page with charts): where users
 * come from, from the rollup counters. Both need the API key; the page asks
 * the browser to prompt for it (HTTP Basic, the key as password).
 */
import { REPORT_PAGE_CSP, REPORT_PAGE_TEMPLATE } from '../../../generated/report-page';
import { InvalidInputError } from '../../errors';
import { loadReport, parseReportQuery, type Report } from '../../report/report';
import { loadDeps } from '../deps';
import { errorResponse, httpHandler, json, requireApiKey, type HttpEvent, type HttpResult } from './http';

/** The report; `basic` lets a browser send the key as HTTP Basic (the page only). */
async function reportFor(event: HttpEvent, basic: boolean): Promise<Report> {
  const { config, rollups } = await loadDeps(['apiKey']);
  requireApiKey(event, config, { basic });
  const q = event.queryStringParameters ?? {};
  return loadReport(parseReportQuery({ since: q.since, until: q.until, model: q.model }), rollups);
}

export const getReport = httpHandler(async (event) => json(200, await reportFor(event, false)));

/** The report as JSON inside the page; `<` is escaped so no value can close the script element. */
export function renderReportPage(report: Report): string {
  const data = JSON.stringify(report).replaceAll('<', '\\u003c');
  return REPORT_PAGE_TEMPLATE.replace('__REPORT_DATA__', () => data);
}

export const reportPage = async (event: HttpEvent): Promise<HttpResult> => {
  try {
    const report = await reportFor(event, true);
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
  } catch (e: unknown) {
    const response = errorResponse(e);
    // Let a browser prompt for the key: any user name, the API key as password.
    if (e instanceof InvalidInputError && e.status === 401) {
      return { ...response, headers: { ...response.headers, 'www-authenticate': 'Basic realm="sma report", charset="UTF-8"' } };
    }
    return response;
  }
};
