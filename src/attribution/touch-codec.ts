/**
 * How a visitor's touches are written as text: compact JSON, read back
 * through a schema. The touches item (src/store/touch-store.ts) and the
 * import's spill files both hold touches this way.
 */
import * as z from 'zod';
import { CHANNELS } from '../source/types';
import { TOUCH_RULES, type Touch } from './touches';

const optionalText = z.string().nullish();

/**
 * A touch as stored: without its null fields, and without `touch` when it is
 * true (see encodeTouches). Touches stored in full, before that, read the same.
 */
const compactTouchSchema = z.object({
  touch: z.boolean().optional(),
  channel: z.enum(CHANNELS),
  source: z.string(),
  medium: z.string(),
  campaign: optionalText,
  content: optionalText,
  term: optionalText,
  campaign_id: optionalText,
  click_id: optionalText,
  referrer_host: optionalText,
  reason: z.string(),
  messageId: z.string(),
  timestamp: z.string(),
  landing_page: optionalText,
  referrer: optionalText,
  rule: z.enum(TOUCH_RULES),
});
export type CompactTouch = z.infer<typeof compactTouchSchema>;

/**
 * A visitor's touches as stored: JSON text of the touches without their null
 * fields and without `touch`, which is true for every touch kept. Writes are
 * charged per kilobyte, on every page view of the visitor, so the item is
 * kept small.
 */
export function encodeTouches(touches: readonly Touch[]): string {
  return JSON.stringify(touches.map(compactTouch));
}

/** The touches stored by encodeTouches, or in full (as items written before it did), in the order the API shows their fields. */
export function decodeTouches(text: string): Touch[] {
  return z.array(compactTouchSchema).parse(JSON.parse(text)).map(fullTouch);
}

export function compactTouch(t: Touch): CompactTouch {
  // One object literal, in fullTouch's order: every compact touch has one
  // shape, which V8 builds and stringifies fastest.
  return {
    touch: t.touch ? undefined : false,
    channel: t.channel,
    source: t.source,
    medium: t.medium,
    campaign: t.campaign ?? undefined,
    content: t.content ?? undefined,
    term: t.term ?? undefined,
    campaign_id: t.campaign_id ?? undefined,
    click_id: t.click_id ?? undefined,
    referrer_host: t.referrer_host ?? undefined,
    reason: t.reason,
    messageId: t.messageId,
    timestamp: t.timestamp,
    landing_page: t.landing_page ?? undefined,
    referrer: t.referrer ?? undefined,
    rule: t.rule,
  };
}

/** The touch that compactTouch left, or a touch stored in full. */
export function fullTouch(t: CompactTouch): Touch {
  return {
    touch: t.touch ?? true,
    channel: t.channel,
    source: t.source,
    medium: t.medium,
    campaign: t.campaign ?? null,
    content: t.content ?? null,
    term: t.term ?? null,
    campaign_id: t.campaign_id ?? null,
    click_id: t.click_id ?? null,
    referrer_host: t.referrer_host ?? null,
    reason: t.reason,
    messageId: t.messageId,
    timestamp: t.timestamp,
    landing_page: t.landing_page ?? null,
    referrer: t.referrer ?? null,
    rule: t.rule,
  };
}
