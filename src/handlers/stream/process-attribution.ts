/**
 * processAttribution: the user map stream. A new identity link changes the
 * user's attribution: keep the report counters current and, when real-time
 * sync is on, tell Segment about a changed first or last touch
 * (src/ingest/realtime-sync.ts). Links `sma import` wrote are skipped: the
 * import sets those users' counters itself (src/import/user-counts.ts).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { anonymousIdOf, userIdOf } from '../../attribution/visitor-key';
import { processAttributionChanges, type AttributionChange } from '../../ingest/realtime-sync';
import { loadDeps } from '../deps';
import { liveImage, withSendDeadline, syncDepsOf } from './records';

/** The user a live link record concerns, if it is one. */
function changeOf(record: DynamoDBRecord): AttributionChange<string> | undefined {
  const item = liveImage(record);
  const ref = record.dynamodb?.SequenceNumber;
  if (!item || ref === undefined || typeof item.pk !== 'string' || typeof item.sk !== 'string') return undefined;
  const userId = userIdOf(item.pk);
  return userId !== undefined && anonymousIdOf(item.sk) !== undefined ? { kind: 'link', userId, ref } : undefined;
}

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  const deps = withSendDeadline(await loadDeps(['writeKey']), context);
  const changes = event.Records.map(changeOf).filter((c): c is AttributionChange<string> => c !== undefined);
  const failed = await processAttributionChanges(changes, syncDepsOf('processAttribution', deps));
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
};
