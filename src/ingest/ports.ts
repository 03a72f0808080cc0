/**
 * What the ingest domain needs from storage. The DynamoDB implementations live
 * in src/store; tests use the same ones against DynamoDB Local.
 */
import type { PageView, Touch } from '../attribution/touches';
import type { SegmentEvent } from '../segment/events';

/** A rejected event kept for operators. */
export interface RejectedEvent {
  /** Position in the request body. */
  index: number;
  field: string;
  message: string;
  /** The event as received, serialised and capped. */
  body: string;
  receivedAt: string;
}

/** Stores raw events idempotently by messageId. */
export interface EventStore {
  /**
   * Stores the events whose messageId is not stored yet and returns the
   * messageIds that were already there. Resolves only once every new event is
   * durable; throws StorageUnavailableError otherwise.
   */
  storeEvents(events: readonly SegmentEvent[]): Promise<{ duplicates: ReadonlySet<string> }>;
  /** Keeps rejected events where an operator can list them. */
  storeRejected(rejected: readonly RejectedEvent[]): Promise<void>;
  /** Rejected events received on a UTC day (YYYY-MM-DD), oldest first. */
  listRejected(day: string, limit: number): Promise<RejectedEvent[]>;
}

/** An identity link: an anonymous id that belongs to a user. */
export interface IdentityLink {
  userId: string;
  anonymousId: string;
  /** The messageId and type of the event that linked them. */
  messageId: string;
  type: string;
  /** ISO event time. */
  linkedAt: string;
}

/** Identity links in both directions. */
export interface IdentityStore {
  link(links: readonly IdentityLink[]): Promise<void>;
  anonymousIdsOf(userId: string): Promise<string[]>;
  userIdsOf(anonymousId: string): Promise<string[]>;
}

/** A visitor's touches as stored, with the number of page views they were derived from. */
export interface VisitorTouches {
  visitorKey: string;
  touches: Touch[];
  pageViews: number;
  /** True when the visitor had more page views than are read (see MAX_PAGE_VIEWS_READ). */
  truncated: boolean;
  updatedAt: string;
}

/** Page views by visitor, and the touches derived from them. */
export interface TouchStore {
  /** A visitor's page views in event-time order, at most `limit`. */
  pageViewsOf(visitorKey: string, limit: number): Promise<{ views: PageView[]; truncated: boolean }>;
  /**
   * Saves touches derived from `pageViews` views, unless touches derived from
   * more views are stored already (a concurrent, later computation won).
   */
  saveTouches(value: VisitorTouches): Promise<boolean>;
  touchesOf(visitorKey: string): Promise<VisitorTouches | undefined>;
  /** Which of these visitors have touches stored (for the import, which writes in bulk). */
  visitorsWithTouches(visitorKeys: readonly string[]): Promise<Set<string>>;
  /**
   * Saves many visitors' touches unconditionally, in bulk. Only for visitors
   * that had no touches stored a moment before (see the import).
   */
  saveTouchesInBulk(values: readonly VisitorTouches[]): Promise<void>;
}

/** The key of a visitor: its anonymous id, or its user id for events with no anonymous id. */
export function visitorKeyOf(ids: { anonymousId?: string; userId?: string }): string {
  return ids.anonymousId !== undefined ? `anon#${ids.anonymousId}` : `user#${ids.userId ?? ''}`;
}
