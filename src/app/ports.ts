/**
 * What the ingest domain needs from storage. The DynamoDB implementations live
 * in src/store; tests use the same ones against DynamoDB Local.
 */
import * as z from 'zod';
import type { Conversion } from '../attribution/conversions';
import type { PageView, Touch } from '../attribution/touches';
import type { SegmentEvent } from '../segment/events';

/** A rejected event kept for operators. */
export const rejectedEventSchema = z.object({
  /** Position in the request body. */
  index: z.number(),
  field: z.string(),
  message: z.string(),
  /** The event as received, serialised and capped. */
  body: z.string(),
  receivedAt: z.string(),
});
export type RejectedEvent = z.infer<typeof rejectedEventSchema>;

/** What EventStore.storeEvents found. */
export interface StoredEvents {
  duplicates: ReadonlySet<string>;
  conversions: readonly Conversion[];
}

/** What storing no events finds. */
export const NOTHING_STORED: StoredEvents = { duplicates: new Set(), conversions: [] };

/** Stores raw events idempotently by messageId. */
export interface EventStore {
  /**
   * Stores the events whose messageId is not stored yet and returns the
   * messageIds that were already there, and the conversions among the events
   * (CONVERSION_EVENTS), stored now or before. Resolves only once every new event is
   * durable; throws StorageUnavailableError otherwise. Events in `knownNew`
   * are written without looking for them first: only for a caller that knows
   * they cannot be stored yet (see FingerprintSet in the import).
   */
  storeEvents(events: readonly SegmentEvent[], options?: { origin?: Origin; knownNew?: ReadonlySet<string> }): Promise<StoredEvents>;
  /** True when no event is stored at all (a new installation): an import then knows every event it has not met is new. */
  holdsNoEvents(): Promise<boolean>;
  /** The visitors with page views at or after `since` (YYYY-MM-DD), a page of keys at a time; a full scan of the page table. */
  visitorsWithViewsSince(since: string): AsyncIterable<string[]>;
  /** Keeps rejected events where an operator can list them. */
  storeRejected(rejected: readonly RejectedEvent[]): Promise<void>;
  /** Rejected events received on a UTC day (YYYY-MM-DD), oldest first. */
  listRejected(day: string, limit: number): Promise<RejectedEvent[]>;
}

/**
 * Where a stored item came from, when not from the webhook. Items written by
 * `sma import` are marked so stream processors leave them alone: the import
 * derives touches itself, and history must never be sent to Segment as news.
 */
export type Origin = 'import';

/** An identity link: an anonymous id that belongs to a user. */
export interface IdentityLink {
  userId: string;
  anonymousId: string;
  /** The messageId and type of the event that linked them. */
  messageId: string;
  type: string;
  /** ISO event time. */
  linkedAt: string;
  origin?: Origin;
}

/** Identity links in both directions. */
export interface IdentityStore {
  /** Links each pair, keeping its earliest linkedAt. */
  link(links: readonly IdentityLink[]): Promise<void>;
  /**
   * link, in bulk: the pairs' stored times are read in one request and the
   * new or earlier links written in another, where link makes a conditional
   * write per pair. A concurrent link of the same pair between the two could
   * lose an earlier time, so this is for a bulk import only.
   */
  linkInBulk(links: readonly IdentityLink[]): Promise<void>;
  anonymousIdsOf(userId: string): Promise<string[]>;
  /** A user's links with when each was made. */
  linksOf(userId: string): Promise<{ anonymousId: string; linkedAt: string }[]>;
  userIdsOf(anonymousId: string): Promise<string[]>;
}

/** A visitor's touches as stored, with the number of page views they were derived from. */
export interface VisitorTouches {
  visitorKey: string;
  touches: Touch[];
  pageViews: number;
  /** The bots' page views read besides (absent on items written before bots were told apart). */
  botViews?: number;
  /** True when the visitor had more page views than are read (see MAX_PAGE_VIEWS_READ). */
  truncated: boolean;
  updatedAt: string;
  origin?: Origin;
  /** The rollup state a bulk import gave this visitor (see RollupSeed); kept when touches are saved again. */
  seed?: RollupSeed;
  /** Bumped by each save (absent on items a bulk import wrote, and before the first save). */
  version?: number;
}

/**
 * The first rollup state of a visitor whose touches a bulk import derived,
 * kept on its touches item instead of a state item of its own (one write per
 * visitor instead of two). It counts only once its import has finished,
 * because only then are the import's counter rows, which it adds up into,
 * complete (see RollupStore.importFinished).
 */
export const rollupSeedSchema = z.object({
  /** The import's tag (`import-<run id>`). */
  tag: z.string(),
  counts: z.record(z.string(), z.number()),
  first: z.string().nullable(),
  last: z.string().nullable(),
});
export type RollupSeed = z.infer<typeof rollupSeedSchema>;

/** Page views by visitor, and the touches derived from them. */
export interface TouchStore {
  /** A visitor's page views in event-time order, at most `limit`. */
  pageViewsOf(visitorKey: string, limit: number): Promise<{ views: PageView[]; truncated: boolean }>;
  /**
   * Saves touches derived while the stored ones had `value.version`, unless
   * they were saved again since (another derivation won; derive again).
   */
  saveTouches(value: VisitorTouches): Promise<boolean>;
  touchesOf(visitorKey: string): Promise<VisitorTouches | undefined>;
  /** Many visitors' touches, in bulk, by visitor key (absent for a visitor with none). */
  touchesOfMany(visitorKeys: readonly string[]): Promise<Map<string, VisitorTouches>>;
  /** Which of these visitors have touches stored (for the import, which writes in bulk). */
  visitorsWithTouches(visitorKeys: readonly string[]): Promise<Set<string>>;
  /**
   * Saves many visitors' touches unconditionally, in bulk. Only for visitors
   * that had no touches stored a moment before (see the import).
   */
  saveTouchesInBulk(values: readonly VisitorTouches[]): Promise<void>;
}

/** Conversions by the visitor that made them (written by EventStore.storeEvents). */
export interface ConversionStore {
  /** A visitor's conversions, oldest first (a strongly consistent read). */
  conversionsOf(visitorKey: string): Promise<Conversion[]>;
  /** Every stored conversion, a page at a time (a full scan: for a backfill). */
  allConversions(): AsyncIterable<Conversion[]>;
  /** The visitors with conversions at or after `since` (YYYY-MM-DD), a page of keys at a time; a full scan. */
  visitorsWithConversionsSince(since: string): AsyncIterable<string[]>;
}

/** Who contributes to the report counters: a visitor (its touches) or a user (its attribution). */
export type RollupEntity = { kind: 'visitor'; key: string } | { kind: 'user'; id: string };

/** What an entity last contributed, and its first and last touch then (by messageId). */
export interface RollupState {
  /** 0 for a seed: left by a bulk import, counting only once that import has finished. */
  version: number;
  counts: Record<string, number>;
  first: string | null;
  last: string | null;
  /**
   * The tag of the import whose seed a user's state item began as, kept for
   * the item's life: a resumed import knows from it which seeds it wrote.
   * (A visitor's seed is on its touches item instead, see VisitorTouches.)
   */
  seed?: string;
}

/** The report counters and each entity's last contribution to them. */
export interface RollupStore {
  stateOf(entity: RollupEntity): Promise<RollupState | undefined>;
  /**
   * Applies `delta` to the counters and saves `next` as the entity's state,
   * atomically and only if the state is still at `version`: undefined for no
   * state item, 0 for a seed (none, or a user's seed item). Resolves false
   * when another writer got there first.
   */
  commit(
    entity: RollupEntity,
    version: number | undefined,
    next: Omit<RollupState, 'version'>,
    delta: Record<string, number>,
  ): Promise<boolean>;
  /**
   * Saves a bulk import's seed as a user's state item (version 0), unless the
   * user has a state item already. Resolves false when it had.
   */
  putUserSeed(userId: string, seed: RollupSeed): Promise<boolean>;
  /** putUserSeed for many users, in bulk; resolves to the users who had a state item already (and got no seed). */
  putUserSeeds(seeds: readonly (readonly [string, RollupSeed])[]): Promise<Set<string>>;
  /**
   * Sets a bulk import's counter rows (tagged with `tag`) to `counts`, as
   * absolute values: writing them again changes nothing. They count in
   * reports only once the import is marked finished.
   */
  putImportCounters(tag: string, counts: Record<string, number>): Promise<void>;
  /** Marks a bulk import finished: its counter rows and its visitors' seeds count from now on. */
  finishImport(tag: string): Promise<void>;
  /** Whether the import tagged `tag` has finished. */
  importFinished(tag: string): Promise<boolean>;
  /** Counter values of the days from `since` to `until` (YYYY-MM-DD, inclusive), by counter id; rows of unfinished imports left out. */
  counters(since: string, until: string): Promise<Map<string, number>>;
}

/** A person's stored data, removed table by table (for deletion requests); each call resolves to how many items it removed. */
export interface ForgetStore {
  /** The page views of these visitors. */
  deletePageViews(visitorKeys: readonly string[]): Promise<number>;
  /** Identify, alias and track events carrying any of these user ids, or these anonymous ids (as anonymousId or previousId). */
  deleteLinkingEvents(ids: { userIds: readonly string[]; anonymousIds: readonly string[] }): Promise<number>;
  /** Kept rejected events and set-aside records whose body holds any of these strings as a whole JSON string. */
  deleteRejected(values: readonly string[]): Promise<number>;
  deleteLinks(pairs: readonly { userId: string; anonymousId: string }[]): Promise<number>;
  deleteTouches(visitorKeys: readonly string[]): Promise<number>;
  deleteRollupStates(entities: readonly RollupEntity[]): Promise<number>;
  /** The conversions of these visitors. */
  deleteConversions(visitorKeys: readonly string[]): Promise<number>;
}
