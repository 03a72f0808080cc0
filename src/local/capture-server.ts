/**
 * A local HTTP server that plays Segment's HTTP Tracking API
 * (`POST /v1/batch`), for trying sma without sending anything to Segment
 * (`npx sma capture-segment`, then SEGMENT_API_HOST=http://localhost:4100) and
 * for the tests. It checks what Segment checks (basic auth with the
 * write key, JSON, per-message and per-batch sizes and counts, the message
 * schema, messageIds sma promises to keep to 36 characters of [a-z0-9-]) and
 * records every accepted message. Tests can script answers: a status code, a
 * Retry-After, or a hang.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

const message = z.object({
  type: z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']),
  messageId: z.string().regex(/^[a-z0-9-]{1,36}$/, 'messageId must be at most 36 characters of [a-z0-9-]'),
  timestamp: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'timestamp must be ISO-8601'),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
  event: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  context: z.object({ library: z.object({ name: z.string(), version: z.string() }) }).loose(),
});
const batchBody = z.object({ batch: z.array(message).min(1).max(2500), sentAt: z.string() });

export type CapturedMessage = z.infer<typeof message>;
export type Scripted = { status: number; retryAfter?: string } | 'hang';

export interface SegmentCapture {
  url: string;
  /** Accepted messages, in arrival order. */
  messages: CapturedMessage[];
  /** Every request, with the answer it got. */
  requests: { status: number; count: number; bytes: number; /** When it arrived, by this server's clock (ms). */ at: number }[];
  /** Answers to give before behaving normally, in order. */
  script: Scripted[];
  close(): Promise<void>;
}

/**
 * What Segment keeps of the captured messages: the first copy of each
 * messageId, as it deduplicates on messageId. sma sends at least once under
 * deterministic ids, so two stream functions refreshing the same user at the
 * same moment may both send the same change.
 */
export function kept(messages: readonly CapturedMessage[]): CapturedMessage[] {
  const byId = new Map<string, CapturedMessage>();
  for (const m of messages) if (!byId.has(m.messageId)) byId.set(m.messageId, m);
  return [...byId.values()];
}

export interface CaptureOptions {
  /** The port to listen on; default a free one. */
  port?: number;
  /** Called with each accepted batch. */
  onBatch?: (messages: CapturedMessage[]) => void;
}

/**
 * Starts a capture server on loopback. With a write key, requests must carry
 * it (as Segment checks); with `undefined`, any Basic auth is accepted.
 */
export async function startSegmentCapture(writeKey: string | undefined, options: CaptureOptions = {}): Promise<SegmentCapture> {
  const capture: Omit<SegmentCapture, 'url' | 'close'> = { messages: [], requests: [], script: [] };
  const hanging: ServerResponse[] = [];
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record = (status: number, count = 0): void => void capture.requests.push({ status, count, bytes: raw.length, at: Date.now() });
      const scripted = capture.script.shift();
      if (scripted === 'hang') {
        hanging.push(res);
        return record(0);
      }
      if (scripted) {
        record(scripted.status);
        return answer(res, scripted.status, { success: false }, scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {});
      }
      if (req.method !== 'POST' || req.url !== '/v1/batch') return (record(404), answer(res, 404, { error: 'not found' }));
      const auth = req.headers.authorization ?? '';
      const expected = writeKey === undefined ? undefined : `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
      if (expected !== undefined ? auth !== expected : !auth.startsWith('Basic '))
        return (record(401), answer(res, 401, { error: 'bad write key' }));
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return (record(400), answer(res, 400, { error: 'content-type' }));
      // Segment's 500 KB, read strictly as 500,000 bytes.
      if (raw.length > 500_000) return (record(400), answer(res, 400, { error: 'batch over 500 KB' }));
      let parsed: z.infer<typeof batchBody>;
      try {
        parsed = batchBody.parse(JSON.parse(raw.toString('utf8')));
      } catch (e: unknown) {
        record(400);
        return answer(res, 400, { error: e instanceof Error ? e.message : 'invalid' });
      }
      const tooBig = parsed.batch.find((m) => Buffer.byteLength(JSON.stringify(m)) > 32 * 1024);
      if (tooBig) return (record(400), answer(res, 400, { error: `message ${tooBig.messageId} over 32 KB` }));
      capture.messages.push(...parsed.batch);
      options.onBatch?.(parsed.batch);
      record(200, parsed.batch.length);
      answer(res, 200, { success: true });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign<Omit<SegmentCapture, 'url' | 'close'>, Pick<SegmentCapture, 'url' | 'close'>>(capture, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
