import { StorageUnavailableError } from '../../../src/errors';
import { pagesOf, readAll, type ReadPage } from '../../../src/store/pages';

/** A table of `n` items served `size` at a time, recording where each read started. */
function table(n: number, size: number): { read: ReadPage; starts: (number | undefined)[] } {
  const starts: (number | undefined)[] = [];
  const read: ReadPage = (start) => {
    const from = typeof start?.i === 'number' ? start.i + 1 : 0;
    starts.push(start ? from : undefined);
    const items = Array.from({ length: Math.max(0, Math.min(size, n - from)) }, (_, k) => ({ i: from + k }));
    const last = items[items.length - 1];
    return Promise.resolve({ Items: items, ...(last && last.i < n - 1 ? { LastEvaluatedKey: { i: last.i } } : {}) });
  };
  return { read, starts };
}

describe('paginated reads', () => {
  it('read every page, each starting after the last key of the one before', async () => {
    const { read, starts } = table(7, 3);
    const items = await readAll('Scan t', read);
    expect(items.map((item) => item.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(starts).toEqual([undefined, 3, 6]);
  });

  it('stop once the limit is reached, and tell each read how many came before it', async () => {
    const { read } = table(10, 3);
    const soFar: number[] = [];
    const pages: number[][] = [];
    for await (const page of pagesOf('Scan t', (start, n) => (soFar.push(n), read(start, n)), 4))
      pages.push(page.map((item) => Number(item.i)));
    expect(pages).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(soFar).toEqual([0, 3]);
  });

  it('report a failed read as storage that is unavailable for now', async () => {
    const failing: ReadPage = () => Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(readAll('Scan t', failing)).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
