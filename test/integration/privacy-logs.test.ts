/**
 * What sma writes down: no secret, write key, API key or event content in its
 * logs (captured at DEBUG, through every path that logs), and with
 * DROP_PERSONAL_DATA=true no IP address or identify trait in its tables.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../src/config';
import { signBody } from '../../src/segment/signature';
import { startSegmentCapture, type SegmentCapture } from '../../src/local/capture-server';
import type { HttpEvent } from '../../src/handlers/http/http';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import { createSendHandler } from '../../src/handlers/http/segment-send';
import { createViewHandler } from '../../src/handlers/http/views';
import { createProcessAttributionHandler } from '../../src/handlers/stream/process-attribution';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { logger } from '../../src/lib/logger';
import { createTables, testEnv } from '../helpers/tables';
import { depsFor } from '../helpers/handler-deps';
import { identifyEvent, pageEvent } from '../helpers/events';

const SECRET = 'whsec-9f8e7d6c5b4a';
const API_KEY = 'apikey-1a2b3c4d5e6f';
const WRITE_KEY = 'writekey-0a9b8c7d6e5f';
const EMAIL = 'jane.marker@example.com';
const IP = '198.51.100.77';
const URL_MARKER = 'utm_content=page-marker-31337';
/** In the user agent, device, location and properties of a refused event: none of it is kept with DROP_PERSONAL_DATA. */
const DEVICE_MARKER = 'device-marker-4242';

let capture: SegmentCapture;
let logged = '';
const writes: jest.SpyInstance[] = [];

type Modules = {
  storeEvent: ReturnType<typeof createStoreEventHandler>;
  identifyUser: ReturnType<typeof createSendHandler>;
  getUser: ReturnType<typeof createViewHandler>;
  processAttribution: ReturnType<typeof createProcessAttributionHandler>;
  deps: ReturnType<typeof depsFor>;
  refresh: typeof refreshVisitorTouches;
};
let m: Modules;
const STREAM_CONTEXT = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as never;
let config: ReturnType<typeof parseConfig>;
/** The level the logger had before this file captured DEBUG. */
const level = logger.getLevelName();

beforeAll(async () => {
  capture = await startSegmentCapture(WRITE_KEY);
  const env = testEnv({
    WEBHOOK_SECRET: SECRET,
    API_KEY,
    ANALYTICS_WRITE_KEY: WRITE_KEY,
    SEGMENT_API_HOST: capture.url,
    REALTIME_SYNC: 'users',
    DROP_PERSONAL_DATA: 'true',
  });
  config = parseConfig(env);
  await createTables(config);
  logger.setLogLevel('DEBUG');
  for (const stream of [process.stdout, process.stderr]) {
    writes.push(
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logged += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        return true;
      }),
    );
  }
  const deps = depsFor(config);
  m = {
    storeEvent: createStoreEventHandler(deps),
    identifyUser: createSendHandler('identify-user', deps),
    getUser: createViewHandler('user', deps),
    processAttribution: createProcessAttributionHandler(deps),
    deps,
    refresh: refreshVisitorTouches,
  };
});

afterAll(async () => {
  for (const w of writes) w.mockRestore();
  logger.setLogLevel(level);
  await capture?.close();
});

const request = (body: string, headers: Record<string, string> = {}, extra: Partial<HttpEvent> = {}): HttpEvent =>
  ({ body, headers: { 'content-type': 'application/json', ...headers }, isBase64Encoded: false, ...extra }) as HttpEvent;

async function scan(table: string): Promise<Record<string, unknown>[]> {
  return (await (await m.deps()).doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
}

describe('logs and stored data', () => {
  it('never log a secret, a key or event content, on any path; and keep no IP or trait with DROP_PERSONAL_DATA', async () => {
    // Prepare: events that carry personal data and markers
    const anonymousId = 'anon-privacy-1';
    const userId = 'user-privacy-1';
    const page = pageEvent({
      anonymousId,
      timestamp: '2026-04-01T10:00:00.000Z',
      url: `https://www.example.com/?utm_source=x&${URL_MARKER}`,
    });
    const identify: Record<string, unknown> = {
      ...identifyEvent({ anonymousId, userId, timestamp: '2026-04-01T10:01:00.000Z', traits: { email: EMAIL } }),
      context: { ip: IP, traits: { email: EMAIL } },
    };
    // Refused (no id), so kept in the rejected list: only its allow-listed fields
    const bad = {
      type: 'page',
      anonymousId: '',
      context: {
        ip: IP,
        userAgent: DEVICE_MARKER,
        device: { id: DEVICE_MARKER },
        location: { city: DEVICE_MARKER },
        page: { url: `https://x/?${URL_MARKER}` },
      },
      properties: { plan: DEVICE_MARKER },
      traits: { email: EMAIL },
    };
    const body = JSON.stringify([page, identify, bad]);

    // Act: every path that logs
    await m.storeEvent(request(body, { 'x-signature': 'sha1=wrong' }));
    const stored = await m.storeEvent(request(body, { 'x-signature': signBody(SECRET, body) }));
    const allBad = JSON.stringify({ batch: [bad] });
    await m.storeEvent(request(allBad, { 'x-signature': signBody(SECRET, allBad) }));
    await m.storeEvent(request('{"type":', { 'x-signature': signBody(SECRET, '{"type":') }));
    await m.refresh(`anon#${anonymousId}`, (await m.deps()).touches, (await m.deps()).classify);
    await (
      await m.deps()
    ).identity.link([
      { userId, anonymousId, messageId: String(identify.messageId), type: 'identify', linkedAt: '2026-04-01T10:01:00.000Z' },
    ]);
    const records = {
      Records: [
        {
          eventName: 'INSERT',
          dynamodb: { SequenceNumber: '1', NewImage: { pk: { S: `visitor#anon#${anonymousId}` }, sk: { S: 'touches' } } },
        },
        {
          eventName: 'INSERT',
          dynamodb: { SequenceNumber: '2', NewImage: { pk: { S: `user#${userId}` }, sk: { S: `anon#${anonymousId}` } } },
        },
      ],
    } as never;
    // Real-time sync meets a Segment that keeps failing (retried), then one that refuses (final).
    capture.script.push(...Array.from({ length: 5 }, () => ({ status: 500 })));
    const sync = await m.processAttribution(records, STREAM_CONTEXT);
    capture.script.push({ status: 400 });
    const refused = await m.processAttribution(records, STREAM_CONTEXT);
    await m.identifyUser(request('', { 'x-api-key': API_KEY }, { pathParameters: { id: userId } }));
    await m.getUser(request('', { 'x-api-key': `${API_KEY}-wrong` }, { pathParameters: { id: userId } }));
    const items = [
      ...(await scan(config.tables.page)),
      ...(await scan(config.tables.identify)),
      ...(await scan(config.tables.attribution)),
    ];

    // Assess: the paths ran and logged
    expect(stored.statusCode).toBe(200);
    expect(sync.batchItemFailures.length).toBeGreaterThan(0);
    expect(refused.batchItemFailures).toEqual([]);
    expect(logged).toContain('sent to Segment');
    expect(logged).toContain('events ingested');
    expect(logged).toContain('Segment refused real-time sync messages');
    expect(logged).toContain('attribution refresh failed');
    // …and never wrote down a secret or any content
    for (const secret of [
      SECRET,
      API_KEY,
      `${API_KEY}-wrong`,
      WRITE_KEY,
      Buffer.from(`${WRITE_KEY}:`).toString('base64'),
      EMAIL,
      IP,
      URL_MARKER,
    ]) {
      expect(logged).not.toContain(secret);
    }
    // Stored: the page URL (attribution needs it), but no IP and no trait anywhere
    const text = JSON.stringify(items);
    expect(text).toContain(URL_MARKER);
    expect(text).not.toContain(IP);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(DEVICE_MARKER);
  });
});
