import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ingestEvents } from '../../src/app/store-events';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { freshConfig } from '../helpers/tables';
import { identifyEvent, pageEvent, trackEvent } from '../helpers/events';
import { installAttributedEvent, screenEvent } from '../helpers/app-events';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** A page event with `userAgent` in its context (undefined: none at all). */
function pageWithAgent(userAgent: unknown, anonymousId: string = randomUUID()): Record<string, unknown> {
  const page = pageEvent({ anonymousId });
  const context: Record<string, unknown> = { ...(page.context as Record<string, unknown>), userAgent };
  if (userAgent === undefined) delete context.userAgent;
  return { ...page, context };
}

describe('ingestEvents against DynamoDB Local', () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = buildDeps(await freshConfig());
  });

  it('stores page and identify events and counts every event once', async () => {
    // Prepare
    const anonymousId = randomUUID();
    const events = [
      pageEvent({ anonymousId }),
      identifyEvent({ anonymousId, userId: 'u-1' }),
      trackEvent({ anonymousId }),
      { type: 'page' },
    ];

    // Act
    const summary = await ingestEvents(events, deps.events);

    // Assess
    expect(summary).toMatchObject({ received: 4, stored: 2, duplicates: 0, ignored: 1, rejected: 1 });
    expect(summary.errors).toEqual([{ index: 3, field: 'anonymousId', message: 'anonymousId or userId is required' }]);
    const page = await deps.doc.send(new GetCommand({ TableName: deps.config.tables.page, Key: { messageId: events[0]?.messageId } }));
    expect(page.Item).toMatchObject({ type: 'page', visitorKey: `anon#${anonymousId}`, url: 'https://www.example.com/' });
    const identify = await deps.doc.send(
      new GetCommand({ TableName: deps.config.tables.identify, Key: { messageId: events[1]?.messageId } }),
    );
    expect(identify.Item).toMatchObject({ type: 'identify', userId: 'u-1', anonymousId });
  });

  it('makes a resent messageId a counted no-op, also within one body', async () => {
    // Prepare
    const page = pageEvent();
    await ingestEvents([page], deps.events);

    // Act
    const again = await ingestEvents([page, page], deps.events);

    // Assess
    expect(again).toMatchObject({ received: 2, stored: 0, duplicates: 2, rejected: 0 });
  });

  it('stores track events that carry both ids, for linking, and ignores the rest', async () => {
    // Act
    const summary = await ingestEvents([trackEvent({ anonymousId: 'a', userId: 'u' }), trackEvent({ userId: 'u' })], deps.events);

    // Assess
    expect(summary).toMatchObject({ stored: 1, ignored: 1 });
  });

  describe('with CONVERSION_EVENTS', () => {
    let withOrders: Deps;
    const options = { conversionEvents: new Set(['Order Completed']) };
    const order = (ids: { anonymousId?: string; userId?: string }, properties: Record<string, unknown>): Record<string, unknown> => ({
      ...trackEvent({ ...ids, event: 'Order Completed' }),
      properties,
    });
    const stored = (visitorKey: string) => withOrders.conversions?.conversionsOf(visitorKey);

    beforeAll(async () => {
      withOrders = buildDeps(await freshConfig({ CONVERSION_EVENTS: 'Order Completed' }));
    });

    it('stores conversions whatever ids they carry, valued from the e-commerce fields', async () => {
      // Prepare
      const anonymousId = randomUUID();
      // A minute apart: conversions list in time order, and orders made in one millisecond would tie.
      const events = [
        order({ anonymousId }, { revenue: 25.5, currency: 'EUR' }),
        order({ userId: `u-${anonymousId}` }, { total: '12.00' }),
        order({ anonymousId, userId: `u-${anonymousId}` }, { value: 3, currency: 'xbt' }),
        trackEvent({ anonymousId, event: 'Product Viewed' }),
      ].map((e, i): Record<string, unknown> => ({ ...e, timestamp: new Date(Date.now() - (10 - i) * 60_000).toISOString() }));

      // Act
      const summary = await ingestEvents(events, withOrders.events, new Date(), options);

      // Assess: the order with both ids is also kept for linking
      expect(summary).toMatchObject({ received: 4, stored: 3, duplicates: 0, ignored: 1 });
      expect((await stored(`anon#${anonymousId}`))?.map((c) => c.value)).toEqual([
        { amount: 25.5, currency: 'EUR' },
        { amount: 3, currency: 'xbt' },
      ]);
      expect(await stored(`user#u-${anonymousId}`)).toEqual([
        expect.objectContaining({ event: 'Order Completed', value: { amount: 12, currency: null } }),
      ]);
      const link = await withOrders.doc.send(
        new GetCommand({ TableName: withOrders.config.tables.identify, Key: { messageId: events[2]?.messageId } }),
      );
      expect(link.Item).toMatchObject({ type: 'track', userId: `u-${anonymousId}`, anonymousId });
    });

    it('stores a conversion with an unusable value without one, and with a warning', async () => {
      // Prepare
      const anonymousId = randomUUID();

      // Act
      await ingestEvents([order({ anonymousId }, { revenue: 'free', currency: 'USD' })], withOrders.events, new Date(), options);

      // Assess
      expect(await stored(`anon#${anonymousId}`)).toEqual([
        expect.objectContaining({ value: null, warning: 'properties.revenue is not a number' }),
      ]);
    });

    it('makes a resent conversion a counted no-op, also one the identify table already had', async () => {
      // Prepare
      const anonymousId = randomUUID();
      const both = order({ anonymousId, userId: 'u' }, { revenue: 1 });
      const one = order({ anonymousId }, { revenue: 2 });
      await ingestEvents([both, one], withOrders.events, new Date(), options);

      // Act
      const again = await ingestEvents([both, one], withOrders.events, new Date(), options);

      // Assess
      expect(again).toMatchObject({ received: 2, stored: 0, duplicates: 2 });
      expect(await stored(`anon#${anonymousId}`)).toHaveLength(2);
    });

    it('is off without CONVERSION_EVENTS: one-id tracks are ignored and nothing is read', async () => {
      expect(deps.conversions).toBeUndefined();
      const summary = await ingestEvents([order({ anonymousId: randomUUID() }, { revenue: 1 })], deps.events);
      expect(summary).toMatchObject({ stored: 0, ignored: 1 });
    });
  });

  it('keeps rejected events with their reason, listable by day', async () => {
    // Prepare
    const now = new Date('2031-02-03T04:05:06Z');

    // Act
    await ingestEvents([{ type: 'page', anonymousId: 'x', timestamp: 'yesterday' }, 42], deps.events, now);
    const listed = await deps.events.listRejected('2031-02-03', 10);

    // Assess
    expect(listed.map((r) => [r.index, r.field])).toEqual([
      [0, 'timestamp'],
      [1, '(event)'],
    ]);
    expect(listed[0]?.body).toContain('yesterday');
  });

  it('converges when the same batch is delivered twice at once', async () => {
    // Prepare
    const batch = Array.from({ length: 60 }, () => pageEvent());

    // Act
    const [a, b] = await Promise.all([ingestEvents(batch, deps.events), ingestEvents(batch, deps.events)]);
    const third = await ingestEvents(batch, deps.events);

    // Assess
    expect(a.stored + a.duplicates).toBe(60);
    expect(b.stored + b.duplicates).toBe(60);
    expect(third).toMatchObject({ stored: 0, duplicates: 60 });
  });

  describe('bots (BOT_FILTER)', () => {
    const item = async (messageId: unknown) =>
      (await deps.doc.send(new GetCommand({ TableName: deps.config.tables.page, Key: { messageId } }))).Item;

    it("stores a bot's page view marked, under its own key, without the user agent", async () => {
      // Prepare
      const anonymousId = randomUUID();
      const bot = pageWithAgent(GOOGLEBOT, anonymousId);
      const person = pageEvent({ anonymousId });

      // Act
      const summary = await ingestEvents([bot, person], deps.events);

      // Assess
      expect(summary).toMatchObject({ received: 2, stored: 2, duplicates: 0, bots: 1 });
      const stored = await item(`bot#${String(bot.messageId)}`);
      expect(stored).toMatchObject({ bot: true, type: 'page', visitorKey: `anon#${anonymousId}`, url: 'https://www.example.com/' });
      expect(JSON.stringify(stored)).not.toContain('Googlebot');
      expect(await item(bot.messageId)).toBeUndefined();
      expect((await item(person.messageId))?.bot).toBeUndefined();
    });

    it("makes a bot's resent page view a counted duplicate", async () => {
      // Prepare
      const bot = pageWithAgent(GOOGLEBOT);
      await ingestEvents([bot], deps.events);

      // Act
      const again = await ingestEvents([bot], deps.events);

      // Assess
      expect(again).toMatchObject({ stored: 0, duplicates: 1, bots: 0 });
    });

    it('tells a bot even when DROP_PERSONAL_DATA drops its user agent first', async () => {
      // Prepare
      const bot = pageWithAgent(GOOGLEBOT);

      // Act
      const summary = await ingestEvents([bot], deps.events, new Date(), { dropPersonalData: true });

      // Assess
      expect(summary).toMatchObject({ stored: 1, bots: 1 });
      expect(await item(`bot#${String(bot.messageId)}`)).toMatchObject({ bot: true });
    });

    it('stores every view as it is with BOT_FILTER=off', async () => {
      // Prepare
      const bot = pageWithAgent(GOOGLEBOT);

      // Act
      const summary = await ingestEvents([bot], deps.events, new Date(), { botFilter: false });

      // Assess
      expect(summary).toMatchObject({ stored: 1, bots: 0 });
      expect((await item(bot.messageId))?.bot).toBeUndefined();
    });

    it('takes user agents of 10 KB, empty, missing, not text or with control characters as no bot, without failing', async () => {
      // Prepare
      const odd = [`${GOOGLEBOT} `.repeat(150), '', undefined, 12, { bot: true }, 'Googlebot/2.1\u0000', 'Googlebot/2.1\r\nX: y'];
      const events = odd.map((userAgent) => pageWithAgent(userAgent));

      // Act
      const summary = await ingestEvents(events, deps.events);

      // Assess
      expect(summary).toMatchObject({ received: odd.length, stored: odd.length, rejected: 0, bots: 0 });
      for (const e of events) expect(await item(e.messageId)).toMatchObject({ type: 'page' });
    });

    it("refuses a messageId that starts with the bots' mark, naming the field", async () => {
      // Act
      const summary = await ingestEvents([{ ...pageEvent(), messageId: 'bot#1' }], deps.events);

      // Assess
      expect(summary.errors).toEqual([
        { index: 0, field: 'messageId', message: "must not start with bot#, which sma keeps for bots' page views" },
      ]);
    });
  });

  describe('apps', () => {
    const item = async (messageId: unknown) =>
      (await deps.doc.send(new GetCommand({ TableName: deps.config.tables.page, Key: { messageId } }))).Item;

    it('stores a screen opened by a deep link with the link as its URL and where it was followed from as its referrer', async () => {
      // Prepare
      const screen = screenEvent({
        referrer: { type: 'url', name: 'Gmail', url: 'https://mail.google.com/', link: 'myapp://home?utm_source=google&utm_medium=cpc' },
      });
      const ios = screenEvent({ referrer: { url: 'myapp://promo?utm_source=sms' } });

      // Act
      const summary = await ingestEvents([screen, ios], deps.events);

      // Assess
      expect(summary).toMatchObject({ stored: 2, bots: 0 });
      expect(await item(screen.messageId)).toMatchObject({
        type: 'screen',
        name: 'Home',
        url: 'myapp://home?utm_source=google&utm_medium=cpc',
        referrer: 'https://mail.google.com/',
      });
      const iosItem = await item(ios.messageId);
      expect(iosItem).toMatchObject({ type: 'screen', url: 'myapp://promo?utm_source=sms' });
      expect(iosItem?.referrer).toBeUndefined();
    });

    it('stores an Install Attributed with its campaign beside the page views, and ignores an organic one', async () => {
      // Prepare
      const anonymousId = randomUUID();
      const install = installAttributedEvent({ anonymousId });
      const organic = installAttributedEvent({ anonymousId, provider: 'Adjust', campaign: { source: 'Organic' } });

      // Act
      const summary = await ingestEvents([install, organic], deps.events);

      // Assess
      expect(summary).toMatchObject({ received: 2, stored: 1, ignored: 1 });
      expect(await item(install.messageId)).toMatchObject({
        type: 'track',
        name: 'Install Attributed',
        visitorKey: `anon#${anonymousId}`,
        campaign: { source: 'Facebook Ads', medium: 'cpc', name: 'spring-install', content: 'Carousel' },
      });
      expect(await item(organic.messageId)).toBeUndefined();
    });
  });
});
