import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ingestEvents } from '../../src/app/store-events';
import { visitorKeyOf } from '../../src/attribution/visitor-key';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { freshConfig } from '../helpers/tables';
import { at, pageEvent } from '../helpers/events';

const T0 = '2026-03-01T09:00:00.000Z';

describe('touches derived from page views in DynamoDB Local', () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = buildDeps(await freshConfig({ OWN_DOMAINS: 'example-checkout.com' }));
  });

  async function visit(anonymousId: string, views: { minutes: number; url?: string; referrer?: string }[]): Promise<string[]> {
    const events = views.map((v) => pageEvent({ anonymousId, timestamp: at(T0, v.minutes), url: v.url, referrer: v.referrer }));
    await ingestEvents(events, deps.events);
    const result = await refreshVisitorTouches(visitorKeyOf({ anonymousId }), deps.touches, deps.classify);
    return result.touches.map((t) => `${t.timestamp.slice(11, 16)} ${t.channel} ${t.source} ${t.rule}`);
  }

  it('applies the touch rules: first view, campaigns, external referrers, never internal navigation', async () => {
    // Act
    const touches = await visit(randomUUID(), [
      { minutes: 0 },
      { minutes: 1, url: 'https://www.example.com/pricing', referrer: 'https://www.example.com/' },
      { minutes: 2, url: 'https://www.example.com/', referrer: 'https://pay.example-checkout.com/' },
      { minutes: 60, referrer: 'https://www.google.com/' },
      { minutes: 120, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' },
      { minutes: 121, referrer: 'https://checkout.stripe.com/' },
      { minutes: 122 },
    ]);

    // Assess
    expect(touches).toEqual([
      '09:00 Direct (direct) first-view',
      '10:00 Organic Search google referrer',
      '11:00 Email newsletter campaign',
    ]);
  });

  it('counts a reload of the same source within 30 minutes once, and again after', async () => {
    // Act
    const touches = await visit(randomUUID(), [
      { minutes: 0, referrer: 'https://www.google.com/' },
      { minutes: 10, referrer: 'https://www.google.com/' },
      { minutes: 35, referrer: 'https://www.google.com/' },
      { minutes: 90, referrer: 'https://www.google.com/' },
    ]);

    // Assess
    expect(touches).toEqual(['09:00 Organic Search google referrer', '10:30 Organic Search google referrer']);
  });

  it('gives the same touches whatever order the events arrive in', async () => {
    // Prepare
    const views = [
      { minutes: 0, referrer: 'https://www.bing.com/' },
      { minutes: 5, url: 'https://www.example.com/?gclid=abc' },
      { minutes: 50, referrer: 'https://t.co/x' },
    ];
    const inOrder = randomUUID();
    const reversed = randomUUID();

    // Act
    const a = await visit(inOrder, views);
    for (const v of [...views].reverse()) await visit(reversed, [v]);
    const b = (await refreshVisitorTouches(visitorKeyOf({ anonymousId: reversed }), deps.touches, deps.classify)).touches.map(
      (t) => `${t.timestamp.slice(11, 16)} ${t.channel} ${t.source} ${t.rule}`,
    );

    // Assess
    expect(b).toEqual(a);
    expect(a).toEqual(['09:00 Organic Search bing referrer', '09:05 Paid Search google campaign', '09:50 Organic Social twitter referrer']);
  });

  it('uses context.campaign when the URL lost its query string', async () => {
    // Prepare
    const anonymousId = randomUUID();
    await ingestEvents(
      [
        pageEvent({
          anonymousId,
          url: 'https://www.example.com/landing',
          campaign: { source: 'linkedin', medium: 'paid_social', name: 'q3' },
        }),
      ],
      deps.events,
    );

    // Act
    const { touches } = await refreshVisitorTouches(visitorKeyOf({ anonymousId }), deps.touches, deps.classify);

    // Assess
    expect(touches[0]).toMatchObject({ channel: 'Paid Social', source: 'linkedin', campaign: 'q3', rule: 'campaign' });
  });

  it('never saves over touches saved after it read them, and derives again instead', async () => {
    // Prepare
    const anonymousId = randomUUID();
    const key = visitorKeyOf({ anonymousId });
    await visit(anonymousId, [{ minutes: 0 }, { minutes: 60, referrer: 'https://www.google.com/' }]);
    const read = await deps.touches.touchesOf(key);

    // Act: another derivation saves in between; a save from the old version fails
    await refreshVisitorTouches(key, deps.touches, deps.classify);
    const stale = await deps.touches.saveTouches({ ...read!, touches: [] });
    const stored = await deps.touches.touchesOf(key);

    // Assess
    expect(stale).toBe(false);
    expect(stored?.touches).toHaveLength(2);
    expect(stored?.version).toBe((read?.version ?? 0) + 1);
  });

  it('counts a page view its stream record carries before the index shows it', async () => {
    // Prepare: one view stored; the next known only from its record
    const anonymousId = randomUUID();
    await visit(anonymousId, [{ minutes: 0 }]);
    const arrived = {
      messageId: randomUUID(),
      timestamp: at(T0, 60),
      referrer: 'https://www.google.com/',
      url: 'https://www.example.com/',
    };

    // Act
    const { touches, pageViews } = await refreshVisitorTouches(visitorKeyOf({ anonymousId }), deps.touches, deps.classify, {
      arrived: [arrived],
    });

    // Assess
    expect(touches.map((t) => t.channel)).toEqual(['Direct', 'Organic Search']);
    expect(pageViews).toBe(2);
  });
});

describe('RETENTION_DAYS in DynamoDB Local', () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = buildDeps(await freshConfig({ RETENTION_DAYS: '7' }));
  });

  it('gives each raw event and rejected body a TTL, and keeps touches whose page views expired', async () => {
    // Prepare: a visitor from search 40 days ago, back by email today
    const anonymousId = randomUUID();
    const key = visitorKeyOf({ anonymousId });
    const now = new Date();
    const old = pageEvent({
      anonymousId,
      timestamp: new Date(now.getTime() - 40 * 86_400_000).toISOString(),
      referrer: 'https://www.google.com/',
    });
    const later = pageEvent({
      anonymousId,
      timestamp: at(old.timestamp as string, 20),
      url: 'https://www.example.com/pricing',
      referrer: 'https://www.example.com/',
    });
    await ingestEvents([old, later, { type: 'page', messageId: 'bad' }], deps.events, now);
    await refreshVisitorTouches(key, deps.touches, deps.classify);
    const stored = await deps.doc.send(new GetCommand({ TableName: deps.config.tables.page, Key: { messageId: old.messageId } }));
    const rejected = await deps.doc.send(
      new QueryCommand({
        TableName: deps.config.tables.attribution,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `rejected#${now.toISOString().slice(0, 10)}` },
      }),
    );

    // Act: TTL removes the old views (DynamoDB Local never does), then a new visit
    for (const e of [old, later])
      await deps.doc.send(new DeleteCommand({ TableName: deps.config.tables.page, Key: { messageId: e.messageId } }));
    const today = pageEvent({
      anonymousId,
      timestamp: now.toISOString(),
      url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email',
    });
    await ingestEvents([today], deps.events);
    const { touches, pageViews } = await refreshVisitorTouches(key, deps.touches, deps.classify);

    // Assess: the old event expires a day from now at the earliest; the touch it made stays first
    const inADay = Math.floor(now.getTime() / 1000) + 86_400;
    expect(stored.Item?.expiresAt).toBeGreaterThanOrEqual(inADay);
    expect(stored.Item?.expiresAt).toBeLessThan(inADay + 60);
    const bad = rejected.Items?.find((item) => String(item.body).includes('"bad"'));
    expect(bad?.expiresAt).toBe(Math.floor(Date.parse(String(bad?.receivedAt)) / 1000) + 7 * 86_400);
    expect(touches.map((t) => [t.messageId, t.channel])).toEqual([
      [old.messageId, 'Organic Search'],
      [today.messageId, 'Email'],
    ]);
    expect(pageViews).toBe(1);
  });
});
