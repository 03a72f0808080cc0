/**
 * POST /events, as a domain operation: validate every event, store the valid
 * ones idempotently, keep the invalid ones for operators, and say what
 * happened to each.
 */
import { InvalidInputError } from '../errors';
import { LIBRARY } from '../segment/batch-client';
import { appOpenLinkOf, batchLimit, isViewEvent, parseEvent, splitBody, type ParsedEvent, type SegmentEvent } from '../segment/events';
import { withoutPersonalData } from '../segment/privacy';
import { isBotUserAgent, userAgentOf } from '../segment/user-agent';
import { NOTHING_STORED, type EventStore, type RejectedEvent } from './ports';

/** A rejected event's body is kept up to this size; enough to see what was wrong. */
export const MAX_REJECTED_BODY_BYTES = 8 * 1024;

/** What happened to one request's events. received = stored + duplicates + ignored + rejected. */
export interface IngestSummary {
  received: number;
  stored: number;
  duplicates: number;
  /** Valid events sma does not use: track and group without both ids (except conversions, app opens by a link and install attributions), and the events sma itself sent. */
  ignored: number;
  rejected: number;
  /** Of `stored`, the views bots made (BOT_FILTER): kept, and never a touch. */
  bots: number;
  /** Each rejected event: its index in the body, the field at fault and why. */
  errors: { index: number; field: string; message: string }[];
}

/** How an incoming event is read, from the configuration. */
export interface ParseOptions {
  /** DROP_PERSONAL_DATA. */
  dropPersonalData?: boolean;
  /** BOT_FILTER: tell bots' views (pages, screens, app opens) from their user agent. Default true. */
  botFilter?: boolean;
}

/**
 * One incoming event, whether from the webhook or an import: its personal data
 * dropped first when DROP_PERSONAL_DATA asks, then validated. A page, a
 * screen or an app opened by a link is marked `bot` from the raw event's user
 * agent, which is read before it is dropped and never kept. (An install
 * attribution is not: a provider's server may send it.)
 */
export function parseIncoming(raw: unknown, index: number, options: ParseOptions = {}): ParsedEvent {
  const parsed = parseEvent(options.dropPersonalData ? withoutPersonalData(raw) : raw, index);
  if (!parsed.ok || options.botFilter === false) return parsed;
  const { event } = parsed;
  const visit = event.type === 'page' || event.type === 'screen' || appOpenLinkOf(event) !== undefined;
  if (!visit || !isBotUserAgent(userAgentOf(raw))) return parsed;
  return { ...parsed, event: { ...event, bot: true } };
}

/** How many of `events` are bots' views stored now (not `duplicates`): the summaries' `bots`. */
export function newBotViews(events: readonly SegmentEvent[], duplicates: ReadonlySet<string>): number {
  return events.filter((e) => e.bot === true && !duplicates.has(e.messageId)).length;
}

/** How events are taken in, from the configuration. */
export interface IngestOptions extends ParseOptions {
  /** CONVERSION_EVENTS: tracks stored (as conversions) whatever ids they carry. */
  conversionEvents?: ReadonlySet<string>;
}

/**
 * Events sma stores: page views, install attributions, identity events,
 * conversions, and any other event that carries both ids (it links them).
 * Events sma itself sent to Segment come back through the webhook; they are
 * ignored, so they can never trigger another send or change a touch.
 */
export function isStored(event: SegmentEvent, conversionEvents: ReadonlySet<string> = new Set()): boolean {
  if (event.context?.library?.name === LIBRARY.name) return false;
  if (isViewEvent(event) || event.type === 'identify' || event.type === 'alias') return true;
  if (event.type === 'track' && event.event !== undefined && conversionEvents.has(event.event)) return true;
  return event.anonymousId !== undefined && event.userId !== undefined;
}

function toRejected(p: Extract<ParsedEvent, { ok: false }>, receivedAt: string): RejectedEvent {
  const body = JSON.stringify(p.raw) ?? String(p.raw);
  return { index: p.index, field: p.field, message: p.message, body: body.slice(0, MAX_REJECTED_BODY_BYTES), receivedAt };
}

/** Validates and stores a request's events. Throws StorageUnavailableError when nothing can be promised. */
export async function ingestEvents(
  items: readonly unknown[],
  store: EventStore,
  now: Date = new Date(),
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const parsed = items.map((raw, i) => parseIncoming(raw, i, options));
  const valid: SegmentEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let ignored = 0;
  const seen = new Set<string>();
  let inRequestDuplicates = 0;
  for (const p of parsed) {
    if (!p.ok) {
      rejected.push(toRejected(p, now.toISOString()));
    } else if (!isStored(p.event, options.conversionEvents)) {
      ignored += 1;
    } else if (seen.has(p.event.messageId)) {
      // The same message twice in one body: store it once.
      inRequestDuplicates += 1;
    } else {
      seen.add(p.event.messageId);
      valid.push(p.event);
    }
  }
  const [{ duplicates }] = await Promise.all([
    valid.length > 0 ? store.storeEvents(valid) : Promise.resolve(NOTHING_STORED),
    rejected.length > 0 ? store.storeRejected(rejected) : Promise.resolve(),
  ]);
  return {
    received: items.length,
    stored: valid.length - duplicates.size,
    duplicates: duplicates.size + inRequestDuplicates,
    ignored,
    rejected: rejected.length,
    bots: newBotViews(valid, duplicates),
    errors: rejected.map(({ index, field, message }) => ({ index, field, message })),
  };
}

/**
 * A request body's events, in any shape Segment sends (one event, an array,
 * or `{"batch": [...]}`). A body that is none of these, is empty, or holds
 * more events than its shape allows can never succeed: InvalidInputError
 * naming the field.
 */
function eventsOfBody(body: unknown): unknown[] {
  const split = splitBody(body);
  if (!split) {
    const batchNotArray = typeof body === 'object' && body !== null && 'batch' in body;
    throw new InvalidInputError('body must be a Segment event, an array of events, or {"batch": [...]}', batchNotArray ? 'batch' : 'type');
  }
  const limit = batchLimit(split.shape);
  if (split.items.length > limit) {
    throw new InvalidInputError(
      `${split.items.length} events in one request; the limit for this shape is ${limit}`,
      split.shape === 'batch' ? 'batch' : 'body',
      413,
    );
  }
  if (split.items.length === 0) throw new InvalidInputError('no events in the body', split.shape === 'batch' ? 'batch' : 'body');
  return split.items;
}

/** POST /events as one operation: the body's events (eventsOfBody), validated and stored (ingestEvents). */
export async function ingestBody(
  body: unknown,
  store: EventStore,
  now: Date = new Date(),
  options: IngestOptions = {},
): Promise<IngestSummary> {
  return ingestEvents(eventsOfBody(body), store, now, options);
}
