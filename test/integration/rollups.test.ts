/**
 * The report counters, kept incrementally by the stream processors from real
 * stream records, agree with a brute-force recomputation from the raw page,
 * identify and conversion tables: about 1,000 users and 300 orders (some
 * anonymous, identified later or never), events arriving out of order in two
 * rounds, and some stream records delivered twice (streams are at-least-once).
 */
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { parseConfig } from '../../src/config';
import { parseCounterId, REPORT_MODELS, USER_UNITS } from '../../src/attribution/counters';
import { ingestEvents } from '../../src/app/store-events';
import { createTables, testEnv } from '../helpers/tables';
import { readStream } from '../helpers/streams';
import { attributionHistory, CONVERSION_EVENT } from '../helpers/history';
import { bruteForce, disagreements } from '../helpers/recount';
import { depsFor } from '../helpers/handler-deps';
import { createProcessPageHandler } from '../../src/handlers/stream/process-page';
import { createProcessIdentifyHandler } from '../../src/handlers/stream/process-identify';
import { createProcessAttributionHandler } from '../../src/handlers/stream/process-attribution';
import { createProcessConversionHandler } from '../../src/handlers/stream/process-conversion';

const env = testEnv({ REALTIME_SYNC: 'off', CONVERSION_EVENTS: CONVERSION_EVENT });
const config = parseConfig(env);
const ingest = { conversionEvents: new Set(config.conversions.events) };

const deps = depsFor(config);
const processPage = createProcessPageHandler(deps);
const processIdentify = createProcessIdentifyHandler(deps);
const processAttribution = createProcessAttributionHandler(deps);
const processConversion = createProcessConversionHandler(deps);

const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

const USERS = 1_000;
const VISITORS = 1_200;
const PAGE_VIEWS = 2_000;
const CONVERSIONS = 300;
const REPEATED_RECORDS = 200;
/** Lambda's batch size for every stream (serverless.yml). */
const STREAM_BATCH = 100;

/** Feeds records to a handler in Lambda-sized batches; returns the failures. */
async function inBatches(
  records: DynamoDBRecord[],
  handler: (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: unknown[] }>,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (let i = 0; i < records.length; i += STREAM_BATCH) {
    failures.push(...(await handler({ Records: records.slice(i, i + STREAM_BATCH) })).batchItemFailures);
  }
  return failures;
}

/** Stream records already processed, per table: each round processes what came since. */
const processed = new Map<string, number>();

async function newRecords(table: string): Promise<DynamoDBRecord[]> {
  const records = (await readStream(table)).Records;
  const fresh = records.slice(processed.get(table) ?? 0);
  processed.set(table, records.length);
  return fresh;
}

/** Runs every stream processor over the records that arrived since the last round. */
async function processStreams(): Promise<void> {
  expect(await inBatches(await newRecords(config.tables.page), (e) => processPage(e, context))).toEqual([]);
  expect(await inBatches(await newRecords(config.tables.identify), (e) => processIdentify(e, context))).toEqual([]);
  expect(await inBatches(await newRecords(config.tables.userMap), (e) => processAttribution(e, context))).toEqual([]);
  expect(await inBatches(await newRecords(config.tables.conversion), (e) => processConversion(e, context))).toEqual([]);
}

describe('report rollups', () => {
  beforeAll(async () => {
    await createTables(config);
  });

  it('agree with a brute-force recomputation from the raw tables, after two out-of-order rounds and repeated processing', async () => {
    // Prepare
    const events = attributionHistory({ seed: 606, users: USERS, visitors: VISITORS, pageViews: PAGE_VIEWS, conversions: CONVERSIONS });
    const half = Math.floor(events.length / 2);
    const { events: store } = await deps();

    // Act: half, process; the rest, process; some records twice
    for (let i = 0; i < half; i += 500) await ingestEvents(events.slice(i, Math.min(i + 500, half)), store, new Date(), ingest);
    await processStreams();
    for (let i = half; i < events.length; i += 500) await ingestEvents(events.slice(i, i + 500), store, new Date(), ingest);
    await processStreams();
    // A stream delivers at least once: the last records again change nothing.
    const pagesAgain = (await readStream(config.tables.page)).Records.slice(-REPEATED_RECORDS);
    expect(await inBatches(pagesAgain, (e) => processPage(e, context))).toEqual([]);
    const linksAgain = (await readStream(config.tables.userMap)).Records.slice(-REPEATED_RECORDS);
    expect(await inBatches(linksAgain, (e) => processAttribution(e, context))).toEqual([]);
    const conversionsAgain = (await readStream(config.tables.conversion)).Records.slice(-REPEATED_RECORDS);
    expect(await inBatches(conversionsAgain, (e) => processConversion(e, context))).toEqual([]);
    const actual = await (await deps()).rollups.counters('2026-01-01', '2026-12-31');

    // Assess
    const expected = await bruteForce(await deps());
    expect(actual.size).toBeGreaterThan(100);
    expect(disagreements(actual, expected)).toEqual([]);
    const users = [...actual].filter(([id]) => parseCounterId(id)?.metric === 'users:linear').reduce((a, [, n]) => a + n, 0);
    // Every user linked to a visitor counts once: by an identify, or by an order carrying both ids.
    const linking = events.filter((e) => e.type === 'identify' || (e.anonymousId !== undefined && e.userId !== undefined));
    expect(users).toBe(new Set(linking.map((e) => e.userId)).size * USER_UNITS);
    const sum = (metric: string) => [...actual].filter(([id]) => parseCounterId(id)?.metric === metric).reduce((a, [, n]) => a + n, 0);
    for (const model of REPORT_MODELS) expect([model, sum(`conversions:${model}`)]).toEqual([model, CONVERSIONS * USER_UNITS]);
  }, 420_000);
});
