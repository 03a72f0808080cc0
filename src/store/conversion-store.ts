/**
 * Conversions in DynamoDB: one partition per converting visitor (pk its
 * visitor key), one item per conversion (sk its messageId), written by
 * the event store.
 */
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversionSchema, type Conversion } from '../attribution/conversions';
import type { ConversionStore } from '../app/ports';
import { pagesOf, readAll, visitorKeysSince } from './pages';

/** A conversion from its item (the table is input too: checked). */
const toConversion = (item: Record<string, unknown>): Conversion => conversionSchema.parse(item);

export class DynamoConversionStore implements ConversionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async conversionsOf(visitorKey: string): Promise<Conversion[]> {
    const items = await readAll('Query conversions', (start) =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'visitorKey = :v',
          ExpressionAttributeValues: { ':v': visitorKey },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    return items.map(toConversion).sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  }

  visitorsWithConversionsSince(since: string): AsyncIterable<string[]> {
    return visitorKeysSince(this.doc, this.table, since);
  }

  async *allConversions(): AsyncIterable<Conversion[]> {
    const pages = pagesOf('Scan conversions', (start) =>
      this.doc.send(new ScanCommand({ TableName: this.table, ExclusiveStartKey: start })),
    );
    for await (const page of pages) yield page.map(toConversion);
  }
}
