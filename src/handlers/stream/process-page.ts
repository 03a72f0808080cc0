/**
 * processPage: the page table's stream. For each new page view, derive its
 * visitor's touches again and link its ids when it carries both; then, once
 * for the batch, bring the report counters of those visitors (and of the
 * users they belong to) up to date, telling Segment when real-time sync is on
 * and a first or last touch changed (src/ingest/realtime-sync.ts).
 * Failures are reported per record (ReportBatchItemFailures), so only the
 * failed records are retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { linkIdentities } from '../../ingest/identity';
import { processAttributionChanges, type AttributionChange } from '../../ingest/realtime-sync';
import { refreshVisitorTouches } from '../../ingest/touches';
import type { PageView } from '../../attribution/touches';
import { linkingItemSchema, pageViewSchema } from '../../store/items';
import { loadDeps } from '../deps';
import { liveImage, syncDepsOf, unlessPermanent, withSendDeadline } from './records';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  const deps = withSendDeadline(await loadDeps(['writeKey']), context);
  // Records of one visitor in this batch share one recomputation.
  const refreshed = new Map<string, Promise<unknown>>();
  const recordsOf = new Map<string, string[]>();
  const arrived = viewsByVisitor(event.Records);
  const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
    const item = liveImage(record);
    if (!item || typeof item.visitorKey !== 'string') return;
    const visitorKey = item.visitorKey;
    let refresh = refreshed.get(visitorKey);
    if (!refresh) {
      refresh = refreshVisitorTouches(visitorKey, deps.touches, deps.classify, { arrived: arrived.get(visitorKey) });
      refreshed.set(visitorKey, refresh);
    }
    const sequence = record.dynamodb?.SequenceNumber;
    if (sequence !== undefined) recordsOf.set(visitorKey, [...(recordsOf.get(visitorKey) ?? []), sequence]);
    await unlessPermanent('processPage', record, deps.events, async () => {
      await Promise.all([refresh, linkIdentities([linkingItemSchema.parse(item)], deps.identity)]);
    });
  };
  const result = await processPartialResponse(event, handleRecord, processor, { context });
  // Counters and sync for the visitors whose touches were refreshed, at a
  // bounded concurrency (SYNC_CONCURRENCY) rather than one per record.
  const failedRecords = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const changes: AttributionChange<string>[] = [...recordsOf]
    .filter(([, sequences]) => !sequences.some((s) => failedRecords.has(s)))
    .map(([visitorKey]) => ({ kind: 'touches', visitorKey, ref: visitorKey }));
  const failedVisitors = await processAttributionChanges(changes, syncDepsOf('processPage', deps));
  for (const visitorKey of failedVisitors) for (const s of recordsOf.get(visitorKey) ?? []) failedRecords.add(s);
  return { batchItemFailures: [...failedRecords].map((itemIdentifier) => ({ itemIdentifier })) };
};

/** The page views the batch's records carry, by visitor. */
function viewsByVisitor(records: readonly DynamoDBRecord[]): Map<string, PageView[]> {
  const views = new Map<string, PageView[]>();
  for (const record of records) {
    const item = liveImage(record);
    if (!item || typeof item.visitorKey !== 'string') continue;
    const view = pageViewSchema.safeParse(item);
    if (view.success) views.set(item.visitorKey, [...(views.get(item.visitorKey) ?? []), view.data]);
  }
  return views;
}
