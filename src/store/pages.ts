/**
 * Paginated reads: a Query or Scan answers a page at a time, and the next
 * page starts after the last key of the one before. One loop for every store.
 */
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
