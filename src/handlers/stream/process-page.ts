/**
 * processPage: the page table's stream. For each new page view, derive its
 * visitor's touches again, link its ids when it carries both, and then bring
 * the report counters of the visitor (and of the users it belongs to) up to
 * date, telling Segment when real-time sync is on and a first or last touch
 * changed (src/ingest/realtime-sync.ts).
 * Failures are reported per record (ReportBatchItemFailures), so only the
 * failed records are retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { SmaError } from '../../errors';
import { linkIdentities } from '../../ingest/identity';
import { processAttributionChanges } from '../../ingest/realtime-sync';
import { refreshVisitorTouches } from '../../ingest/touches';
import { linkingItemSchema } from '../../store/items';
import { getDeps } from '../deps';
import { liveImage } from './records';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const deps = getDeps();
  const syncDeps = { ...deps, eventName: deps.config.segment.eventName, mode: deps.config.realtimeSync };
  // Records of one visitor in this batch share one recomputation.
  const refreshed = new Map<string, Promise<unknown>>();
  const refresh = async (visitorKey: string): Promise<void> => {
    await refreshVisitorTouches(visitorKey, deps.touches, deps.classify);
    const failed = await processAttributionChanges([{ kind: 'touches', visitorKey, live: true, ref: visitorKey }], syncDeps);
    if (failed.size > 0) throw new SmaError(`attribution of ${visitorKey} not brought up to date; retried`, { retryable: true });
  };
  const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
    const item = liveImage(record);
    if (!item || typeof item.visitorKey !== 'string') return;
    const visitorKey = item.visitorKey;
    let done = refreshed.get(visitorKey);
    if (!done) {
      done = refresh(visitorKey);
      refreshed.set(visitorKey, done);
    }
    await Promise.all([done, linkIdentities([linkingItemSchema.parse(item)], deps.identity)]);
  };
  return processPartialResponse(event, handleRecord, processor, { context });
};
