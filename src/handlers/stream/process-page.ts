/**
 * processPage: the page table's stream. For each new page view, derive its
 * visitor's touches again, and link its ids when it carries both.
 * Failures are reported per record (ReportBatchItemFailures), so only the
 * failed records are retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { linkIdentities } from '../../ingest/identity';
import { refreshVisitorTouches } from '../../ingest/touches';
import { linkingItemSchema } from '../../store/items';
import { getDeps } from '../deps';
import { liveImage } from './records';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const deps = getDeps();
  // Records of one visitor in this batch share one recomputation.
  const refreshed = new Map<string, Promise<unknown>>();
  const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
    const item = liveImage(record);
    if (!item || typeof item.visitorKey !== 'string') return;
    const visitorKey = item.visitorKey;
    let refresh = refreshed.get(visitorKey);
    if (!refresh) {
      refresh = refreshVisitorTouches(visitorKey, deps.touches, deps.classify);
      refreshed.set(visitorKey, refresh);
    }
    await Promise.all([refresh, linkIdentities([linkingItemSchema.parse(item)], deps.identity)]);
  };
  return processPartialResponse(event, handleRecord, processor, { context });
};
