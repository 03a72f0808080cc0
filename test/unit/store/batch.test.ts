import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageUnavailableError } from '../../../src/errors';
import { batchGetAll, batchWriteAll, MAX_BATCH_WRITE, MAX_UNPROCESSED_RETRIES, type WriteRequest } from '../../../src/store/batch';

/**
 * A stand-in for DynamoDB's partial answers, which DynamoDB Local never
 * gives: the first `throttled` calls leave half their items unprocessed.
 * It sees what goes on the wire: items as DynamoDB attribute values.
 */
function throttlingClient(throttled: number): { doc: DynamoDBDocumentClient; calls: number[]; written: string[] } {
  const calls: number[] = [];
  const written: string[] = [];
  const send = (command: { input: { RequestItems: Record<string, unknown> } }): Promise<unknown> => {
    const [table, request] = Object.entries(command.input.RequestItems)[0] as [string, unknown];
    if (Array.isArray(request)) {
      const items = request as { PutRequest?: { Item: { id: { S: string } } } }[];
      calls.push(items.length);
      const keep = calls.length > throttled ? [] : items.length > 1 ? items.slice(Math.ceil(items.length / 2)) : items;
      for (const r of items.slice(0, items.length - keep.length)) if (r.PutRequest) written.push(r.PutRequest.Item.id.S);
      return Promise.resolve({ UnprocessedItems: keep.length > 0 ? { [table]: keep } : {} });
    }
    const keys = (request as { Keys: Record<string, unknown>[] }).Keys;
    calls.push(keys.length);
    const keep = calls.length <= throttled ? keys.slice(1) : [];
    return Promise.resolve({
      Responses: { [table]: keys.slice(0, keys.length - keep.length) },
      UnprocessedKeys: keep.length > 0 ? { [table]: { Keys: keep } } : {},
    });
  };
  return { doc: { send } as unknown as DynamoDBDocumentClient, calls, written };
}

const puts = (n: number): WriteRequest[] => Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { id: `i${i}` } } }));

describe('batchWriteAll', () => {
  it('splits into batches of 25 and retries UnprocessedItems until all are written', async () => {
    // Prepare
    const { doc, calls, written } = throttlingClient(3);

    // Act
    await batchWriteAll(doc, 't', puts(30));

    // Assess
    expect(Math.max(...calls)).toBeLessThanOrEqual(MAX_BATCH_WRITE);
    expect(written.sort()).toEqual(
      puts(30)
        .map((p) => ('PutRequest' in p ? String(p.PutRequest.Item.id) : ''))
        .sort(),
    );
  });

  it('gives up with a retryable StorageUnavailableError rather than lose items silently', async () => {
    // Prepare
    const { doc } = throttlingClient(Number.POSITIVE_INFINITY);

    // Act
    const result = batchWriteAll(doc, 't', puts(2));

    // Assess
    await expect(result).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(result).rejects.toMatchObject<Partial<StorageUnavailableError>>({
      retryable: true,
      message: `1 request(s) still unprocessed by BatchWriteItem on t after ${MAX_UNPROCESSED_RETRIES} retries`,
    });
  }, 20_000);
});

describe('batchGetAll', () => {
  it('retries UnprocessedKeys and returns every item', async () => {
    // Prepare
    const { doc } = throttlingClient(2);
    const keys = Array.from({ length: 150 }, (_, i) => ({ id: `k${i}` }));

    // Act
    const found = await batchGetAll(doc, 't', keys);

    // Assess
    expect(found.map((k) => String(k.id)).sort()).toEqual(keys.map((k) => k.id).sort());
  });
});
