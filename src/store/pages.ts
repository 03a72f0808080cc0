/**
 * Paginated reads: a Query or Scan answers a page at a time, and the next
 * page starts after the last key of the one before. One loop for every store.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withStorage } from './errors';

type Item = Record<string, unknown>;
/** One page's read, starting after `start` (undefined: from the beginning), given the items read so far. */
export type ReadPage = (start: Item | undefined, readSoFar: number) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>;

/** Each page's items in turn, until the last page, or until `limit` items were read. */
export async function* pagesOf(operation: string, read: ReadPage, limit = Number.POSITIVE_INFINITY): AsyncGenerator<Item[]> {
  let start: Item | undefined;
  let count = 0;
  do {
    const page = await withStorage(operation, () => read(start, count));
    const items = page.Items ?? [];
    count += items.length;
    yield items;
    start = page.LastEvaluatedKey;
  } while (start && count < limit);
}

/** Every item of a paginated read, or the first `limit` and whatever else their last page held. */
export async function readAll(operation: string, read: ReadPage, limit?: number): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pagesOf(operation, read, limit)) items.push(...page);
  return items;
}

/** The `visitorKey` of every item of a table whose `timestamp` is at or after `since`, a page at a time; a full scan. */
export async function* visitorKeysSince(doc: DynamoDBDocumentClient, table: string, since: string): AsyncGenerator<string[]> {
  const pages = pagesOf(`Scan ${table}`, (start) =>
    doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#t >= :since',
        ExpressionAttributeNames: { '#t': 'timestamp' },
        ExpressionAttributeValues: { ':since': since },
        ProjectionExpression: 'visitorKey',
        ExclusiveStartKey: start,
      }),
    ),
  );
  for await (const page of pages) yield page.flatMap((item) => (typeof item.visitorKey === 'string' ? [item.visitorKey] : []));
}
