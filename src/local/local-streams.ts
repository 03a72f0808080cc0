/**
 * A workaround for DynamoDB Local only (DynamoDB itself has no such cost).
 *
 * On every write to a table with a stream, DynamoDB Local looks up that
 * stream's oldest record with `SELECT MIN(SequenceNumber) … WHERE StreamID = ?`
 * on its one table of stream records, which has no index on the stream: it
 * walks every stream's records from the oldest until it meets one of this
 * stream's. A table whose stream begins after many writes to other tables
 * pays for all of them on each write. `sma import identifies.csv pages.csv`
 * reads the identifies first (files go in name order): after 30,000 of them
 * (60,000 stream records, with their links), each page view cost DynamoDB
 * Local a hundred times more than before.
 *
 * So every stream is started first: one record in each, before any bulk
 * (by `sma import` before it writes, and by `npm start` for the tables it
 * creates). The record is a marker item, put and deleted at once. Stream
 * handlers skip both records: the item is marked as written by the import,
 * and a delete carries no new image.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';
import { CLI_CLIENT_OPTIONS, createDocumentClient } from '../store/client';
import { toStorageError, withStorage } from '../store/errors';
import { loadTableDefinitions, type TableDefinition } from './table-definitions';

/** The marker's key value, in every key attribute. */
export const STREAM_START_KEY = 'sma#stream-start';

/** Puts and deletes a marker item in every table with a stream, so that each stream has a record before any bulk writes. */
export async function startStreams(doc: DynamoDBDocumentClient, definitions: readonly TableDefinition[]): Promise<void> {
  for (const def of definitions) {
    if (!def.create.StreamSpecification || !def.create.TableName) continue;
    const TableName = def.create.TableName;
    const Key = Object.fromEntries((def.create.KeySchema ?? []).map((k) => [k.AttributeName ?? '', STREAM_START_KEY]));
    const hashKey = def.create.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
    try {
      await doc.send(
        new PutCommand({
          TableName,
          Item: { ...Key, origin: 'import', streamStart: true },
          // Never over an item that happens to have this key.
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': hashKey },
        }),
      );
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) continue;
      throw toStorageError(`PutItem on ${TableName}`, e);
    }
    await withStorage(`DeleteItem on ${TableName}`, () =>
      doc.send(new DeleteCommand({ TableName, Key, ConditionExpression: 'attribute_exists(streamStart)' })),
    );
  }
}

/**
 * Starts the streams of a configuration's tables (of those named in `only`,
 * if given) on a client of its own with the CLI's timeouts, as
 * createMissingTables makes them.
 */
export async function startTableStreams(
  config: Pick<Config, 'region' | 'dynamodbEndpoint' | 'tables'>,
  only?: readonly string[],
): Promise<void> {
  const doc = createDocumentClient(config, CLI_CLIENT_OPTIONS);
  try {
    const definitions = loadTableDefinitions(config.tables);
    await startStreams(doc, only ? definitions.filter((d) => only.includes(d.create.TableName ?? '')) : definitions);
  } finally {
    doc.destroy();
  }
}
