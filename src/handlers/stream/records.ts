/**
 * Reading DynamoDB stream records: the new image, unmarshalled.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
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
