/**
 * Load and faults through `sls offline`:
 * - 8,000 events from 32 concurrent clients, 20% of them Segment-style
 *   repeats: exactly the unique events are stored, and each visitor ends with
 *   exactly the touches its page views call for. Throughput and latency are
 *   written to test-artifacts/load.json (BENCHMARKS.md quotes them).
 * - DynamoDB Local stopped in the middle of a load: every 2xx was stored,
 *   every other answer was a 5xx, and after a restart re-sending the 5xx ones
 *   stores them all.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { deriveTouches } from '../../src/attribution/touches';
import { freePort, startDynamoDbLocal, type Started } from '../../src/local/processes';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { mapLimit } from '../../src/lib/concurrency';
import { projectRoot } from '../../src/lib/project-root';
import { toPageView } from '../../src/store/items';
import { identifyEvent, pageEvent } from '../helpers/events';
import { OFFLINE_START_MS, startStack, type Stack } from '../helpers/offline';
import { seededRandom } from '../helpers/random';
import { scanAll } from '../helpers/snapshot';

const UNIQUE = 6_400;
const REPEATS = 1_600;
const CLIENTS = 32;
const VISITORS = 800;
/** How long the stream processors may take to derive every visitor's touches after the load. */
const TOUCHES_WAIT_MS = 240_000;
const FAULT_EVENTS = 2_000;

const SOURCES = [
  { url: 'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=load' },
  { url: 'https://www.acme.com/', referrer: 'https://www.google.com/' },
  { url: 'https://www.acme.com/pricing', referrer: 'https://www.acme.com/' },
  { url: 'https://www.acme.com/?gclid=L1' },
  { url: 'https://www.acme.com/', referrer: 'https://www.linkedin.com/feed/' },
];

/** Seven page views and an identify per visitor, spread over days so touches differ. */
function uniqueEvents(): Record<string, unknown>[] {
  const random = seededRandom(2026);
  const events: Record<string, unknown>[] = [];
  const perVisitor = UNIQUE / VISITORS - 1;
  for (let v = 0; v < VISITORS; v++) {
    const anonymousId = `load-${v}`;
    for (let p = 0; p < perVisitor; p++) {
      const s = SOURCES[Math.floor(random() * SOURCES.length)] ?? SOURCES[0];
      const timestamp = new Date(Date.parse('2026-07-01') + Math.floor(random() * 30 * 86_400_000)).toISOString();
      events.push(pageEvent({ anonymousId, timestamp, messageId: `load-${v}-${p}`, ...s }));
    }
    events.push(identifyEvent({ anonymousId, userId: `load-user-${v}`, timestamp: '2026-08-01T00:00:00.000Z', messageId: `load-${v}-id` }));
  }
  return events;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** What one POST got: its status, how long it took, and how many events the answer says it stored or already had. */
async function postOne(stack: Stack, event: unknown): Promise<{ status: number; ms: number; kept: number }> {
  const started = performance.now();
  try {
    // Signed, as Segment posts.
    const res = await stack.post(event);
    const json = res.json as { stored?: number; duplicates?: number };
    return { status: res.status, ms: performance.now() - started, kept: (json.stored ?? 0) + (json.duplicates ?? 0) };
  } catch {
    // No answer at all counts as a failure the sender would retry, like a 5xx.
    return { status: 599, ms: performance.now() - started, kept: 0 };
  }
}

async function storedIds(stack: Stack, deps: Deps, messageIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const table of [stack.config.tables.page, stack.config.tables.identify]) {
    for (let i = 0; i < messageIds.length; i += 100) {
      const out = await deps.doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: messageIds.slice(i, i + 100).map((messageId) => ({ messageId })) } } }),
      );
      for (const item of out.Responses?.[table] ?? []) found.add(String(item.messageId));
    }
  }
  return found;
}

describe('load through sls offline', () => {
  // On the shared DynamoDB Local (in memory).
  let stack: Stack;
  let deps: Deps;

  beforeAll(async () => {
    stack = await startStack();
    deps = buildDeps(stack.config);
  }, OFFLINE_START_MS + 10_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('stores exactly the unique events of 8,000 posts from 32 clients, and exactly the expected touches', async () => {
    // Prepare: the unique events, and 20% more that repeat earlier ones, shuffled
    const unique = uniqueEvents();
    const random = seededRandom(7);
    const posts = [...unique, ...Array.from({ length: REPEATS }, () => unique[Math.floor(random() * unique.length)])];
    for (let i = posts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [posts[i], posts[j]] = [posts[j], posts[i]];
    }

    // Act
    const started = performance.now();
    const results = await mapLimit(posts, CLIENTS, (e) => postOne(stack, e));
    const seconds = (performance.now() - started) / 1000;

    // Assess: every post answered 200; exactly the unique events stored
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const figures = {
      posts: posts.length,
      unique: unique.length,
      clients: CLIENTS,
      seconds: Math.round(seconds * 10) / 10,
      eventsPerSecond: Math.round(posts.length / seconds),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      node: process.version,
    };
    mkdirSync(join(projectRoot(), 'test-artifacts'), { recursive: true });
    writeFileSync(join(projectRoot(), 'test-artifacts', 'load.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`load: ${JSON.stringify(figures)}`);
    expect(results.filter((r) => r.status !== 200 || r.kept !== 1)).toEqual([]);
    const pages = await scanAll(deps, stack.config.tables.page);
    const identifies = await scanAll(deps, stack.config.tables.identify);
    expect(pages.length + identifies.length).toBe(UNIQUE);
    expect(new Set(pages.map((p) => p.messageId)).size).toBe(pages.length);

    // …and, once the stream has caught up, each visitor's touches are exactly those its page views call for
    const viewsOf = new Map<string, ReturnType<typeof toPageView>[]>();
    for (const p of pages) viewsOf.set(String(p.visitorKey), [...(viewsOf.get(String(p.visitorKey)) ?? []), toPageView(p)]);
    const perVisitor = UNIQUE / VISITORS - 1;
    const deadline = Date.now() + TOUCHES_WAIT_MS;
    let touchItems: Record<string, unknown>[];
    for (;;) {
      touchItems = (await scanAll(deps, stack.config.tables.attribution)).filter((i) => i.sk === 'touches' && i.pageViews === perVisitor);
      if (touchItems.length === VISITORS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect(touchItems).toHaveLength(VISITORS);
    const wrong = touchItems.filter((item) => {
      const expected = deriveTouches(viewsOf.get(String(item.visitorKey)) ?? [], deps.classify).map((t) => t.messageId);
      const actual = (JSON.parse(String(item.touches)) as { messageId: string }[]).map((t) => t.messageId);
      return JSON.stringify(expected) !== JSON.stringify(actual);
    });
    expect(wrong).toEqual([]);
  }, 600_000);
});

describe('DynamoDB stopped in the middle of a load', () => {
  // A DynamoDB Local of this test's own, on disk, so it can be stopped and started again.
  let dynamo: (Started & { endpoint: string }) | undefined;
  let dbPath = '';
  let port = 0;
  let stack: Stack;
  let deps: Deps;

  beforeAll(async () => {
    dbPath = mkdtempSync(join(tmpdir(), 'sma-stress-db-'));
    port = await freePort();
    dynamo = await startDynamoDbLocal({ port, dbPath });
    stack = await startStack({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    deps = buildDeps(stack.config);
  }, OFFLINE_START_MS + 30_000);

  afterAll(async () => {
    await stack?.stop();
    await dynamo?.stop();
  });

  it('answers 2xx only for stored events and 5xx otherwise; after a restart the 5xx ones are stored when sent again', async () => {
    // Prepare
    const events = Array.from({ length: FAULT_EVENTS }, (_, i) =>
      pageEvent({ anonymousId: `fault-${i % 300}`, messageId: `fault-${randomUUID()}`, timestamp: '2026-09-01T10:00:00.000Z' }),
    );
    let answered = 0;
    let stopped: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;

    // Act: stop DynamoDB a third of the way in, start it again two thirds in
    const results = await mapLimit(events, CLIENTS, async (event) => {
      const r = await postOne(stack, event);
      answered += 1;
      if (answered === Math.floor(FAULT_EVENTS / 3)) stopped = dynamo?.stop();
      if (answered === Math.floor((2 * FAULT_EVENTS) / 3)) {
        restarted = (async () => {
          await stopped;
          dynamo = await startDynamoDbLocal({ port, dbPath });
        })();
      }
      return { ...r, messageId: String(event.messageId), event };
    });
    await restarted;
    const ok = results.filter((r) => r.status >= 200 && r.status < 300);
    const failed = results.filter((r) => r.status >= 500);
    const storedBefore = await storedIds(
      stack,
      deps,
      ok.map((r) => r.messageId),
    );
    // Send the failures again, as Segment would, until they are taken.
    let pending = failed;
    for (let attempt = 0; attempt < 5 && pending.length > 0; attempt++) {
      const again = await mapLimit(pending, CLIENTS, async (r) => ({ ...r, ...(await postOne(stack, r.event)) }));
      pending = again.filter((r) => r.status !== 200);
    }
    const storedAfter = await storedIds(
      stack,
      deps,
      events.map((e) => String(e.messageId)),
    );

    // Assess
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const statuses = [...byStatus].map(([status, n]) => `${status}: ${n}`);
    console.log(`faults: ${statuses.join(', ')} (${ok.length} accepted, ${failed.length} refused while DynamoDB was down)`);
    expect(ok.length + failed.length).toBe(FAULT_EVENTS);
    expect(failed.length).toBeGreaterThan(0);
    // Refused with an answer (503 and Retry-After), not a dropped connection: the service kept serving.
    expect(failed.filter((r) => r.status !== 503)).toEqual([]);
    // A 2xx is our answer, saying it stored the event (a Lambda timeout in sls offline was once a 200 with an error body).
    expect(ok.filter((r) => r.kept !== 1).map((r) => ({ messageId: r.messageId, ms: Math.round(r.ms) }))).toEqual([]);
    expect(ok.filter((r) => !storedBefore.has(r.messageId)).map((r) => ({ messageId: r.messageId, ms: Math.round(r.ms) }))).toEqual([]);
    expect(pending).toEqual([]);
    expect(storedAfter.size).toBe(FAULT_EVENTS);
  }, 600_000);
});
