/**
 * A conversion's credit in the report counters follows what sma learns after
 * it: an anonymous order is credited to its device's touches, credited again
 * with the person's earlier touches on another device once they sign in, and
 * again when a touch before it arrives late. Against DynamoDB Local, through
 * the use cases the stream processors run.
 */
import { randomUUID } from 'node:crypto';
import { conversionSchema } from '../../src/attribution/conversions';
import { parseCounterId, USER_UNITS } from '../../src/attribution/counters';
import { countsConversions } from '../../src/attribution/conversion-counters';
import { linkIdentities } from '../../src/app/link-identities';
import { processAttributionChanges, type SyncDeps } from '../../src/app/realtime-sync';
import { refreshVisitorRollup } from '../../src/app/refresh-counters';
import type { ConversionStore, IdentityStore, RollupStore } from '../../src/app/ports';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { ingestEvents } from '../../src/app/store-events';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { linkingItemSchema } from '../../src/store/items';
import { identifyEvent, pageEvent, trackEvent } from '../helpers/events';
import { freshConfig } from '../helpers/tables';
import { quietSync } from '../helpers/handler-deps';

const day = (d: number): string => `2026-05-${String(d).padStart(2, '0')}T12:00:00.000Z`;

describe('conversion credit, as sma learns more', () => {
  let deps: Deps;
  let sync: SyncDeps;

  beforeAll(async () => {
    deps = buildDeps(await freshConfig({ CONVERSION_EVENTS: 'Order Completed' }));
    sync = quietSync(deps);
  });

  /** Stores events, derives the touches of the visitors they name, and links their ids, as processPage and processIdentify do. */
  async function arrive(events: Record<string, unknown>[]): Promise<void> {
    await ingestEvents(events, deps.events, new Date(), { conversionEvents: new Set(['Order Completed']) });
    const visitors = new Set(events.filter((e) => e.type === 'page').map((e) => `anon#${String(e.anonymousId)}`));
    for (const key of visitors) await refreshVisitorTouches(key, deps.touches, deps.classify);
    await linkIdentities(
      events.filter((e) => e.type === 'identify').map((e) => linkingItemSchema.parse({ ...e, type: 'identify' })),
      deps.identity,
    );
  }

  /** Conversion counters of a month (default May), as `metric channel/source = n` (zeros left out). */
  async function credited(metrics: string[], month = '2026-05'): Promise<string[]> {
    const counters = await deps.rollups.counters(`${month}-01`, `${month}-31`);
    return [...counters]
      .map(([id, n]) => ({ key: parseCounterId(id), n }))
      .filter(({ key, n }) => key && metrics.includes(key.metric) && n !== 0)
      .map(({ key, n }) => `${key?.metric} ${key?.channel}/${key?.source} = ${n}`)
      .sort();
  }

  it('credits an order to the visit that led to it even when the order is processed before that page view', async () => {
    // Prepare: the landing page and the order in one request; no page view processed yet
    const visitor = randomUUID();
    const order = {
      ...trackEvent({ anonymousId: visitor, event: 'Order Completed' }),
      timestamp: '2026-06-20T12:00:00.000Z',
      properties: { revenue: 5, currency: 'GBP' },
    };
    const landing = pageEvent({
      anonymousId: visitor,
      timestamp: '2026-06-20T11:50:00.000Z',
      url: 'https://www.example.com/?utm_source=podcast&utm_medium=audio',
    });
    await ingestEvents([landing, order], deps.events, new Date(), { conversionEvents: new Set(['Order Completed']) });
    const conversion = conversionSchema.parse((await deps.conversions?.conversionsOf(`anon#${visitor}`))?.[0]);

    // Act: the order's stream record comes first
    await processAttributionChanges([{ kind: 'conversion', conversion, ref: 1 }], sync);

    // Assess
    expect(await credited(['value:last_touch:GBP'], '2026-06')).toEqual(['value:last_touch:GBP Audio/podcast = 500']);
  });

  it('moves an anonymous order to the earlier touch of another device once the person signs in, and to a late-arriving touch', async () => {
    // Prepare: search on the phone, the newsletter on the laptop, then an order on the laptop, not signed in
    const [phone, laptop, user] = [randomUUID(), randomUUID(), `u-${randomUUID()}`];
    const order = {
      ...trackEvent({ anonymousId: laptop, event: 'Order Completed' }),
      timestamp: day(6),
      properties: { revenue: 100, currency: 'EUR' },
    };
    await arrive([
      pageEvent({ anonymousId: phone, timestamp: day(1), referrer: 'https://www.google.com/' }),
      pageEvent({ anonymousId: laptop, timestamp: day(5), url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' }),
      order,
    ]);
    const conversion = conversionSchema.parse((await deps.conversions?.conversionsOf(`anon#${laptop}`))?.[0]);
    const metrics = ['conversions:first_touch', 'value:first_touch:EUR', 'conversions:last_touch'];

    // Act 1: the order's stream record
    await processAttributionChanges([{ kind: 'conversion', conversion, ref: 1 }], sync);
    const anonymous = await credited(metrics);

    // Act 2: the person signs in on both devices (the user map's stream records)
    await arrive([identifyEvent({ anonymousId: laptop, userId: user, timestamp: day(7) })]);
    await arrive([identifyEvent({ anonymousId: phone, userId: user, timestamp: day(8) })]);
    await processAttributionChanges(
      [laptop, phone].map((anonymousId, ref) => ({ kind: 'link' as const, userId: user, anonymousId, ref })),
      sync,
    );
    const identified = await credited(metrics);

    // Act 3: a paid social visit on the laptop just before the order arrives late (processPage)
    await arrive([
      pageEvent({
        anonymousId: laptop,
        timestamp: day(5).replace('12:00', '18:00'),
        url: 'https://www.example.com/?utm_source=facebook&utm_medium=paid_social',
      }),
    ]);
    await processAttributionChanges([{ kind: 'touches', visitorKey: `anon#${laptop}`, ref: 1 }], sync);
    const late = await credited(metrics);

    // Assess
    expect(anonymous).toEqual([
      `conversions:first_touch Email/newsletter = ${USER_UNITS}`,
      `conversions:last_touch Email/newsletter = ${USER_UNITS}`,
      'value:first_touch:EUR Email/newsletter = 10000',
    ]);
    expect(identified).toEqual([
      `conversions:first_touch Organic Search/google = ${USER_UNITS}`,
      `conversions:last_touch Email/newsletter = ${USER_UNITS}`,
      'value:first_touch:EUR Organic Search/google = 10000',
    ]);
    expect(late).toEqual([
      `conversions:first_touch Organic Search/google = ${USER_UNITS}`,
      `conversions:last_touch Paid Social/facebook = ${USER_UNITS}`,
      'value:first_touch:EUR Organic Search/google = 10000',
    ]);
  });

  /** The conversion store of `deps`, counting the visitors whose conversions are read. */
  function countingReads(): { store: ConversionStore; reads: string[] } {
    const real = deps.conversions as ConversionStore;
    const reads: string[] = [];
    const store: ConversionStore = {
      conversionsOf: (visitorKey) => {
        reads.push(visitorKey);
        return real.conversionsOf(visitorKey);
      },
      visitorsWithConversionsSince: (since) => real.visitorsWithConversionsSince(since),
      allConversions: () => real.allConversions(),
    };
    return { store, reads };
  }

  it('reads no conversions for a new touch of a visitor who counts none, and still re-credits one who counts some', async () => {
    // Prepare: a visitor who never ordered, and one whose order is credited
    const [browser, buyer] = [randomUUID(), randomUUID()];
    const order = {
      ...trackEvent({ anonymousId: buyer, event: 'Order Completed' }),
      timestamp: day(20),
      properties: { revenue: 7, currency: 'USD' },
    };
    await arrive([pageEvent({ anonymousId: browser, timestamp: day(19) }), pageEvent({ anonymousId: buyer, timestamp: day(19) }), order]);
    const conversion = conversionSchema.parse((await deps.conversions?.conversionsOf(`anon#${buyer}`))?.[0]);
    await processAttributionChanges([{ kind: 'conversion', conversion, ref: 0 }], sync);
    const { store, reads } = countingReads();

    // Act: a later page view of each (processPage's stream records)
    await arrive([
      pageEvent({ anonymousId: browser, timestamp: day(21), url: 'https://www.example.com/?utm_source=quora&utm_medium=social' }),
      pageEvent({
        anonymousId: buyer,
        timestamp: day(19).replace('12:00', '18:00'),
        url: 'https://www.example.com/?utm_source=bing&utm_medium=cpc',
      }),
    ]);
    await processAttributionChanges(
      [browser, buyer].map((id, ref) => ({ kind: 'touches' as const, visitorKey: `anon#${id}`, ref })),
      { ...sync, conversions: store },
    );

    // Assess
    expect(reads).toEqual([`anon#${buyer}`]);
    expect(await credited(['value:last_touch:USD'])).toEqual(['value:last_touch:USD Paid Search/bing = 700']);
  });

  it('credits a conversion committed while a new touch was being counted without it', async () => {
    // Prepare: a visitor's first page view counted; a second one and its order stored, neither counted yet
    const visitor = randomUUID();
    const key = `anon#${visitor}`;
    await arrive([
      pageEvent({ anonymousId: visitor, timestamp: day(22), url: 'https://www.example.com/?utm_source=tiktok&utm_medium=paid_social' }),
    ]);
    await processAttributionChanges([{ kind: 'touches', visitorKey: key, ref: 0 }], sync);
    const order = {
      ...trackEvent({ anonymousId: visitor, event: 'Order Completed' }),
      timestamp: day(23),
      properties: { revenue: 3, currency: 'CHF' },
    };
    await arrive([
      pageEvent({ anonymousId: visitor, timestamp: day(23).replace('12:00', '11:00'), referrer: 'https://duckduckgo.com/' }),
      order,
    ]);
    // The touch's refresh reads the state, then the order's refresh commits before it does.
    const real: RollupStore = deps.rollups;
    let raced = false;
    const rollups: RollupStore = Object.assign(Object.create(real) as RollupStore, {
      stateOf: async (entity: Parameters<RollupStore['stateOf']>[0]) => {
        const state = await real.stateOf(entity);
        if (!raced) {
          raced = true;
          await refreshVisitorRollup(key, deps);
        }
        return state;
      },
    });

    // Act
    await processAttributionChanges([{ kind: 'touches', visitorKey: key, ref: 0 }], { ...sync, rollups });

    // Assess
    expect(raced).toBe(true);
    expect(await credited(['value:first_touch:CHF', 'value:last_touch:CHF'])).toEqual([
      'value:first_touch:CHF Paid Social/tiktok = 300',
      'value:last_touch:CHF Organic Search/duckduckgo = 300',
    ]);
  });

  it('hands an anonymous order to its user when the index shows their link only after the order was credited', async () => {
    // Prepare: a visit and a sign-in; the user map's index does not show the link yet
    const [visitor, user] = [randomUUID(), `u-${randomUUID()}`];
    await arrive([
      pageEvent({ anonymousId: visitor, timestamp: day(24), url: 'https://www.example.com/?utm_source=pinterest&utm_medium=social' }),
      identifyEvent({ anonymousId: visitor, userId: user, timestamp: day(24) }),
    ]);
    let lagging = true;
    const identity: IdentityStore = Object.assign(Object.create(deps.identity) as IdentityStore, {
      userIdsOf: async (anonymousId: string) => (lagging ? [] : deps.identity.userIdsOf(anonymousId)),
    });
    await processAttributionChanges([{ kind: 'link', userId: user, anonymousId: visitor, ref: 0 }], { ...sync, identity });
    // An order without the user id, credited to the visitor while the index still lags
    const order = {
      ...trackEvent({ anonymousId: visitor, event: 'Order Completed' }),
      timestamp: day(25),
      properties: { revenue: 9, currency: 'SEK' },
    };
    await arrive([order]);
    const conversion = conversionSchema.parse((await deps.conversions?.conversionsOf(`anon#${visitor}`))?.[0]);
    await processAttributionChanges([{ kind: 'conversion', conversion, ref: 0 }], { ...sync, identity });
    const beforeIndex = await credited(['value:first_touch:SEK']);
    lagging = false;

    // Act: the visitor's next page view, once the index shows the link
    await arrive([pageEvent({ anonymousId: visitor, timestamp: day(26) })]);
    await processAttributionChanges([{ kind: 'touches', visitorKey: `anon#${visitor}`, ref: 0 }], sync);

    // Assess: counted once all along, by the visitor, then by its user
    expect(beforeIndex).toEqual(['value:first_touch:SEK Organic Social/pinterest = 900']);
    expect(await credited(['value:first_touch:SEK'])).toEqual(['value:first_touch:SEK Organic Social/pinterest = 900']);
    const [visitorState, userState] = await Promise.all([
      deps.rollups.stateOf({ kind: 'visitor', key: `anon#${visitor}` }),
      deps.rollups.stateOf({ kind: 'user', id: user }),
    ]);
    expect([countsConversions(visitorState?.counts ?? {}), countsConversions(userState?.counts ?? {})]).toEqual([false, true]);
  });
});
