/**
 * processIdentify: the identify table's stream. Links anonymous ids and user
 * ids from identify, alias and any event that carries both.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { linkIdentities } from '../../ingest/identity';
import { linkingItemSchema } from '../../store/items';
import { loadDeps } from '../deps';
import { liveImage, unlessPermanent } from './records';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
  const item = liveImage(record);
  if (!item) return;
  const deps = await loadDeps();
  await unlessPermanent('processIdentify', record, deps.events, () =>
    linkIdentities([linkingItemSchema.parse(item)], deps.identity).then(() => undefined),
  );
};

export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context });
