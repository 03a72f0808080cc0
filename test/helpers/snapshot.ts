/**
 * Every item of every table, comparable across runs: what depends on when it
 * was computed (updatedAt) is left out, and items are sorted.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
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

export async function snapshot(deps: Deps): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(deps.config.tables)) {
    const items = await scanAll(deps, table);
    out[name] = items
      .map(({ updatedAt: _u, ...rest }) => rest)
      .map((i) => JSON.stringify(i, Object.keys(i).sort()))
      .sort();
  }
  return out;
}
