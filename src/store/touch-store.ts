/**
 * Page views by visitor (the page table's byVisitor index) and each visitor's
 * derived touches (one item in the attribution table, pk `visitor#<key>`,
 * sk `touches`).
 */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { decodeTouches, encodeTouches } from '../attribution/touch-codec';
import type { PageView } from '../attribution/touches';
import { rollupSeedSchema, type TouchStore, type VisitorTouches } from '../app/ports';
import { batchGetAll, batchWriteAll } from './batch';
import { toStorageError, withStorage } from './errors';
import { toPageView } from './items';
import { readAll } from './pages';

export interface TouchTables {
  page: string;
  attribution: string;
}

const storedTouches = z.object({
  visitorKey: z.string(),
  touches: z.string(),
  pageViews: z.number(),
  botViews: z.number().optional(),
  truncated: z.boolean(),
  updatedAt: z.string(),
  rollupSeed: z.string().optional(),
  version: z.number().optional(),
});

export class DynamoTouchStore implements TouchStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TouchTables,
  ) {}

  async pageViewsOf(visitorKey: string, limit: number): Promise<{ views: PageView[]; truncated: boolean }> {
    // One more than the limit is read, to know whether there were more.
    const items = await readAll(
      'Query byVisitor',
      (start, readSoFar) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.page,
            IndexName: 'byVisitor',
            KeyConditionExpression: 'visitorKey = :v',
            ExpressionAttributeValues: { ':v': visitorKey },
            ExclusiveStartKey: start,
            Limit: limit + 1 - readSoFar,
          }),
        ),
      limit + 1,
    );
    const views = items.map(toPageView);
    const truncated = views.length > limit;
    return { views: truncated ? views.slice(0, limit) : views, truncated };
  }

  async saveTouches(value: VisitorTouches): Promise<boolean> {
    // An update, not a put: a rollup seed left by an import stays (see RollupSeed).
    const { pk, sk, ...fields } = touchesItem({ ...value, seed: undefined, version: (value.version ?? 0) + 1 });
    const set = Object.entries(fields).filter(([, v]) => v !== undefined);
    const names = Object.fromEntries(set.map(([k], i) => [`#f${i}`, k]));
    const values = Object.fromEntries(set.map(([, v], i) => [`:f${i}`, v]));
    const expected = value.version === undefined ? {} : { ':v': value.version };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.attribution,
          Key: { pk, sk },
          UpdateExpression: `SET ${set.map((_, i) => `#f${i} = :f${i}`).join(', ')}${value.origin ? '' : ' REMOVE #origin'}`,
          // Only over the touches this derivation started from: two shards
          // deriving one visitor at once must not drop each other's views.
          ConditionExpression: value.version === undefined ? 'attribute_not_exists(pk) OR attribute_not_exists(#version)' : '#version = :v',
          ExpressionAttributeNames: { ...names, '#version': 'version', ...(value.origin ? {} : { '#origin': 'origin' }) },
          ExpressionAttributeValues: { ...values, ...expected },
        }),
      );
      return true;
    } catch (e: unknown) {
      if (e instanceof Error && e.name === 'ConditionalCheckFailedException') return false;
      throw toStorageError('UpdateItem touches', e);
    }
  }

  async visitorsWithTouches(visitorKeys: readonly string[]): Promise<Set<string>> {
    const found = await batchGetAll(this.doc, this.tables.attribution, visitorKeys.map(touchesKey), 'visitorKey');
    return new Set(found.map((item) => String(item.visitorKey)));
  }

  async saveTouchesInBulk(values: readonly VisitorTouches[]): Promise<void> {
    await batchWriteAll(
      this.doc,
      this.tables.attribution,
      values.map((v) => ({ PutRequest: { Item: touchesItem(v) } })),
    );
  }

  async touchesOf(visitorKey: string): Promise<VisitorTouches | undefined> {
    const out = await withStorage('GetItem touches', () =>
      this.doc.send(new GetCommand({ TableName: this.tables.attribution, Key: touchesKey(visitorKey) })),
    );
    return out.Item ? fromTouchesItem(out.Item) : undefined;
  }

  async touchesOfMany(visitorKeys: readonly string[]): Promise<Map<string, VisitorTouches>> {
    const keys = [...new Set(visitorKeys)].map(touchesKey);
    const items = await batchGetAll(this.doc, this.tables.attribution, keys);
    return new Map(items.map((item) => fromTouchesItem(item)).map((v) => [v.visitorKey, v]));
  }
}

/** The key of a visitor's touches item. */
export const touchesKey = (visitorKey: string): { pk: string; sk: string } => ({ pk: `visitor#${visitorKey}`, sk: 'touches' });

/** A stored touches item as the visitor's touches (written by touchesItem from Touch values). */
function fromTouchesItem(raw: Record<string, unknown>): VisitorTouches {
  const { rollupSeed, ...item } = storedTouches.parse(raw);
  return {
    ...item,
    touches: decodeTouches(item.touches),
    ...(rollupSeed ? { seed: rollupSeedSchema.parse(JSON.parse(rollupSeed)) } : {}),
  };
}

function touchesItem(value: VisitorTouches): Record<string, unknown> {
  return {
    ...touchesKey(value.visitorKey),
    visitorKey: value.visitorKey,
    // JSON text: one attribute, no nesting limits (see encodeTouches).
    touches: encodeTouches(value.touches),
    pageViews: value.pageViews,
    botViews: value.botViews,
    truncated: value.truncated,
    updatedAt: value.updatedAt,
    origin: value.origin,
    rollupSeed: value.seed ? JSON.stringify(value.seed) : undefined,
    version: value.version,
  };
}
