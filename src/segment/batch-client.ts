/**
 * The outbound client for Segment's HTTP Tracking API batch endpoint.
 * Limits, retries and the mapping from status code to action live here, in
 * one place. A failed delivery is returned as data, never thrown across the
 * system: the caller decides what a failure means (an API answer, a stream
 * retry, a line in a backfill summary).
 */
import { Buffer } from 'node:buffer';
import { backoffMs, sleep, type BackoffPolicy } from '../lib/backoff';

/** Segment's limit per message (HTTP Tracking API). */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/**
 * Segment's limit per batch request is 500 KB. Read as 500,000 bytes (the
 * stricter reading); packing counts the exact bytes of the body it sends, so
 * no further padding is needed.
 */
export const MAX_BATCH_BYTES = 500_000;
/** Segment's limit of messages per batch request. */
export const MAX_BATCH_MESSAGES = 2500;
export const DEFAULT_SEGMENT_HOST = 'https://api.segment.io';
/** Attempts per batch request, the first included. */
export const MAX_ATTEMPTS = 5;
/** Waits between attempts; no single wait is longer than its cap, whatever Retry-After asks. */
export const SEGMENT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 8_000 };
/** How long one request may take before it counts as failed (and is retried). */
export const REQUEST_TIMEOUT_MS = 10_000;

export const LIBRARY = { name: 'sma', version: '0.1.0' } as const;

/** One outbound message (identify or track), as Segment's spec has it. */
export interface OutboundMessage {
  type: 'identify' | 'track';
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  traits?: Record<string, unknown>;
  event?: string;
  properties?: Record<string, unknown>;
  context: { library: typeof LIBRARY };
}

/** A failed part of a send. */
export interface SendFailure {
  messageIds: string[];
  /** The last HTTP status, when there was an answer. */
  status?: number;
  error: string;
  retryable: boolean;
}

export interface SendResult {
  dryRun: boolean;
  messages: number;
  messageIds: string[];
  requests: number;
  failures: SendFailure[];
  /** The exact request bodies, in a dry run. */
  batches?: { batch: OutboundMessage[]; sentAt: string }[];
}

/** The HTTP seam: tests pass a client bound to a local capture server. */
export interface HttpClient {
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<{ status: number; retryAfter: string | null }>;
}

/** The real HTTP client, on Node's fetch. */
export const fetchHttpClient: HttpClient = {
  async post(url, headers, body, timeoutMs) {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  },
};

/** What to do with an answer: the one mapping from status to action. */
export function actionFor(status: number): 'done' | 'retry' | 'fail' {
  if (status >= 200 && status < 300) return 'done';
  if (status === 429) return 'retry';
  // 501 Not Implemented and 505 HTTP Version Not Supported will not change on retry.
  if (status >= 500 && status !== 501 && status !== 505) return 'retry';
  return 'fail';
}

/** Retry-After in milliseconds (seconds or an HTTP date), capped. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), SEGMENT_BACKOFF.capMs) : undefined;
}

export interface BatchClientOptions {
  /** Segment source write key; unset means dry run. */
  writeKey: string | undefined;
  /** Default {@link DEFAULT_SEGMENT_HOST}. */
  host?: string;
  http?: HttpClient;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Default {@link REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
  /**
   * When every send must be over (epoch ms), retries and Retry-After waits
   * included, so that a send fits the function that makes it. What has not
   * gone out by then is a retryable failure. Default: none.
   */
  deadlineAt?: number;
}

/** An attempt that would have less time than this is not started: it could not finish. */
export const MIN_ATTEMPT_MS = 250;

/** An error's name; an aborted fetch throws a DOMException, which need not be an Error of this realm. */
function errorName(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : 'error';
}

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** The bytes of a body around its messages: `{"batch":[` … `],"sentAt":"<24-character ISO date>"}`. */
export const ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ batch: [], sentAt: new Date(0).toISOString() }));

/**
 * Packs messages into as few batches as Segment's limits allow: each body
 * (envelope, messages and the commas between them, counted exactly) within
 * {@link MAX_BATCH_BYTES} and {@link MAX_BATCH_MESSAGES}. First-fit
 * decreasing: the largest messages are placed first, each into the first
 * batch with room, so small messages fill the gaps large ones leave. Within a
 * batch, messages keep their original order; across batches the order does
 * not matter, since every message carries its own timestamp.
 */
export function packBatches(messages: readonly OutboundMessage[]): OutboundMessage[][] {
  const sized = messages.map((message, index) => ({ message, index, size: byteLength(message) }));
  const bins: { items: typeof sized; bytes: number }[] = [];
  for (const item of [...sized].sort((a, b) => b.size - a.size || a.index - b.index)) {
    // A message after the first in a batch also costs its comma.
    const bin = bins.find((b) => b.items.length < MAX_BATCH_MESSAGES && b.bytes + item.size + 1 <= MAX_BATCH_BYTES);
    if (bin) {
      bin.items.push(item);
      bin.bytes += item.size + 1;
    } else {
      bins.push({ items: [item], bytes: ENVELOPE_BYTES + item.size });
    }
  }
  return bins
    .map((b) => b.items.sort((x, y) => x.index - y.index))
    .sort((x, y) => (x[0]?.index ?? 0) - (y[0]?.index ?? 0))
    .map((items) => items.map((i) => i.message));
}

/** Sends messages to Segment's /v1/batch endpoint, within its limits, with retries. */
export class SegmentBatchClient {
  private readonly host: string;
  private readonly http: HttpClient;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  constructor(private readonly options: BatchClientOptions) {
    this.host = (options.host ?? DEFAULT_SEGMENT_HOST).replace(/\/+$/, '');
    this.http = options.http ?? fetchHttpClient;
    this.sleep = options.sleep ?? sleep;
    this.now = options.now ?? (() => new Date());
  }

  /** The same client, with every send bounded by `deadlineAt` (epoch ms). */
  until(deadlineAt: number): SegmentBatchClient {
    return new SegmentBatchClient({ ...this.options, deadlineAt });
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  private remainingMs(): number {
    return this.options.deadlineAt === undefined ? Infinity : this.options.deadlineAt - this.now().getTime();
  }

  /** True when there is no write key: nothing is sent, and the result shows the batches that would have been. */
  get dryRun(): boolean {
    return this.options.writeKey === undefined;
  }

  async send(messages: readonly OutboundMessage[], options: { dryRun?: boolean } = {}): Promise<SendResult> {
    const failures: SendFailure[] = [];
    const sendable = messages.filter((m) => {
      const size = byteLength(m);
      if (size <= MAX_MESSAGE_BYTES) return true;
      failures.push({
        messageIds: [m.messageId],
        error: `message is ${size} bytes; Segment's limit is ${MAX_MESSAGE_BYTES}`,
        retryable: false,
      });
      return false;
    });
    const batches = packBatches(sendable);
    const result: SendResult = {
      dryRun: this.dryRun || options.dryRun === true,
      messages: sendable.length,
      messageIds: sendable.map((m) => m.messageId),
      requests: 0,
      failures,
    };
    if (result.dryRun) {
      result.batches = batches.map((batch) => ({ batch, sentAt: this.now().toISOString() }));
      return result;
    }
    for (const batch of batches) {
      const outcome = await this.post(batch);
      result.requests += outcome.requests;
      if (outcome.failure) failures.push(outcome.failure);
    }
    return result;
  }

  private async post(batch: OutboundMessage[]): Promise<{ requests: number; failure?: SendFailure }> {
    const url = `${this.host}/v1/batch`;
    const headers = {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${this.options.writeKey ?? ''}:`).toString('base64')}`,
      'user-agent': `${LIBRARY.name}/${LIBRARY.version}`,
    };
    const messageIds = batch.map((m) => m.messageId);
    let last: { status?: number; error: string } = { error: 'not sent: the send deadline had passed' };
    let requests = 0;
    while (requests < MAX_ATTEMPTS && this.remainingMs() >= MIN_ATTEMPT_MS) {
      let wait: number | undefined;
      requests++;
      try {
        const body = JSON.stringify({ batch, sentAt: this.now().toISOString() });
        const timeout = Math.min(this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, this.remainingMs());
        const res = await this.http.post(url, headers, body, timeout);
        const action = actionFor(res.status);
        if (action === 'done') return { requests };
        last = { status: res.status, error: `Segment answered ${res.status}` };
        if (action === 'fail') return { requests, failure: { messageIds, ...last, retryable: false } };
        wait = retryAfterMs(res.retryAfter);
      } catch (e: unknown) {
        last = { error: `request failed: ${errorName(e)}` };
      }
      if (requests === MAX_ATTEMPTS) break;
      const pause = wait ?? backoffMs(SEGMENT_BACKOFF, requests - 1);
      // A wait that would end past the deadline is not started: the caller's own retry comes sooner.
      if (pause + MIN_ATTEMPT_MS > this.remainingMs()) {
        last = { ...last, error: `${last.error}; no time left to retry before the send deadline` };
        break;
      }
      await this.sleep(pause);
    }
    return { requests, failure: { messageIds, ...last, retryable: true } };
  }
}
