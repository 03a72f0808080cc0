import { randomUUID } from 'node:crypto';
import {
  LIBRARY,
  MAX_ATTEMPTS,
  MAX_BATCH_BYTES,
  MAX_BATCH_MESSAGES,
  REQUEST_TIMEOUT_MS,
  SegmentBatchClient,
  actionFor,
  packBatches,
  retryAfterMs,
  type OutboundMessage,
} from '../../src/segment/batch-client';
import { deterministicMessageId } from '../../src/segment/message-id';
import { startSegmentCapture, type SegmentCapture } from '../../src/local/capture-server';

const WRITE_KEY = 'wk_test_123';

function identify(i: number, traits: Record<string, unknown> = { source_first_channel: 'Email' }): OutboundMessage {
  const content = { type: 'identify' as const, userId: `u-${i}`, traits, timestamp: '2026-01-01T00:00:00.000Z' };
  return { ...content, messageId: deterministicMessageId(content), context: { library: LIBRARY } };
}

describe('SegmentBatchClient against a capture server', () => {
  let capture: SegmentCapture;
  const waits: number[] = [];
  const client = (): SegmentBatchClient =>
    new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url, sleep: (ms) => (waits.push(ms), Promise.resolve()) });

  beforeEach(async () => {
    capture = await startSegmentCapture(WRITE_KEY);
    waits.length = 0;
  });
  afterEach(() => capture.close());

  it('sends with basic auth and packs 10,000 messages within 500 KB and 2,500 per batch, none lost or duplicated', async () => {
    // Prepare: 9,960 small messages and 40 of ~20 KB, interleaved
    const messages = Array.from({ length: 10_000 }, (_, i) => (i % 250 === 0 ? identify(i, { blob: 'x'.repeat(20_000) }) : identify(i)));

    // Act
    const result = await client().send(messages);

    // Assess
    expect(result.failures).toEqual([]);
    expect(capture.messages.map((m) => m.messageId).sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(new Set(capture.messages.map((m) => m.messageId)).size).toBe(10_000);
    expect(capture.requests.every((r) => r.status === 200 && r.count <= MAX_BATCH_MESSAGES && r.bytes <= MAX_BATCH_BYTES)).toBe(true);
    expect(result.requests).toBe(capture.requests.length);
    expect(capture.messages[0]?.context.library).toEqual(LIBRARY);
  });

  it('refuses a message over 32 KB with a clear failure and sends the rest', async () => {
    // Act
    const result = await client().send([identify(1), identify(2, { blob: 'x'.repeat(40_000) })]);

    // Assess
    expect(capture.messages.map((m) => m.userId)).toEqual(['u-1']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ messageIds: [identify(2, { blob: 'x'.repeat(40_000) }).messageId], retryable: false });
    expect(result.failures[0]?.error).toMatch(/limit is 32768/);
  });

  it('retries 500 and 429 (honouring Retry-After), then delivers', async () => {
    // Prepare
    capture.script.push({ status: 500 }, { status: 429, retryAfter: '2' }, { status: 503 });

    // Act
    const result = await client().send([identify(1)]);

    // Assess
    expect(result).toMatchObject({ requests: 4, failures: [] });
    expect(capture.requests.map((r) => r.status)).toEqual([500, 429, 503, 200]);
    expect(waits[1]).toBe(2000);
  });

  it('gives up on a hung request after the timeout and retries it', async () => {
    // Prepare
    capture.script.push('hang');
    const impatient = new SegmentBatchClient({
      writeKey: WRITE_KEY,
      host: capture.url,
      requestTimeoutMs: 300,
      sleep: () => Promise.resolve(),
    });

    // Act
    const result = await impatient.send([identify(1)]);

    // Assess
    expect(result).toMatchObject({ requests: 2, failures: [] });
    expect(capture.messages).toHaveLength(1);
  });

  it('keeps a whole send, waits included, within its deadline, and reports the rest as retryable', async () => {
    // Prepare: a clock that sleeping moves; Segment asks for a wait longer than the time left.
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const bounded = new SegmentBatchClient({
      writeKey: WRITE_KEY,
      host: capture.url,
      now: () => new Date(clock),
      sleep: (ms) => ((clock += ms), waits.push(ms), Promise.resolve()),
    }).until(clock + 5_000);
    capture.script.push({ status: 503 }, { status: 429, retryAfter: '8' });

    // Act
    const result = await bounded.send([identify(1)]);

    // Assess: two attempts, then no 8 s wait that would end past the deadline.
    expect(capture.requests.map((r) => r.status)).toEqual([503, 429]);
    expect(waits.every((ms) => ms < 5_000)).toBe(true);
    expect(result.requests).toBe(2);
    expect(result.failures).toEqual([
      {
        messageIds: [identify(1).messageId],
        status: 429,
        error: 'Segment answered 429; no time left to retry before the send deadline',
        retryable: true,
      },
    ]);
  });

  it('cuts a hung request at the deadline, and sends nothing once it has passed', async () => {
    // Prepare
    capture.script.push('hang');
    const started = Date.now();
    const bounded = client().until(started + 400);

    // Act
    const hung = await bounded.send([identify(1)]);
    const late = await bounded.send([identify(2)]);

    // Assess
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(hung.failures).toEqual([
      {
        messageIds: [identify(1).messageId],
        error: 'request failed: TimeoutError; no time left to retry before the send deadline',
        retryable: true,
      },
    ]);
    expect(late).toMatchObject({ requests: 0, failures: [{ error: 'not sent: the send deadline had passed', retryable: true }] });
    expect(capture.messages).toEqual([]);
  });

  it('does not retry a 400, and reports it', async () => {
    // Prepare
    capture.script.push({ status: 400 });

    // Act
    const result = await client().send([identify(1)]);

    // Assess
    expect(capture.requests).toHaveLength(1);
    expect(result.failures).toEqual([
      { messageIds: [identify(1).messageId], status: 400, error: 'Segment answered 400', retryable: false },
    ]);
  });

  it('reports a failure, never silence, when Segment keeps failing', async () => {
    // Prepare
    capture.script.push(...Array.from({ length: MAX_ATTEMPTS }, () => ({ status: 502 })));

    // Act
    const result = await client().send([identify(1)]);

    // Assess
    expect(result.failures).toEqual([{ messageIds: [identify(1).messageId], status: 502, error: 'Segment answered 502', retryable: true }]);
    expect(capture.messages).toEqual([]);
  });

  it('sends nothing without a write key and shows the exact batches', async () => {
    // Act
    const result = await new SegmentBatchClient({ writeKey: undefined, host: capture.url }).send([identify(1), identify(2)]);

    // Assess
    expect(capture.requests).toEqual([]);
    expect(result).toMatchObject({ dryRun: true, messages: 2, requests: 0 });
    expect(result.batches?.[0]?.batch.map((m) => m.userId)).toEqual(['u-1', 'u-2']);
  });

  it('rejects a wrong write key as the real API does (401, final)', async () => {
    // Act
    const result = await new SegmentBatchClient({ writeKey: 'wrong', host: capture.url, sleep: () => Promise.resolve() }).send([
      identify(1),
    ]);

    // Assess
    expect(result.failures[0]).toMatchObject({ status: 401, retryable: false });
  });
});

describe('message ids and status mapping', () => {
  it('are deterministic and at most 36 characters of [a-z0-9-]', () => {
    // Act
    const a = deterministicMessageId({ b: 1, a: [1, { y: 2, x: 1 }] });
    const b = deterministicMessageId({ a: [1, { x: 1, y: 2 }], b: 1 });

    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^[a-z0-9-]{36}$/);
    expect(deterministicMessageId({ a: 2 })).not.toBe(a);
    expect(randomUUID()).toHaveLength(36);
  });

  it('maps statuses to actions in one place', () => {
    // Act / Assess
    expect([200, 429, 500, 501, 503, 505, 400, 401, 413].map(actionFor)).toEqual([
      'done',
      'retry',
      'retry',
      'fail',
      'retry',
      'fail',
      'fail',
      'fail',
      'fail',
    ]);
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('600')).toBe(8000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(packBatches([])).toEqual([]);
  });
});
