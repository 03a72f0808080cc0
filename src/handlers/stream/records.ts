/**
 * Reading DynamoDB stream records: the new image, unmarshalled.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** The record's new item, or undefined for a REMOVE. */
export function newImage(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image || record.eventName === 'REMOVE') return undefined;
  // The Lambda and SDK typings describe the same wire format.
  return unmarshall(image as Record<string, AttributeValue>);
}

/**
 * The record's new item when it came from live traffic: undefined for a
 * REMOVE and for items `sma import` wrote (it derives touches and links
 * itself, and history must not trigger anything downstream).
 */
export function liveImage(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const item = newImage(record);
  return item?.origin === 'import' ? undefined : item;
}
