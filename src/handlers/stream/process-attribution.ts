/**
 * processAttribution: the user map stream. A new identity link changes the
 * user's attribution: keep the report counters current and, when real-time
 * sync is on, tell Segment about a changed first or last touch
 * (src/app/realtime-sync.ts). Links `sma import` wrote are skipped: the
 * import sets those users' counters itself (src/app/import/user-counts.ts).
 * The changes are processed once for the batch (each user once); the records
 * whose change failed are reported (ReportBatchItemFailures) and retried.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { anonymousIdOf, userIdOf } from '../../attribution/visitor-key';
import type { AttributionChange } from '../../app/realtime-sync';
import { loadDeps, type DepsSource } from '../deps';
import { changesHandler, liveImage } from './records';

/** The user a live link record concerns, if it is one. */
function changeOf(record: DynamoDBRecord): AttributionChange<string> | undefined {
  const item = liveImage(record);
  const ref = record.dynamodb?.SequenceNumber;
  if (!item || ref === undefined || typeof item.pk !== 'string' || typeof item.sk !== 'string') return undefined;
  const userId = userIdOf(item.pk);
  const anonymousId = anonymousIdOf(item.sk);
  return userId !== undefined && anonymousId !== undefined ? { kind: 'link', userId, anonymousId, ref } : undefined;
}

/** Builds the handler over its dependencies. */
export function createProcessAttributionHandler(
  deps: DepsSource,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  return changesHandler('processAttribution', changeOf, deps);
}

export const handler = createProcessAttributionHandler(() => loadDeps(['writeKey']));
