/**
 * `sma backfill`: sends identify and/or Source Identified events for the
 * users (and optionally anonymous visitors) with touches in a time range,
 * through the same batch client, limits and deterministic messageIds as the
 * /segment routes, so a repeated backfill never duplicates downstream.
 * Resumable from a checkpoint (src/app/backfill/chunked-send.ts).
 */
import * as z from 'zod';
import type { ModelOptions } from '../../attribution/models';
import type { IdentityStore, TouchStore } from '../ports';
import { getAnonymousView, getUserView } from '../visitor-view';
import { mapLimit } from '../../lib/concurrency';
import type { OutboundMessage, SegmentBatchClient } from '../../segment/batch-client';
import { buildAttributionMessages } from '../../segment/messages';
import { sendInChunks, type ChunkedSendOptions, type ChunkedSendSummary } from './chunked-send';

export { BACKFILL_CHUNK } from './chunked-send';

/** Views read at once while building a chunk. */
const READ_CONCURRENCY = 8;

export interface BackfillOptions extends ChunkedSendOptions {
  since?: Date;
  until?: Date;
  identify: boolean;
  track: boolean;
  eventName: string;
  model: ModelOptions;
}

export interface BackfillSummary extends ChunkedSendSummary {
  users: number;
  anonymous: number;
  /** Ids with at least one touch in the range. */
  inRange: number;
  identifies: number;
  tracks: number;
  dryRun: boolean;
}

const targetSchema = z.object({ kind: z.enum(['user', 'anonymous']), id: z.string() });
type Target = z.infer<typeof targetSchema>;

export interface BackfillDeps {
  identity: IdentityStore;
  touches: TouchStore;
  segment: SegmentBatchClient;
}

/** Whether a time is in a backfill's range: at or after `since`, before `until`. */
export function withinRange(range: { since?: Date; until?: Date }): (timestamp: string) => boolean {
  return (timestamp) => {
    const t = Date.parse(timestamp);
    return (!range.since || t >= range.since.getTime()) && (!range.until || t < range.until.getTime());
  };
}

/** Runs a backfill over `users` and `anonymous` ids (already listed, sorted). */
export async function backfill(
  ids: { users: string[]; anonymous: string[] },
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const all: Target[] = [
    ...ids.users.map((id) => ({ kind: 'user' as const, id })),
    ...ids.anonymous.map((id) => ({ kind: 'anonymous' as const, id })),
  ];
  const fingerprint = JSON.stringify({
    n: all.length,
    first: all[0],
    last: all[all.length - 1],
    since: options.since,
    until: options.until,
    i: options.identify,
    t: options.track,
  });
  const counts = { inRange: 0, identifies: 0, tracks: 0 };
  const run = {
    items: all,
    itemSchema: targetSchema,
    fingerprint,
    build: (chunk: readonly Target[]) => chunkMessages(chunk, deps, options, counts),
  };
  const sent = await sendInChunks(run, deps.segment, options);
  return { users: ids.users.length, anonymous: ids.anonymous.length, ...counts, ...sent, dryRun: options.dryRun };
}

/** The messages of a chunk of ids, each messageId with the id it is for; counted into `totals`. */
async function chunkMessages(
  chunk: readonly Target[],
  deps: BackfillDeps,
  options: BackfillOptions,
  totals: { inRange: number; identifies: number; tracks: number },
): Promise<{ messages: OutboundMessage[]; owners: Map<string, Target> }> {
  const inRange = withinRange(options);
  const owners = new Map<string, Target>();
  const built = await mapLimit(chunk, READ_CONCURRENCY, async (target) => {
    const { kind, id } = target;
    const view =
      kind === 'user' ? await getUserView(id, deps.identity, deps.touches) : await getAnonymousView(id, deps.identity, deps.touches);
    const touches = view?.touches ?? [];
    const ranged = touches.filter((t) => inRange(t.timestamp));
    if (ranged.length === 0) return [];
    totals.inRange += 1;
    // Traits describe the whole history; tracks are sent for the touches in range.
    const messages = buildAttributionMessages({ kind, id }, touches, {
      identify: options.identify,
      track: options.track,
      eventName: options.eventName,
      model: options.model,
      trackTouches: ranged,
    });
    for (const m of messages) owners.set(m.messageId, target);
    return messages;
  });
  const messages = built.flat();
  totals.identifies += messages.filter((m) => m.type === 'identify').length;
  totals.tracks += messages.filter((m) => m.type === 'track').length;
  return { messages, owners };
}
