/**
 * Identity links in the user map table: one item per (user, anonymous id),
 * pk `user#<userId>`, sk `anon#<anonymousId>`; the `inverted` index reads the
 * other direction.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdentityLink, IdentityStore } from '../app/ports';
import { mapLimit } from '../lib/concurrency';
import { batchGetAll, batchWriteAll } from './batch';
import { toStorageError } from './errors';
import { earliestPerPair, movesBack } from '../attribution/identity-links';
import { anonymousIdOf, anonymousKey, userIdOf, userKey } from '../attribution/visitor-key';
import { readAll } from './pages';

/** Links read per user or visitor; a user with more anonymous ids than this is a shared device or a bug. */
export const MAX_LINKS_READ = 1_000;
/** Links written at once: each is a conditional put of its own, which a batch write cannot be. */
export const LINK_WRITE_CONCURRENCY = 8;

/** The key of a link's item. */
export const linkKey = (l: { userId: string; anonymousId: string }): { pk: string; sk: string } => ({
  pk: userKey(l.userId),
  sk: anonymousKey(l.anonymousId),
});

function linkItem(l: IdentityLink): Record<string, unknown> {
  return {
    ...linkKey(l),
    messageId: l.messageId,
    type: l.type,
    linkedAt: l.linkedAt,
    origin: l.origin,
  };
}

export class DynamoIdentityStore implements IdentityStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Each pair is one item that keeps its earliest link: a later identify of
   * the same pair changes nothing (so a user stays identified on the day they
   * first were), and an earlier one, arriving late, moves the link back.
   */
  async link(links: readonly IdentityLink[]): Promise<void> {
    await mapLimit(earliestPerPair(links), LINK_WRITE_CONCURRENCY, (l) => this.linkOne(l));
  }

  async linkInBulk(links: readonly IdentityLink[]): Promise<void> {
    const earliest = earliestPerPair(links);
    const stored = await batchGetAll(this.doc, this.table, earliest.map(linkKey), 'pk, sk, linkedAt');
    const storedAt = new Map(stored.map((i) => [`${String(i.pk)}\u0000${String(i.sk)}`, typeof i.linkedAt === 'string' ? i.linkedAt : '']));
    const wanted = earliest.filter((l) => {
      const { pk, sk } = linkKey(l);
      return movesBack(storedAt.get(`${pk}\u0000${sk}`), l);
    });
    await batchWriteAll(
      this.doc,
      this.table,
      wanted.map((l) => ({ PutRequest: { Item: linkItem(l) } })),
    );
  }

  private async linkOne(l: IdentityLink): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: linkItem(l),
          ConditionExpression: 'attribute_not_exists(pk) OR linkedAt > :t',
          ExpressionAttributeValues: { ':t': l.linkedAt },
        }),
      );
    } catch (e: unknown) {
      // The pair was linked as early or earlier already.
      if (e instanceof Error && e.name === 'ConditionalCheckFailedException') return;
      throw toStorageError('PutItem identity link', e);
    }
  }

  async anonymousIdsOf(userId: string): Promise<string[]> {
    return (await this.linksOf(userId)).map((l) => l.anonymousId);
  }

  async linksOf(userId: string): Promise<{ anonymousId: string; linkedAt: string }[]> {
    const items = await this.query({ KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ':k': userKey(userId) } });
    return items.flatMap((item) =>
      typeof item.sk === 'string' && anonymousIdOf(item.sk) !== undefined
        ? [{ anonymousId: anonymousIdOf(item.sk) ?? '', linkedAt: typeof item.linkedAt === 'string' ? item.linkedAt : '' }]
        : [],
    );
  }

  async userIdsOf(anonymousId: string): Promise<string[]> {
    const items = await this.query({
      IndexName: 'inverted',
      KeyConditionExpression: 'sk = :k',
      ExpressionAttributeValues: { ':k': anonymousKey(anonymousId) },
    });
    return items.flatMap((item) => {
      const userId = typeof item.pk === 'string' ? userIdOf(item.pk) : undefined;
      return userId === undefined ? [] : [userId];
    });
  }

  private async query(input: {
    IndexName?: string;
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, string>;
  }): Promise<Record<string, unknown>[]> {
    const items = await readAll(
      'Query user map',
      (start) => this.doc.send(new QueryCommand({ TableName: this.table, ExclusiveStartKey: start, ...input })),
      MAX_LINKS_READ,
    );
    return items.slice(0, MAX_LINKS_READ);
  }
}
