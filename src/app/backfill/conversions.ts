/**
 * `sma backfill --conversions`: one `Conversion Attributed` track per stored
 * conversion (those in a time range, by conversion time), credited at its
 * moment and under the messageId real-time sync gives it
 * (src/app/attribute-conversions.ts), so a re-run or a sync of the same
 * conversion never duplicates downstream. Sent through the chunks and the
 * checkpoint every backfill uses (src/app/backfill/chunked-send.ts).
 */
import { conversionSchema, type Conversion } from '../../attribution/conversions';
import type { ModelOptions } from '../../attribution/models';
import { compareByTime } from '../../attribution/touches';
import { NotConfiguredError } from '../../errors';
import { mapLimit } from '../../lib/concurrency';
import type { OutboundMessage, SegmentBatchClient } from '../../segment/batch-client';
import { conversionMessages } from '../attribute-conversions';
import type { ConversionStore, IdentityStore, TouchStore } from '../ports';
import { withinRange } from './backfill';
import { sendInChunks, type ChunkedSendOptions, type ChunkedSendSummary } from './chunked-send';

/** Conversions credited at once while building a chunk (each reads its person's links and touches). */
const READ_CONCURRENCY = 8;

export interface ConversionBackfillOptions extends ChunkedSendOptions {
  since?: Date;
  until?: Date;
  /** The track's name (ANALYTICS_CONVERSION_EVENT). */
  eventName: string;
  model: ModelOptions;
}

export interface ConversionBackfillSummary extends ChunkedSendSummary {
  /** Conversions stored. */
  conversions: number;
  /** Of those, the ones in the range: one track each. */
  inRange: number;
  dryRun: boolean;
}

export interface ConversionBackfillDeps {
  identity: IdentityStore;
  touches: TouchStore;
  /** Undefined when CONVERSION_EVENTS is unset: there is nothing to send. */
  conversions: ConversionStore | undefined;
  segment: SegmentBatchClient;
}

/** Every stored conversion, in the backfill's order (a full scan of the conversion table). */
export async function listConversions(store: ConversionStore | undefined): Promise<Conversion[]> {
  if (!store)
    throw new NotConfiguredError(
      'conversions are off: set CONVERSION_EVENTS (in .env or the environment) to the track events that are conversions, as the deployed service has it',
      'CONVERSION_EVENTS',
    );
  const all: Conversion[] = [];
  for await (const page of store.allConversions()) all.push(...page);
  // Oldest first, then by messageId: the same order on every run, which a checkpoint counts in.
  return all.sort(compareByTime);
}

/** Sends the `Conversion Attributed` track of each listed conversion in the range. */
export async function backfillConversions(
  listed: readonly Conversion[],
  deps: ConversionBackfillDeps,
  options: ConversionBackfillOptions,
): Promise<ConversionBackfillSummary> {
  const inRange = withinRange(options);
  const items = listed.filter((c) => inRange(c.timestamp));
  const fingerprint = JSON.stringify({
    kind: 'conversions',
    n: items.length,
    first: items[0]?.messageId,
    last: items[items.length - 1]?.messageId,
    since: options.since,
    until: options.until,
    event: options.eventName,
  });
  const messageDeps = { identity: deps.identity, touches: deps.touches, model: options.model, eventName: options.eventName };
  const build = async (chunk: readonly Conversion[]): Promise<{ messages: OutboundMessage[]; owners: Map<string, Conversion> }> => {
    const built = await mapLimit(chunk, READ_CONCURRENCY, async (c) => ({ c, messages: await conversionMessages([c], messageDeps) }));
    const owners = new Map(built.flatMap(({ c, messages }) => messages.map((m) => [m.messageId, c] as const)));
    return { messages: built.flatMap((b) => b.messages), owners };
  };
  const sent = await sendInChunks({ items, itemSchema: conversionSchema, fingerprint, build }, deps.segment, options);
  return { conversions: listed.length, inRange: items.length, ...sent, dryRun: options.dryRun };
}
