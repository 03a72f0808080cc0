/**
 * How domain values become DynamoDB items and back. Items read back are
 * checked with zod: a table is input too.
 */
import * as z from 'zod';
import type { Conversion } from '../attribution/conversions';
import { APP_OPEN_VIEW_TYPE, BOT_VIEW_PREFIX, pageViewSchema, type CampaignContext, type PageView } from '../attribution/touches';
import {
  appOpenLinkOf,
  eventTime,
  installCampaignOf,
  nonEmptyText,
  referrerLinkOf,
  type SegmentEvent,
  type TrackEvent,
  type ViewEvent,
} from '../segment/events';
import { visitorKeyOf } from '../attribution/visitor-key';

/** Days a rejected event is kept (DynamoDB TTL on `expiresAt`). */
export const REJECTED_RETENTION_DAYS = 30;

function campaignOf(event: SegmentEvent): CampaignContext | undefined {
  const c = event.context?.campaign;
  if (!c) return undefined;
  const out: CampaignContext = {
    source: nonEmptyText(c.source),
    medium: nonEmptyText(c.medium),
    name: nonEmptyText(c.name),
    term: nonEmptyText(c.term),
    content: nonEmptyText(c.content),
  };
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

/** A view's key in the page table: its messageId, marked with BOT_VIEW_PREFIX when a bot made it. */
export const viewKeyOf = (event: Pick<SegmentEvent, 'messageId' | 'bot'>): string =>
  event.bot === true ? `${BOT_VIEW_PREFIX}${event.messageId}` : event.messageId;

/**
 * Both keys a view may be stored under: a delivery judged otherwise than an
 * earlier one (BOT_FILTER switched, isbot upgraded) is still a duplicate.
 */
export const viewKeysOf = (event: Pick<SegmentEvent, 'messageId'>): string[] => [event.messageId, `${BOT_VIEW_PREFIX}${event.messageId}`];

/** True for a view that is a track (an app opened by a link, an install attribution), not a page or screen. */
const isTrackView = (event: ViewEvent): event is TrackEvent => event.type === 'track' || event.type === 'group';

/**
 * The view an event is, as touches are derived from it: a page's URL and
 * referrer; a screen's, from the link that opened the app; an app opened by
 * a link, as the screen it stands for; an install attribution's campaign
 * alone.
 */
export function pageViewOf(event: ViewEvent): PageView {
  const base = { messageId: viewKeyOf(event), timestamp: eventTime(event), type: event.type };
  const opened = appOpenLinkOf(event);
  if (opened) return { ...base, type: APP_OPEN_VIEW_TYPE, url: opened.url, referrer: opened.referrer };
  if (isTrackView(event)) return { ...base, campaign: installCampaignOf(event) };
  const page = event.context?.page;
  const props = event.properties ?? {};
  const app = referrerLinkOf(event);
  return {
    ...base,
    url: page?.url ?? nonEmptyText(props.url) ?? app.url,
    referrer: page?.referrer ?? nonEmptyText(props.referrer) ?? app.referrer,
    campaign: campaignOf(event),
  };
}

/** The page table item of a view event; a bot's is marked `bot` and keyed apart (viewKeyOf). */
export function pageItem(event: ViewEvent): Record<string, unknown> {
  const page = event.context?.page;
  const props = event.properties ?? {};
  return {
    ...pageViewOf(event),
    visitorKey: visitorKeyOf(event),
    anonymousId: event.anonymousId,
    userId: event.userId,
    title: page?.title ?? nonEmptyText(props.title),
    path: page?.path ?? nonEmptyText(props.path),
    name: isTrackView(event) ? event.event : event.name,
    bot: event.bot === true ? true : undefined,
    receivedAt: event.receivedAt,
  };
}

/** The identify table item of an identify, alias, or other id-linking event. */
export function identifyItem(event: SegmentEvent): Record<string, unknown> {
  return {
    messageId: event.messageId,
    type: event.type,
    anonymousId: event.anonymousId,
    userId: event.userId,
    previousId: event.type === 'alias' ? event.previousId : undefined,
    timestamp: eventTime(event),
    // Traits are kept as JSON text: arbitrary client JSON can exceed
    // DynamoDB's 32-level nesting limit, which would fail the whole batch.
    traits: event.type === 'identify' && event.traits ? JSON.stringify(event.traits) : undefined,
    receivedAt: event.receivedAt,
  };
}

/** True when an event carries both ids, and so links them. */
export function linksIds(event: SegmentEvent): boolean {
  return event.anonymousId !== undefined && event.userId !== undefined;
}

/** The conversion table item of a conversion: one per messageId within its visitor. */
export function conversionItem(conversion: Conversion): Record<string, unknown> {
  return { ...conversion, sk: conversionSk(conversion) };
}

/** A conversion's sort key within its visitor's partition: its messageId alone, so a retry lands on it whatever time it is given. */
export const conversionSk = (c: Pick<Conversion, 'messageId'>): string => c.messageId;

/** A page view from a page table item or index projection. */
export function toPageView(item: Record<string, unknown>): PageView {
  return pageViewSchema.parse(item);
}

/** The identify table fields that link ids. */
export const linkingItemSchema = z.object({
  messageId: z.string(),
  type: z.string(),
  timestamp: z.string(),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  previousId: z.string().optional(),
});

/** TTL epoch seconds for a rejected event received at `receivedAt`, kept at most `retentionDays` if set. */
export function rejectedExpiry(receivedAt: string, retentionDays?: number): number {
  const days = Math.min(REJECTED_RETENTION_DAYS, retentionDays ?? REJECTED_RETENTION_DAYS);
  return Math.floor(Date.parse(receivedAt) / 1000) + days * 86_400;
}

/**
 * The least time a raw event is kept, whatever its age: its stream record is
 * processed, and its touches derived, while it is still stored. An import of
 * history older than RETENTION_DAYS keeps its events this long.
 */
export const MIN_EVENT_LIFE_SECONDS = 86_400;

/** TTL epoch seconds for a raw event under RETENTION_DAYS: that many days after its event time, and never sooner than MIN_EVENT_LIFE_SECONDS from now. */
export function eventExpiry(timestamp: string, retentionDays: number, now: Date): number {
  const byAge = Math.floor(Date.parse(timestamp) / 1000) + retentionDays * 86_400;
  return Math.max(byAge, Math.floor(now.getTime() / 1000) + MIN_EVENT_LIFE_SECONDS);
}
