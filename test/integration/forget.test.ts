/**
 * Deletion requests against DynamoDB Local: afterwards a scan of every table
 * finds the person's ids nowhere, while everyone else's data and the report
 * counters stay.
 */
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { forgetPerson } from '../../src/app/forget';
import { linkIdentities } from '../../src/app/link-identities';
import { ingestEvents } from '../../src/app/store-events';
import { refreshUserRollup, refreshVisitorRollup } from '../../src/app/refresh-counters';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { forgetScopeOf } from '../../src/cli/forget-command';
import { linkingItemSchema } from '../../src/store/items';
import { aliasEvent, identifyEvent, pageEvent, trackEvent } from '../helpers/events';
import { scanAll } from '../helpers/snapshot';
import { freshConfig } from '../helpers/tables';

/** Every item of every table, as text. */
async function everything(deps: Deps): Promise<string> {
  const tables = Object.values(deps.config.tables);
  return JSON.stringify(await Promise.all(tables.map((t) => scanAll(deps, t))));
}

/** Stores events and derives everything the stream processors would. */
async function process(deps: Deps, events: Record<string, unknown>[]): Promise<void> {
  await ingestEvents(events, deps.events, new Date(), { conversionEvents: new Set(deps.config.conversions.events) });
  await linkIdentities(
    (await scanAll(deps, deps.config.tables.identify)).map((i) => linkingItemSchema.parse(i)),
    deps.identity,
  );
  const visitors = new Set((await scanAll(deps, deps.config.tables.page)).map((i) => String(i.visitorKey)));
  for (const key of visitors) {
    await refreshVisitorTouches(key, deps.touches, deps.classify);
    await refreshVisitorRollup(key, deps);
  }
  for (const userId of ['gdpr-user', 'keep-user', 'shared-user']) await refreshUserRollup(userId, deps);
}

const at = (day: number): string => `2026-06-${String(day).padStart(2, '0')}T10:00:00.000Z`;

/** A user on two devices, one also used by another user, an old id aliased, a page view under the user id, and a refused event. */
function history(): Record<string, unknown>[] {
  return [
    pageEvent({ anonymousId: 'gdpr-phone', timestamp: at(1), url: 'https://acme.com/?utm_source=news&utm_medium=email' }),
    pageEvent({ anonymousId: 'gdpr-laptop', timestamp: at(2), url: 'https://acme.com/?gclid=g' }),
    pageEvent({ userId: 'gdpr-user', anonymousId: 'gdpr-phone', timestamp: at(3), referrer: 'https://t.co/x' }),
    identifyEvent({ anonymousId: 'gdpr-phone', userId: 'gdpr-user', timestamp: at(1) }),
    identifyEvent({ anonymousId: 'gdpr-laptop', userId: 'gdpr-user', timestamp: at(2) }),
    aliasEvent({ previousId: 'gdpr-old-id', userId: 'gdpr-user', timestamp: at(2) }),
    // The laptop is shared: someone else signs in on it too.
    identifyEvent({ anonymousId: 'gdpr-laptop', userId: 'shared-user', timestamp: at(4) }),
    // Refused (a bad timestamp), kept in the rejected list with its body.
    { type: 'page', anonymousId: 'gdpr-phone', messageId: 'gdpr-bad', timestamp: 'not a date' },
    // Orders: one on the laptop before signing in, one server-side under the user id.
    orderEvent({ anonymousId: 'gdpr-laptop' }, at(2)),
    orderEvent({ userId: 'gdpr-user' }, at(3)),
    // Someone else entirely.
    pageEvent({ anonymousId: 'keep-phone', timestamp: at(5), referrer: 'https://www.google.com/' }),
    identifyEvent({ anonymousId: 'keep-phone', userId: 'keep-user', timestamp: at(5) }),
    orderEvent({ anonymousId: 'keep-phone', userId: 'keep-user' }, at(5)),
  ];
}

/** An order (a conversion under CONVERSION_EVENTS). */
function orderEvent(ids: { anonymousId?: string; userId?: string }, timestamp: string): Record<string, unknown> {
  return { ...trackEvent({ ...ids, event: 'Order Completed' }), timestamp, properties: { revenue: 10, currency: 'EUR' } };
}

/** A fresh set of tables where orders are conversions. */
const freshDeps = async (): Promise<Deps> => buildDeps(await freshConfig({ CONVERSION_EVENTS: 'Order Completed' }));

describe('forgetting a person', () => {
  it('removes every item of a user and their anonymous ids, links in both directions and rejected bodies, and nothing else', async () => {
    // Prepare
    const deps = await freshDeps();
    await process(deps, history());
    await deps.events.storeRejected([
      {
        index: 0,
        field: 'processing',
        message: 'processPage: test',
        body: JSON.stringify({ visitorKey: 'anon#gdpr-laptop' }),
        receivedAt: at(6),
      },
    ]);
    const before = await everything(deps);
    const counters = await deps.rollups.counters('2026-06-01', '2026-06-30');

    // Act
    const removed = await forgetPerson({ userId: 'gdpr-user' }, deps);
    const again = await forgetPerson({ userId: 'gdpr-user' }, deps);

    // Assess: the ids were there, and now are nowhere; the others' data and the counters stay
    const after = await everything(deps);
    expect(before).toContain('gdpr-bad');
    expect(after).not.toMatch(/gdpr-/);
    expect(after).toContain('keep-phone');
    expect(after).toContain('keep-user');
    expect(removed).toMatchObject({ pageViews: 3, events: 4, links: 4, rejected: 2, conversions: 2 });
    expect(again).toMatchObject({ pageViews: 0, events: 0, links: 0, rejected: 0, conversions: 0 });
    expect(await deps.rollups.counters('2026-06-01', '2026-06-30')).toEqual(counters);
  });

  it('removes one anonymous visitor with its links, and leaves its user the rest', async () => {
    // Prepare
    const deps = await freshDeps();
    await process(deps, history());

    // Act
    const removed = await forgetPerson({ anonymousId: 'gdpr-laptop' }, deps);

    // Assess
    const after = await everything(deps);
    expect(after).not.toContain('gdpr-laptop');
    expect(after).toContain('gdpr-phone');
    expect(removed).toMatchObject({ pageViews: 1, links: 2, conversions: 1, touchLists: 1, rollupStates: 1 });
    expect(await deps.identity.anonymousIdsOf('gdpr-user')).toEqual(expect.arrayContaining(['gdpr-phone', 'gdpr-old-id']));
  });

  it('answers that it removed nothing for a person it never heard of, and again for one already forgotten', async () => {
    // Prepare
    const deps = await freshDeps();
    await process(deps, history());
    await forgetPerson({ anonymousId: 'gdpr-laptop' }, deps);

    // Act
    const unknown = await forgetPerson({ userId: 'nobody' }, deps);
    const again = await forgetPerson({ anonymousId: 'gdpr-laptop' }, deps);

    // Assess
    const none = { pageViews: 0, events: 0, links: 0, touchLists: 0, rollupStates: 0, rejected: 0, conversions: 0 };
    expect(unknown).toEqual(none);
    expect(again).toEqual(none);
  });

  it('takes exactly one person from the command line', () => {
    expect(forgetScopeOf({ user: 'u' })).toEqual({ userId: 'u' });
    expect(forgetScopeOf({ anonymous: 'a' })).toEqual({ anonymousId: 'a' });
    expect(() => forgetScopeOf({})).toThrow(/exactly one of --user/);
    expect(() => forgetScopeOf({ user: 'u', anonymous: 'a' })).toThrow(/exactly one/);
  });
});
