/**
 * Removing a person's items from every table, for deletion requests. Keyed
 * items go by key or by index; events without an index on their ids (the
 * identify table) and kept rejected bodies are found by a filtered scan, so a
 * deletion reads those tables whole.
 */
import {
  DeleteCommand,
  QueryCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';
import type { ForgetStore, RollupEntity } from '../app/ports';
import { batchWriteAll } from './batch';
import { linkKey } from './identity-store';
import { statePk } from './rollup-store';
import { touchesKey } from './touch-store';
import { readAll } from './pages';
import { toStorageError } from './errors';
import { mapLimit } from '../lib/concurrency';

/** Values per filter expression: DynamoDB allows 100 operands to IN, and 4 KB of expression values. */
const VALUES_PER_SCAN = 40;
/** Single deletes in flight at once (see deleteExisting). */
const DELETE_CONCURRENCY = 8;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class DynamoForgetStore implements ForgetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Config['tables'],
  ) {}

  deletePageViews(visitorKeys: readonly string[]): Promise<number> {
    return this.deleteByVisitor(visitorKeys, this.tables.page, 'messageId', 'byVisitor');
  }

  deleteConversions(visitorKeys: readonly string[]): Promise<number> {
    return this.deleteByVisitor(visitorKeys, this.tables.conversion, 'visitorKey, sk');
  }

  /** Deletes each visitor's items of a table keyed (or indexed) by `visitorKey`; `key` names the table's key attributes. */
  private async deleteByVisitor(visitorKeys: readonly string[], table: string, key: string, index?: string): Promise<number> {
    let removed = 0;
    for (const visitorKey of visitorKeys) {
      const keys = await readAll(`Query ${index ?? table}`, (start) =>
        this.doc.send(
          new QueryCommand({
            TableName: table,
            IndexName: index,
            KeyConditionExpression: 'visitorKey = :k',
            ExpressionAttributeValues: { ':k': visitorKey },
            ProjectionExpression: key,
            ExclusiveStartKey: start,
          } satisfies QueryCommandInput),
        ),
      );
      const names = key.split(',').map((k) => k.trim());
      removed += await this.delete(
        table,
        keys.map((item) => Object.fromEntries(names.map((n) => [n, item[n]]))),
      );
    }
    return removed;
  }

  async deleteLinkingEvents({ userIds, anonymousIds }: { userIds: readonly string[]; anonymousIds: readonly string[] }): Promise<number> {
    let removed = 0;
    const values = [
      ...userIds.map((v) => ['userId', v] as const),
      ...anonymousIds.flatMap((v) => [['anonymousId', v] as const, ['previousId', v] as const]),
    ];
    for (const group of chunks(values, VALUES_PER_SCAN)) {
      const names: Record<string, string> = {};
      const bound: Record<string, string> = {};
      const terms = group.map(([field, value], i) => {
        names[`#${field}`] = field;
        bound[`:v${i}`] = value;
        return `#${field} = :v${i}`;
      });
      const found = await this.scan(this.tables.identify, terms.join(' OR '), names, bound, 'messageId');
      removed += await this.delete(
        this.tables.identify,
        found.map((i) => ({ messageId: i.messageId })),
      );
    }
    return removed;
  }

  async deleteRejected(values: readonly string[]): Promise<number> {
    let removed = 0;
    for (const group of chunks(values, VALUES_PER_SCAN)) {
      const bound: Record<string, string> = { ':r': 'rejected#' };
      // A value as a whole JSON string ("a-1", quotes included): a-1 does not match a-10.
      const terms = group.map((value, i) => ((bound[`:v${i}`] = JSON.stringify(value)), `contains(body, :v${i})`));
      const found = await this.scan(this.tables.attribution, `begins_with(pk, :r) AND (${terms.join(' OR ')})`, undefined, bound, 'pk, sk');
      removed += await this.delete(
        this.tables.attribution,
        found.map((i) => ({ pk: i.pk, sk: i.sk })),
      );
    }
    return removed;
  }

  deleteLinks(pairs: readonly { userId: string; anonymousId: string }[]): Promise<number> {
    return this.delete(this.tables.userMap, pairs.map(linkKey));
  }

  deleteTouches(visitorKeys: readonly string[]): Promise<number> {
    return this.deleteExisting(this.tables.attribution, visitorKeys.map(touchesKey));
  }

  deleteRollupStates(entities: readonly RollupEntity[]): Promise<number> {
    return this.deleteExisting(
      this.tables.rollup,
      entities.map((e) => ({ pk: statePk(e), sk: 'rollup' })),
    );
  }

  /**
   * Deletes items by key, one at a time, and resolves to how many existed:
   * keys derived from ids (not found by a read) may name no item, and the
   * answer counts what was removed. A person has a handful of such keys.
   */
  private async deleteExisting(table: string, keys: readonly { pk: string; sk: string }[]): Promise<number> {
    const existed = await mapLimit(keys, DELETE_CONCURRENCY, async (Key) => {
      try {
        await this.doc.send(new DeleteCommand({ TableName: table, Key, ConditionExpression: 'attribute_exists(pk)' }));
        return true;
      } catch (e: unknown) {
        if (e instanceof Error && e.name === 'ConditionalCheckFailedException') return false;
        throw toStorageError(`DeleteItem ${table}`, e);
      }
    });
    return existed.filter(Boolean).length;
  }

  /** Deletes items by key; resolves to how many keys were given (a delete of a missing item succeeds). */
  private async delete(table: string, keys: readonly Record<string, unknown>[]): Promise<number> {
    await batchWriteAll(
      this.doc,
      table,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
    return keys.length;
  }

  private scan(
    table: string,
    filter: string,
    names: Record<string, string> | undefined,
    values: Record<string, string>,
    projection: string,
  ): Promise<Record<string, unknown>[]> {
    return readAll(`Scan ${table}`, (start) =>
      this.doc.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: filter,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ProjectionExpression: projection,
          ExclusiveStartKey: start,
        } satisfies ScanCommandInput),
      ),
    );
  }
}
