/**
 * The report counters, kept incrementally by processAttribution from real
 * stream records, agree with a brute-force recomputation from the raw page
 * and identify tables: about 1,000 users, events arriving out of order in two
 * rounds, and some stream records delivered twice (streams are at-least-once).
 */
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { parseConfig } from '../../src/config';
import { firstTouch, lastTouch, touchCredits, CREDIT_MODELS } from '../../src/attribution/models';
import { counterId, parseCounterId, USER_UNITS, type CounterKey } from '../../src/attribution/rollups';
import { compareByTime, deriveTouches, type Touch } from '../../src/attribution/touches';
import { linksFromEvent } from '../../src/ingest/identity';
import { ingestEvents } from '../../src/ingest/ingest-events';
import { linkingItemSchema, toPageView } from '../../src/store/items';
import { createTables, testEnv } from '../helpers/tables';
import { readStream } from '../helpers/streams';
import { identifyEvent, pageEvent } from '../helpers/events';
import { seededRandom } from '../helpers/random';
import { scanAll } from '../helpers/snapshot';

const env = testEnv({ REALTIME_SYNC: 'off' });
Object.assign(process.env, env);
const config = parseConfig(env);

/* eslint-disable @typescript-eslint/no-require-imports */
const { handler: processPage } =
  require('../../src/handlers/stream/process-page') as typeof import('../../src/handlers/stream/process-page');
const { handler: processIdentify } =
  require('../../src/handlers/stream/process-identify') as typeof import('../../src/handlers/stream/process-identify');
const { handler: processAttribution } =
  require('../../src/handlers/stream/process-attribution') as typeof import('../../src/handlers/stream/process-attribution');
const { loadDeps } = require('../../src/handlers/deps') as typeof import('../../src/handlers/deps');
/* eslint-enable @typescript-eslint/no-require-imports */

const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

const USERS = 1_000;
const VISITORS = 1_200;
const PAGE_VIEWS = 2_000;
const REPEATED_RECORDS = 200;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const SOURCES = [
  { url: 'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn', referrer: '' },
  { url: 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand', referrer: 'https://www.google.com/' },
  { url: 'https://www.acme.com/', referrer: 'https://www.google.com/' },
  { url: 'https://www.acme.com/', referrer: 'https://www.linkedin.com/feed/' },
  { url: 'https://www.acme.com/pricing', referrer: '' },
  { url: 'https://www.acme.com/?gclid=abc', referrer: '' },
];

/** Page views and identifies over 60 days; visitor i belongs to user i % USERS. */
function dataset(): Record<string, unknown>[] {
  const random = seededRandom(606);
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < PAGE_VIEWS; i++) {
    const v = i < VISITORS ? i : Math.floor(random() * VISITORS);
    const s = SOURCES[Math.floor(random() * SOURCES.length)] ?? SOURCES[0];
    const timestamp = new Date(T0 + Math.floor(random() * 60 * 86_400_000)).toISOString();
    events.push(pageEvent({ anonymousId: `v-${v}`, timestamp, url: s?.url, referrer: s?.referrer, messageId: `p-${i}` }));
  }
  for (let v = 0; v < VISITORS; v++) {
    if (random() < 0.85) {
      const timestamp = new Date(T0 + Math.floor(random() * 60 * 86_400_000)).toISOString();
      events.push(identifyEvent({ anonymousId: `v-${v}`, userId: `u-${v % USERS}`, timestamp, messageId: `i-${v}` }));
    }
  }
  // Out of order: shuffled, so earlier page views often arrive after later ones.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as Record<string, unknown>, events[i] as Record<string, unknown>];
  }
  return events;
}

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
}

/** The counters recomputed from scratch: raw page views and identify events, nothing derived. */
async function bruteForce(): Promise<{ expected: Map<string, number>; credits: Map<string, number> }> {
  const { classify, model } = await loadDeps();
  const views = new Map<string, ReturnType<typeof toPageView>[]>();
  for (const item of await scanAll(await loadDeps(), config.tables.page)) {
    const key = String(item.visitorKey);
    views.set(key, [...(views.get(key) ?? []), toPageView(item)]);
  }
  const touchesOf = new Map([...views].map(([key, v]) => [key, deriveTouches(v, classify)]));
  const linkedAt = new Map<string, string[]>();
  const anonsOf = new Map<string, Set<string>>();
  for (const item of await scanAll(await loadDeps(), config.tables.identify)) {
    for (const l of linksFromEvent(linkingItemSchema.parse(item))) {
      linkedAt.set(l.userId, [...(linkedAt.get(l.userId) ?? []), l.linkedAt]);
      anonsOf.set(l.userId, (anonsOf.get(l.userId) ?? new Set()).add(l.anonymousId));
    }
  }
  const expected = new Map<string, number>();
  /** How many rounded credits went into each counter: each may be off by one unit. */
  const credits = new Map<string, number>();
  const add = (k: CounterKey, n: number): void => {
    const id = counterId(k);
    expected.set(id, (expected.get(id) ?? 0) + n);
    credits.set(id, (credits.get(id) ?? 0) + 1);
  };
  const dims = (t: Touch) => ({ channel: t.channel, source: t.source, campaign: t.campaign ?? '(not set)' });
  for (const touches of touchesOf.values()) {
    const sorted = [...touches].sort(compareByTime);
    for (const t of sorted) add({ day: t.timestamp.slice(0, 10), metric: 'touches', ...dims(t) }, 1);
    if (sorted[0]) add({ day: sorted[0].timestamp.slice(0, 10), metric: 'new_visitors', ...dims(sorted[0]) }, 1);
  }
  for (const [userId, anons] of anonsOf) {
    const touches = [...anons].flatMap((a) => touchesOf.get(`anon#${a}`) ?? []);
    const day = [...(linkedAt.get(userId) ?? [])].sort()[0]?.slice(0, 10) ?? '';
    const whole = (metric: CounterKey['metric'], t: Touch | undefined): void =>
      add({ day, metric, ...(t ? dims(t) : { channel: 'Unassigned', source: '(not set)', campaign: '(not set)' }) }, USER_UNITS);
    whole('users:first_touch', firstTouch(touches, model));
    whole('users:last_touch', lastTouch(touches, model));
    for (const m of CREDIT_MODELS) {
      const credits = touchCredits(touches, m, model);
      if (credits.length === 0) whole(`users:${m}`, undefined);
      for (const { touch, credit } of credits) add({ day, metric: `users:${m}`, ...dims(touch) }, credit * USER_UNITS);
    }
  }
  return { expected, credits };
}

function expectAgreement(
  actual: Map<string, number>,
  { expected, credits }: { expected: Map<string, number>; credits: Map<string, number> },
): void {
  const ids = new Set([...actual.keys(), ...expected.keys()]);
  const off: string[] = [];
  for (const id of ids) {
    const a = actual.get(id) ?? 0;
    const e = expected.get(id) ?? 0;
    // Multi-touch credits are kept as whole units, rounded once per credit.
    const tolerance = parseCounterId(id)?.metric.startsWith('users:') ? (credits.get(id) ?? 0) : 0;
    if (Math.abs(a - e) > tolerance) off.push(`${id}: rollup ${a}, recomputed ${e}`);
  }
  expect(off).toEqual([]);
}

describe('report rollups', () => {
  beforeAll(async () => {
    await createTables(config);
  });

  it('agree with a brute-force recomputation from the raw tables, after two out-of-order rounds and repeated processing', async () => {
    // Prepare
    const events = dataset();
    const half = Math.floor(events.length / 2);
    const { events: store } = await loadDeps();

    // Act: half, process; the rest, process; some records twice
    for (let i = 0; i < half; i += 500) await ingestEvents(events.slice(i, Math.min(i + 500, half)), store);
    await processStreams();
    for (let i = half; i < events.length; i += 500) await ingestEvents(events.slice(i, i + 500), store);
    await processStreams();
    // A stream delivers at least once: the last records again change nothing.
    const pagesAgain = (await readStream(config.tables.page)).Records.slice(-REPEATED_RECORDS);
    expect(await inBatches(pagesAgain, (e) => processPage(e, context))).toEqual([]);
    const linksAgain = (await readStream(config.tables.userMap)).Records.slice(-REPEATED_RECORDS);
    expect(await inBatches(linksAgain, (e) => processAttribution(e, context))).toEqual([]);
    const actual = await (await loadDeps()).rollups.counters('2026-01-01', '2026-12-31');

    // Assess
    const expected = await bruteForce();
    expect(actual.size).toBeGreaterThan(100);
    expectAgreement(actual, expected);
    const users = [...actual].filter(([id]) => parseCounterId(id)?.metric === 'users:linear').reduce((a, [, n]) => a + n, 0);
    expect(users).toBe(new Set(events.filter((e) => e.type === 'identify').map((e) => e.userId)).size * USER_UNITS);
  }, 240_000);
});
