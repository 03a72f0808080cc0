/**
 * processConversion: the conversion table's stream. Each new conversion is
 * credited in the report counters (its visitor's, or its user's when the
 * visitor is linked to one) and, when REALTIME_SYNC includes conversions,
 * sent to Segment as a `Conversion Attributed` track
 * (src/app/realtime-sync.ts). Conversions `sma import` wrote are skipped: the
 * import credits them itself. The records whose change failed are reported
 * (ReportBatchItemFailures) and retried.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { conversionSchema } from '../../attribution/conversions';
import type { AttributionChange } from '../../app/realtime-sync';
import { loadDeps, type DepsSource } from '../deps';
import { changesHandler, liveImage } from './records';

/** The conversion a live record carries, if it parses. */
function changeOf(record: DynamoDBRecord): AttributionChange<string> | undefined {
  const item = liveImage(record);
  const ref = record.dynamodb?.SequenceNumber;
  if (!item || ref === undefined) return undefined;
  const conversion = conversionSchema.safeParse(item);
  return conversion.success ? { kind: 'conversion', conversion: conversion.data, ref } : undefined;
}

/** Builds the handler over its dependencies. */
export function createProcessConversionHandler(
  deps: DepsSource,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  return changesHandler('processConversion', changeOf, deps);
}

export const handler = createProcessConversionHandler(() => loadDeps(['writeKey']));
