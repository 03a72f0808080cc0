/**
 * Conversions benchmark. In one process, against one DynamoDB Local (in
 * memory), each configuration on tables of its own:
 *   page-view path  the page views stored by the storeEvent handler, then their
 *                   page stream records, read from DynamoDB Local's stream,
 *                   through the processPage handler in batches of 100 as
 *                   Lambda delivers them: touches, links, report counters
 *   conversions     the same, for conversions: stored, then their records
 *                   through the processConversion handler (counters credited)
 *
 * Each round runs three configurations side by side, a request and its
 * stream batch at a time, in turn (ABC, ACB, BAC, …): conversions off
 * (CONVERSION_EVENTS unset), off again, and on. A slow moment of the machine
 * or a drift of DynamoDB Local's speed then falls on all three alike. Off
 * again against off is the noise; on against the two offs is the cost of
 * conversions. Target (issue #28): the page-view path with conversions on
 * costs no more than with them off, within that noise. The cost of a
 * conversion is printed against a page view's in the same round.
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
import type { HttpEvent, HttpHandler } from '../../src/handlers/http/http';
import { signBody } from '../../src/segment/signature';
import { liveImage } from '../../src/handlers/stream/records';
import { createDocumentClient } from '../../src/store/client';
import { createTables } from '../../test/helpers/tables';
import { readStream } from '../../test/helpers/streams';
import { bodiesOf, CONVERSION_EVENT, workload, type Workload } from './workload';
import { watchMachine } from './machine';
import { RequestTally } from './requests';
import { printReport, type Phase, type Round } from './report';

const SIZE = {
  visitors: Number(process.env.BENCH_VISITORS ?? 200),
  viewsPerVisitor: Number(process.env.BENCH_VIEWS ?? 3),
  conversions: Number(process.env.BENCH_CONVERSIONS ?? 100),
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Events per request body, as Segment's Webhooks (Actions) destination
 * batches them. Requests are stored one at a time, so that each stream batch
 * is one request's events, the same under every configuration: 100
 * different visitors, each refreshed once. Concurrent requests would
 * interleave their writes in the stream differently each time, and with
 * them the work a batch does.
 */
const PER_REQUEST = 100;
/** The webhook secret of the benchmark's tables; every request is signed with it, as Segment does. */
const WEBHOOK_SECRET = 'bench-webhook-secret';
/** Records per invocation: the batchSize of every stream function in serverless.yml. */
const STREAM_BATCH = 100;
/** The orders the three lanes of a round take their turns in, one after another, so that none is always first. */
const TURNS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
] as const;

const CONTEXT = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** A configuration's tables, made before anything is written: DynamoDB Local's cost per write grows with the stream records before a stream's first. */
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

/** Stores one request's events through the storeEvent handler; returns the ms it took. */
async function ingest(storeEvent: HttpHandler, request: HttpEvent): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await storeEvent(request);
  const ms = elapsedMs(start);
  if (res.statusCode !== 200 || !answerSchema.safeParse(JSON.parse(String(res.body))).success)
    throw new Error(`storeEvent answered ${res.statusCode}: ${String(res.body)}`);
  return ms;
}

/**
 * Runs the records of `table`'s stream not in `seen` through `handler`, a
 * batch at a time, one after another as Lambda does on a shard; returns the
 * ms inside the handler (reading the stream is Lambda's work, not sma's) and
 * how many live records there were.
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

/** One configuration's tables and handlers within a round, and what its timed steps cost. */
interface Lane {
  config: Config;
  storeEvent: HttpHandler;
  processPage: StreamHandler;
  processConversion: StreamHandler;
  seen: Set<string>;
  page: Phase & { live: number };
  conversion: Phase & { live: number };
}

const emptyPhase = (): Phase & { live: number } => ({ ingestMs: 0, processMs: 0, requests: {}, live: 0 });

/** A lane on its tables, with the history stored and processed (untimed) as the stream functions leave it. */
async function openLane(config: Config, doc: Deps['doc'], history: readonly Record<string, unknown>[]): Promise<Lane> {
  const deps = buildDeps(config, doc);
  const source = () => Promise.resolve(deps);
  const lane: Lane = {
    config,
    storeEvent: createStoreEventHandler(source),
    processPage: createProcessPageHandler(source),
    processConversion: createProcessConversionHandler(source),
    seen: new Set(),
    page: emptyPhase(),
    conversion: emptyPhase(),
  };
  for (const request of signedBodies(history)) await ingest(lane.storeEvent, request);
  await processStream(config.tables.identify, createProcessIdentifyHandler(source), lane.seen);
  await processStream(config.tables.userMap, createProcessAttributionHandler(source), lane.seen);
  await processStream(config.tables.page, lane.processPage, lane.seen);
  await processStream(config.tables.conversion, lane.processConversion, lane.seen);
  return lane;
}

/** One timed step of a lane: a request stored, then its stream batch processed; its cost and requests added to `phase`. */
async function step(lane: Lane, phase: 'page' | 'conversion', request: HttpEvent, tally: RequestTally): Promise<void> {
  tally.reset(lane.config);
  const [table, handler] =
    phase === 'page' ? [lane.config.tables.page, lane.processPage] : [lane.config.tables.conversion, lane.processConversion];
  const ingestMs = await ingest(lane.storeEvent, request);
  const processed = await processStream(table, handler, lane.seen);
  const into = lane[phase];
  into.ingestMs += ingestMs;
  into.processMs += processed.ms;
  into.live += processed.live;
  for (const [label, n] of Object.entries(tally.counts())) into.requests[label] = (into.requests[label] ?? 0) + n;
}

/** Every event stored must have reached its handler, or the round measured less than it claims. */
function expectRecords(phase: Phase & { live: number }, events: number): Phase {
  if (phase.live !== events) throw new Error(`${phase.live} stream records for ${events} events`);
  return { ingestMs: phase.ingestMs, processMs: phase.processMs, requests: phase.requests };
}

/** A round on its three table sets (off, off again, on): the page views in turns, then the conversions on the on lane. */
async function runRound(
  configs: readonly Config[],
  doc: Deps['doc'],
  tally: RequestTally,
  events: Workload,
  ownPids: number[],
): Promise<Round> {
  const lanes: Lane[] = [];
  for (const config of configs) lanes.push(await openLane(config, doc, events.setup));
  const [off, offAgain, on] = lanes as [Lane, Lane, Lane];
  const disturbance = watchMachine(ownPids);
  for (const [j, request] of signedBodies(events.pageViews).entries()) {
    for (const i of TURNS[j % TURNS.length] ?? TURNS[0]) await step(lanes[i] as Lane, 'page', request, tally);
  }
  for (const request of signedBodies(events.conversions)) await step(on, 'conversion', request, tally);
  return {
    off: expectRecords(off.page, events.pageViews.length),
    offAgain: expectRecords(offAgain.page, events.pageViews.length),
    on: expectRecords(on.page, events.pageViews.length),
    conversion: expectRecords(on.conversion, events.conversions.length),
    disturbance: disturbance(),
  };
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  // test/helpers/streams reads the endpoint the test setup exports.
  process.env.SMA_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  try {
    const events = workload(SIZE);
    // Every table set is made first: see tableSet. The first round warms the JVM, the SDK and the JIT, and is not counted.
    const sets: Config[][] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      sets.push([await tableSet(dynamo.endpoint, false), await tableSet(dynamo.endpoint, false), await tableSet(dynamo.endpoint, true)]);
    }
    const doc = createDocumentClient(sets[0]?.[0] as Config);
    const tally = new RequestTally(doc);
    const ownPids = [process.pid, dynamo.child.pid ?? process.pid];
    const rounds: Round[] = [];
    for (const configs of sets) rounds.push(await runRound(configs, doc, tally, events, ownPids));
    console.log(
      `conversions benchmark: ${SIZE.visitors} visitors × ${SIZE.viewsPerVisitor} page views = ${events.pageViews.length} page views and ${events.conversions.length} conversions per configuration; ${ROUNDS} rounds of off, off again and on, side by side, after one to warm up; one DynamoDB Local (in memory), tables of their own per configuration; Node ${process.version}`,
    );
    printReport(rounds.slice(1), { pageViews: events.pageViews.length, conversions: events.conversions.length });
  } finally {
    await dynamo.stop();
  }
}
main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
