/**
 * The /report page's conversions in headless Chromium (Debian's, never a
 * downloaded browser): the real page and API handlers over DynamoDB Local,
 * served by a local HTTP server with their own headers, so the page's
 * Content-Security-Policy applies as deployed.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openReport } from '../helpers/report-browser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { conversionContribution } from '../../src/attribution/conversion-counters';
import { addContribution, REPORT_MODELS, visitorContribution, type Contribution } from '../../src/attribution/counters';
import type { Conversion } from '../../src/attribution/conversions';
import { parseConfig } from '../../src/config';
import type { HttpEvent, HttpHandler } from '../../src/handlers/http/http';
import { createReportHandler, createReportPageHandler } from '../../src/handlers/http/report';
import { projectRoot } from '../../src/lib/project-root';
import type { Report } from '../../src/report/report';
import { depsFor } from '../helpers/handler-deps';
import { createTables, testEnv } from '../helpers/tables';
import { testTouch } from '../helpers/touches';

/** Debian's Chromium; never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(projectRoot(), 'test-artifacts');
const API_KEY = 'report-key';

const config = parseConfig(testEnv({ API_KEY }));
const deps = depsFor(config);
const routes: Record<string, HttpHandler> = { '/report': createReportPageHandler(deps), '/api/report': createReportHandler(deps) };

let server: Server;
let base: string;
let browser: Browser;

/** Serves the handlers as API Gateway would call them. */
function serve(): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = { rawPath: url.pathname, headers, queryStringParameters: Object.fromEntries(url.searchParams), isBase64Encoded: false };
    const handler = routes[url.pathname];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(event as HttpEvent).then(
      (r) => {
        res.writeHead(r.statusCode ?? 200, Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])));
        res.end(r.body);
      },
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const order = (visitor: string, timestamp: string, amount: number, currency: string): Conversion => ({
  messageId: `${visitor}-${timestamp}`,
  event: 'Order Completed',
  timestamp,
  visitorKey: `anon#${visitor}`,
  value: { amount, currency },
});

/** Buyers on four channels in two currencies, and one order no touch came before. */
function history(): Contribution {
  const c: Contribution = {};
  const paths = [
    [testTouch('2026-09-01T09:00:00.000Z', 'Email', 'newsletter', { campaign: 'sept' })],
    [
      testTouch('2026-09-01T10:00:00.000Z', 'Organic Search', 'google'),
      testTouch('2026-09-03T10:00:00.000Z', 'Paid Search', 'google', { campaign: 'brand' }),
    ],
    [
      testTouch('2026-09-02T10:00:00.000Z', 'Paid Social', 'facebook', { campaign: 'retarget' }),
      testTouch('2026-09-04T10:00:00.000Z', 'Email', 'newsletter', { campaign: 'sept' }),
      testTouch('2026-09-05T10:00:00.000Z', 'Organic Search', 'google'),
    ],
  ];
  paths.forEach((touches, i) => {
    const visitor = `buyer-${i}`;
    addContribution(c, visitorContribution(touches));
    addContribution(c, conversionContribution([order(visitor, '2026-09-06T12:00:00.000Z', 40 + i, i === 1 ? 'USD' : 'EUR')], touches, {}));
  });
  addContribution(c, conversionContribution([order('walk-in', '2026-09-06T13:00:00.000Z', 9.5, 'EUR')], [], {}));
  return c;
}

beforeAll(async () => {
  await createTables(config);
  const counts = history();
  const { rollups } = await deps();
  await rollups.commit({ kind: 'user', id: 'page-buyers' }, undefined, { counts, first: null, last: null }, counts);
  server = await serve();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Opens the page with the key, collecting every console error and uncaught exception. */
async function open(query: string): Promise<{ page: Page; problems: string[]; status: number | undefined; csp: string | undefined }> {
  const { page, problems, response } = await openReport(browser, `${base}/report?${query}`, API_KEY);
  return { page, problems, status: response?.status(), csp: response?.headers()['content-security-policy'] };
}

/** A table's body as text, row by row. */
const tableRows = (page: Page, id: string): Promise<string[][]> =>
  page.$$eval(`#${id} tbody tr`, (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));

describe('the /report page in Chromium, with conversions', () => {
  it('draws a chart per model, per day, the model comparison and both distributions, with tables of what /api/report gives', async () => {
    // Prepare
    const query = 'since=2026-09-01&until=2026-09-07&model=linear';
    const api = await fetch(`${base}/api/report?${query}`, { headers: { 'x-api-key': API_KEY } });
    const report = (await api.json()) as Report;

    // Act
    const { page, problems, status, csp } = await open(query);
    const captions = await page.$$eval('#conversion-models figcaption', (els) => els.map((e) => e.textContent));
    // A canvas Chart.js drew on has painted pixels; a blank one has none.
    const painted = await page.$$eval('#conversions canvas', (canvases) =>
      canvases.map((element) => {
        const c = element as HTMLCanvasElement;
        const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        return { id: c.id, label: c.getAttribute('aria-label') ?? '', painted: pixels.some((v, i) => i % 4 === 3 && v > 0) };
      }),
    );
    const channelHeaders = await page.$$eval('#conversions-by-channel thead th', (els) => els.map((e) => e.textContent));
    const byChannel = await tableRows(page, 'conversions-by-channel');
    const shares = await tableRows(page, 'conversion-share-by-model');
    const days = await tableRows(page, 'days-to-convert-buckets');
    const touches = await tableRows(page, 'touches-per-conversion-buckets');
    const totals = {
      conversions: await page.textContent('[data-testid="total-conversions"]'),
      eur: await page.textContent('[data-testid="total-value-EUR"]'),
      usd: await page.textContent('[data-testid="total-value-USD"]'),
      untouched: await page.textContent('[data-testid="total-untouched"]'),
    };
    const hintShown = await page.isVisible('#conversions-hint');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-conversions.png'), fullPage: true });

    // Assess
    expect([api.status, status]).toEqual([200, 200]);
    expect(csp).toMatch(/script-src 'sha256-/);
    expect(problems).toEqual([]);
    expect(captions).toEqual([
      'First touch: 4 conversions',
      'Last touch: 4 conversions',
      'Linear: 4 conversions',
      'Time decay: 4 conversions',
      'Position based: 4 conversions',
    ]);
    expect(painted.map((c) => c.id)).toEqual([
      ...REPORT_MODELS.map((m) => `conversions-${m}-chart`),
      'conversions-per-day-chart',
      'model-comparison-chart',
      'days-to-convert-chart',
      'touches-per-conversion-chart',
    ]);
    expect(painted.filter((c) => !c.painted || c.label === '')).toEqual([]);
    expect(totals).toEqual({ conversions: '4', eur: '91.50', usd: '41.00', untouched: '1' });
    // One value column per currency, and no column that adds them up.
    expect(channelHeaders).toEqual(['Channel', 'Conversions', 'Value EUR', 'Value USD']);
    const money = (n: number | undefined) => (n ?? 0).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(byChannel).toEqual(
      report.conversions.byChannel.map((r) => [
        r.channel,
        r.count.toLocaleString('en-US', { maximumFractionDigits: 2 }),
        money(r.value.EUR),
        money(r.value.USD),
      ]),
    );
    expect(shares.find((r) => r[0] === 'Email')).toEqual(['Email', '25%', '25%', '33.3%', expect.any(String), expect.any(String)]);
    expect(days.map((r) => r[0])).toEqual(report.conversions.daysToConvert.map((b) => b.bucket));
    expect(touches).toEqual(report.conversions.touchesPerConversion.map((b) => [b.bucket, String(b.conversions)]));
    expect(hintShown).toBe(false);
    await page.context().close();
  });

  it('shows only a hint, and no conversion chart, for a range without conversions', async () => {
    // Act
    const { page, problems } = await open('since=2026-08-01&until=2026-08-07');
    const hint = await page.textContent('#conversions-hint');
    const visible = [await page.isVisible('#conversions-hint'), await page.isVisible('#conversions-body')];
    const canvases = await page.$$eval('canvas', (els) => els.map((e) => e.id));

    // Assess
    expect(problems).toEqual([]);
    expect(visible).toEqual([true, false]);
    expect(hint).toMatch(/CONVERSION_EVENTS/);
    expect(canvases).toEqual(['new-visitors-chart', 'users-chart', 'first-last-chart']);
    await page.context().close();
  });
});
