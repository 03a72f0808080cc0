/**
 * The messages sma sends to Segment: one identify with the first/last touch
 * traits, and one track per touch stamped with the touch's own time, so old
 * visits land in the right place in every destination. messageIds are
 * deterministic, so sending again never duplicates: an identify's derives
 * from its content (new traits, new identify), a track's from the touch alone
 * (see touchMessageId).
 */
import type { Conversion, ConversionCredit } from '../attribution/conversions';
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

/** What a conversion with no touch before it is credited to, as GA4 does. */
const DIRECT_FIELDS = { channel: 'Direct', source: '(direct)', medium: '(none)' } as const;

/**
 * A conversion's `Conversion Attributed` messageId: the conversion alone
 * decides it, so every sender (real-time sync, a backfill, a retry) sends it
 * under one id.
 */
export function conversionMessageId(eventName: string, conversionMessageId: string): string {
  return deterministicMessageId({ event: eventName, conversion: conversionMessageId });
}

/**
 * The track that tells Segment how a conversion was attributed when it
 * happened: its own ids, time, event name and messageId, its value (as
 * `value`, so tools that sum `revenue` do not count the order twice) and
 * currency, and the first and last touch of that moment as
 * `source_first_*` / `source_last_*` properties.
 */
export function buildConversionMessage(conversion: Conversion, credit: ConversionCredit, eventName: string): OutboundMessage {
  const direct = (prefix: string) => Object.fromEntries(Object.entries(DIRECT_FIELDS).map(([k, v]) => [`${prefix}${k}`, v]));
  const touches = credit.noTouch
    ? { ...direct('source_first_'), ...direct('source_last_') }
    : buildIdentifyTraits(credit.first, credit.last);
  return {
    type: 'track',
    event: eventName,
    ...(conversion.userId !== undefined ? { userId: conversion.userId } : {}),
    ...(conversion.anonymousId !== undefined ? { anonymousId: conversion.anonymousId } : {}),
    properties: {
      conversion_event: conversion.event,
      conversion_message_id: conversion.messageId,
      value: conversion.value?.amount ?? null,
      currency: conversion.value?.currency ?? null,
      touches_before: credit.touches,
      seconds_to_convert: credit.secondsToConvert,
      ...touches,
    },
    timestamp: conversion.timestamp,
    messageId: conversionMessageId(eventName, conversion.messageId),
    context: { library: LIBRARY },
  };
}
