/**
 * The import's last stage: the report counters of the users it touched. Once
 * every visitor's touches are written, each user the import linked (or whose
 * visitors it gave touches) gets a seed, as visitors do: a state item that
 * counts into the import's own counter rows, so the user counters are what
 * the webhook would have made them, with or without a stack running, and the
 * stream processors need not do the import's work again.
 *
 * Resumable: the users are listed once, and each chunk's seeds are computed
 * and kept beside the spill files before any is written. A seed item carries
 * its import's tag for life, so a chunk done again after a stop knows which
 * seeds it wrote, even if live traffic has refreshed that user since.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { addContribution } from '../../attribution/counters';
import { rollupSeedSchema, type IdentityStore } from '../ports';
import { refreshUserRollup, userSeeds, type RollupDeps, type UserLink } from '../refresh-counters';
import { mapLimit } from '../../lib/concurrency';
import { keptAsJson } from '../../lib/files';
import { anonymousIdOf, userIdOf } from '../../attribution/visitor-key';

/** Users seeded per chunk (and per checkpoint). */
export const USER_CHUNK = 500;
/** Users read and written at once. */
export const USER_CONCURRENCY = 16;

/** Where the import keeps what it knows of its visitors and links, and reads its lines. */
export interface SpillFolder {
  dir: string;
  /** The visitor keys of every spill file, and those of them that had history before the import. */
  visitorKeys(): Iterable<{ key: string; earlier: boolean }>;
  /** The [userId, anonymousId, linkedAt] of each link the import wrote. */
  links(): Iterable<[string, string, string]>;
}

const usersSchema = z.array(z.string());
const seedsSchema = z.array(z.tuple([z.string(), rollupSeedSchema]));

/**
 * Every user whose counters this import can change: those it linked, those
 * with page views under their user id, and the users of its visitors that had
 * history before it. Listed once and kept, so a resumed import goes through
 * the same list.
 */
export async function importedUsers(spill: SpillFolder, identity: Pick<IdentityStore, 'userIdsOf'>): Promise<string[]> {
  return keptAsJson(join(spill.dir, 'users.json'), usersSchema, async () => {
    const users = new Set<string>();
    for (const [userId] of spill.links()) users.add(userId);
    const earlierAnonymous: string[] = [];
    for (const { key, earlier } of spill.visitorKeys()) {
      const userId = userIdOf(key);
      const anonymousId = anonymousIdOf(key);
      if (userId !== undefined) users.add(userId);
      else if (earlier && anonymousId !== undefined) earlierAnonymous.push(anonymousId);
    }
    const linkedBefore = await mapLimit(earlierAnonymous, USER_CONCURRENCY, (anonymousId) => identity.userIdsOf(anonymousId));
    for (const userId of linkedBefore.flat()) users.add(userId);
    return [...users].sort();
  });
}

/** Where a chunk's users' links come from: the tables, or what the import wrote (into tables that held no events). */
export type LinksOf = (userIds: readonly string[]) => Promise<Map<string, UserLink[]>>;

/** Every user's links as the import wrote them, each pair at its earliest time. */
export function linksWritten(spill: SpillFolder): LinksOf {
  let byUser: Map<string, Map<string, string>> | undefined;
  return (userIds) => {
    if (!byUser) {
      byUser = new Map();
      for (const [userId, anonymousId, linkedAt] of spill.links()) {
        const pairs = byUser.get(userId) ?? new Map<string, string>();
        if ((pairs.get(anonymousId) ?? linkedAt) >= linkedAt) pairs.set(anonymousId, linkedAt);
        byUser.set(userId, pairs);
      }
    }
    const known = byUser;
    const links = (u: string): UserLink[] => [...(known.get(u) ?? [])].map(([anonymousId, linkedAt]) => ({ anonymousId, linkedAt }));
    return Promise.resolve(new Map(userIds.map((u) => [u, links(u)])));
  };
}

/** Every user's links, read from the tables. */
export function linksStored(identity: Pick<IdentityStore, 'linksOf'>): LinksOf {
  return async (userIds) => new Map(await mapLimit(userIds, USER_CONCURRENCY, async (u) => [u, await identity.linksOf(u)] as const));
}

/** The seeds of one chunk of users: computed once, then kept. */
async function chunkSeeds(spill: SpillFolder, chunk: number, users: readonly string[], tag: string, deps: RollupDeps, linksOf: LinksOf) {
  return keptAsJson(join(spill.dir, `users-${chunk}.json`), seedsSchema, async () => {
    const links = await linksOf(users);
    return userSeeds(
      users.map((userId) => ({ userId, links: links.get(userId) ?? [] })),
      tag,
      deps,
    );
  });
}

/**
 * Seeds chunk `chunk` of `users` and resolves to what its seeds add to the
 * import's counter rows. A user who already has a state item of their own
 * (live traffic got there first) is refreshed the ordinary way instead and
 * adds nothing to those rows.
 */
export async function seedUserChunk(
  spill: SpillFolder,
  users: readonly string[],
  chunk: number,
  tag: string,
  deps: RollupDeps,
  linksOf: LinksOf,
): Promise<Record<string, number>> {
  const seeds = await chunkSeeds(spill, chunk, users.slice(chunk * USER_CHUNK, (chunk + 1) * USER_CHUNK), tag, deps, linksOf);
  const counts: Record<string, number> = {};
  const hadState = await deps.rollups.putUserSeeds(seeds);
  await mapLimit(seeds, USER_CONCURRENCY, async ([userId, seed]) => {
    if (!hadState.has(userId)) return addContribution(counts, seed.counts);
    // Written by this import before it was stopped: it counts in these rows still.
    if ((await deps.rollups.stateOf({ kind: 'user', id: userId }))?.seed === tag) return addContribution(counts, seed.counts);
    await refreshUserRollup(userId, deps);
  });
  return counts;
}

/** How many chunks `users` make. */
export const userChunks = (users: readonly unknown[]): number => Math.ceil(users.length / USER_CHUNK);
