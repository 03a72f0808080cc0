/**
 * Apps and bots on the live path, against DynamoDB Local: events posted to
 * the webhook's handler (which reads BOT_FILTER from the configuration), the
 * page and identify streams processed by their handlers, then the touches,
 * the debug view and the report read back.
 */
import { randomUUID } from 'node:crypto';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { getVisitorView, type DebugView } from '../../src/app/debug-view';
import type { IngestSummary } from '../../src/app/store-events';
import type { Config } from '../../src/config';
import { createProcessIdentifyHandler } from '../../src/handlers/stream/process-identify';
import { createProcessPageHandler } from '../../src/handlers/stream/process-page';
import type { HttpEvent } from '../../src/handlers/http/http';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import { signBody } from '../../src/segment/signature';
import { loadReport } from '../../src/report/report';
import { appOpenEvent, installAttributedEvent, screenEvent } from '../helpers/app-events';
import { at, identifyEvent, pageEvent } from '../helpers/events';
import { depsFor } from '../helpers/handler-deps';
import { readStream } from '../helpers/streams';
import { freshConfig } from '../helpers/tables';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BINGBOT =
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36';
const SECRET = 'webhook-secret';
const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** A page view made by a crawler with this user agent. */
function botPage(userAgent: string, o: Parameters<typeof pageEvent>[0]): Record<string, unknown> {
  const page = pageEvent(o);
  return { ...page, context: { ...(page.context as Record<string, unknown>), userAgent } };
}

/** A Segment webhook delivery of `events` (Webhooks Actions batching: a JSON array), signed. */
function delivery(events: Record<string, unknown>[]): HttpEvent {
  const body = JSON.stringify(events);
  const request: Partial<HttpEvent> = {
    body,
    headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, body) },
    isBase64Encoded: false,
  };
  return request as HttpEvent;
}

/** The live path over a configuration's tables: the webhook, then the streams as Lambda delivers them. */
function livePath(config: Config) {
  const deps = depsFor(config);
  const storeEvent = createStoreEventHandler(deps);
  const processPage = createProcessPageHandler(deps);
  const processIdentify = createProcessIdentifyHandler(deps);
  const done = new Map<string, number>();
  const fresh = async (table: string): Promise<DynamoDBRecord[]> => {
    const records = (await readStream(table)).Records;
    const from = done.get(table) ?? 0;
    done.set(table, records.length);
    return records.slice(from);
  };
  return {
    deps,
    async send(events: Record<string, unknown>[]): Promise<IngestSummary> {
      const answer = await storeEvent(delivery(events));
      expect(answer.statusCode).toBe(200);
      const summary = JSON.parse(String(answer.body)) as IngestSummary;
      expect((await processPage({ Records: await fresh(config.tables.page) }, context)).batchItemFailures).toEqual([]);
      expect((await processIdentify({ Records: await fresh(config.tables.identify) }, context)).batchItemFailures).toEqual([]);
      return summary;
    },
    async view(kind: 'user' | 'anonymous', id: string): Promise<DebugView | undefined> {
      const d = await deps();
      return getVisitorView(kind, id, { identity: d.identity, touches: d.touches, model: d.model, conversions: undefined });
    },
    async totals(day: string) {
      return (await loadReport({ since: day, until: day, model: 'first_touch' }, (await deps()).rollups)).totals;
    },
  };
}

describe("bots' page views on the live path", () => {
  let live: ReturnType<typeof livePath>;
  const day = '2026-02-03';
  const t0 = `${day}T10:00:00.000Z`;

  beforeAll(async () => {
    live = livePath(await freshConfig({ REALTIME_SYNC: 'off', WEBHOOK_SECRET: SECRET }));
  });

  it('are stored and counted in the debug view, and never make a touch or count in the report', async () => {
    // Prepare: a person who arrived directly, crawled before by Googlebot; a visitor only ever seen by Bingbot
    const person = randomUUID();
    const crawled = randomUUID();
    const events = [
      botPage(GOOGLEBOT, { anonymousId: person, timestamp: t0, referrer: 'https://www.google.com/' }),
      pageEvent({ anonymousId: person, timestamp: at(t0, 5) }),
      botPage(BINGBOT, { anonymousId: crawled, timestamp: at(t0, 1), referrer: 'https://www.bing.com/' }),
      botPage(BINGBOT, { anonymousId: crawled, timestamp: at(t0, 2), url: 'https://www.example.com/?utm_source=x&utm_medium=cpc' }),
    ];

    // Act
    const summary = await live.send(events);
    const personView = await live.view('anonymous', person);
    const crawledView = await live.view('anonymous', crawled);

    // Assess
    expect(summary).toMatchObject({ stored: 4, bots: 3 });
    expect(personView?.touches.map((t) => `${t.timestamp.slice(11, 16)} ${t.channel} ${t.rule}`)).toEqual(['10:05 Direct first-view']);
    expect(personView).toMatchObject({ pageViews: 1, botViews: 1 });
    expect(crawledView).toMatchObject({ touches: [], pageViews: 0, botViews: 2 });
    expect(await live.totals(day)).toEqual({ newVisitors: 1, touches: 1, users: 0 });
  });

  it("show in a user's debug view, summed over the user's devices", async () => {
    // Prepare
    const [phone, laptop, userId] = [randomUUID(), randomUUID(), `u-${randomUUID()}`];
    await live.send([
      pageEvent({ anonymousId: phone, timestamp: at(t0, 60) }),
      botPage(GOOGLEBOT, { anonymousId: phone, timestamp: at(t0, 61) }),
      botPage(GOOGLEBOT, { anonymousId: laptop, timestamp: at(t0, 62) }),
      identifyEvent({ anonymousId: phone, userId, timestamp: at(t0, 63) }),
      identifyEvent({ anonymousId: laptop, userId, timestamp: at(t0, 64) }),
    ]);

    // Act
    const view = await live.view('user', userId);

    // Assess
    expect(view).toMatchObject({ pageViews: 1, botViews: 2 });
    expect(view?.touches).toHaveLength(1);
  });

  it('make touches like any other view with BOT_FILTER=off', async () => {
    // Prepare
    const unfiltered = livePath(await freshConfig({ REALTIME_SYNC: 'off', WEBHOOK_SECRET: SECRET, BOT_FILTER: 'off' }));
    const anonymousId = randomUUID();

    // Act
    const summary = await unfiltered.send([botPage(GOOGLEBOT, { anonymousId, timestamp: t0, referrer: 'https://www.google.com/' })]);
    const view = await unfiltered.view('anonymous', anonymousId);

    // Assess
    expect(summary.bots).toBe(0);
    expect(view).toMatchObject({ pageViews: 1, botViews: 0 });
    expect(view?.touches.map((t) => t.channel)).toEqual(['Organic Search']);
  });
});

describe('apps on the live path', () => {
  let live: ReturnType<typeof livePath>;

  beforeAll(async () => {
    live = livePath(await freshConfig({ REALTIME_SYNC: 'off', WEBHOOK_SECRET: SECRET }));
  });

  it("classify a screen opened by a custom-scheme deep link from the link's campaign, not as Direct", async () => {
    // Prepare: the link an ad opened the app with, and the page it was followed from
    const t0 = '2026-02-04T09:00:00.000Z';
    const anonymousId = randomUUID();
    const link = 'myapp://home?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    const screen = screenEvent({ anonymousId, timestamp: t0, referrer: { type: 'url', url: 'https://www.google.com/', link } });

    // Act
    await live.send([screen, screenEvent({ anonymousId, timestamp: at(t0, 1), name: 'Product' })]);
    const view = await live.view('anonymous', anonymousId);

    // Assess
    expect(view?.touches).toEqual([
      expect.objectContaining({
        channel: 'Paid Search',
        source: 'google',
        medium: 'cpc',
        campaign: 'brand',
        landing_page: link,
        rule: 'campaign',
      }),
    ]);
    expect(view?.attribution.first?.channel).toBe('Paid Search');
    expect(await live.totals('2026-02-04')).toEqual({ newVisitors: 1, touches: 1, users: 0 });
  });

  it("make an Install Attributed the first touch of the install, in place of the app's first open", async () => {
    // Prepare: the first open, then the provider's attribution seconds later, and a later session from a deep link
    const t0 = '2026-02-05T09:00:00.000Z';
    const anonymousId = randomUUID();
    const events = [
      screenEvent({ anonymousId, timestamp: at(t0, 60) }),
      installAttributedEvent({ anonymousId, timestamp: at(t0, 60.3) }),
      screenEvent({ anonymousId, timestamp: at(t0, 300), referrer: { url: 'myapp://sale?utm_source=newsletter&utm_medium=email' } }),
    ];

    // Act
    const summary = await live.send(events);
    const view = await live.view('anonymous', anonymousId);

    // Assess
    expect(summary).toMatchObject({ stored: 3, ignored: 0 });
    expect(view?.touches.map((t) => `${t.timestamp.slice(11, 16)} ${t.channel} ${t.source} ${t.campaign} ${t.rule}`)).toEqual([
      '10:00 Paid Social facebook ads spring-install install',
      '14:00 Email newsletter null campaign',
    ]);
    expect(view?.attribution.first).toMatchObject({ source: 'facebook ads', content: 'Carousel' });
    expect(view?.attribution.last).toMatchObject({ channel: 'Email' });
    expect(await live.totals('2026-02-05')).toEqual({ newVisitors: 1, touches: 2, users: 0 });
  });

  it('classify the link of a Deep Link Opened or an Application Opened track, and no app open without one', async () => {
    // Prepare: Android reports a deep link as a track, then the screens it opened; later the app opens from a newsletter, then with no link
    const t0 = '2026-02-06T09:00:00.000Z';
    const anonymousId = randomUUID();
    const events = [
      appOpenEvent({
        anonymousId,
        timestamp: t0,
        url: 'acme://deal/42?utm_source=tiktok&utm_medium=paid_social&utm_campaign=feb',
        referrer: 'android-app://com.zhiliaoapp.musically',
      }),
      screenEvent({ anonymousId, timestamp: at(t0, 0.1), name: 'Deal' }),
      appOpenEvent({
        anonymousId,
        timestamp: at(t0, 48),
        event: 'Application Opened',
        url: 'https://acme.example/sale?utm_source=newsletter&utm_medium=email',
      }),
      appOpenEvent({ anonymousId, timestamp: at(t0, 96), event: 'Application Opened' }),
    ];

    // Act
    const summary = await live.send(events);
    const view = await live.view('anonymous', anonymousId);

    // Assess
    expect(summary).toMatchObject({ stored: 3, ignored: 1 });
    expect(view?.touches.map((t) => `${t.channel} ${t.source} ${t.campaign} ${t.rule} ${t.landing_page}`)).toEqual([
      'Paid Social tiktok feb campaign acme://deal/42?utm_source=tiktok&utm_medium=paid_social&utm_campaign=feb',
      'Email newsletter null campaign https://acme.example/sale?utm_source=newsletter&utm_medium=email',
    ]);
  });
});
