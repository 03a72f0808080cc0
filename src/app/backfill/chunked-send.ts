/**
 * What every backfill shares: a list (of ids, or of conversions) turned into
 * messages and sent a chunk at a time through the batch client, with a
 * checkpoint that never passes a message Segment did not take. The items
 * whose messages failed stay in it, and the same command run again sends
 * theirs, then goes on where the last run stopped. A failure is counted and
 * reported, and does not stop the run.
 */
import { rmSync } from 'node:fs';
import * as z from 'zod';
import { readJson, writeJsonAtomic } from '../../lib/files';
import type { OutboundMessage, SegmentBatchClient, SendFailure } from '../../segment/batch-client';

/** Items whose messages are built and sent together (and per checkpoint). */
export const BACKFILL_CHUNK = 200;
/** Messages a dry run shows. */
const SAMPLE_SIZE = 5;

/** A backfill's list and how to turn a chunk of it into messages. */
export interface ChunkedRun<T> {
  /** The run's list, in an order that is the same on every run (a checkpoint is an index into it). */
  items: readonly T[];
  /** How an item is kept in the checkpoint (the failed ones are). */
  itemSchema: z.ZodType<T>;
  /** The run's options and list, summed up: a checkpoint of another run is not resumed. */
  fingerprint: string;
  /** The messages of a chunk, each messageId with the item it is for. */
  build(chunk: readonly T[]): Promise<{ messages: OutboundMessage[]; owners: Map<string, T> }>;
}

export interface ChunkedSendOptions {
  dryRun: boolean;
  checkpointPath: string;
  onProgress?: (p: { done: number; total: number; messages: number; failed: number }) => void;
}

export interface ChunkedSendSummary {
  messages: number;
  requests: number;
  failedMessages: number;
  failures: SendFailure[];
  /** In a dry run: the first messages that would have been sent. */
  sample: OutboundMessage[];
  resumed: boolean;
  /** Items whose messages had failed in an earlier run, sent again by this one. */
  retried: number;
  /** Items whose messages failed for now (a 5xx, a 429, a timeout) in this run: the checkpoint keeps them for the next. */
  failedIds: number;
}

const checkpointSchema = <T>(item: z.ZodType<T>) =>
  z.object({
    version: z.literal(2),
    fingerprint: z.string(),
    /** Items of the run's list whose messages were sent or are in `failed`. */
    done: z.number().int(),
    /** Items whose messages Segment did not take, to be sent again. */
    failed: z.array(item),
  });

/** Where an earlier run of the same backfill stopped, if it did. */
function loadCheckpoint<T>(path: string, run: ChunkedRun<T>): { done: number; failed: T[] } | undefined {
  const saved = readJson(path, checkpointSchema(run.itemSchema));
  // Another backfill's, or an older sma's: start over (messageIds are deterministic, so nothing doubles).
  return saved?.success && saved.data.fingerprint === run.fingerprint ? saved.data : undefined;
}

/** Sends a chunk's messages; the items of those that failed for now (a refused one, 4xx, fails the same way every time). */
async function sendChunk<T>(
  messages: OutboundMessage[],
  owners: Map<string, T>,
  segment: SegmentBatchClient,
): Promise<{ requests: number; failures: SendFailure[]; failedMessages: number; retryLater: T[] }> {
  if (messages.length === 0) return { requests: 0, failures: [], failedMessages: 0, retryLater: [] };
  const result = await segment.send(messages);
  const retryLater = new Set<T>();
  for (const f of result.failures) {
    if (!f.retryable) continue;
    for (const id of f.messageIds) {
      const owner = owners.get(id);
      if (owner !== undefined) retryLater.add(owner);
    }
  }
  const failedMessages = result.failures.reduce((n, f) => n + f.messageIds.length, 0);
  return { requests: result.requests, failures: result.failures, failedMessages, retryLater: [...retryLater] };
}

/** Runs a backfill's list through the batch client (or, in a dry run, only builds it). */
export async function sendInChunks<T>(
  run: ChunkedRun<T>,
  segment: SegmentBatchClient,
  options: ChunkedSendOptions,
): Promise<ChunkedSendSummary> {
  const saved = options.dryRun ? undefined : loadCheckpoint(options.checkpointPath, run);
  // The items that failed last time first, then the rest of the list from where it stopped.
  const retry = saved?.failed ?? [];
  const start = saved?.done ?? 0;
  const queue = [...retry, ...run.items.slice(start)];
  const totals = { messages: 0, requests: 0, failedMessages: 0 };
  const failures: SendFailure[] = [];
  const failedNow: T[] = [];
  const sample: OutboundMessage[] = [];
  for (let q = 0; q < queue.length; q += BACKFILL_CHUNK) {
    const { messages, owners } = await run.build(queue.slice(q, q + BACKFILL_CHUNK));
    totals.messages += messages.length;
    const processed = Math.min(queue.length, q + BACKFILL_CHUNK);
    if (options.dryRun) {
      sample.push(...messages.slice(0, Math.max(0, SAMPLE_SIZE - sample.length)));
    } else {
      const sent = await sendChunk(messages, owners, segment);
      totals.requests += sent.requests;
      totals.failedMessages += sent.failedMessages;
      failures.push(...sent.failures);
      failedNow.push(...sent.retryLater);
      writeJsonAtomic(options.checkpointPath, {
        version: 2,
        fingerprint: run.fingerprint,
        done: start + Math.max(0, processed - retry.length),
        failed: [...retry.slice(Math.min(processed, retry.length)), ...failedNow],
      });
    }
    options.onProgress?.({ done: processed, total: queue.length, messages: totals.messages, failed: totals.failedMessages });
  }
  // Kept while anything failed: the same command sends just those.
  if (!options.dryRun && failedNow.length === 0) rmSync(options.checkpointPath, { force: true });
  return { ...totals, failures, sample, resumed: saved !== undefined, retried: retry.length, failedIds: failedNow.length };
}
