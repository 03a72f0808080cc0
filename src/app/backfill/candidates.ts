/**
 * Who a backfill visits: every user sma knows (from the identity links and
 * from page views that carried only a user id), and optionally every
 * anonymous visitor not linked to a user. Listed in a stable order, so a
 * checkpoint index means the same thing on every run.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pagesOf } from '../../store/pages';
import { ANONYMOUS_KEY_PREFIX, USER_KEY_PREFIX } from '../../attribution/visitor-key';
import { touchesKey } from '../../store/touch-store';

async function scanKeys(doc: DynamoDBDocumentClient, table: string, attribute: string, prefix: string): Promise<Set<string>> {
  const found = new Set<string>();
  const pages = pagesOf(`Scan ${table}`, (start) =>
    doc.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#a',
        FilterExpression: 'begins_with(#a, :p)',
        ExpressionAttributeNames: { '#a': attribute },
        ExpressionAttributeValues: { ':p': prefix },
        ExclusiveStartKey: start,
      }),
    ),
  );
  for await (const page of pages) {
    for (const item of page) {
      const value: unknown = item[attribute];
      if (typeof value === 'string') found.add(value.slice(prefix.length));
    }
  }
  return found;
}

/** Every user id, sorted. */
export async function listUsers(doc: DynamoDBDocumentClient, tables: { userMap: string; attribution: string }): Promise<string[]> {
  const [linked, pageOnly] = await Promise.all([
    scanKeys(doc, tables.userMap, 'pk', USER_KEY_PREFIX),
    scanKeys(doc, tables.attribution, 'pk', touchesKey(USER_KEY_PREFIX).pk),
  ]);
  return [...new Set([...linked, ...pageOnly])].sort();
}

/** Every anonymous id with touches that no user is linked to, sorted. */
export async function listUnlinkedAnonymous(
  doc: DynamoDBDocumentClient,
  tables: { userMap: string; attribution: string },
): Promise<string[]> {
  const [visitors, linked] = await Promise.all([
    scanKeys(doc, tables.attribution, 'pk', touchesKey(ANONYMOUS_KEY_PREFIX).pk),
    scanKeys(doc, tables.userMap, 'sk', ANONYMOUS_KEY_PREFIX),
  ]);
  return [...visitors].filter((a) => !linked.has(a)).sort();
}
