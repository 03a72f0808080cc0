/**
 * A conversion as attributed at the moment it happened: the person's touches
 * over every linked visitor, credited under every model, and the
 * `Conversion Attributed` track that tells Segment about it. Shared by
 * real-time sync, the backfill and the debug view, so all say the same.
 */
import { creditConversion, type Conversion, type ConversionCredit } from '../attribution/conversions';
import type { ModelOptions } from '../attribution/models';
import { anonymousKey } from '../attribution/visitor-key';
import { mapLimit } from '../lib/concurrency';
import type { OutboundMessage } from '../segment/batch-client';
import { buildConversionMessage } from '../segment/messages';
import type { IdentityStore, TouchStore } from './ports';
import { ownerOf, visitorsOfUser } from './refresh-counters';
import { collectTouches, type VisitorTouch } from './visitor-view';

/** Conversions attributed at once (each reads its person's links and touches). */
const ATTRIBUTE_CONCURRENCY = 8;

export interface ConversionDeps {
  identity: IdentityStore;
  touches: TouchStore;
  model: ModelOptions;
}

/**
 * The touches a conversion is credited with: its user's over every linked
 * visitor (the conversion's own user, else the one it counts for, see
 * ownerOf), and always its own visitor's, even before the link that an
 * event with both ids makes has been stored.
 */
export async function personTouches(conversion: Conversion, deps: Pick<ConversionDeps, 'identity' | 'touches'>): Promise<VisitorTouch[]> {
  const { anonymousId } = conversion;
  const userId = conversion.userId ?? (anonymousId !== undefined ? await ownerOf(anonymousId, deps.identity) : undefined);
  const visitors = userId !== undefined ? visitorsOfUser(userId, await deps.identity.linksOf(userId)) : [];
  if (anonymousId !== undefined && !visitors.some((v) => v.anonymousId === anonymousId)) {
    visitors.push({ key: anonymousKey(anonymousId), anonymousId });
  }
  return (await collectTouches(visitors, deps.touches)).touches;
}

/** A conversion with its credit under every model at its moment. */
export async function attributeConversion(
  conversion: Conversion,
  deps: ConversionDeps,
): Promise<{ conversion: Conversion; credit: ConversionCredit }> {
  const touches = await personTouches(conversion, deps);
  return { conversion, credit: creditConversion(touches, conversion.timestamp, deps.model) };
}

/** The `Conversion Attributed` track of each conversion, named `eventName`. */
export async function conversionMessages(
  conversions: readonly Conversion[],
  deps: ConversionDeps & { eventName: string },
): Promise<OutboundMessage[]> {
  const attributed = await mapLimit(conversions, ATTRIBUTE_CONCURRENCY, (c) => attributeConversion(c, deps));
  return attributed.map(({ conversion, credit }) => buildConversionMessage(conversion, credit, deps.eventName));
}
