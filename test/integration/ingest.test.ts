import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ingestEvents } from '../../src/app/store-events';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { freshConfig } from '../helpers/tables';
import { identifyEvent, pageEvent, trackEvent } from '../helpers/events';

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
      const events = [
        order({ anonymousId }, { revenue: 25.5, currency: 'EUR' }),
        order({ userId: `u-${anonymousId}` }, { total: '12.00' }),
        order({ anonymousId, userId: `u-${anonymousId}` }, { value: 3, currency: 'xbt' }),
        trackEvent({ anonymousId, event: 'Product Viewed' }),
      ];

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
});
