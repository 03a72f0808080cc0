/**
 * Conversions: the track events a site counts as business (CONVERSION_EVENTS),
 * their value, and the credit each touch gets for one at the moment it
 * happened. Pure.
 *
 * A conversion is credited with the person's touches up to its own time (and
 * within the lookback window, counted back from it), never with touches that
 * came after: a user's `source_last_*` trait is their last touch now, which is
 * not what led to last year's order.
 */
import * as z from 'zod';
import { REPORT_MODELS, type ReportModel } from './counters';
import { firstTouch, lastTouch, touchCredits, touchesInWindow, type LastTouchMode } from './models';
import type { Touch } from './touches';
import { visitorKeyOf } from './visitor-key';

/** Values above this are a bug or an attack, not an order: kept out of every sum. */
export const MAX_CONVERSION_VALUE = 1e12;

/** Where Segment's e-commerce spec puts a conversion's value, in order of precedence. */
const VALUE_FIELDS = ['revenue', 'total', 'value'] as const;

/** A conversion's value, in its own currency (null when the event named none). */
export interface ConversionValue {
  amount: number;
  currency: string | null;
}

/** A stored conversion: the track event, who made it, when, and its value. */
export const conversionSchema = z.object({
  messageId: z.string(),
  /** The track event's name (one of CONVERSION_EVENTS). */
  event: z.string(),
  timestamp: z.string(),
  /** The visitor that converted: its anonymous id's key, or its user id's when it had none. */
  visitorKey: z.string(),
  anonymousId: z.string().optional(),
  userId: z.string().optional(),
  /** Null when the event named no value, or one that cannot be summed (see `warning`). */
  value: z.object({ amount: z.number(), currency: z.string().nullable() }).nullable(),
  /** Why a value the event carried was not kept. */
  warning: z.string().optional(),
});
export type Conversion = z.infer<typeof conversionSchema>;

/** The event fields a conversion is read from (a Segment track). */
export interface TrackLike {
  type: string;
  messageId: string;
  event?: string;
  anonymousId?: string;
  userId?: string;
  properties?: Record<string, unknown>;
}

/**
 * The conversion a track is, when its name is one of `names`
 * (CONVERSION_EVENTS; compared exactly, as Segment's destinations do).
 */
export function conversionOf(event: TrackLike, time: string, names: ReadonlySet<string>): Conversion | undefined {
  if (event.type !== 'track' || event.event === undefined || !names.has(event.event)) return undefined;
  if (event.anonymousId === undefined && event.userId === undefined) return undefined;
  const { value, warning } = conversionValue(event.properties);
  return {
    messageId: event.messageId,
    event: event.event,
    timestamp: time,
    visitorKey: visitorKeyOf(event),
    ...(event.anonymousId !== undefined ? { anonymousId: event.anonymousId } : {}),
    ...(event.userId !== undefined ? { userId: event.userId } : {}),
    value,
    ...(warning !== undefined ? { warning } : {}),
  };
}

/** What a conversion's properties say it was worth: a value, or none and why not. */
export type ValueReading = { value: ConversionValue; warning?: undefined } | { value: null; warning?: string };

const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * The value of a conversion: `properties.revenue`, else `total`, else `value`
 * (a number, or a decimal in a string, as some server libraries send), with
 * `properties.currency` kept as given. A value that is not a number, is
 * negative, or is absurd gives no value and a warning naming the field, so
 * it never poisons a sum.
 */
export function conversionValue(properties: Record<string, unknown> | undefined): ValueReading {
  const field = VALUE_FIELDS.find((f) => properties?.[f] !== undefined && properties[f] !== null);
  if (!field) return { value: null };
  const raw = properties?.[field];
  const amount = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(amount)) return { value: null, warning: `properties.${field} is not a number` };
  if (amount < 0) return { value: null, warning: `properties.${field} is negative` };
  if (amount > MAX_CONVERSION_VALUE) return { value: null, warning: `properties.${field} is over ${MAX_CONVERSION_VALUE}` };
  const currency = typeof properties?.currency === 'string' && properties.currency.trim() !== '' ? properties.currency.trim() : null;
  return { value: { amount, currency } };
}

/** The part of a conversion one touch gets under a model. */
export interface TouchShare {
  channel: Touch['channel'];
  source: string;
  campaign: string | null;
  /** The touch's messageId; null for the Direct credit of a conversion with no touch before it. */
  touch: string | null;
  /** Between 0 and 1; a model's shares of one conversion sum to 1. */
  credit: number;
}

/** How one conversion is credited under every model. */
export interface ConversionCredit {
  shares: Record<ReportModel, TouchShare[]>;
  /** True when no touch came before the conversion (within the window): all credit goes to Direct, as in GA4. */
  noTouch: boolean;
  /** From the first touch the models saw to the conversion, in whole seconds (null with no touch). */
  secondsToConvert: number | null;
  /** How many touches the models saw. */
  touches: number;
  /** The first and last touch at the conversion's moment (undefined with no touch). */
  first: Touch | undefined;
  last: Touch | undefined;
}

/** The whole credit of a conversion no touch came before: Direct, as in GA4. */
export const DIRECT_SHARE: TouchShare = { channel: 'Direct', source: '(direct)', campaign: null, touch: null, credit: 1 };

const share = (t: Touch, credit: number): TouchShare => ({
  channel: t.channel,
  source: t.source,
  campaign: t.campaign,
  touch: t.messageId,
  credit,
});

/** Credits a conversion at `at` (ISO-8601) with the person's touches over every linked device. */
export function creditConversion(
  touches: readonly Touch[],
  at: string,
  options: { lastTouch?: LastTouchMode; lookbackDays?: number } = {},
): ConversionCredit {
  const reference = new Date(Date.parse(at));
  const before = touches.filter((t) => Date.parse(t.timestamp) <= reference.getTime());
  const model = { ...options, reference };
  const seen = touchesInWindow(before, model);
  const first = firstTouch(before, model);
  const last = lastTouch(before, model);
  if (!first || !last) {
    const direct = Object.fromEntries(REPORT_MODELS.map((m) => [m, [DIRECT_SHARE]])) as Record<ReportModel, TouchShare[]>;
    return { shares: direct, noTouch: true, secondsToConvert: null, touches: 0, first: undefined, last: undefined };
  }
  const credits = (m: 'linear' | 'time_decay' | 'position_based'): TouchShare[] =>
    touchCredits(before, m, model).map(({ touch, credit }) => share(touch, credit));
  return {
    shares: {
      first_touch: [share(first, 1)],
      last_touch: [share(last, 1)],
      linear: credits('linear'),
      time_decay: credits('time_decay'),
      position_based: credits('position_based'),
    },
    noTouch: false,
    secondsToConvert: Math.max(0, Math.round((reference.getTime() - Date.parse(first.timestamp)) / 1000)),
    touches: seen.length,
    first,
    last,
  };
}
