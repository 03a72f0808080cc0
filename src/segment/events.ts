/**
 * Inbound Segment events: the three body shapes /events accepts, the spec
 * fields sma reads, and the limits. Validation names the field at fault.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { BOT_VIEW_PREFIX } from '../attribution/touches';
import { utf8Bytes } from '../lib/utf8';
import { isPlainObject } from './privacy';

/** Segment rejects messages over 32 KB (HTTP Tracking API limits). */
export const MAX_EVENT_BYTES = 32 * 1024;
/** Segment's HTTP Tracking API takes at most 2,500 messages in one batch. */
export const MAX_TRACKING_API_BATCH = 2500;
/** Webhooks (Actions) batches up to 4,000 events per request (Segment's maximum batch size). */
export const MAX_ACTIONS_BATCH = 4000;
/**
 * DynamoDB sort keys are at most 1,024 bytes of UTF-8 and partition keys
 * 2,048; ids are parts of both (`anon#<id>` is the user map's sort key), so
 * they are capped well below, by bytes.
 */
export const MAX_ID_BYTES = 512;

/**
 * An id: a string or number. Null and empty strings count as absent (a common
 * client bug, and DynamoDB rejects empty key attributes); an event left with
 * no id at all is rejected.
 */
const id = z
  .union([z.string(), z.number().finite(), z.null()], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
  })
  .transform((v) => (v === null ? undefined : String(v).trim() || undefined))
  .pipe(
    z
      .string()
      .refine((s) => utf8Bytes(s) <= MAX_ID_BYTES, `must be at most ${MAX_ID_BYTES} bytes (UTF-8)`)
      // NUL and other control characters break keys, logs and exports.
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters')
      .optional(),
  );

const requiredId = id.pipe(z.string({ error: 'is required' }));

/** A messageId: an id that does not start with the mark sma gives bots' page views in storage. */
const messageId = id.refine(
  (v) => v === undefined || !v.startsWith(BOT_VIEW_PREFIX),
  `must not start with ${BOT_VIEW_PREFIX}, which sma keeps for bots' page views`,
);

/**
 * Event times before this are client bugs (an unset clock, epoch zero), not
 * history: taken at face value they would become everyone's first touch.
 */
export const MIN_EVENT_TIME = '2000-01-01T00:00:00.000Z';
/**
 * How far past now an event time may be: client clocks drift, but a time days
 * ahead would stay the last touch until that day comes.
 */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/** True when a date's calendar part exists (Date.parse turns 2026-02-30 into March 2nd). */
function realCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const timestamp = z
  .string({ error: 'must be an ISO-8601 date' })
  .refine((s) => !Number.isNaN(Date.parse(s)) && realCalendarDate(s), 'must be an ISO-8601 date')
  .transform((s) => new Date(s).toISOString())
  .refine((s) => s >= MIN_EVENT_TIME, 'is before 2000; a client clock was not set')
  .refine((s) => Date.parse(s) <= Date.now() + MAX_FUTURE_SKEW_MS, 'is more than a day in the future; check the client clock');

const record = z.record(z.string(), z.unknown());

const pageContext = z
  .object({
    url: z.string().optional(),
    referrer: z.string().optional(),
    path: z.string().optional(),
    title: z.string().optional(),
  })
  .partial();

const campaignContext = z
  .object({
    source: z.string().optional(),
    medium: z.string().optional(),
    name: z.string().optional(),
    term: z.string().optional(),
    content: z.string().optional(),
  })
  .partial();

const libraryContext = z.object({ name: z.string().optional(), version: z.string().optional() }).loose();

/** A value as text: a non-empty string, else absent. */
export const nonEmptyText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A text sma only reads where present: any other value counts as absent, and never fails the event. */
const optionalText = z.unknown().transform(nonEmptyText).optional();

/**
 * `context.referrer`: how the user was referred to the site or app (Segment's
 * common fields: `type`, `name`, `url`, `link`). Mobile apps describe the
 * link that opened them here. Read leniently: events that carried an odd
 * referrer object were accepted before sma read it, and still are.
 */
const referrerContext = z
  .object({ type: optionalText, name: optionalText, url: optionalText, link: optionalText })
  .optional()
  .catch(undefined);

const context = z
  .object({
    page: pageContext.optional(),
    campaign: campaignContext.optional(),
    library: libraryContext.optional(),
    referrer: referrerContext,
  })
  .loose();

const base = z.object({
  messageId: messageId.optional(),
  anonymousId: id.optional(),
  userId: id.optional(),
  timestamp: timestamp.optional(),
  originalTimestamp: timestamp.optional(),
  receivedAt: timestamp.optional(),
  sentAt: timestamp.optional(),
  context: context.optional(),
});

const identified = { message: 'anonymousId or userId is required', path: ['anonymousId'] };
const hasId = (e: { anonymousId?: string; userId?: string }): boolean => e.anonymousId !== undefined || e.userId !== undefined;

const pageEvent = base
  .extend({ type: z.enum(['page', 'screen']), name: z.string().optional(), properties: record.optional() })
  .refine(hasId, identified);
const identifyEvent = base.extend({ type: z.literal('identify'), traits: record.optional() }).refine(hasId, identified);
const aliasEvent = base.extend({ type: z.literal('alias'), previousId: requiredId, userId: requiredId });
const otherEvent = base
  .extend({ type: z.enum(['track', 'group']), event: z.string().optional(), properties: record.optional() })
  .refine(hasId, identified);

const segmentEvent = z.discriminatedUnion('type', [pageEvent, identifyEvent, aliasEvent, otherEvent], {
  error: 'type must be one of page, screen, identify, alias, track, group',
});

/**
 * A valid event. `bot` is sma's verdict on the user agent of a page or screen
 * event (see parseIncoming), not a field of Segment's.
 */
export type SegmentEvent = z.infer<typeof segmentEvent> & { messageId: string; bot?: boolean };
export type PageEvent = Extract<SegmentEvent, { type: 'page' | 'screen' }>;
export type TrackEvent = Extract<SegmentEvent, { type: 'track' | 'group' }>;
/** The events kept in the page table, as the views touches are derived from (see isViewEvent). */
export type ViewEvent = PageEvent | TrackEvent;

/**
 * Segment's mobile spec: the track an attribution provider (AppsFlyer,
 * Adjust, Branch, Kochava…) sends once it knows where an install came from.
 * https://segment.com/docs/connections/spec/mobile/#install-attributed
 */
export const INSTALL_ATTRIBUTED = 'Install Attributed';

const textOf = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/**
 * Segment's mobile spec: the tracks that say a link opened the app, with the
 * link in `properties.url`. Android's library reports a deep link only so;
 * an `Application Opened` carries the link too when one opened the app.
 * https://segment.com/docs/connections/spec/mobile/#deep-link-opened
 */
export const APP_LINK_EVENTS: ReadonlySet<string> = new Set(['Deep Link Opened', 'Application Opened']);

/** A URL's scheme (`https:`, `android-app:`), which an app id has none of. */
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The link that opened the app, from an APP_LINK_EVENTS track; undefined for any other event or one with no link. */
export function appOpenLinkOf(event: SegmentEvent): { url: string; referrer?: string } | undefined {
  if (event.type !== 'track' || event.event === undefined || !APP_LINK_EVENTS.has(event.event)) return undefined;
  const url = textOf(event.properties?.url);
  if (url === undefined) return undefined;
  // Android names the app the link was followed from `referrer` (android-app://…); the spec, `referring_application`.
  // A bare app id (iOS sends com.apple.mobilesafari) is no URL: read as a web host it would make a bogus Referral.
  const referrer = [textOf(event.properties?.referrer), textOf(event.properties?.referring_application)].find(
    (r) => r !== undefined && URL_SCHEME.test(r),
  );
  return { url, ...(referrer !== undefined ? { referrer } : {}) };
}

/**
 * The link that opened an app, from `context.referrer` (Segment's common
 * fields): `link` is the deep link and `url` where it was followed from. With
 * no `link`, `url` is the link itself, as Segment's iOS libraries send it when
 * the app opens a URL.
 */
export function referrerLinkOf(event: SegmentEvent): { url?: string; referrer?: string } {
  const r = event.context?.referrer;
  if (!r) return {};
  return r.link !== undefined ? { url: r.link, referrer: r.url } : { url: r.url };
}

/** An install's campaign, in the fields of Segment's `context.campaign`. */
export interface InstallCampaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
}

/** The source Adjust (network) and AppsFlyer (media source) give an install no campaign brought. */
const ORGANIC_SOURCE = 'organic';

/**
 * The campaign of an Install Attributed track: its `properties.campaign`
 * (`source`, `name`, `medium`, `content`, and the ad's creative as content
 * when there is none; Adjust names it `adCreative`). Undefined for any other
 * event, and when the install was organic or the campaign names nothing.
 */
export function installCampaignOf(event: SegmentEvent): InstallCampaign | undefined {
  if (event.type !== 'track' || event.event !== INSTALL_ATTRIBUTED) return undefined;
  const c = event.properties?.campaign;
  if (!isPlainObject(c)) return undefined;
  const source = textOf(c.source);
  if (source?.trim().toLowerCase() === ORGANIC_SOURCE) return undefined;
  const campaign: InstallCampaign = {
    source,
    medium: textOf(c.medium),
    name: textOf(c.name),
    term: textOf(c.term),
    content: textOf(c.content) ?? textOf(c.ad_creative) ?? textOf(c.adCreative),
  };
  return Object.values(campaign).some((v) => v !== undefined) ? campaign : undefined;
}

/**
 * The event as a view, when it is kept as one: a page or screen, an app
 * opened by a link (APP_LINK_EVENTS), or an Install Attributed that names a
 * campaign.
 */
export function asViewEvent(event: SegmentEvent): ViewEvent | undefined {
  if (event.type === 'page' || event.type === 'screen') return event;
  if (event.type !== 'track') return undefined;
  return appOpenLinkOf(event) !== undefined || installCampaignOf(event) !== undefined ? event : undefined;
}

/** True for an event kept as a view (see asViewEvent). */
export const isViewEvent = (event: SegmentEvent): boolean => asViewEvent(event) !== undefined;

/** One event of a request, validated or not, with its position in the body. */
export type ParsedEvent =
  | { index: number; ok: true; event: SegmentEvent; bytes: number }
  | { index: number; ok: false; field: string; message: string; raw: unknown; bytes: number };

/** The body's shape, which sets its batch limit. */
export type BodyShape = 'event' | 'array' | 'batch';

/**
 * Splits a parsed JSON body into events: one event, an array (Webhooks
 * Actions batching), or `{"batch": [...]}` (HTTP Tracking API).
 *
 * @returns undefined when the body is none of the three.
 */
export function splitBody(body: unknown): { shape: BodyShape; items: unknown[] } | undefined {
  if (Array.isArray(body)) return { shape: 'array', items: body };
  if (typeof body === 'object' && body !== null) {
    if ('batch' in body && Array.isArray(body.batch)) return { shape: 'batch', items: body.batch as unknown[] };
    if ('type' in body) return { shape: 'event', items: [body] };
  }
  return undefined;
}

/** The most events a body of this shape may carry. */
export function batchLimit(shape: BodyShape): number {
  return shape === 'batch' ? MAX_TRACKING_API_BATCH : shape === 'array' ? MAX_ACTIONS_BATCH : 1;
}

/**
 * A deterministic messageId for an event that has none (a hand-written
 * client): the same payload sent twice gets the same id, so it is stored once.
 */
function deriveMessageId(raw: unknown): string {
  return `sma-${createHash('sha1').update(JSON.stringify(raw)).digest('hex')}`;
}

/**
 * Deepest nesting an event may have. Real events nest a few levels; a body
 * nested tens of thousands deep would overflow the stack of every
 * JSON.stringify that follows (storing it, logging it, keeping it as rejected).
 */
export const MAX_EVENT_NESTING = 1000;

/** True when `value` nests objects or arrays deeper than `limit` (iterative: safe at any depth). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Validates one event against the Segment spec. */
export function parseEvent(raw: unknown, index: number): ParsedEvent {
  if (nestedDeeperThan(raw, MAX_EVENT_NESTING)) {
    const placeholder = `[event nested more than ${MAX_EVENT_NESTING} levels deep; not kept]`;
    return {
      index,
      ok: false,
      field: '(event)',
      message: `is nested more than ${MAX_EVENT_NESTING} levels deep`,
      raw: placeholder,
      bytes: 0,
    };
  }
  const text = JSON.stringify(raw) ?? '';
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_EVENT_BYTES) {
    return { index, ok: false, field: '(event)', message: `event is ${bytes} bytes; Segment's limit is ${MAX_EVENT_BYTES}`, raw, bytes };
  }
  const parsed = segmentEvent.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { index, ok: false, field: '(event)', message: 'event must be a JSON object', raw, bytes };
    }
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'type';
    const message = issue?.message ?? 'invalid';
    return { index, ok: false, field, message, raw, bytes };
  }
  const event = { ...parsed.data, messageId: parsed.data.messageId ?? deriveMessageId(raw) };
  return { index, ok: true, event, bytes };
}

/**
 * A refused event's fault as one phrase: the field, then why (`timestamp must
 * be an ISO-8601 date`), once when the message names the field already.
 */
export function faultText(fault: { field: string; message: string }): string {
  return fault.field === '(event)' || fault.message.startsWith(fault.field) ? fault.message : `${fault.field} ${fault.message}`;
}

/** The time an event happened: Segment's corrected `timestamp`, else the client's, else when Segment received it. */
export function eventTime(event: SegmentEvent, now: () => Date = () => new Date()): string {
  return event.timestamp ?? event.originalTimestamp ?? event.receivedAt ?? event.sentAt ?? now().toISOString();
}
