/**
 * Stream records as the local stack's runner hands them on: in the Lambda
 * event's shape, and, when a batch is given up, as the message Lambda sends to
 * an on-failure destination.
 */
import { randomUUID } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DeliveredRecord, Discarded } from './stream-delivery';
import type { StreamMapping } from './stream-mappings';

/** The Lambda event's shape of an SDK stream record. */
export function toDeliveredRecord(record: _Record, streamArn: string): DeliveredRecord {
  const { ApproximateCreationDateTime: created, ...rest } = record.dynamodb ?? {};
  return {
    ...record,
    eventSourceARN: streamArn,
    dynamodb: {
      ...rest,
      SequenceNumber: rest.SequenceNumber ?? '',
      // Lambda delivers epoch seconds; the SDK has parsed them into a Date.
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}

/** True for a record `sma import` wrote: its function skips it. */
export function isImported(record: _Record): boolean {
  return record.dynamodb?.NewImage?.origin?.S === 'import';
}

/** The message Lambda sends to an on-failure destination for a DynamoDB stream batch. */
export function failureMessage(
  mapping: StreamMapping,
  streamArn: string,
  shardId: string,
  d: Discarded,
  now: number,
): Record<string, unknown> {
  const first = d.records[0];
  const last = d.records[d.records.length - 1];
  const arrival = (r: DeliveredRecord | undefined) =>
    r?.dynamodb.ApproximateCreationDateTime === undefined
      ? undefined
      : new Date(r.dynamodb.ApproximateCreationDateTime * 1000).toISOString();
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:local:000000000000:function:${mapping.functionName}`,
      condition: d.condition,
      approximateInvokeCount: d.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: d.error ?? null },
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: first?.dynamodb.SequenceNumber,
      endSequenceNumber: last?.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: d.records.length,
      streamArn,
    },
  };
}
