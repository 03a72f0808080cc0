/**
 * Counts the DynamoDB requests a phase of the benchmark sends, by operation
 * and table: where the time goes when a phase costs more with conversions on.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../src/config';

/**
 * Requests by `<operation> <table>` (the table as the configuration names it:
 * page, conversion, …), and the items written by batch and transaction
 * writes, under `<operation> <table> (items)`.
 */
export type RequestCounts = Record<string, number>;

/** The items a batch or transaction write carries; 0 for any other operation. */
function itemsOf(input: unknown): number {
  if (typeof input !== 'object' || input === null) return 0;
  const { TransactItems, RequestItems } = input as { TransactItems?: unknown; RequestItems?: unknown };
  if (Array.isArray(TransactItems)) return TransactItems.length;
  if (typeof RequestItems !== 'object' || RequestItems === null) return 0;
  return Object.values(RequestItems).reduce(
    (n: number, list) => n + (Array.isArray(list) && 'PutRequest' in (list[0] ?? {}) ? list.length : 0),
    0,
  );
}

/** The table an operation's input names, or `*` when it names several. */
function tableOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { TableName, RequestItems } = input as { TableName?: unknown; RequestItems?: unknown };
  if (typeof TableName === 'string') return TableName;
  if (typeof RequestItems === 'object' && RequestItems !== null) {
    const names = Object.keys(RequestItems);
    return names.length === 1 ? names[0] : '*';
  }
  return undefined;
}

export class RequestTally {
  #counts: RequestCounts = {};
  #names = new Map<string, string>();

  /** Counts every request `doc` sends from now on (retries by the SDK are not requests of sma's). */
  constructor(doc: DynamoDBDocumentClient) {
    doc.middlewareStack.add(
      (next, context) => (args) => {
        const table = tableOf(args.input);
        const label =
          `${String(context.commandName).replace(/Command$/, '')} ${table === undefined ? '' : (this.#names.get(table) ?? table)}`.trim();
        this.#add(label, 1);
        const items = itemsOf(args.input);
        if (items > 0) this.#add(`${label} (items)`, items);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestTally' },
    );
  }

  #add(label: string, n: number): void {
    this.#counts[label] = (this.#counts[label] ?? 0) + n;
  }

  /** Starts counting afresh, naming the tables of `config` by their role. */
  reset(config: Config): void {
    this.#counts = {};
    this.#names = new Map(Object.entries(config.tables).map(([role, name]) => [name, role]));
  }

  counts(): RequestCounts {
    return { ...this.#counts };
  }
}

/** The requests of `counts` per unit (per page view, per conversion), largest first, as `Query conversion 1.00`. */
export function perUnit(counts: RequestCounts, units: number): [string, number][] {
  return Object.entries(counts)
    .map(([label, n]): [string, number] => [label, n / units])
    .sort((a, b) => b[1] - a[1]);
}

/** The total requests per unit (items not counted). */
export function totalPerUnit(counts: RequestCounts, units: number): number {
  return Object.entries(counts).reduce((sum, [label, n]) => sum + (label.endsWith('(items)') ? 0 : n), 0) / units;
}
