/**
 * processAttribution: the user map stream. A new identity link changes the
 * user's attribution: keep the report counters current and, when real-time
 * sync is on, tell Segment about a changed first or last touch
 * (src/ingest/realtime-sync.ts). Changed touches are handled by processPage
 * itself; their records are understood here too, for a stream of touches
 * items (the attribution table has none today, see resources/tables.yml).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { processAttributionChanges, type AttributionChange } from '../../ingest/realtime-sync';
import { loadDeps } from '../deps';
import { newImage, withSendDeadline } from './records';

/** What a record says changed, if anything. */
function changeOf(record: DynamoDBRecord): AttributionChange<string> | undefined {
  const item = newImage(record);
  const ref = record.dynamodb?.SequenceNumber;
  if (!item || ref === undefined || typeof item.pk !== 'string' || typeof item.sk !== 'string') return undefined;
  const live = item.origin !== 'import';
  if (item.sk === 'touches' && item.pk.startsWith('visitor#'))
    return { kind: 'touches', visitorKey: item.pk.slice('visitor#'.length), live, ref };
  if (item.pk.startsWith('user#') && item.sk.startsWith('anon#')) return { kind: 'link', userId: item.pk.slice('user#'.length), live, ref };
  return undefined;
}

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  const deps = withSendDeadline(await loadDeps(['writeKey']), context);
  const changes = event.Records.map(changeOf).filter((c): c is AttributionChange<string> => c !== undefined);
  const failed = await processAttributionChanges(changes, {
    ...deps,
    eventName: deps.config.segment.eventName,
    mode: deps.config.realtimeSync,
  });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
};
