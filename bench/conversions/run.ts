/**
 * Conversions benchmark. In one process, against one DynamoDB Local (in
 * memory), each run on tables of its own:
 *   page-view path  the page views stored by the storeEvent handler, then their
 *                   page stream records, read from DynamoDB Local's stream,
 *                   through the processPage handler in batches of 100 as
 *                   Lambda delivers them: touches, links, report counters
 *   conversions     the same, for conversions: stored, then their records
 *                   through the processConversion handler (counters credited)
 *
 * Runs alternate conversions off (CONVERSION_EVENTS unset) and on, starting
 * and ending with off: off, on, off, on, …, off. Each on run is compared with
 * the mean of the off runs either side, which cancels a steady drift of
 * DynamoDB Local's speed; consecutive off runs give the run-to-run noise.
 * Target (issue #28): the page-view path with conversions on costs no more
 * than with them off, within that noise. The cost of a conversion is printed
 * against the cost of a page view in the same run.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { parseConfig, type Config } from '../../src/config';
import { freePort, startDynamoDbLocal } from '../../src/local/processes';
import { startTableStreams } from '../../src/local/local-streams';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { createProcessPageHandler } from '../../src/handlers/stream/process-page';
import { createProcessConversionHandler } from '../../src/handlers/stream/process-conversion';
import { createProcessIdentifyHandler } from '../../src/handlers/stream/process-identify';
import { createProcessAttributionHandler } from '../../src/handlers/stream/process-attribution';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import type { HttpEvent } from '../../src/handlers/http/http';
import { signBody } from '../../src/segment/signature';
import { liveImage } from '../../src/handlers/stream/records';
import { createDocumentClient } from '../../src/store/client';
import { createTables } from '../../test/helpers/tables';
import { readStream } from '../../test/helpers/streams';
import { bodiesOf, CONVERSION_EVENT, workload, type Workload } from './workload';
import { watchMachine } from './machine';
import { RequestTally, type RequestCounts } from './requests';
import { printReport, type Run } from './report';

const SIZE = {
  visitors: Number(process.env.BENCH_VISITORS ?? 200),
  viewsPerVisitor: Number(process.env.BENCH_VIEWS ?? 3),
  conversions: Number(process.env.BENCH_CONVERSIONS ?? 100),
};
/** On runs; the off runs are one more. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/**
 * Events per request body, as Segment's Webhooks (Actions) destination
 * batches them. Requests are stored one at a time, so that each stream batch
 * is one request's events, the same in every run: 100 different visitors,
 * each refreshed once. Concurrent requests interleave their writes in the
 * stream differently from run to run, and with them the work a batch does.
 */
const PER_REQUEST = 100;
/** The webhook secret of the benchmark's tables; every request is signed with it, as Segment does. */
const WEBHOOK_SECRET = 'bench-webhook-secret';
/** Records per invocation: the batchSize of every stream function in serverless.yml. */
const STREAM_BATCH = 100;

/**
 * Runs before the measured ones, not counted: they warm the JVM, the SDK and
 * the JIT on every code path. With one, the first measured run was still a
 * quarter slower than the rest.
 */
const WARM_UP_MODES = [true, false, true];

const CONTEXT = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** A run's tables, made before any run writes: DynamoDB Local's cost per write grows with the stream records before a stream's first. */
async function tableSet(endpoint: string, on: boolean): Promise<Config> {
  const config = parseConfig({
    SERVICE_NAME: `b${randomUUID().slice(0, 8)}`,
    STAGE: 'bench',
    DYNAMODB_ENDPOINT: endpoint,
    WEBHOOK_SECRET,
    ...(on ? { CONVERSION_EVENTS: CONVERSION_EVENT } : {}),
  });
  await createTables(config);
  await startTableStreams(config);
  return config;
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The part of storeEvent's answer the benchmark checks: every event was valid. */
const answerSchema = z.object({ rejected: z.literal(0) });

/** Request bodies as Segment sends them, each signed with the webhook secret (before any clock starts). */
function signedBodies(events: readonly Record<string, unknown>[]): HttpEvent[] {
  return bodiesOf(events, PER_REQUEST).map((list) => {
    const body = JSON.stringify(list);
    const headers = { 'content-type': 'application/json', 'x-signature': signBody(WEBHOOK_SECRET, body) };
    return { body, headers, isBase64Encoded: false } as unknown as HttpEvent;
  });
}

/** Stores events through the storeEvent handler, one request at a time; returns the ms it took. */
async function ingest(deps: Deps, events: readonly Record<string, unknown>[]): Promise<number> {
  const storeEvent = createStoreEventHandler(() => Promise.resolve(deps));
  const requests = signedBodies(events);
  let ms = 0;
  for (const request of requests) {
    const start = process.hrtime.bigint();
    const res = await storeEvent(request);
    ms += elapsedMs(start);
    if (res.statusCode !== 200 || !answerSchema.safeParse(JSON.parse(String(res.body))).success)
      throw new Error(`storeEvent answered ${res.statusCode}: ${String(res.body)}`);
  }
  return ms;
}

/**
 * Runs the records of `table`'s stream not in `seen` through `handler`, a
 * batch at a time, one after another as Lambda does on a shard; returns the
 * ms inside the handler (reading the stream is Lambda's work, not sma's).
 */
async function processStream(table: string, handler: StreamHandler, seen: Set<string>): Promise<{ ms: number; live: number }> {
  const records = (await readStream(table)).Records.filter((r) => !seen.has(r.dynamodb?.SequenceNumber ?? ''));
  let ms = 0;
  for (let i = 0; i < records.length; i += STREAM_BATCH) {
    const start = process.hrtime.bigint();
    const { batchItemFailures } = await handler({ Records: records.slice(i, i + STREAM_BATCH) }, CONTEXT);
    ms += elapsedMs(start);
    if (batchItemFailures.length > 0) throw new Error(`${batchItemFailures.length} records of ${table} failed`);
  }
  for (const r of records) seen.add(r.dynamodb?.SequenceNumber ?? '');
  return { ms, live: records.filter((r) => liveImage(r) !== undefined).length };
}

/** Every event stored must have reached its handler, or the run measured less than it claims. */
function expectRecords(table: string, live: number, events: number): void {
  if (live !== events) throw new Error(`${live} records in the ${table} stream for ${events} events`);
}

/** One run on its own tables: the setup, then the timed page-view path and, with conversions on, the timed conversions. */
async function runOnce(config: Config, doc: Deps['doc'], tally: RequestTally, events: Workload, ownPids: number[]): Promise<Run> {
  const deps = buildDeps(config, doc);
  const source = () => Promise.resolve(deps);
  const [processPage, processConversion] = [createProcessPageHandler(source), createProcessConversionHandler(source)];
  const seen = new Set<string>();
  const on = deps.conversions !== undefined;
  // Setup, untimed: the links and the earlier conversions, as the stream functions leave them.
  await ingest(deps, events.setup);
  await processStream(config.tables.identify, createProcessIdentifyHandler(source), seen);
  await processStream(config.tables.userMap, createProcessAttributionHandler(source), seen);
  await processStream(config.tables.conversion, processConversion, seen);

  const disturbance = watchMachine(ownPids);
  tally.reset(config);
  const pageIngestMs = await ingest(deps, events.pageViews);
  const pages = await processStream(config.tables.page, processPage, seen);
  const pageRequests: RequestCounts = tally.counts();
  expectRecords('page', pages.live, events.pageViews.length);
  if (!on) return { on, page: { ingestMs: pageIngestMs, processMs: pages.ms, requests: pageRequests }, disturbance: disturbance() };

  tally.reset(config);
  const conversionIngestMs = await ingest(deps, events.conversions);
  const conversions = await processStream(config.tables.conversion, processConversion, seen);
  expectRecords('conversion', conversions.live, events.conversions.length);
  return {
    on,
    page: { ingestMs: pageIngestMs, processMs: pages.ms, requests: pageRequests },
    conversion: { ingestMs: conversionIngestMs, processMs: conversions.ms, requests: tally.counts() },
    disturbance: disturbance(),
  };
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  // test/helpers/streams reads the endpoint the test setup exports.
  process.env.SMA_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  try {
    const events = workload(SIZE);
    const modes = Array.from({ length: 2 * ROUNDS + 1 }, (_, i) => i % 2 === 1);
    const warmUps: Config[] = [];
    for (const on of WARM_UP_MODES) warmUps.push(await tableSet(dynamo.endpoint, on));
    const sets: Config[] = [];
    for (const on of modes) sets.push(await tableSet(dynamo.endpoint, on));
    const doc = createDocumentClient(sets[0] as Config);
    const tally = new RequestTally(doc);
    const ownPids = [process.pid, dynamo.child.pid ?? process.pid];
    for (const config of warmUps) await runOnce(config, doc, tally, events, ownPids);
    const runs: Run[] = [];
    for (const config of sets) runs.push(await runOnce(config, doc, tally, events, ownPids));
    console.log(
      `conversions benchmark: ${SIZE.visitors} visitors × ${SIZE.viewsPerVisitor} page views = ${events.pageViews.length} page views and ${events.conversions.length} conversions per run; ${ROUNDS} rounds (off, on, …, off: ${runs.length} runs); one DynamoDB Local (in memory), tables of their own per run; Node ${process.version}`,
    );
    printReport(runs, { pageViews: events.pageViews.length, conversions: events.conversions.length });
  } finally {
    await dynamo.stop();
  }
}
main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
