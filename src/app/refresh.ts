/**
 * `sma refresh`: derived state rebuilt from the stored events. Touches,
 * report counters and attribution are functions of the page views, links and
 * conversions kept in the tables, so whatever a stream ever dropped (a record set aside,
 * an on-failure queue, an outage longer than the retries) is repaired by
 * deriving them again. Idempotent: refreshing what is current changes
 * nothing. Never sends to Segment.
 */
import type { Classifier } from '../source';
import { mapLimit } from '../lib/concurrency';
import { visitorKeyOf } from '../attribution/visitor-key';
import type { EventStore } from './ports';
import { refreshUserRollup, refreshVisitorRollup, usersOfVisitor, type RollupDeps } from './refresh-counters';
import { refreshVisitorTouches } from './refresh-touches';

/** Visitors (then users) refreshed at once. */
export const REFRESH_CONCURRENCY = 8;

export interface RefreshDeps extends RollupDeps {
  events: Pick<EventStore, 'visitorsWithViewsSince'>;
  classify: Classifier;
}

/** What to refresh: one visitor, one user with every visitor linked to them, or every visitor seen since a day. */
export type RefreshScope = { anonymousId: string } | { userId: string } | { since: string };

export interface RefreshSummary {
  visitors: number;
  users: number;
  /** Visitors and users whose report counters or first/last touch were not what their events make them. */
  corrected: number;
}

/** The visitor keys of a scope, page by page. */
async function* visitorsOf(scope: RefreshScope, deps: RefreshDeps): AsyncIterable<string[]> {
  if ('since' in scope) {
    yield* deps.events.visitorsWithViewsSince(scope.since);
    // Visitors known only from a conversion have no page view to be found by.
    if (deps.conversions) yield* deps.conversions.visitorsWithConversionsSince(scope.since);
    return;
  }
  if ('anonymousId' in scope) {
    yield [visitorKeyOf({ anonymousId: scope.anonymousId })];
    return;
  }
  const links = await deps.identity.linksOf(scope.userId);
  yield [visitorKeyOf({ userId: scope.userId }), ...links.map((l) => visitorKeyOf({ anonymousId: l.anonymousId }))];
}

/** Refreshes a scope: each visitor's touches and counters, then each of their users' counters, once each. */
export async function refreshDerived(
  scope: RefreshScope,
  deps: RefreshDeps,
  onProgress: (p: RefreshSummary) => void = () => undefined,
): Promise<RefreshSummary> {
  const summary: RefreshSummary = { visitors: 0, users: 0, corrected: 0 };
  const seen = new Set<string>();
  const users = new Set<string>('userId' in scope ? [scope.userId] : []);
  for await (const page of visitorsOf(scope, deps)) {
    const fresh = [...new Set(page)].filter((key) => !seen.has(key));
    for (const key of fresh) seen.add(key);
    await mapLimit(fresh, REFRESH_CONCURRENCY, async (key) => {
      await refreshVisitorTouches(key, deps.touches, deps.classify);
      const [change, userIds] = await Promise.all([refreshVisitorRollup(key, deps), usersOfVisitor(key, deps.identity)]);
      for (const userId of userIds) users.add(userId);
      summary.visitors += 1;
      if (change.committed) summary.corrected += 1;
    });
    onProgress(summary);
  }
  await mapLimit([...users], REFRESH_CONCURRENCY, async (userId) => {
    const change = await refreshUserRollup(userId, deps);
    summary.users += 1;
    if (change.committed) summary.corrected += 1;
  });
  onProgress(summary);
  return summary;
}
