/**
 * `sma refresh` rebuilds touches and report counters from the stored events:
 * here, events stored with no stream processing at all (as if every record
 * had been dropped) end with the counters a brute-force recount gives.
 */
import { cliDeps } from '../../src/cli/import-command';
import { ingestEvents } from '../../src/app/store-events';
import { refreshDerived } from '../../src/app/refresh';
import { linkIdentities } from '../../src/app/link-identities';
import { scopeOf } from '../../src/cli/refresh-command';
import { linkingItemSchema } from '../../src/store/items';
import { attributionHistory, CONVERSION_EVENT } from '../helpers/history';
import { bruteForce, disagreements } from '../helpers/recount';
import { scanAll } from '../helpers/snapshot';
import { freshConfig } from '../helpers/tables';

describe('sma refresh', () => {
  it('rebuilds every touch and counter from the stored events, and a second run corrects nothing', async () => {
    // Prepare: events stored and linked, but no touch or counter derived
    const deps = cliDeps(await freshConfig({ CONVERSION_EVENTS: CONVERSION_EVENT }));
    const events = attributionHistory({ seed: 11, users: 80, visitors: 100, pageViews: 220, userOnlyViews: 10, conversions: 40 });
    const options = { conversionEvents: new Set([CONVERSION_EVENT]) };
    for (let i = 0; i < events.length; i += 100) await ingestEvents(events.slice(i, i + 100), deps.events, new Date(), options);
    const linking = (await scanAll(deps, deps.config.tables.identify)).map((item) => linkingItemSchema.parse(item));
    await linkIdentities(linking, deps.identity);

    // Act
    const first = await refreshDerived({ since: '2026-01-01' }, deps);
    const second = await refreshDerived({ since: '2026-01-01' }, deps);

    // Assess
    // Every visitor with a page view or a conversion; some are known only from an order under their user id.
    const visitors = new Set(
      events.map((e) => (typeof e.anonymousId === 'string' ? `anon#${e.anonymousId}` : `user#${e.userId as string}`)),
    );
    expect(first.visitors).toBe(visitors.size);
    expect(visitors.size).toBeGreaterThan(100 + 10);
    expect(first.corrected).toBeGreaterThan(0);
    expect(second.corrected).toBe(0);
    expect(disagreements(await deps.rollups.counters('2026-01-01', '2026-12-31'), await bruteForce(deps))).toEqual([]);
  });

  it('refreshes one user with every visitor linked to them, or one visitor', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());
    const events = attributionHistory({ seed: 12, users: 5, visitors: 10, pageViews: 20 });
    await ingestEvents(events, deps.events);
    await linkIdentities(
      (await scanAll(deps, deps.config.tables.identify)).map((item) => linkingItemSchema.parse(item)),
      deps.identity,
    );

    // Act
    const user = await refreshDerived({ userId: 'u-1' }, deps);
    const visitor = await refreshDerived({ anonymousId: 'v-2' }, deps);

    // Assess: u-1 has visitors v-1 and v-6 (when identified) and its own key
    expect(user.users).toBe(1);
    expect(user.visitors).toBe(1 + (await deps.identity.linksOf('u-1')).length);
    expect(visitor.visitors).toBe(1);
    expect((await deps.touches.touchesOf('anon#v-2'))?.touches.length).toBeGreaterThan(0);
  });

  it('takes exactly one scope from the command line, and a real day', () => {
    expect(scopeOf({ since: '2026-02-01' })).toEqual({ since: '2026-02-01' });
    expect(scopeOf({ visitor: 'a-1' })).toEqual({ anonymousId: 'a-1' });
    expect(() => scopeOf({})).toThrow(/exactly one of --visitor/);
    expect(() => scopeOf({ user: 'u', since: '2026-02-01' })).toThrow(/exactly one/);
    expect(() => scopeOf({ since: 'yesterday' })).toThrow(/--since must be a day/);
  });
});
