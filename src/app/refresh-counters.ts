/**
 * Keeping the report counters current for one visitor or one user: compute
 * what the entity contributes now, apply the difference from what it
 * contributed before, and say whether its first or last touch changed (which
 * is what real-time sync acts on).
 *
 * Safe to repeat and to run concurrently: the difference is applied together
 * with the new state, only while the old state is still current. A retry after
 * success finds nothing left to apply.
 */
import {
  addContribution,
  contributionDelta,
  takeBackCounterId,
  userContribution,
  visitorContribution,
  type Contribution,
} from '../attribution/counters';
import { firstTouch, lastTouch, type ModelOptions } from '../attribution/models';
import { compareByTime, type Touch } from '../attribution/touches';
import { StorageUnavailableError } from '../errors';
import { conversionContribution, countsConversions } from '../attribution/conversion-counters';
import type { Conversion } from '../attribution/conversions';
import { mapLimit } from '../lib/concurrency';
import type {
  ConversionStore,
  IdentityStore,
  RollupEntity,
  RollupSeed,
  RollupState,
  RollupStore,
  TouchStore,
  VisitorTouches,
} from './ports';
import { anonymousIdOf, userIdOf, visitorKeyOf } from '../attribution/visitor-key';
import { collectTouches, mergeTouches, type VisitorTouch } from './visitor-view';

/** Attempts when other writers keep changing the same entity. */
export const MAX_ROLLUP_ATTEMPTS = 5;

export interface RollupDeps {
  identity: IdentityStore;
  touches: TouchStore;
  rollups: RollupStore;
  model: ModelOptions;
  /** Conversions to credit; undefined when conversions are off (CONVERSION_EVENTS unset). */
  conversions?: ConversionStore;
}

/** Conversion lists read at once for a user with many anonymous ids. */
const CONVERSION_READ_CONCURRENCY = 8;

/**
 * The conversions a visitor counts for itself: those an anonymous visitor
 * made without a user id while no user is linked to it (`linkedTo`: users
 * known to be, from a link's stream record, which the index may not show
 * yet). The others count for a user, so that each conversion is credited
 * once, with every touch of the person.
 */
async function ownConversions(
  visitorKey: string,
  deps: Pick<RollupDeps, 'conversions' | 'identity'>,
  { linkedTo = [], indexedUsers }: VisitorLinks,
): Promise<Conversion[]> {
  const anonymousId = anonymousIdOf(visitorKey);
  if (!deps.conversions || anonymousId === undefined) return [];
  const unowned = (await deps.conversions.conversionsOf(visitorKey)).filter((c) => c.userId === undefined);
  if (unowned.length === 0) return [];
  return (await ownerOf(anonymousId, deps.identity, linkedTo, indexedUsers)) === undefined ? unowned : [];
}

/** What a caller knows of a visitor's users, to spare a refresh reading them again. */
export interface VisitorLinks {
  /** Users a link record says this visitor belongs to, which the index may not show yet. */
  linkedTo?: readonly string[];
  /** The visitor's users as the index shows them, when the caller reads them anyway (usersOfVisitor). */
  indexedUsers?: Promise<readonly string[]>;
}

/**
 * The conversions a user counts, over their visitors: those made as this user
 * (the event's own userId), and those an anonymous visitor made without a
 * user id when this is the first of the users it is linked to, so that a
 * shared device's conversion is counted once.
 */
export async function userConversions(
  userId: string,
  visitors: readonly { key: string; anonymousId: string | null }[],
  deps: Pick<RollupDeps, 'conversions' | 'identity'>,
): Promise<Conversion[]> {
  const store = deps.conversions;
  if (!store) return [];
  const lists = await mapLimit(visitors, CONVERSION_READ_CONCURRENCY, async ({ key, anonymousId }) => {
    const all = await store.conversionsOf(key);
    const mine = all.filter((c) => c.userId === userId);
    const unowned = all.filter((c) => c.userId === undefined);
    if (unowned.length === 0 || anonymousId === null) return mine;
    // This user's own link is read from the table; the index may not show it yet.
    return (await ownerOf(anonymousId, deps.identity, [userId])) === userId ? [...mine, ...unowned] : mine;
  });
  return lists.flat();
}

/**
 * The user an anonymous visitor's conversions without a user id count for:
 * the first (by id) of its users, those the index shows and those `known`
 * to be linked; undefined when it has none.
 */
export async function ownerOf(
  anonymousId: string,
  identity: Pick<IdentityStore, 'userIdsOf'>,
  known: readonly string[] = [],
  indexed: Promise<readonly string[]> = identity.userIdsOf(anonymousId),
): Promise<string | undefined> {
  return [...new Set([...(await indexed), ...known])].sort()[0];
}

/** An entity after its counters were brought up to date. */
export interface RollupChange {
  entity: RollupEntity;
  /** True when the first or the last touch is not the one it was. */
  changed: boolean;
  touches: VisitorTouch[];
  first: Touch | undefined;
  last: Touch | undefined;
  /** First and last touch before, by messageId (null when there was none or no state). */
  before: { first: string | null; last: string | null };
  /** True when the saved state was not what the touches make it, and was brought up to date. */
  committed: boolean;
  /** True when the entity's conversions were read (see RefreshOptions.conversionsChanged): their credit may have moved. */
  conversionsRead: boolean;
}

/** Called with a change of first or last touch before it is committed; throwing leaves the state as it was, for a retry. */
export type BeforeCommit = (change: RollupChange) => Promise<void>;

/** How a refresh is run. */
export interface RefreshOptions {
  /** Called with a change of first or last touch before it is committed. */
  beforeCommit?: BeforeCommit;
  /**
   * False when the caller knows none of the entity's conversions changed (a
   * new touch, not a new conversion or link). Its conversions are then read
   * only when its saved state counts some: a page view of a visitor who never
   * converted reads no conversion. Default true.
   */
  conversionsChanged?: boolean;
}

/** What an entity contributes now, its conversions read when `readConversions` resolves to true. */
type Load = (readConversions: Promise<boolean>) => Promise<{ touches: VisitorTouch[]; counts: Record<string, number>; seed?: RollupSeed }>;

async function refresh(entity: RollupEntity, deps: RollupDeps, load: Load, options: RefreshOptions): Promise<RollupChange> {
  const { beforeCommit, conversionsChanged = true } = options;
  for (let attempt = 1; attempt <= MAX_ROLLUP_ATTEMPTS; attempt++) {
    const state = deps.rollups.stateOf(entity);
    // A state that counts no conversion stays so on a new touch. A conversion
    // credited to this entity meanwhile makes this commit fail, and the next
    // attempt reads it.
    const readConversions = conversionsChanged
      ? Promise.resolve(true)
      : state.then(
          (s) => countsConversions(s?.counts ?? {}),
          () => false,
        );
    const [stored, now, conversionsRead] = await Promise.all([state, load(readConversions), readConversions]);
    const seeded = await fromSeed(seedOf(stored, now.seed), deps.rollups);
    const previous = stored && stored.version > 0 ? stored : seeded.state;
    const { first, last, next } = stateFrom(now.touches, now.counts, deps.model);
    const before = { first: previous?.first ?? null, last: previous?.last ?? null };
    const changed = before.first !== next.first || before.last !== next.last;
    const change = { entity, touches: now.touches, first, last, before, changed, committed: false, conversionsRead };
    if (previous && unchanged(previous, next)) return change;
    if (change.changed && beforeCommit) await beforeCommit(change);
    const delta = contributionDelta(previous?.counts ?? {}, next.counts);
    addContribution(delta, seeded.takeBack);
    const version = stored?.version ?? (seeded.state ? 0 : undefined);
    if (await deps.rollups.commit(entity, version, { ...next, ...(stored?.seed ? { seed: stored.seed } : {}) }, delta))
      return { ...change, committed: true };
  }
  throw new StorageUnavailableError(`rollup state of ${entity.kind} kept changing under ${MAX_ROLLUP_ATTEMPTS} attempts`);
}

/** The import seed an entity's state stands for: a user's seed item, or a visitor's seed when it has no state item. */
function seedOf(stored: RollupState | undefined, visitorSeed: RollupSeed | undefined): RollupSeed | undefined {
  if (!stored) return visitorSeed;
  if (stored.version > 0 || !stored.seed) return undefined;
  return { tag: stored.seed, counts: stored.counts, first: stored.first, last: stored.last };
}

/** An entity's state from its touches and contribution: the first and last touch, and what is saved of them. */
function stateFrom(
  touches: readonly Touch[],
  counts: Record<string, number>,
  model: ModelOptions,
): { first: Touch | undefined; last: Touch | undefined; next: Omit<RollupState, 'version'> } {
  const first = firstTouch(touches, model);
  const last = lastTouch(touches, model);
  return { first, last, next: { counts, first: first?.messageId ?? null, last: last?.messageId ?? null } };
}

/** What a seed means for an entity's first commit: the state it stands for, or counters to take back from its import. */
interface Seeded {
  state: RollupState | undefined;
  takeBack: Contribution;
}

const NO_SEED: Seeded = { state: undefined, takeBack: {} };

/**
 * A seed left by a bulk import, as the state it stands for (version 0: no
 * state item yet). Until that import has finished, its counter rows do not
 * count, so neither does the seed: the visitor is counted as new. Those rows
 * will count the visitor too once the import finishes (it may be resumed
 * later, even after another import of the same archive), so the same commit
 * takes the seed's share back out of them, under the import's tag: it counts
 * from the moment they do, and never if they never do.
 */
async function fromSeed(seed: RollupSeed | undefined, rollups: RollupStore): Promise<Seeded> {
  if (!seed) return NO_SEED;
  if (await rollups.importFinished(seed.tag)) {
    return { state: { version: 0, counts: seed.counts, first: seed.first, last: seed.last }, takeBack: {} };
  }
  const takeBack = Object.entries(seed.counts).map(([id, n]) => [takeBackCounterId(id, seed.tag), -n] as const);
  return { state: undefined, takeBack: Object.fromEntries(takeBack) };
}

function unchanged(previous: RollupState, next: Omit<RollupState, 'version'>): boolean {
  return (
    previous.first === next.first &&
    previous.last === next.last &&
    Object.keys(contributionDelta(previous.counts, next.counts)).length === 0
  );
}

/** Brings a visitor's counters (touches, new visitors) up to date. */
export async function refreshVisitorRollup(
  visitorKey: string,
  deps: RollupDeps,
  options: RefreshOptions & VisitorLinks = {},
): Promise<RollupChange> {
  // The caller's read of the index serves the first attempt only: a retry
  // follows a concurrent change, often a link, and reads the index again.
  let { indexedUsers } = options;
  return refresh(
    { kind: 'visitor', key: visitorKey },
    deps,
    async (readConversions) => {
      const links = { linkedTo: options.linkedTo, indexedUsers };
      indexedUsers = undefined;
      const [stored, conversions] = await Promise.all([
        deps.touches.touchesOf(visitorKey),
        readConversions.then((read) => (read ? ownConversions(visitorKey, deps, links) : [])),
      ]);
      const anonymousId = anonymousIdOf(visitorKey) ?? null;
      const touches = (stored?.touches ?? []).map((t) => ({ ...t, anonymousId })).sort(compareByTime);
      const counts = visitorContribution(touches);
      addContribution(counts, conversionContribution(conversions, touches, deps.model));
      return { touches, counts, seed: stored?.seed };
    },
    options,
  );
}

/** A user's link to an anonymous id, and when it was made. */
export type UserLink = { anonymousId: string; linkedAt: string };

/** The visitors whose touches count for a user: their own (events with no anonymous id) and each linked one. */
export function visitorsOfUser(userId: string, links: readonly UserLink[]): { key: string; anonymousId: string | null }[] {
  return [
    { key: visitorKeyOf({ userId }), anonymousId: null },
    ...links.map((l) => ({ key: visitorKeyOf({ anonymousId: l.anonymousId }), anonymousId: l.anonymousId })),
  ];
}

/**
 * What a user counts for, from their touches over every linked visitor: their
 * contribution on the day they were identified (their first link; for a user
 * known only from events that carried no anonymous id, their first touch),
 * and their conversions, each credited at its own time.
 */
function userCounts(touches: VisitorTouch[], links: readonly UserLink[], model: ModelOptions, conversions: readonly Conversion[] = []) {
  const times = [...links.map((l) => l.linkedAt).filter(Boolean), ...(links.length === 0 ? touches.map((t) => t.timestamp) : [])].sort();
  const identifiedAt = times[0];
  const counts = identifiedAt ? userContribution(touches, identifiedAt, model) : {};
  addContribution(counts, conversionContribution(conversions, touches, model));
  return { touches, counts };
}

/** What a user counts for now, read from the tables. */
async function userNow(
  userId: string,
  deps: Pick<RollupDeps, 'identity' | 'touches' | 'model' | 'conversions'>,
  readConversions: Promise<boolean>,
) {
  const links = await deps.identity.linksOf(userId);
  const visitors = visitorsOfUser(userId, links);
  const [{ touches }, conversions] = await Promise.all([
    collectTouches(visitors, deps.touches),
    readConversions.then((read) => (read ? userConversions(userId, visitors, deps) : [])),
  ]);
  return userCounts(touches, links, deps.model, conversions);
}

/** Brings a user's counters (users identified, under every model) up to date. */
export async function refreshUserRollup(userId: string, deps: RollupDeps, options: RefreshOptions = {}): Promise<RollupChange> {
  return refresh({ kind: 'user', id: userId }, deps, (readConversions) => userNow(userId, deps, readConversions), options);
}

/**
 * Users' first rollup states as a bulk import's seeds: what each counts for
 * now, given their links, to be saved as their seed items
 * (RollupStore.putUserSeeds) and added into the import's own counter rows.
 * Every visitor's touches are read in bulk.
 */
export async function userSeeds(
  users: readonly { userId: string; links: readonly UserLink[] }[],
  tag: string,
  deps: Pick<RollupDeps, 'touches' | 'model'>,
): Promise<[string, RollupSeed][]> {
  const visitors = users.map((u) => visitorsOfUser(u.userId, u.links));
  const stored = await deps.touches.touchesOfMany(visitors.flat().map((v) => v.key));
  return users.map((u, i) => {
    const { touches } = mergeTouches((visitors[i] ?? []).map((v) => ({ anonymousId: v.anonymousId, value: stored.get(v.key) })));
    const now = userCounts(touches, u.links, deps.model);
    const { next } = stateFrom(now.touches, now.counts, deps.model);
    return [u.userId, { tag, counts: next.counts, first: next.first, last: next.last }];
  });
}

/**
 * What a bulk import writes for visitors whose whole history was in the
 * archive: each one's touches carry its first rollup state (a seed), and the
 * contributions are added into `counts`, which the import writes as its own
 * counter rows: a few hundred writes count thousands of visitors, instead of
 * a transaction for every twenty of them.
 */
export function seedVisitor(visitor: VisitorTouches, tag: string, model: ModelOptions, counts: Record<string, number>): VisitorTouches {
  const contribution = visitorContribution(visitor.touches);
  addContribution(counts, contribution);
  const { next } = stateFrom(visitor.touches, contribution, model);
  return { ...visitor, seed: { tag, ...next } };
}

/** The users a visitor's touches count for. */
export async function usersOfVisitor(visitorKey: string, identity: IdentityStore): Promise<string[]> {
  const userId = userIdOf(visitorKey);
  if (userId !== undefined) return [userId];
  const anonymousId = anonymousIdOf(visitorKey);
  return anonymousId === undefined ? [] : identity.userIdsOf(anonymousId);
}
