/**
 * processPage: the page table's stream. For each new page view, derive its
 * visitor's touches again and link its ids when it carries both; then, once
 * for the batch, bring the report counters of those visitors (and of the
 * users they belong to) up to date, telling Segment when real-time sync is on
 * and a first or last touch changed (src/app/page-views.ts).
 * Failures are reported per record (ReportBatchItemFailures), so only the
 * failed records are retried.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { PageViewBatch, type ArrivedPageView } from '../../app/page-views';
import { pageViewSchema } from '../../attribution/touches';
import { linkingItemSchema } from '../../store/items';
import { loadDeps, type Deps, type DepsSource } from '../deps';
import { liveImage, syncDepsOf, unlessPermanent, withSendDeadline } from './records';

/** The page view a record carries, if it is a live one that parses. */
function arrivedOf(record: DynamoDBRecord): ArrivedPageView[] {
  const item = liveImage(record);
  if (!item || typeof item.visitorKey !== 'string') return [];
  const view = pageViewSchema.safeParse(item);
  return view.success ? [{ visitorKey: item.visitorKey, view: view.data }] : [];
}

/** Applies one live record to the batch; a record that can never succeed is set aside. */
async function applyRecord(record: DynamoDBRecord, batch: PageViewBatch<string>, deps: Pick<Deps, 'events'>): Promise<void> {
  const item = liveImage(record);
  if (!item || typeof item.visitorKey !== 'string') return;
  const visitorKey = item.visitorKey;
  await unlessPermanent('processPage', record, deps.events, () =>
    batch.apply(visitorKey, record.dynamodb?.SequenceNumber, () => linkingItemSchema.parse(item)),
  );
}

/** Builds the handler over its dependencies. */
export function createProcessPageHandler(
  deps: DepsSource,
): (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event, context) => {
    const d = withSendDeadline(await deps(), context);
    const batch = new PageViewBatch<string>(event.Records.flatMap(arrivedOf), { ...syncDepsOf('processPage', d), classify: d.classify });
    const tried = await processPartialResponse(event, (record: DynamoDBRecord) => applyRecord(record, batch, d), processor, { context });
    const failed = await batch.settle(new Set(tried.batchItemFailures.map((f) => f.itemIdentifier)));
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createProcessPageHandler(() => loadDeps(['writeKey']));
