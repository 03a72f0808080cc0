/**
 * Every item of every table, comparable across runs: what depends on when it
 * was computed (updatedAt, finishedAt) or on the import run is left out, and
 * items are sorted.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { baseCounterId } from '../../src/attribution/counters';
import type { Deps } from '../../src/handlers/deps';

/** Every item of a table. */
export async function scanAll(deps: Pick<Deps, 'doc'>, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Report counter rows as the report reads them: a bulk import's rows (tagged
 * with its run id, which differs between runs) added into their counter's.
 */
function countersMerged(items: Record<string, unknown>[]): Record<string, unknown>[] {
  const counters = new Map<string, Record<string, unknown> & { n: number }>();
  const rest: Record<string, unknown>[] = [];
  for (const item of items) {
    if (typeof item.pk !== 'string' || !item.pk.startsWith('rollup#') || typeof item.sk !== 'string' || typeof item.n !== 'number') {
      rest.push(item);
      continue;
    }
    const sk = baseCounterId(item.sk);
    const key = `${item.pk} ${sk}`;
    const merged = counters.get(key) ?? { pk: item.pk, sk, n: 0 };
    merged.n += item.n;
    counters.set(key, merged);
  }
  return [...rest, ...counters.values()];
}

export async function snapshot(deps: Deps): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(deps.config.tables)) {
    const items = countersMerged(await scanAll(deps, table));
    out[name] = items
      .map(({ updatedAt: _u, finishedAt: _f, ...rest }) => rest)
      // An import's tag names its run, which differs between runs (seeds, the finished mark).
      .map((i) => JSON.stringify(i, Object.keys(i).sort()).replace(/import-[0-9a-f]{8}/g, 'import-<run>'))
      .sort();
  }
  return out;
}
