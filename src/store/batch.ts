/**
 * BatchWriteItem and BatchGetItem with DynamoDB's partial results handled:
 * `UnprocessedItems` / `UnprocessedKeys` are retried with capped, jittered
 * exponential backoff (AWS's advice for throttled batches), and give up with a
 * StorageUnavailableError rather than lose an item silently.
 *
 * Items and keys are marshalled here, once, and sent with the low-level
 * commands through the document client's own connection. The document
 * commands would walk every request's input to find the items, and marshal
 * retried items again; for a bulk import that walk was a few percent of its
 * CPU, which on a small machine DynamoDB Local needs.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type AttributeValue,
  type WriteRequest as RawWriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { StorageUnavailableError } from '../errors';
import { mapLimit } from '../lib/concurrency';
import { withStorage } from './errors';
import { backoffMs, sleep, type BackoffPolicy } from '../lib/backoff';

/** DynamoDB's limit: 25 put/delete requests per BatchWriteItem. */
export const MAX_BATCH_WRITE = 25;
/** DynamoDB's limit: 100 keys per BatchGetItem. */
export const MAX_BATCH_GET = 100;
/** Batches in flight at once per call: enough to hide latency, few enough not to trip throttling. */
export const BATCH_CONCURRENCY = 8;
/** Retries of unprocessed items before giving up (with the backoff below, about 6 s in all). */
export const MAX_UNPROCESSED_RETRIES = 8;
/** Waits between those retries: short, as DynamoDB's throttling clears in milliseconds. */
export const UNPROCESSED_BACKOFF: BackoffPolicy = { baseMs: 25, capMs: 1_500 };

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Sends `first`, then whatever the call reports back as unprocessed, with
 * backoff between attempts, until nothing is left or the retries run out.
 */
async function drainUnprocessed<T>(operation: string, first: T[], send: (pending: T[]) => Promise<T[]>): Promise<void> {
  let pending = first;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > MAX_UNPROCESSED_RETRIES) {
      throw new StorageUnavailableError(
        `${pending.length} request(s) still unprocessed by ${operation} after ${MAX_UNPROCESSED_RETRIES} retries`,
      );
    }
    if (attempt > 0) await sleep(backoffMs(UNPROCESSED_BACKOFF, attempt));
    pending = await send(pending);
  }
}

/** As the document client marshals: attributes that are undefined are left out. */
const toAttributes = (value: Record<string, unknown>): Record<string, AttributeValue> => marshall(value, { removeUndefinedValues: true });

function toRaw(request: WriteRequest): RawWriteRequest {
  return 'PutRequest' in request
    ? { PutRequest: { Item: toAttributes(request.PutRequest.Item) } }
    : { DeleteRequest: { Key: toAttributes(request.DeleteRequest.Key) } };
}

/** Writes every request; resolves only when all are durable. */
export async function batchWriteAll(doc: DynamoDBDocumentClient, table: string, requests: readonly WriteRequest[]): Promise<void> {
  const operation = `BatchWriteItem on ${table}`;
  await mapLimit(chunk(requests, MAX_BATCH_WRITE), BATCH_CONCURRENCY, (batch) =>
    drainUnprocessed(operation, batch.map(toRaw), async (pending) => {
      const out = await withStorage(operation, () => doc.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } })));
      return out.UnprocessedItems?.[table] ?? [];
    }),
  );
}

/** Reads every key; returns the items found (in no particular order). */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  projection?: string,
): Promise<Record<string, unknown>[]> {
  const operation = `BatchGetItem on ${table}`;
  const found: Record<string, unknown>[] = [];
  await mapLimit(chunk(keys, MAX_BATCH_GET), BATCH_CONCURRENCY, (batch) =>
    drainUnprocessed(operation, batch.map(toAttributes), async (pending) => {
      const out = await withStorage(operation, () =>
        doc.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ProjectionExpression: projection } } })),
      );
      for (const item of out.Responses?.[table] ?? []) found.push(unmarshall(item));
      return out.UnprocessedKeys?.[table]?.Keys ?? [];
    }),
  );
  return found;
}
