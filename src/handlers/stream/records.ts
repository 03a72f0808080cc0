/**
 * Reading DynamoDB stream records: the new image, unmarshalled.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isPermanent, SmaError } from '../../errors';
import { MAX_REJECTED_BODY_BYTES } from '../../app/store-events';
import type { EventStore } from '../../app/ports';
import { processAttributionChanges, type AttributionChange, type SyncDeps } from '../../app/realtime-sync';
import type { Deps, DepsSource } from '../deps';
import { logger } from '../../lib/logger';
import type { SegmentBatchClient } from '../../segment/batch-client';

/** The record's new item, or undefined for a REMOVE. */
export function newImage(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image || record.eventName === 'REMOVE') return undefined;
  // The Lambda and SDK typings describe the same wire format.
  return unmarshall(image as Record<string, AttributeValue>);
}

/**
 * The record's new item when it came from live traffic: undefined for a
 * REMOVE and for items `sma import` wrote (it derives touches and links
 * itself, and history must not trigger anything downstream).
 */
export function liveImage(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const item = newImage(record);
  return item?.origin === 'import' ? undefined : item;
}

/**
 * Time kept back from a stream function's remaining time when it sends to
 * Segment: the batch still reports which records failed instead of timing
 * out, which would retry the whole batch.
 */
export const STREAM_SEND_MARGIN_MS = 3_000;

/** The dependencies of one invocation, with sends to Segment bounded by the function's remaining time. */
export function withSendDeadline<D extends { segment: SegmentBatchClient }>(
  deps: D,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): D {
  return { ...deps, segment: deps.segment.until(Date.now() + context.getRemainingTimeInMillis() - STREAM_SEND_MARGIN_MS) };
}

/**
 * Sets aside what failed for good: logged at error level with what it was
 * (a record's keys, an entity), and kept in the rejected list (GET
 * /api/rejected, field `processing`), so that an operator sees it and `sma
 * refresh` can repair it once the cause is fixed. The stream moves on: one
 * bad record must not hold back the rest of its shard.
 */
export async function setAside(
  fn: string,
  what: Record<string, unknown>,
  e: unknown,
  events: Pick<EventStore, 'storeRejected'>,
): Promise<void> {
  const detail = e instanceof Error ? e.message : String(e);
  logger.error('set aside: this cannot succeed on a retry', {
    function: fn,
    ...what,
    error: e instanceof Error ? e.name : typeof e,
    detail,
  });
  await events.storeRejected([
    {
      index: 0,
      field: 'processing',
      message: `${fn}: ${detail}`.slice(0, MAX_REJECTED_BODY_BYTES),
      body: JSON.stringify(what).slice(0, MAX_REJECTED_BODY_BYTES),
      receivedAt: new Date().toISOString(),
    },
  ]);
}

/** Runs one record's work; a permanent failure sets the record aside (setAside) instead of failing it. */
export async function unlessPermanent(
  fn: string,
  record: DynamoDBRecord,
  events: Pick<EventStore, 'storeRejected'>,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (e: unknown) {
    if (!isPermanent(e)) throw e;
    const keys = record.dynamodb?.Keys ? unmarshall(record.dynamodb.Keys as Record<string, AttributeValue>) : {};
    // The ids too, so that `sma refresh` can be pointed at the visitor, and a deletion finds the entry.
    const item = newImage(record) ?? {};
    const ids = Object.fromEntries(
      ['visitorKey', 'anonymousId', 'userId'].filter((f) => typeof item[f] === 'string').map((f) => [f, item[f]]),
    );
    await setAside(fn, { keys, ...ids, sequenceNumber: record.dynamodb?.SequenceNumber }, e, events);
  }
}

/** What real-time sync and the rollups need in a stream function `fn`, from its dependencies. */
export function syncDepsOf(fn: string, deps: Deps): SyncDeps {
  return {
    ...deps,
    eventName: deps.config.segment.eventName,
    mode: deps.config.realtimeSync.touches,
    conversionEventName: deps.config.conversions.eventName,
    sendConversions: deps.config.realtimeSync.conversions,
    setAside: (what, e) => setAside(fn, what, e, deps.events),
  };
}

/**
 * A record whose part of a batch-level step failed (the step logged why).
 * Retryable: BatchProcessor reports the record, and the stream retries it.
 */
export class RecordFailedError extends SmaError {
  override name = 'RecordFailedError';
  constructor(sequenceNumber: string) {
    super(`record ${sequenceNumber} failed in its batch; the stream retries it`, { retryable: true });
  }
}

/** A BatchProcessor record handler that fails exactly the records (by sequence number) in `failed`. */
export function failingIn(failed: ReadonlySet<string>): (record: DynamoDBRecord) => void {
  return (record) => {
    const sequence = record.dynamodb?.SequenceNumber;
    if (sequence !== undefined && failed.has(sequence)) throw new RecordFailedError(sequence);
  };
}

/**
 * A stream function whose records each name a change (or nothing): the
 * changes are processed once for the batch (each visitor and user once), and
 * the records whose change failed are reported and retried.
 */
export function changesHandler(
  fn: string,
  changeOf: (record: DynamoDBRecord) => AttributionChange<string> | undefined,
  deps: DepsSource,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event, context) => {
    const d = withSendDeadline(await deps(), context);
    const changes = event.Records.map(changeOf).filter((c): c is AttributionChange<string> => c !== undefined);
    const failed = await processAttributionChanges(changes, syncDepsOf(fn, d));
    // A batch whose every change failed is answered like any other, not thrown: the stream retries exactly those records.
    return processPartialResponse(event, failingIn(failed), processor, { context, throwOnFullBatchFailure: false });
  };
}
