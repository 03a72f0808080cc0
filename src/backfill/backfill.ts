/**
 * `sma backfill`: sends identify and/or Source Identified events for the
 * users (and optionally anonymous visitors) with touches in a time range,
 * through the same batch client, limits and deterministic messageIds as the
 * /segment routes, so a repeated backfill never duplicates downstream.
 * Resumable from a checkpoint; a failure is counted and reported, and does
 * not stop the run.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import type { ModelOptions } from '../attribution/models';
import type { IdentityStore, TouchStore } from '../ingest/ports';
import { getAnonymousView, getUserView } from '../ingest/visitor-view';
import { mapLimit } from '../lib/concurrency';
import { writeFileAtomic } from '../lib/files';
import type { OutboundMessage, SegmentBatchClient, SendFailure } from '../segment/batch-client';
import { buildAttributionMessages } from '../segment/messages';

/** Ids whose messages are built and sent together (and per checkpoint). */
export const BACKFILL_CHUNK = 200;
/** Views read at once while building a chunk. */
const READ_CONCURRENCY = 8;

export interface BackfillOptions {
  since?: Date;
  until?: Date;
  identify: boolean;
  track: boolean;
  dryRun: boolean;
  eventName: string;
  model: ModelOptions;
  checkpointPath: string;
  onProgress?: (p: { done: number; total: number; messages: number; failed: number }) => void;
}

export interface BackfillSummary {
  users: number;
  anonymous: number;
  /** Ids with at least one touch in the range. */
  inRange: number;
  messages: number;
  identifies: number;
  tracks: number;
  requests: number;
  failedMessages: number;
  failures: SendFailure[];
  dryRun: boolean;
  /** In a dry run: the first messages that would have been sent. */
  sample: OutboundMessage[];
  resumed: boolean;
}

const checkpointSchema = z.object({
  version: z.literal(1),
  fingerprint: z.string(),
  done: z.number().int(),
  totals: z.record(z.string(), z.number()),
});

export interface BackfillDeps {
  identity: IdentityStore;
  touches: TouchStore;
  segment: SegmentBatchClient;
}

/** Runs a backfill over `users` and `anonymous` ids (already listed, sorted). */
export async function backfill(
  ids: { users: string[]; anonymous: string[] },
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillSummary> {
  const all = [
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
  let done = 0;
  const totals = { inRange: 0, messages: 0, identifies: 0, tracks: 0, requests: 0, failedMessages: 0 };
  let resumed = false;
  if (!options.dryRun && existsSync(options.checkpointPath)) {
    const saved = checkpointSchema.parse(JSON.parse(readFileSync(options.checkpointPath, 'utf8')));
    if (saved.fingerprint === fingerprint) {
      done = saved.done;
      Object.assign(totals, saved.totals);
      resumed = true;
    }
  }
  const failures: SendFailure[] = [];
  const sample: OutboundMessage[] = [];
  const inRange = (timestamp: string): boolean => {
    const t = Date.parse(timestamp);
    return (!options.since || t >= options.since.getTime()) && (!options.until || t < options.until.getTime());
  };

  for (let i = done; i < all.length; i += BACKFILL_CHUNK) {
    const chunk = all.slice(i, i + BACKFILL_CHUNK);
    const built = await mapLimit(chunk, READ_CONCURRENCY, async ({ kind, id }) => {
      const view =
        kind === 'user' ? await getUserView(id, deps.identity, deps.touches) : await getAnonymousView(id, deps.identity, deps.touches);
      const touches = view?.touches ?? [];
      const ranged = touches.filter((t) => inRange(t.timestamp));
      if (ranged.length === 0) return [];
      totals.inRange += 1;
      // Traits describe the whole history; tracks are sent for the touches in range.
      return buildAttributionMessages({ kind, id }, touches, {
        identify: options.identify,
        track: options.track,
        eventName: options.eventName,
        model: options.model,
        trackTouches: ranged,
      });
    });
    const messages = built.flat();
    totals.messages += messages.length;
    totals.identifies += messages.filter((m) => m.type === 'identify').length;
    totals.tracks += messages.filter((m) => m.type === 'track').length;
    if (options.dryRun) {
      if (sample.length < 5) sample.push(...messages.slice(0, 5 - sample.length));
    } else if (messages.length > 0) {
      const result = await deps.segment.send(messages);
      totals.requests += result.requests;
      for (const f of result.failures) {
        totals.failedMessages += f.messageIds.length;
        failures.push(f);
      }
      writeFileAtomic(options.checkpointPath, JSON.stringify({ version: 1, fingerprint, done: i + chunk.length, totals }));
    }
    options.onProgress?.({ done: i + chunk.length, total: all.length, messages: totals.messages, failed: totals.failedMessages });
  }
  if (!options.dryRun) rmSync(options.checkpointPath, { force: true });
  return { users: ids.users.length, anonymous: ids.anonymous.length, ...totals, failures, dryRun: options.dryRun, sample, resumed };
}
