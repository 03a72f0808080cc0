/**
 * Counts the DynamoDB requests a phase of the benchmark sends, by operation
 * and table: where the time goes when a phase costs more with conversions on.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../src/config';

/** Requests by `<operation> <table>` (the table as the configuration names it: page, conversion, …). */
export type RequestCounts = Record<string, number>;

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
        const label = `${String(context.commandName).replace(/Command$/, '')} ${table === undefined ? '' : (this.#names.get(table) ?? table)}`;
        this.#counts[label.trim()] = (this.#counts[label.trim()] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestTally' },
    );
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

/** The total requests per unit. */
export function totalPerUnit(counts: RequestCounts, units: number): number {
  return Object.values(counts).reduce((a, b) => a + b, 0) / units;
}
