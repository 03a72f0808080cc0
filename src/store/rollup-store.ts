/**
 * Report counters and rollup states in the rollup table.
 * - Counters: pk `rollup#<YYYY-MM>`, sk `<counter id>` (day first, see
 *   src/attribution/counters.ts), attribute `n`. A month is one partition, so
 *   a year's report is twelve queries.
 * - States: pk `state#visitor#<key>` or `state#user#<id>`, sk `rollup`, with
 *   the contribution the entity made and a version for optimistic locking.
 */
import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { RollupEntity, RollupSeed, RollupState, RollupStore } from '../app/ports';
import { splitCounterRow, taggedCounterId } from '../attribution/counters';
import { mapLimit } from '../lib/concurrency';
import { batchWriteAll } from './batch';
import { toStorageError, withStorage } from './errors';
import { pagesOf } from './pages';

/** DynamoDB's limit on actions in one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
/** Transactions of user seeds sent at once by a bulk import. */
const SEED_TRANSACTIONS_IN_FLIGHT = 4;

/** A state's counts, kept as JSON text in one attribute. */
const countsSchema = z.record(z.string(), z.number());

const stateSchema = z.object({
  version: z.number(),
  counts: z.string(),
  first: z.string().nullable(),
  last: z.string().nullable(),
  seed: z.string().optional(),
});

/** The partition key of an entity's rollup state item. */
export const statePk = (e: RollupEntity): string => (e.kind === 'visitor' ? `state#visitor#${e.key}` : `state#user#${e.id}`);
const monthPk = (day: string): string => `rollup#${day.slice(0, 7)}`;
/** The partition of finished imports' markers, sk the import's tag. */
const FINISHED_IMPORTS_PK = 'import#finished';

/** The months (YYYY-MM) from one day to another. */
export function monthsBetween(since: string, until: string): string[] {
  const months: string[] = [];
  let [y, m] = since.split('-').map(Number) as [number, number];
  const end = until.slice(0, 7);
  for (;;) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (month > end) break;
    months.push(month);
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return months;
}

export class DynamoRollupStore implements RollupStore {
  /** Imports known to have finished (it never changes back, so a warm Lambda asks once). */
  private readonly finished = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async stateOf(entity: RollupEntity): Promise<RollupState | undefined> {
    const out = await withStorage('GetItem rollup state', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: statePk(entity), sk: 'rollup' }, ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    const { seed, ...item } = stateSchema.parse(out.Item);
    return { ...item, counts: countsSchema.parse(JSON.parse(item.counts)), ...(seed ? { seed } : {}) };
  }

  async commit(
    entity: RollupEntity,
    current: number | undefined,
    next: Omit<RollupState, 'version'>,
    delta: Record<string, number>,
  ): Promise<boolean> {
    const key = { pk: statePk(entity), sk: 'rollup' };
    const version = (current ?? 0) + 1;
    // Version 0 is a seed: on a visitor's touches (no state item yet), or a user's seed item.
    const guard =
      current === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: current === 0 ? 'attribute_not_exists(pk) OR version = :v' : 'version = :v',
            ExpressionAttributeValues: { ':v': current },
          };
    // One action of each transaction checks (or, in the last, writes) the
    // state, so the counters move only while the state is the one the delta
    // was computed from. An entity with more changed counters than fit in one
    // transaction is applied in several; each carries an idempotency token,
    // so a retry within DynamoDB's 10-minute window does not apply it twice.
    const perTransaction = MAX_TRANSACTION_ITEMS - 1;
    const entries = Object.entries(delta);
    const chunks: (typeof entries)[] = [];
    for (let i = 0; i < entries.length; i += perTransaction) chunks.push(entries.slice(i, i + perTransaction));
    if (chunks.length === 0) chunks.push([]);
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const stateAction = last
        ? { Put: { TableName: this.table, Item: this.stateItem(entity, version, next), ...guard } }
        : { ConditionCheck: { TableName: this.table, Key: key, ...guard } };
      if (!(await this.transact([...this.counterUpdates(Object.fromEntries(chunk)), stateAction], 'TransactWriteItems rollup'))) {
        // Another writer got in between: the chunks already applied are taken back, as that writer's delta never counted them.
        await this.takeBack(chunks.slice(0, i).flat(), `${key.pk}@${current ?? 'new'}`);
        return false;
      }
    }
    return true;
  }

  /**
   * Applies the opposite of counter changes, unconditionally, in transactions
   * of at most MAX_TRANSACTION_ITEMS. `attempt` (the state and the version the
   * failed commit started from) goes into the idempotency tokens, as it went
   * into the changes' own: a take-back pairs with exactly its changes.
   */
  private async takeBack(applied: readonly (readonly [string, number])[], attempt: string): Promise<void> {
    for (let i = 0; i < applied.length; i += MAX_TRANSACTION_ITEMS) {
      const undo = Object.fromEntries(applied.slice(i, i + MAX_TRANSACTION_ITEMS).map(([id, n]) => [id, -n]));
      await this.transact(this.counterUpdates(undo), 'TransactWriteItems rollup take-back', `take-back ${attempt} ${i}`);
    }
  }

  async putUserSeed(userId: string, seed: RollupSeed): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand(this.seedPut(userId, seed)));
      return true;
    } catch (e: unknown) {
      if (e instanceof Error && e.name === 'ConditionalCheckFailedException') return false;
      throw toStorageError('PutItem user seed', e);
    }
  }

  async putUserSeeds(seeds: readonly (readonly [string, RollupSeed])[]): Promise<Set<string>> {
    const had = new Set<string>();
    const groups: (readonly (readonly [string, RollupSeed])[])[] = [];
    for (let i = 0; i < seeds.length; i += MAX_TRANSACTION_ITEMS) groups.push(seeds.slice(i, i + MAX_TRANSACTION_ITEMS));
    await mapLimit(groups, SEED_TRANSACTIONS_IN_FLIGHT, async (group) => {
      const puts = group.map(([userId, seed]) => ({ Put: this.seedPut(userId, seed) }));
      // One request for the group. When it fails for any reason (a user had a
      // state item, a conflict with a live commit, a group too large), each
      // is put on its own, and a real outage surfaces there.
      if (await this.transact(puts, 'TransactWriteItems user seeds').catch(() => false)) return;
      await mapLimit(group, SEED_TRANSACTIONS_IN_FLIGHT, async ([userId, seed]) => {
        if (!(await this.putUserSeed(userId, seed))) had.add(userId);
      });
    });
    return had;
  }

  /** A user's seed item (version 0, tagged with its import), put only where the user has no state item. */
  private seedPut(userId: string, { tag, ...state }: RollupSeed) {
    return {
      TableName: this.table,
      Item: this.stateItem({ kind: 'user', id: userId }, 0, { ...state, seed: tag }),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async putImportCounters(tag: string, counts: Record<string, number>): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.table,
      Object.entries(counts)
        .filter(([, n]) => n !== 0)
        .map(([id, n]) => ({ PutRequest: { Item: { pk: monthPk(id), sk: taggedCounterId(id, tag), n } } })),
    );
  }

  async finishImport(tag: string): Promise<void> {
    await withStorage('PutItem import finished', () =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: FINISHED_IMPORTS_PK, sk: tag, finishedAt: new Date().toISOString() } }),
      ),
    );
    this.finished.add(tag);
  }

  async importFinished(tag: string): Promise<boolean> {
    if (this.finished.has(tag)) return true;
    const out = await withStorage('GetItem import finished', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: FINISHED_IMPORTS_PK, sk: tag }, ConsistentRead: true })),
    );
    // Only "finished" is remembered: it never changes back.
    if (out.Item) this.finished.add(tag);
    return out.Item !== undefined;
  }

  /** The tags of every finished import. */
  private async finishedImports(): Promise<Set<string>> {
    const tags = new Set<string>();
    await this.queryAll(FINISHED_IMPORTS_PK, undefined, (item) => {
      if (typeof item.sk === 'string') tags.add(item.sk);
    });
    return tags;
  }

  /** Every item of a partition, or of its sort keys from `between[0]` to `between[1]`, page by page. */
  private async queryAll(
    pk: string,
    between: [string, string] | undefined,
    onItem: (item: Record<string, unknown>) => void,
  ): Promise<void> {
    const pages = pagesOf(`Query ${pk}`, (start) =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: between ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(between ? { ':from': between[0], ':to': between[1] } : {}) },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for await (const page of pages) for (const item of page) onItem(item);
  }

  private stateItem(entity: RollupEntity, version: number, next: Omit<RollupState, 'version'>): Record<string, unknown> {
    const item = { pk: statePk(entity), sk: 'rollup', version, counts: JSON.stringify(next.counts), first: next.first, last: next.last };
    return next.seed ? { ...item, seed: next.seed } : item;
  }

  /** One `ADD` per counter of the delta. */
  private counterUpdates(delta: Record<string, number>) {
    return Object.entries(delta).map(([id, n]) => ({
      Update: {
        TableName: this.table,
        Key: { pk: monthPk(id), sk: id },
        UpdateExpression: 'ADD n :d',
        ExpressionAttributeValues: { ':d': n },
      },
    }));
  }

  /**
   * Runs one transaction with an idempotency token derived from its content
   * (the same transaction gets the same token; DynamoDB allows 36 characters).
   * Resolves false when a condition failed.
   */
  private async transact(items: NonNullable<TransactWriteCommandInput['TransactItems']>, operation: string, salt = ''): Promise<boolean> {
    try {
      const token = createHash('sha256').update(salt).update(JSON.stringify(items)).digest('hex').slice(0, 36);
      await this.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return true;
    } catch (e: unknown) {
      if (e instanceof Error && e.name === 'TransactionCanceledException' && /ConditionalCheckFailed/.test(e.message)) return false;
      throw toStorageError(operation, e);
    }
  }

  async counters(since: string, until: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const finished = await this.finishedImports();
    for (const month of monthsBetween(since, until)) {
      await this.queryAll(`rollup#${month}`, [`${since}#`, `${until}#\uffff`], (item) => {
        if (typeof item.sk !== 'string' || typeof item.n !== 'number' || item.n === 0) return;
        // A counter may have rows of bulk imports besides its own; they add
        // up once their import has finished (until then they may be partial).
        const { id, tag } = splitCounterRow(item.sk);
        if (tag !== undefined && !finished.has(tag)) return;
        out.set(id, (out.get(id) ?? 0) + item.n);
      });
    }
    return out;
  }
}
