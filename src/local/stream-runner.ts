/**
 * The local stack's stream runner: for every stream mapping of serverless.yml,
 * it reads the table's stream on DynamoDB Local and delivers batches to the
 * function as Lambda's event source mapping would (src/local/stream-delivery.ts),
 * through `sls offline`'s Lambda invoke endpoint, so the same handler bundles
 * run with the same settings.
 *
 * Bounded whatever the write rate: each shard holds at most one page of
 * records read ahead (READ_AHEAD_RECORDS) and has one batch in flight.
 * Records the function would skip (written by `sma import`, for mappings with
 * skipImported) are passed over without an invocation.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { deliverBatch, type DeliveredRecord, type Discarded, type Invoke } from './stream-delivery';
import type { StreamMapping } from './stream-mappings';
import { exponentialMs, sleep, type BackoffPolicy } from '../lib/backoff';
import { ShardCheckpoints } from './shard-checkpoints';
import { failureMessage, isImported, toDeliveredRecord } from './stream-records';

/** GetRecords' own limit per call, and so the most records a shard holds read ahead. */
export const READ_AHEAD_RECORDS = 1000;
/** How often an idle shard asks for new records (Lambda polls a shard about four times a second). */
export const POLL_INTERVAL_MS = 250;
/** How often the shards of each stream are listed again, to pick up a new shard. */
const SHARD_REFRESH_MS = 10_000;
/** Waits before the retries of a failed batch: doubling, capped, without jitter (one reader per shard). */
const RETRY_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 5_000 };
/**
 * DynamoDB Local rounds a stream record's ApproximateCreationDateTime down to
 * the minute, so a record was made up to this much later than it says.
 */
const CREATION_TIME_GRANULARITY_MS = 60_000;

/** Where one shard stands. */
export interface ShardLag {
  functionKey: string;
  shardId: string;
  /** Records read but not yet delivered; `more` when the last read filled a page (there may be more behind). */
  waiting: number;
  more: boolean;
  /** Age of the oldest record not yet delivered, 0 when caught up. */
  oldestAgeMs: number;
  delivered: number;
  skipped: number;
  invocations: number;
  discarded: number;
}

export interface StreamRunnerOptions {
  mappings: readonly StreamMapping[];
  endpoint: string;
  region: string;
  /** The function a mapping delivers to; `signal` aborts an invocation when the runner stops. */
  invoke: (mapping: StreamMapping, signal: AbortSignal) => Invoke;
  /** The file of per-shard checkpoints, so a restart resumes where it stopped. */
  checkpointFile: string;
  /** Where a mapping's on-failure records go: a JSON-lines file per queue, as the SQS messages Lambda would send. */
  failureFile: (queue: string) => string;
  log: (line: string) => void;
  now?: () => number;
}

export interface StreamRunner {
  lag(): ShardLag[];
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** True for errors that mean DynamoDB Local is not reachable right now. */
function isConnectionError(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
  const text = e instanceof Error ? `${e.name} ${e.message} ${code}` : String(e);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|TimeoutError/i.test(text);
}

/** What every shard reader of one runner shares. */
interface RunnerContext {
  options: StreamRunnerOptions;
  streams: DynamoDBStreamsClient;
  checkpoints: ShardCheckpoints;
  now: () => number;
  /** Aborted when the runner stops: it ends reading and any invocation in flight. */
  stopped: AbortSignal;
}

/** Reads one shard of one mapping's stream and delivers its records in order, one batch at a time. */
class ShardReader {
  readonly lag: ShardLag;
  private readonly key: string;
  private readonly invoke: Invoke;
  private iterator: string | undefined;
  private buffer: _Record[] = [];
  /** When the records in the buffer were read. */
  private readAt = 0;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly mapping: StreamMapping,
    private readonly streamArn: string,
    private readonly shardId: string,
  ) {
    this.key = `${streamArn}|${shardId}`;
    this.invoke = ctx.options.invoke(mapping, ctx.stopped);
    this.lag = {
      functionKey: mapping.functionKey,
      shardId,
      waiting: 0,
      more: false,
      oldestAgeMs: 0,
      delivered: 0,
      skipped: 0,
      invocations: 0,
      discarded: 0,
    };
  }

  /** Reads until the runner stops; resolves to true when the shard is closed and fully read. */
  async run(): Promise<boolean> {
    this.iterator = await this.newIterator();
    while (!this.ctx.stopped.aborted) {
      if (this.buffer.length === 0) {
        // A closed shard's last page has been delivered: its children may start.
        if (this.iterator === undefined) break;
        if (!(await this.read())) continue;
      }
      const { batch, lastTaken } = this.nextBatch();
      if (batch.length > 0 && !(await this.deliver(batch))) break;
      if (lastTaken) this.ctx.checkpoints.set(this.key, lastTaken);
    }
    this.lag.waiting = 0;
    this.lag.oldestAgeMs = 0;
    return this.iterator === undefined && this.buffer.length === 0;
  }

  /** Where to read from: after the checkpoint, or the mapping's starting position. */
  private async newIterator(): Promise<string | undefined> {
    const after = this.ctx.checkpoints.get(this.key);
    const out = await this.ctx.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: this.shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: this.mapping.startingPosition }),
      }),
    );
    return out.ShardIterator;
  }

  /** Reads the next page into the buffer; false when there was nothing to read (after waiting a moment). */
  private async read(): Promise<boolean> {
    try {
      const out = await this.ctx.streams.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: READ_AHEAD_RECORDS }));
      this.buffer = out.Records ?? [];
      this.readAt = this.ctx.now();
      this.lag.more = this.buffer.length === READ_AHEAD_RECORDS;
      this.iterator = out.NextShardIterator;
    } catch (e: unknown) {
      if (e instanceof ExpiredIteratorException) {
        this.iterator = await this.newIterator();
        return false;
      }
      if (!isConnectionError(e)) throw e;
      this.ctx.options.log(`stream: DynamoDB Local is unreachable; ${this.mapping.functionKey} waits for it`);
      await sleep(1_000);
      return false;
    }
    if (this.buffer.length > 0) return true;
    this.lag.waiting = 0;
    this.lag.oldestAgeMs = 0;
    await sleep(POLL_INTERVAL_MS);
    return false;
  }

  /** Takes up to batchSize records the function would not skip off the buffer; skipped ones are simply passed. */
  private nextBatch(): { batch: DeliveredRecord[]; lastTaken: string | undefined } {
    const batch: DeliveredRecord[] = [];
    let taken = 0;
    for (const record of this.buffer) {
      if (batch.length >= this.mapping.batchSize) break;
      taken++;
      if (this.mapping.skipImported && isImported(record)) this.lag.skipped++;
      else batch.push(toDeliveredRecord(record, this.streamArn));
    }
    const lastTaken = this.buffer[taken - 1]?.dynamodb?.SequenceNumber;
    this.buffer = this.buffer.slice(taken);
    this.lag.waiting = this.buffer.length;
    // The latest the oldest record can have been made: its rounded creation time, or when it was read.
    const oldest = batch[0]?.dynamodb.ApproximateCreationDateTime;
    const madeBy = oldest === undefined ? this.readAt : Math.min(this.readAt, oldest * 1000 + CREATION_TIME_GRANULARITY_MS);
    this.lag.oldestAgeMs = batch.length === 0 ? 0 : Math.max(0, this.ctx.now() - madeBy);
    return { batch, lastTaken };
  }

  /** Delivers a batch; false when the runner stopped first (the batch is left for the next start: at least once, as on Lambda). */
  private async deliver(batch: DeliveredRecord[]): Promise<boolean> {
    const report = await deliverBatch(batch, this.mapping, {
      invoke: this.invoke,
      discard: (d) => this.discard(d),
      now: this.ctx.now,
      pause: (attempt) => sleep(exponentialMs(RETRY_BACKOFF, attempt)),
      stopping: () => this.ctx.stopped.aborted,
    });
    if (report.interrupted) return false;
    this.lag.delivered += batch.length - report.discarded;
    this.lag.invocations += report.invocations;
    this.lag.discarded += report.discarded;
    return true;
  }

  /** Sends records that failed for good to the mapping's on-failure queue (a file locally), and says so. */
  private async discard(d: Discarded): Promise<void> {
    const { mapping, ctx } = this;
    const where = mapping.onFailureQueue ? ctx.options.failureFile(mapping.onFailureQueue) : undefined;
    if (where) {
      await mkdir(dirname(where), { recursive: true });
      await appendFile(where, `${JSON.stringify(failureMessage(mapping, this.streamArn, this.shardId, d, ctx.now()))}\n`);
    }
    ctx.options.log(
      `stream: ${d.records.length} record(s) of ${mapping.functionKey} set aside (${d.condition} after ${d.attempts} invocation(s)${d.error ? `: ${d.error}` : ''})${where ? `; see ${where}` : ''}`,
    );
  }
}

/** Starts reading every mapping's stream; resolves once each stream's shards are known. */
export async function startStreamRunner(options: StreamRunnerOptions): Promise<StreamRunner> {
  const db = new DynamoDBClient({ region: options.region, endpoint: options.endpoint, credentials });
  const stopped = new AbortController();
  const ctx: RunnerContext = {
    options,
    streams: new DynamoDBStreamsClient({ region: options.region, endpoint: options.endpoint, credentials }),
    checkpoints: new ShardCheckpoints(options.checkpointFile),
    now: options.now ?? Date.now,
    stopped: stopped.signal,
  };
  ctx.checkpoints.load();
  const readers = new Map<string, { reader: ShardReader; done: Promise<void> }>();
  /** Shards read to their end: their children may start. */
  const finished = new Set<string>();

  /** Starts a reader for every shard not yet read whose parent is done (a closed shard's records come first). */
  const refreshShards = async (mapping: StreamMapping, streamArn: string): Promise<void> => {
    const shards = (await ctx.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    const known = new Set(shards.map((s) => s.ShardId));
    for (const { ShardId: id, ParentShardId: parent } of shards) {
      const readerKey = `${mapping.functionKey}|${streamArn}|${id}`;
      if (!id || readers.has(readerKey)) continue;
      if (parent && known.has(parent) && !finished.has(`${streamArn}|${parent}`)) continue;
      const reader = new ShardReader(ctx, mapping, streamArn, id);
      const done = reader.run().then(
        (closed) => void (closed && finished.add(`${streamArn}|${id}`)),
        (e: unknown) => {
          // The next shard refresh starts it again, from its checkpoint.
          readers.delete(readerKey);
          options.log(
            `stream: ${mapping.functionKey} stopped reading shard ${id} (${e instanceof Error ? e.message : String(e)}); retrying in ${SHARD_REFRESH_MS / 1000} s`,
          );
        },
      );
      readers.set(readerKey, { reader, done });
    }
  };

  const streamArns = new Map<StreamMapping, string>();
  for (const mapping of options.mappings) {
    const arn = (await db.send(new DescribeTableCommand({ TableName: mapping.table }))).Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${mapping.table} has no stream; the stream runner needs one (resources/tables.yml)`);
    streamArns.set(mapping, arn);
    await refreshShards(mapping, arn);
  }
  const refresher = setInterval(() => {
    for (const [mapping, arn] of streamArns) void refreshShards(mapping, arn).catch(() => undefined);
  }, SHARD_REFRESH_MS);

  return {
    lag: () => [...readers.values()].map((r) => r.reader.lag),
    async stop() {
      stopped.abort();
      clearInterval(refresher);
      await Promise.all([...readers.values()].map((r) => r.done));
      ctx.checkpoints.flush();
      db.destroy();
      ctx.streams.destroy();
    },
  };
}

/** Invokes a function through `sls offline`'s Lambda invoke endpoint, bounded by the function's timeout. */
export function offlineInvoker(lambdaPort: number): (mapping: StreamMapping, signal: AbortSignal) => Invoke {
  return (mapping, stopped) => async (records) => {
    const url = `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${encodeURIComponent(mapping.functionName)}/invocations`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body: JSON.stringify({ Records: records }),
        signal: AbortSignal.any([AbortSignal.timeout(mapping.timeoutMs), stopped]),
      });
      const text = await res.text();
      if (res.status !== 200 || res.headers.get('x-amz-function-error') !== null || res.headers.get('x-amzn-errortype') !== null) {
        return { ok: false, error: `the function failed: ${text.slice(0, 300)}` };
      }
      const payload = (text.trim() === '' ? {} : JSON.parse(text)) as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null;
      // An identifier that is not a string matches no record: the whole batch counts as failed, as on Lambda.
      const failures = (payload?.batchItemFailures ?? []).map((f) => (typeof f.itemIdentifier === 'string' ? f.itemIdentifier : ''));
      return { ok: true, batchItemFailures: failures };
    } catch (e: unknown) {
      const name = typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : 'error';
      return {
        ok: false,
        error: name === 'TimeoutError' ? `the function ran over its ${mapping.timeoutMs / 1000} s timeout` : `invoke failed: ${name}`,
      };
    }
  };
}
