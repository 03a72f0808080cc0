/**
 * processIdentify: the identify table's stream. Links anonymous ids and user
 * ids from identify, alias and any event that carries both.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { linkIdentities } from '../../app/link-identities';
import { linkingItemSchema } from '../../store/items';
import { loadDeps, type Deps, type DepsSource } from '../deps';
import { liveImage, unlessPermanent } from './records';

/** Stores the links of one live record; a malformed item is set aside. */
async function linkRecord(record: DynamoDBRecord, deps: Pick<Deps, 'events' | 'identity'>): Promise<void> {
  const item = liveImage(record);
  if (!item) return;
  await unlessPermanent('processIdentify', record, deps.events, () =>
    linkIdentities([linkingItemSchema.parse(item)], deps.identity).then(() => undefined),
  );
}

/** Builds the handler over its dependencies. */
export function createProcessIdentifyHandler(
  deps: DepsSource<'events' | 'identity'>,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event, context) => {
    const d = await deps();
    return processPartialResponse(event, (record: DynamoDBRecord) => linkRecord(record, d), processor, { context });
  };
}

export const handler = createProcessIdentifyHandler(() => loadDeps());
