/**
 * `sma backfill`: sends identify and/or Source Identified events for the
 * users (and optionally anonymous visitors) with touches in a time range,
 * through the same batch client, limits and deterministic messageIds as the
 * /segment routes, so a repeated backfill never duplicates downstream.
 * Resumable from a checkpoint, which never passes a message Segment did
 * not take: the ids whose messages failed stay in it, and the same command
 * run again sends theirs, then goes on where the last run stopped. A failure
 * is counted and reported, and does not stop the run.
 */
import { rmSync } from 'node:fs';
import { z } from 'zod';
import type { ModelOptions } from '../../attribution/models';
import type { IdentityStore, TouchStore } from '../ports';
import { getAnonymousView, getUserView } from '../visitor-view';
import { mapLimit } from '../../lib/concurrency';
import { readJson, writeJsonAtomic } from '../../lib/files';
import type { OutboundMessage, SegmentBatchClient, SendFailure } from '../../segment/batch-client';
import { buildAttributionMessages } from '../../segment/messages';

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
  /** Ids whose messages had failed in an earlier run, sent again by this one. */
  retried: number;
  /** Ids whose messages failed for now (a 5xx, a 429, a timeout) in this run: the checkpoint keeps them for the next. */
  failedIds: number;
}

const targetSchema = z.object({ kind: z.enum(['user', 'anonymous']), id: z.string() });
type Target = z.infer<typeof targetSchema>;

const checkpointSchema = z.object({
  version: z.literal(2),
  fingerprint: z.string(),
  /** Ids of the run's list whose messages were sent or are in `failed`. */
  done: z.number().int(),
  /** Ids whose messages Segment did not take, to be sent again. */
  failed: z.array(targetSchema),
});

export interface BackfillDeps {
  identity: IdentityStore;
  touches: TouchStore;
  segment: SegmentBatchClient;
}

/** Where an earlier run of the same backfill stopped, if it did. */
function loadCheckpoint(path: string, fingerprint: string): { done: number; failed: Target[] } | undefined {
  const saved = readJson(path, checkpointSchema);
  // Another backfill's, or an older sma's: start over (messageIds are deterministic, so nothing doubles).
  return saved?.success && saved.data.fingerprint === fingerprint ? saved.data : undefined;
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
  const saved = options.dryRun ? undefined : loadCheckpoint(options.checkpointPath, fingerprint);
  // The ids that failed last time first, then the rest of the list from where it stopped.
  const retry = saved?.failed ?? [];
  const start = saved?.done ?? 0;
  const queue = [...retry, ...all.slice(start)];
  const totals = { inRange: 0, messages: 0, identifies: 0, tracks: 0, requests: 0, failedMessages: 0 };
  const failures: SendFailure[] = [];
  const failedNow: Target[] = [];
  const sample: OutboundMessage[] = [];
  for (let q = 0; q < queue.length; q += BACKFILL_CHUNK) {
    const { messages, owners } = await chunkMessages(queue.slice(q, q + BACKFILL_CHUNK), deps, options, totals);
    if (options.dryRun) {
      if (sample.length < 5) sample.push(...messages.slice(0, 5 - sample.length));
    } else {
      if (messages.length > 0) {
        const result = await deps.segment.send(messages);
        totals.requests += result.requests;
        const failedOwners = new Set<Target>();
        for (const f of result.failures) {
          totals.failedMessages += f.messageIds.length;
          failures.push(f);
          // A refused message (4xx) fails the same way every time: reported, not kept for the next run.
          if (!f.retryable) continue;
          for (const id of f.messageIds) {
            const owner = owners.get(id);
            if (owner) failedOwners.add(owner);
          }
        }
        failedNow.push(...failedOwners);
      }
      const processed = Math.min(queue.length, q + BACKFILL_CHUNK);
      const checkpoint = {
        version: 2 as const,
        fingerprint,
        done: start + Math.max(0, processed - retry.length),
        failed: [...retry.slice(Math.min(processed, retry.length)), ...failedNow],
      };
      writeJsonAtomic(options.checkpointPath, checkpoint);
    }
    options.onProgress?.({
      done: Math.min(queue.length, q + BACKFILL_CHUNK),
      total: queue.length,
      messages: totals.messages,
      failed: totals.failedMessages,
    });
  }
  // Kept while anything failed: the same command sends just those.
  if (!options.dryRun && failedNow.length === 0) rmSync(options.checkpointPath, { force: true });
  return {
    users: ids.users.length,
    anonymous: ids.anonymous.length,
    ...totals,
    failures,
    dryRun: options.dryRun,
    sample,
    resumed: saved !== undefined,
    retried: retry.length,
    failedIds: failedNow.length,
  };
}

/** The messages of a chunk of ids, each messageId with the id it is for; counted into `totals`. */
async function chunkMessages(
  chunk: readonly Target[],
  deps: BackfillDeps,
  options: BackfillOptions,
  totals: { inRange: number; messages: number; identifies: number; tracks: number },
): Promise<{ messages: OutboundMessage[]; owners: Map<string, Target> }> {
  const inRange = (timestamp: string): boolean => {
    const t = Date.parse(timestamp);
    return (!options.since || t >= options.since.getTime()) && (!options.until || t < options.until.getTime());
  };
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
  totals.messages += messages.length;
  totals.identifies += messages.filter((m) => m.type === 'identify').length;
  totals.tracks += messages.filter((m) => m.type === 'track').length;
  return { messages, owners };
}
