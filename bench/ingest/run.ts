/**
 * Ingest benchmark. In one process, against one DynamoDB Local (in memory):
 *   baseline  raw BatchWriteItem of the page items, 100 per request
 *             (4 BatchWriteItem calls of 25, in parallel), from the same client
 *   sma       the storeEvent handler on signed request bodies of 100 Segment
 *             page events: the signature check, JSON parsing, validation, the
 *             idempotency read, the writes
 *
 * Each round stores the same 20,000 events once per contestant, with
 * CONCURRENCY requests in flight (Segment delivers in parallel). DynamoDB
 * Local slows down as it accumulates tables and data, so every run gets a
 * fresh DynamoDB Local and the contestants alternate which goes first; the
 * median round counts. Target (issue #3): sma ≥ 0.8× the raw
 * throughput.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type Config } from '../../src/config';
import { freePort, startDynamoDbLocal } from '../../src/local/processes';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import { signBody } from '../../src/segment/signature';
import type { HttpEvent } from '../../src/handlers/http/http';
import { mapLimit } from '../../src/lib/concurrency';
import { parseEvent } from '../../src/segment/events';
import { pageItem } from '../../src/store/items';
import { createTables } from '../../test/helpers/tables';
import { pageEvent } from '../../test/helpers/events';
import { median, targetLine } from '../stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const PER_REQUEST = 100;
/** Requests in flight at once, for both contestants. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Requests sent first to warm the JVM, the SDK and the JIT. */
const WARM_UP_REQUESTS = 20;

function bodies(): Record<string, unknown>[][] {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const all = Array.from({ length: EVENTS }, (_, i) =>
    pageEvent({
      anonymousId: `a-${i % 5000}`,
      timestamp: new Date(t0 + i * 1000).toISOString(),
      referrer: i % 3 === 0 ? 'https://www.google.com/' : '',
    }),
  );
  const out: Record<string, unknown>[][] = [];
  for (let i = 0; i < all.length; i += PER_REQUEST) out.push(all.slice(i, i + PER_REQUEST));
  return out;
}

/** The webhook secret of the benchmark's tables; every request is signed with it, as Segment does. */
const WEBHOOK_SECRET = 'bench-webhook-secret';

interface SignedBody {
  body: string;
  signature: string;
}

async function freshDeps(endpoint: string, doc?: Deps['doc']): Promise<Deps> {
  const config: Config = parseConfig({
    SERVICE_NAME: `b${randomUUID().slice(0, 8)}`,
    STAGE: 'bench',
    DYNAMODB_ENDPOINT: endpoint,
    WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  await createTables(config);
  return buildDeps(config, doc);
}

/** The baseline: what storeEvent writes, without reading, validating or parsing a request. */
async function rawWrite(deps: Deps, body: Record<string, unknown>[]): Promise<void> {
  const items = body.map((e) => {
    const parsed = parseEvent(e, 0);
    if (!parsed.ok || (parsed.event.type !== 'page' && parsed.event.type !== 'screen')) throw new Error('bad bench event');
    return pageItem(parsed.event);
  });
  await Promise.all(
    [0, 25, 50, 75].map((i) =>
      deps.doc.send(
        new BatchWriteCommand({
          RequestItems: { [deps.config.tables.page]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      ),
    ),
  );
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `work` against a fresh DynamoDB Local, after a warm-up of the JVM on throwaway tables; returns events/s. */
async function onFreshDynamo(work: (deps: Deps) => Promise<void>, warmUp: (deps: Deps) => Promise<void>): Promise<number> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    await warmUp(await freshDeps(dynamo.endpoint));
    const deps = await freshDeps(dynamo.endpoint);
    return EVENTS / (await timed(() => work(deps)));
  } finally {
    await dynamo.stop();
  }
}

async function main(): Promise<void> {
  const rawBodies = bodies();
  // Signed as Segment signs them, before the clock starts: the check is the handler's cost, the signing is not.
  const signed = (list: Record<string, unknown>[][]): SignedBody[] =>
    list.map((b) => JSON.stringify(b)).map((body) => ({ body, signature: signBody(WEBHOOK_SECRET, body) }));
  const smaBodies = signed(bodies());
  const raw = (deps: Deps, list: Record<string, unknown>[][]): Promise<unknown> => mapLimit(list, CONCURRENCY, (b) => rawWrite(deps, b));
  const sma = (deps: Deps, list: SignedBody[]): Promise<unknown> => {
    const handler = createStoreEventHandler(() => Promise.resolve(deps));
    return mapLimit(list, CONCURRENCY, async ({ body, signature }) => {
      const headers = { 'content-type': 'application/json', 'x-signature': signature };
      const res = await handler({ body, headers, isBase64Encoded: false } as unknown as HttpEvent);
      if (res.statusCode !== 200) throw new Error(`storeEvent answered ${res.statusCode}: ${String(res.body)}`);
    });
  };
  const runRaw = () =>
    onFreshDynamo(
      async (d) => void (await raw(d, rawBodies)),
      async (d) => void (await raw(d, bodies().slice(0, WARM_UP_REQUESTS))),
    );
  const runSma = () =>
    onFreshDynamo(
      async (d) => void (await sma(d, smaBodies)),
      async (d) => void (await sma(d, signed(bodies().slice(0, WARM_UP_REQUESTS)))),
    );
  const rawRounds: number[] = [];
  const smaRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      rawRounds.push(await runRaw());
      smaRounds.push(await runSma());
    } else {
      smaRounds.push(await runSma());
      rawRounds.push(await runRaw());
    }
  }
  const rawRate = median(rawRounds);
  const smaRate = median(smaRounds);
  console.log(
    `ingest benchmark: ${EVENTS} page events per run, ${PER_REQUEST} per request, ${CONCURRENCY} requests in flight, median of ${ROUNDS} rounds; a fresh DynamoDB Local (in memory) per run; Node ${process.version}`,
  );
  console.log(`  raw BatchWriteItem  ${rawRate.toFixed(0)} events/s  (rounds: ${rawRounds.map((r) => r.toFixed(0)).join(', ')})`);
  console.log(`  sma storeEvent      ${smaRate.toFixed(0)} events/s  (rounds: ${smaRounds.map((r) => r.toFixed(0)).join(', ')})`);
  console.log('ratio');
  console.log(targetLine('sma / raw', smaRate / rawRate, '≥', 0.8));
}
main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
