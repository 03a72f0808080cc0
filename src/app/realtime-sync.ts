/**
 * Real-time sync and rollups, driven by the attribution and user map streams.
 * A changed touches item or a new identity link affects one visitor and the
 * users it belongs to. Each is refreshed once per batch: its report counters
 * are brought up to date and, when its first or last touch changed and sync
 * is on, Segment hears about it (the identify, and the Source Identified
 * track of each touch that became first or last), before the new state is
 * saved. A failed send therefore leaves the state as it was, and the stream
 * retries; messages are deterministic, so a retry never duplicates.
 *
 * Writes from `sma import` never come here: the import sets counters itself
 * and never sends.
 */
import type { Conversion } from '../attribution/conversions';
import type { Touch } from '../attribution/touches';
import { anonymousIdOf, anonymousKey } from '../attribution/visitor-key';
import { isPermanent, SmaError } from '../errors';
import { mapLimit } from '../lib/concurrency';
import { appendTo } from '../lib/maps';
import { logger } from '../lib/logger';
import type { SegmentBatchClient } from '../segment/batch-client';
import { buildAttributionMessages } from '../segment/messages';
import type { OutboundMessage } from '../segment/batch-client';
import type { Classifier } from '../source';
import { conversionMessages } from './attribute-conversions';
import { refreshVisitorTouches } from './refresh-touches';
import { refreshUserRollup, refreshVisitorRollup, usersOfVisitor, type RollupChange, type RollupDeps } from './refresh-counters';

export type SyncMode = 'off' | 'users' | 'all';

/** Entities refreshed at once within a batch. */
export const SYNC_CONCURRENCY = 8;

/** Something a stream record says changed; `ref` identifies the record for failure reporting. */
export type AttributionChange<Ref> =
  | { kind: 'touches'; visitorKey: string; ref: Ref }
  | { kind: 'link'; userId: string; anonymousId?: string; ref: Ref }
  | { kind: 'conversion'; conversion: Conversion; ref: Ref };

export interface SyncDeps extends RollupDeps {
  segment: SegmentBatchClient;
  eventName: string;
  mode: SyncMode;
  /** Derives a converting visitor's touches before its conversion is credited (see phase 1). */
  classify: Classifier;
  /** REALTIME_SYNC includes `conversions`: each new conversion is sent as a track named `conversionEventName`. */
  sendConversions: boolean;
  conversionEventName: string;
  /** Where a refresh that failed for good goes (see setAside in the stream handlers); it is not retried. */
  setAside: (what: Record<string, unknown>, e: unknown) => Promise<void>;
}

/** Segment could not take the messages for now; the stream retries the records. */
export class SegmentUnavailableError extends SmaError {
  override name = 'SegmentUnavailableError';
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** The messages a change calls for under a sync mode: none unless the first or last touch changed. */
export function syncMessages(change: RollupChange, deps: Pick<SyncDeps, 'mode' | 'eventName' | 'model'>): OutboundMessage[] {
  if (deps.mode === 'off' || !change.changed) return [];
  const moved = new Map<string, Touch>();
  if (change.first && change.first.messageId !== change.before.first) moved.set(change.first.messageId, change.first);
  if (change.last && change.last.messageId !== change.before.last) moved.set(change.last.messageId, change.last);
  const trackTouches = change.touches.filter((t) => moved.has(t.messageId));
  const options = { eventName: deps.eventName, model: deps.model, trackTouches };
  if (change.entity.kind === 'user') {
    return buildAttributionMessages({ kind: 'user', id: change.entity.id }, change.touches, { ...options, identify: true, track: true });
  }
  const anonymousId = anonymousIdOf(change.entity.key);
  if (deps.mode === 'all' && anonymousId !== undefined) {
    return buildAttributionMessages({ kind: 'anonymous', id: anonymousId }, change.touches, { ...options, identify: false, track: true });
  }
  return [];
}

async function send(change: RollupChange, deps: SyncDeps): Promise<void> {
  await sendMessages(syncMessages(change, deps), deps, change.entity.kind);
}

/** Sends messages; a refusal for good is logged, and what Segment could not take for now throws, for a retry. */
async function sendMessages(messages: OutboundMessage[], deps: SyncDeps, what: string): Promise<void> {
  if (messages.length === 0) return;
  const result = await deps.segment.send(messages);
  const retryable = result.failures.filter((f) => f.retryable);
  const final = result.failures.filter((f) => !f.retryable);
  if (final.length > 0) {
    // Segment refused these for good (a 4xx): retrying cannot help, so say so loudly and move on.
    logger.error('Segment refused real-time sync messages', {
      entity: what,
      failures: final.map((f) => ({ status: f.status, error: f.error, messageIds: f.messageIds })),
    });
  }
  if (retryable.length > 0) {
    throw new SegmentUnavailableError(`Segment did not take ${retryable.length} batch(es): ${retryable.map((f) => f.error).join('; ')}`);
  }
}

type ConversionChange<Ref> = Extract<AttributionChange<Ref>, { kind: 'conversion' }>;

/** Sends the Conversion Attributed track of each conversion; a failure fails their records. */
async function sendConversions<Ref>(
  conversions: readonly ConversionChange<Ref>[],
  deps: SyncDeps,
  onFailure: (what: Record<string, unknown>, e: unknown, refs: readonly Ref[]) => Promise<void>,
): Promise<void> {
  try {
    const messages = await conversionMessages(
      conversions.map((c) => c.conversion),
      { ...deps, eventName: deps.conversionEventName },
    );
    await sendMessages(messages, deps, 'conversion');
  } catch (e: unknown) {
    await onFailure(
      { conversions: conversions.map((c) => c.conversion.messageId) },
      e,
      conversions.map((c) => c.ref),
    );
  }
}

/**
 * Processes a batch of changes. Resolves to the refs of the changes that
 * failed (to be retried by the stream); everything else is done.
 */
export async function processAttributionChanges<Ref>(changes: readonly AttributionChange<Ref>[], deps: SyncDeps): Promise<Set<Ref>> {
  const failed = new Set<Ref>();
  /** A failure a retry can fix fails its records; any other is set aside, and they count as done. */
  const onFailure = async (what: Record<string, unknown>, e: unknown, refs: readonly Ref[]): Promise<void> => {
    if (isPermanent(e)) return deps.setAside(what, e);
    logger.warn('attribution refresh failed; the stream will retry', {
      ...what,
      error: e instanceof Error ? e.name : typeof e,
      detail: e instanceof Error ? e.message : undefined,
    });
    for (const ref of refs) failed.add(ref);
  };
  // Phase 1: visitors, once each.
  const visitors = new Map<string, Ref[]>();
  const users = new Map<string, Ref[]>();
  const linkedTo = new Map<string, string[]>();
  // Users whose conversions may have changed: read even if they count none.
  const usersConverted = new Set<string>();
  for (const c of changes) {
    if (c.kind === 'touches') appendTo(visitors, c.visitorKey, c.ref);
    else if (c.kind === 'conversion') {
      appendTo(visitors, c.conversion.visitorKey, c.ref);
      // Its user, even before the index shows the link that makes its visitor theirs.
      const { userId } = c.conversion;
      if (userId !== undefined) {
        appendTo(users, userId, c.ref);
        usersConverted.add(userId);
      }
    } else {
      usersConverted.add(c.userId);
      appendTo(users, c.userId, c.ref);
      // A newly linked visitor's conversions now count for its user, not for itself.
      if (deps.conversions && c.anonymousId !== undefined) {
        appendTo(visitors, anonymousKey(c.anonymousId), c.ref);
        appendTo(linkedTo, anonymousKey(c.anonymousId), c.userId);
      }
    }
  }
  // A page view and the order it led to often arrive in one request, and the
  // order's stream may run before the page's: the converting visitor's
  // touches are derived first, so the conversion is never credited (or sent)
  // without the visit that led to it.
  const converting = new Set(changes.flatMap((c) => (c.kind === 'conversion' ? [c.conversion.visitorKey] : [])));
  // Whose conversions may have changed: a converting or newly linked
  // visitor's, and its users'. Everyone else's are read only if they count some.
  const visitorsConverted = new Set([...converting, ...linkedTo.keys()]);
  const beforeCommit = (change: RollupChange) => send(change, deps);
  await mapLimit([...visitors], SYNC_CONCURRENCY, async ([visitorKey, refs]) => {
    try {
      if (converting.has(visitorKey)) await refreshVisitorTouches(visitorKey, deps.touches, deps.classify);
      const indexedUsers = usersOfVisitor(visitorKey, deps.identity);
      const [change, userIds] = await Promise.all([
        refreshVisitorRollup(visitorKey, deps, {
          beforeCommit,
          conversionsChanged: visitorsConverted.has(visitorKey),
          linkedTo: linkedTo.get(visitorKey),
          indexedUsers,
        }),
        indexedUsers,
      ]);
      for (const userId of userIds) {
        appendTo(users, userId, ...refs);
        // A visitor that read its conversions may have handed them to a user the index shows only now.
        if (change.conversionsRead) usersConverted.add(userId);
      }
    } catch (e: unknown) {
      await onFailure({ visitorKey }, e, refs);
    }
  });
  // Phase 2: users, once each, after their visitors.
  await mapLimit([...users], SYNC_CONCURRENCY, async ([userId, refs]) => {
    try {
      await refreshUserRollup(userId, deps, { beforeCommit, conversionsChanged: usersConverted.has(userId) });
    } catch (e: unknown) {
      await onFailure({ userId }, e, refs);
    }
  });
  // Phase 3: each new conversion, attributed as it stood, to Segment; not
  // one whose refresh failed: it would go out with stale touches, and its
  // retry's corrected copy, under the same messageId, would be dropped.
  const conversions = changes.filter((c): c is ConversionChange<Ref> => c.kind === 'conversion' && !failed.has(c.ref));
  if (deps.sendConversions && conversions.length > 0) await sendConversions(conversions, deps, onFailure);
  return failed;
}
