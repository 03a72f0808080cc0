/**
 * Raw events in DynamoDB: views (pages, screens, app opens by a link, install
 * attributions) in the page table, identity events in the identify table,
 * conversions in the conversion table, one item per messageId.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { rejectedEventSchema, type EventStore, type Origin, type RejectedEvent, type StoredEvents } from '../app/ports';
import { conversionOf, type Conversion } from '../attribution/conversions';
import { asViewEvent, eventTime, type SegmentEvent } from '../segment/events';
import { batchGetAll, batchWriteAll } from './batch';
import { withStorage } from './errors';
import { conversionItem, conversionSk, eventExpiry, identifyItem, linksIds, pageItem, rejectedExpiry, viewKeysOf } from './items';
import { visitorKeysSince } from './pages';

export interface EventTables {
  page: string;
  identify: string;
  attribution: string;
  conversion: string;
}

export interface EventStoreOptions {
  /** RETENTION_DAYS: raw events then carry a TTL (`expiresAt`); unset keeps them for ever. Conversions are kept. */
  retentionDays?: number;
  /** CONVERSION_EVENTS: tracks of these names are also stored as conversions. */
  conversionEvents?: readonly string[];
}

/**
 * Idempotency: the messageIds already stored are read first (BatchGetItem) and
 * only new events are written (BatchWriteItem). A caller that knows some
 * events are new (an import into tables that held no events) spares their
 * reads. Two deliveries of the same
 * event racing each other may both write it; the item is the same, so the
 * only effect is that neither counts it as a duplicate. A bot's view is
 * keyed apart (viewKeyOf); a view is looked up under both keys, so a delivery
 * judged otherwise than an earlier one is still a duplicate.
 */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: EventTables,
    options: EventStoreOptions = {},
  ) {
    this.retentionDays = options.retentionDays;
    this.conversionEvents = new Set(options.conversionEvents ?? []);
  }

  private readonly retentionDays: number | undefined;
  private readonly conversionEvents: ReadonlySet<string>;

  /** A raw event's item with its expiry, under RETENTION_DAYS. */
  private expiring(item: Record<string, unknown>, now: Date): Record<string, unknown> {
    if (this.retentionDays === undefined) return item;
    return { ...item, expiresAt: eventExpiry(String(item.timestamp), this.retentionDays, now) };
  }

  async storeEvents(
    events: readonly SegmentEvent[],
    { origin, knownNew }: { origin?: Origin; knownNew?: ReadonlySet<string> } = {},
  ): Promise<StoredEvents> {
    const pages = events.flatMap((e) => asViewEvent(e) ?? []);
    // Tracks without both ids are stored only as views or conversions: they link nothing.
    const others = events.filter((e) => e.type !== 'page' && e.type !== 'screen' && (e.type !== 'track' || linksIds(e)));
    const conversions = this.conversionsIn(events);
    const unsure = (e: { messageId: string }): boolean => knownNew?.has(e.messageId) !== true;
    const [pageDupes, otherDupes, conversionDupes] = await Promise.all([
      this.existing(this.tables.page, pages.filter(unsure), viewKeysOf),
      this.existing(this.tables.identify, others.filter(unsure)),
      this.existingConversions(conversions.filter(unsure)),
    ]);
    const now = new Date();
    const put = (item: Record<string, unknown>) => ({ PutRequest: { Item: { ...this.expiring(item, now), origin } } });
    await Promise.all([
      batchWriteAll(
        this.doc,
        this.tables.page,
        pages.filter((e) => !pageDupes.has(e.messageId)).map((e) => put(pageItem(e))),
      ),
      batchWriteAll(
        this.doc,
        this.tables.identify,
        others.filter((e) => !otherDupes.has(e.messageId)).map((e) => put(identifyItem(e))),
      ),
    ]);
    // Conversions last: their stream credits them with the touches of views stored by then (a landing page in the same request).
    await batchWriteAll(
      this.doc,
      this.tables.conversion,
      conversions.filter((c) => !conversionDupes.has(c.messageId)).map((c) => ({ PutRequest: { Item: { ...conversionItem(c), origin } } })),
    );
    // An event is a duplicate when every table it belongs in had it already.
    const stored = new Set([
      ...pages.filter((e) => !pageDupes.has(e.messageId)).map((e) => e.messageId),
      ...others.filter((e) => !otherDupes.has(e.messageId)).map((e) => e.messageId),
      ...conversions.filter((c) => !conversionDupes.has(c.messageId)).map((c) => c.messageId),
    ]);
    return { duplicates: new Set([...pageDupes, ...otherDupes, ...conversionDupes].filter((id) => !stored.has(id))), conversions };
  }

  /** The conversions among events (none unless CONVERSION_EVENTS names some). */
  private conversionsIn(events: readonly SegmentEvent[]): Conversion[] {
    if (this.conversionEvents.size === 0) return [];
    return events.flatMap((e) => conversionOf(e, eventTime(e), this.conversionEvents) ?? []);
  }

  async holdsNoEvents(): Promise<boolean> {
    const tables = [this.tables.page, this.tables.identify, ...(this.conversionEvents.size > 0 ? [this.tables.conversion] : [])];
    const found = await Promise.all(
      tables.map((table) =>
        withStorage(`Scan ${table}`, () =>
          this.doc.send(new ScanCommand({ TableName: table, Limit: 1, ProjectionExpression: 'messageId' })),
        ),
      ),
    );
    return found.every((out) => (out.Items ?? []).length === 0);
  }

  /** The messageIds of `events` already stored in `table`, each looked up under every key it may have there (`keysOf`). */
  private async existing(
    table: string,
    events: readonly SegmentEvent[],
    keysOf: (e: SegmentEvent) => string[] = (e) => [e.messageId],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const idOfKey = new Map(events.flatMap((e) => keysOf(e).map((key) => [key, e.messageId] as const)));
    const found = await batchGetAll(
      this.doc,
      table,
      [...idOfKey.keys()].map((messageId) => ({ messageId })),
      'messageId',
    );
    return new Set(found.map((item) => idOfKey.get(String(item.messageId)) ?? String(item.messageId)));
  }

  private async existingConversions(conversions: readonly Conversion[]): Promise<Set<string>> {
    if (conversions.length === 0) return new Set();
    const keys = conversions.map((c) => ({ visitorKey: c.visitorKey, sk: conversionSk(c) }));
    const found = await batchGetAll(this.doc, this.tables.conversion, keys, 'messageId');
    return new Set(found.map((item) => String(item.messageId)));
  }

  visitorsWithViewsSince(since: string): AsyncIterable<string[]> {
    return visitorKeysSince(this.doc, this.tables.page, since);
  }

  async storeRejected(rejected: readonly RejectedEvent[]): Promise<void> {
    const items = rejected.map((r) => ({
      PutRequest: {
        Item: {
          pk: `rejected#${r.receivedAt.slice(0, 10)}`,
          // The same bad event sent again (a retry) overwrites its record.
          sk: `${createHash('sha1').update(r.body).digest('hex').slice(0, 16)}#${r.index}`,
          ...r,
          expiresAt: rejectedExpiry(r.receivedAt, this.retentionDays),
        },
      },
    }));
    await batchWriteAll(this.doc, this.tables.attribution, items);
  }

  async listRejected(day: string, limit: number): Promise<RejectedEvent[]> {
    const out = await withStorage('Query rejected', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.attribution,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `rejected#${day}` },
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? [])
      .map((item) => rejectedEventSchema.parse(item))
      .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.index - b.index));
  }
}
