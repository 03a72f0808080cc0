/**
 * Deleting a person (GDPR, CCPA): every stored event, conversion, link,
 * touch list, rollup state and kept rejected body of a user with every anonymous id
 * linked to them, or of one anonymous visitor. The report counters are
 * aggregates and stay as they are.
 *
 * Safe to repeat: links go last, so a deletion stopped halfway still finds
 * every anonymous id of the user when it is run again.
 */
import { visitorKeyOf } from '../attribution/visitor-key';
import type { ForgetStore, IdentityStore, RollupEntity } from './ports';

export type ForgetScope = { userId: string } | { anonymousId: string };

/** What a deletion removed, by kind of item. */
export interface Forgotten {
  pageViews: number;
  events: number;
  links: number;
  touchLists: number;
  rollupStates: number;
  rejected: number;
  conversions: number;
}

export interface ForgetDeps {
  identity: Pick<IdentityStore, 'linksOf' | 'userIdsOf'>;
  forget: ForgetStore;
}

/** The ids, visitors, links and rollup entities of a scope. */
async function personOf(scope: ForgetScope, identity: ForgetDeps['identity']) {
  if ('userId' in scope) {
    const anonymousIds = (await identity.linksOf(scope.userId)).map((l) => l.anonymousId);
    const visitorKeys = [visitorKeyOf({ userId: scope.userId }), ...anonymousIds.map((anonymousId) => visitorKeyOf({ anonymousId }))];
    // Their anonymous ids are theirs: links of those to other users (a shared device) go too.
    const linkedTo = await Promise.all(anonymousIds.map((anonymousId) => identity.userIdsOf(anonymousId)));
    return {
      userIds: [scope.userId],
      anonymousIds,
      visitorKeys,
      links: anonymousIds.flatMap((anonymousId, i) => (linkedTo[i] ?? []).map((userId) => ({ userId, anonymousId }))),
      entities: [...visitorKeys.map((key): RollupEntity => ({ kind: 'visitor', key })), { kind: 'user', id: scope.userId } as const],
    };
  }
  const visitorKey = visitorKeyOf({ anonymousId: scope.anonymousId });
  const userIds = await identity.userIdsOf(scope.anonymousId);
  return {
    userIds: [],
    anonymousIds: [scope.anonymousId],
    visitorKeys: [visitorKey],
    links: userIds.map((userId) => ({ userId, anonymousId: scope.anonymousId })),
    entities: [{ kind: 'visitor', key: visitorKey } as const],
  };
}

export async function forgetPerson(scope: ForgetScope, deps: ForgetDeps): Promise<Forgotten> {
  const person = await personOf(scope, deps.identity);
  const { forget } = deps;
  const [pageViews, events, touchLists, rollupStates, rejected, conversions] = await Promise.all([
    forget.deletePageViews(person.visitorKeys),
    forget.deleteLinkingEvents({ userIds: person.userIds, anonymousIds: person.anonymousIds }),
    forget.deleteTouches(person.visitorKeys),
    forget.deleteRollupStates(person.entities),
    // Set-aside records name visitors by key, rejected events by id.
    forget.deleteRejected([...person.userIds, ...person.anonymousIds, ...person.visitorKeys]),
    forget.deleteConversions(person.visitorKeys),
  ]);
  const links = await forget.deleteLinks(person.links);
  return { pageViews, events, links, touchLists, rollupStates, rejected, conversions };
}
