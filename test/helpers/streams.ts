/**
 * Reads real stream records from DynamoDB Local's streams API, shaped as the
 * Lambda event a stream handler receives.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { testEndpoint } from './tables';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Every record currently in the table's stream, oldest first. */
export async function readStream(table: string): Promise<DynamoDBStreamEvent> {
  const endpoint = testEndpoint();
  const db = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials });
  const streams = new DynamoDBStreamsClient({ region: 'us-east-1', endpoint, credentials });
  try {
    const arn = (await db.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
    if (!arn) throw new Error(`${table} has no stream`);
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? [];
    const records: DynamoDBRecord[] = [];
    for (const shard of shards) {
      let iterator = (
        await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
      ).ShardIterator;
      while (iterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        // The SDK's record shape is the Lambda event's, as delivered.
        records.push(...((out.Records ?? []).map((r) => ({ ...r, eventSourceARN: arn })) as unknown as DynamoDBRecord[]));
        if ((out.Records ?? []).length === 0) break;
        iterator = out.NextShardIterator;
      }
    }
    return { Records: records };
  } finally {
    db.destroy();
    streams.destroy();
  }
}
