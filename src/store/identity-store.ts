/**
 * Identity links in the user map table: one item per (user, anonymous id),
 * pk `user#<userId>`, sk `anon#<anonymousId>`; the `inverted` index reads the
 * other direction.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityLink, IdentityStore } from '../ingest/ports';
import { batchWriteAll } from './batch';
import { withStorage } from './errors';

/** Links read per user or visitor; a user with more anonymous ids than this is a shared device or a bug. */
export const MAX_LINKS_READ = 1_000;

export class DynamoIdentityStore implements IdentityStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async link(links: readonly IdentityLink[]): Promise<void> {
    // One item per pair: the same link made twice is one item.
    const unique = new Map(links.map((l) => [`${l.userId}\u0000${l.anonymousId}`, l]));
    await batchWriteAll(
      this.doc,
      this.table,
      [...unique.values()].map((l) => ({
        PutRequest: {
          Item: { pk: `user#${l.userId}`, sk: `anon#${l.anonymousId}`, messageId: l.messageId, type: l.type, linkedAt: l.linkedAt },
        },
      })),
    );
  }

  async anonymousIdsOf(userId: string): Promise<string[]> {
    return this.query({ KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ':k': `user#${userId}` } }, 'sk', 'anon#');
  }

  async userIdsOf(anonymousId: string): Promise<string[]> {
    return this.query(
      { IndexName: 'inverted', KeyConditionExpression: 'sk = :k', ExpressionAttributeValues: { ':k': `anon#${anonymousId}` } },
      'pk',
      'user#',
    );
  }

  private async query(
    input: { IndexName?: string; KeyConditionExpression: string; ExpressionAttributeValues: Record<string, string> },
    attribute: 'pk' | 'sk',
    prefix: string,
  ): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await withStorage('Query user map', () =>
        this.doc.send(new QueryCommand({ TableName: this.table, ExclusiveStartKey: start, ...input })),
      );
      for (const item of out.Items ?? []) {
        const value: unknown = item[attribute];
        if (typeof value === 'string' && value.startsWith(prefix)) ids.push(value.slice(prefix.length));
      }
      start = out.LastEvaluatedKey;
    } while (start && ids.length < MAX_LINKS_READ);
    return ids;
  }
}
