/**
 * The messages sma sends to Segment: one identify with the first/last touch
 * traits, and one track per touch stamped with the touch's own time, so old
 * visits land in the right place in every destination. messageIds are
 * deterministic, so sending again never duplicates: an identify's derives
 * from its content (new traits, new identify), a track's from the touch alone
 * (see touchMessageId).
 */
import { firstTouch, lastTouch, latestTouch, type ModelOptions } from '../attribution/models';
import type { Touch } from '../attribution/touches';
import { buildIdentifyTraits, flattenTouch } from '../attribution/traits';
import { LIBRARY, type OutboundMessage } from './batch-client';
import { deterministicMessageId } from './message-id';

type Ids = { userId: string; anonymousId?: undefined } | { anonymousId: string; userId?: undefined };

function withId<T extends Omit<OutboundMessage, 'messageId' | 'context'>>(content: T): OutboundMessage {
  return { ...content, messageId: deterministicMessageId(content), context: { library: LIBRARY } };
}

/**
 * The identify for a user: `source_first_*` and `source_last_*` traits,
 * timestamped with the latest touch (not "now"), so an unchanged attribution
 * always produces the same message.
 */
export function buildIdentifyMessage(
  userId: string,
  first: Touch | undefined,
  last: Touch | undefined,
  latest: Touch | undefined,
): OutboundMessage | undefined {
  if (!first || !latest) return undefined;
  return withId({ type: 'identify', userId, traits: buildIdentifyTraits(first, last), timestamp: latest.timestamp });
}

/**
 * A touch's track messageId, the same for the touch's whole life: derived
 * from the event name, the visitor (its anonymous id, or the user id of a
 * visitor that had none) and the page view that made the touch, so real-time
 * sync, either /segment route and a backfill all send it under one id,
 * whatever it is flagged as (first, last) at the time.
 */
export function touchMessageId(
  eventName: string,
  visitor: { anonymousId: string } | { userId: string },
  pageViewMessageId: string,
): string {
  return deterministicMessageId({ event: eventName, ...visitor, touch: pageViewMessageId });
}

/**
 * One track per touch, named `eventName`, with the touch flattened into
 * properties (`channel`, `source`, … `landing_page`) and whether it is the
 * first or the last touch when sent.
 */
export function buildTrackMessages(
  ids: Ids,
  touches: readonly (Touch & { anonymousId?: string | null })[],
  eventName: string,
  first: Touch | undefined,
  last: Touch | undefined,
): OutboundMessage[] {
  return touches.map((touch) => {
    // The visitor's own anonymous id, so destinations can merge the profile.
    const anonymousId = ids.anonymousId ?? touch.anonymousId ?? undefined;
    const visitor = anonymousId !== undefined ? { anonymousId } : { userId: ids.userId ?? '' };
    return {
      type: 'track' as const,
      event: eventName,
      ...(ids.userId !== undefined ? { userId: ids.userId } : {}),
      ...(anonymousId !== undefined ? { anonymousId } : {}),
      properties: {
        ...flattenTouch(touch),
        is_first_touch: first !== undefined && touch.messageId === first.messageId,
        is_last_touch: last !== undefined && touch.messageId === last.messageId,
      },
      timestamp: touch.timestamp,
      messageId: touchMessageId(eventName, visitor, touch.messageId),
      context: { library: LIBRARY },
    };
  });
}

/** What to send for one user or anonymous visitor. */
export interface AttributionMessageOptions {
  identify: boolean;
  track: boolean;
  eventName: string;
  model: ModelOptions;
  /** The touches to send tracks for (a backfill's range); default all. */
  trackTouches?: readonly (Touch & { anonymousId?: string | null })[];
}

/**
 * The messages for one id: the identify (users only; traits over the whole
 * history) and/or one track per touch. Shared by the /segment routes and the
 * backfill, so both send exactly the same messages and messageIds.
 */
export function buildAttributionMessages(
  target: { kind: 'user' | 'anonymous'; id: string },
  touches: readonly (Touch & { anonymousId?: string | null })[],
  options: AttributionMessageOptions,
): OutboundMessage[] {
  const first = firstTouch(touches, options.model);
  const last = lastTouch(touches, options.model);
  const messages: OutboundMessage[] = [];
  if (options.identify && target.kind === 'user') {
    const identify = buildIdentifyMessage(target.id, first, last, latestTouch(touches, options.model));
    if (identify) messages.push(identify);
  }
  if (options.track) {
    const ids = target.kind === 'user' ? { userId: target.id } : { anonymousId: target.id };
    messages.push(...buildTrackMessages(ids, options.trackTouches ?? touches, options.eventName, first, last));
  }
  return messages;
}
