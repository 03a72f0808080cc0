/**
 * The bad-input corpus (test/fixtures/bad-input/): every case posted through
 * `sls offline` gets its documented status and a JSON error naming the field;
 * nothing of a refused body is stored; the service keeps serving. The same
 * events fed to `sma import` are rejected line by line with the same field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { buildDeps } from '../../src/handlers/deps';
import { cliDeps } from '../../src/cli/import-command';
import { importHistory } from '../../src/app/import/importer';
import { signBody } from '../../src/segment/signature';
import { pageEvent } from '../helpers/events';
import { OFFLINE_START_MS, startStack, type Stack } from '../helpers/offline';

const CORPUS = join(__dirname, '..', 'fixtures', 'bad-input');

interface EventCase {
  name: string;
  why: string;
  route: string;
  contentType: string;
  status: number;
  field?: string;
  json?: unknown;
  body?: string;
  generate?: { kind: string; [k: string]: unknown };
  stored?: number;
}

interface ApiCase {
  name: string;
  route: string;
  status: number;
  field?: string;
  auth: 'key' | 'none' | 'wrong' | 'wrongBasic' | 'basic';
}

const eventCases = JSON.parse(readFileSync(join(CORPUS, 'events.json'), 'utf8')) as EventCase[];
const apiCases = JSON.parse(readFileSync(join(CORPUS, 'api.json'), 'utf8')) as ApiCase[];

/** A valid page event body with the case's ids, as text. */
const validPage = (anon: string, msg: string): Record<string, unknown> => ({
  type: 'page',
  anonymousId: anon,
  messageId: msg,
  timestamp: '2026-05-01T10:00:00Z',
});

/** The request body of a case, with `$ANON` and `$MSG` made unique to it. */
function bodyOf(c: EventCase, anon: string, msg: string): Buffer {
  const fill = (text: string): string => text.replaceAll('$ANON', anon).replaceAll('$MSG', msg);
  if (c.body !== undefined) return Buffer.from(fill(c.body));
  if (c.json !== undefined) return Buffer.from(fill(JSON.stringify(c.json)));
  const g = c.generate ?? { kind: '' };
  const n = Number(g.count ?? g.bytes ?? g.length ?? g.depth ?? 0);
  switch (g.kind) {
    case 'bigBody':
      return Buffer.from(JSON.stringify({ ...validPage(anon, msg), properties: { pad: 'x'.repeat(n) } }));
    case 'batch':
      return Buffer.from(JSON.stringify({ batch: Array.from({ length: n }, (_, i) => validPage(anon, `${msg}-${i}`)) }));
    case 'array':
      return Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => validPage(anon, `${msg}-${i}`))));
    case 'bigEvent':
      return Buffer.from(JSON.stringify({ ...validPage(anon, msg), properties: { pad: 'x'.repeat(n) } }));
    case 'longField':
      return Buffer.from(
        JSON.stringify({ ...validPage(anon, msg), [String(g.field)]: (typeof g.char === 'string' ? g.char : 'z').repeat(n) }),
      );
    case 'invalidUtf8': {
      const [head, tail] = JSON.stringify({ ...validPage(anon, msg), properties: { title: '@@' } }).split('@@');
      return Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(tail ?? '')]);
    }
    case 'deepTraits':
      return Buffer.from(`{"type":"identify","userId":"${anon}","messageId":"${msg}","traits":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`);
    case 'deepProperties':
      return Buffer.from(`{"type":"page","anonymousId":"${anon}","messageId":"${msg}","properties":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`);
    default:
      throw new Error(`unknown generator ${g.kind} in ${c.name}`);
  }
}

/**
 * The bytes the function receives for a body. API Gateway passes a body
 * through as it came; sls offline decodes it as UTF-8 and, for a JSON content
 * type, passes a body that parses to null, false, 0 or a string as that value.
 * Segment's bodies (JSON objects and arrays from JSON.stringify) survive both;
 * the corpus cases that do not are signed as delivered, since what they test
 * is the body checks behind the signature.
 */
function asDelivered(body: Buffer, contentType: string): Buffer {
  const text = body.toString('utf8');
  if (!contentType.startsWith('application/json')) return Buffer.from(text);
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed) return Buffer.alloc(0);
    if (typeof parsed === 'string') return Buffer.from(parsed);
  } catch {
    // Not JSON: delivered as text.
  }
  return Buffer.from(text);
}

let stack: Stack;

beforeAll(async () => {
  // INFO: the log test below reads what the functions log on every path.
  stack = await startStack({ POWERTOOLS_LOG_LEVEL: 'INFO' });
}, OFFLINE_START_MS + 10_000);

afterAll(async () => {
  await stack?.stop();
});

/** How many of these messageIds (and numbered variants up to `variants`) are stored in either event table. */
async function storedCount(msg: string, variants: number): Promise<number> {
  const { doc } = buildDeps(stack.config);
  const ids = [msg, `${msg}-b`, ...Array.from({ length: variants }, (_, i) => `${msg}-${i}`)];
  let found = 0;
  for (const table of [stack.config.tables.page, stack.config.tables.identify]) {
    for (let i = 0; i < ids.length; i += 100) {
      const keys = ids.slice(i, i + 100).map((messageId) => ({ messageId }));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
      found += out.Responses?.[table]?.length ?? 0;
    }
  }
  return found;
}

describe('the bad-input corpus through sls offline', () => {
  it('has at least 60 cases', () => {
    // Assess
    expect(eventCases.length + apiCases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(eventCases.map((c) => [c.name, c] as const))('POST /events: %s', async (_name, c) => {
    // Prepare
    const anon = `bad-${randomUUID()}`;
    const msg = `bad-${randomUUID()}`;

    // Act: signed, so that the body's own checks are what is tested
    const body = bodyOf(c, anon, msg);
    const res = await stack.postRaw(body, {
      contentType: c.contentType,
      signature: signBody(stack.webhookSecret, asDelivered(body, c.contentType)),
    });
    const json = res.json as { error?: string; details?: { field?: string }; stored?: number };
    const variants = Number(c.generate?.count ?? 0);

    // Assess
    const refused = c.status >= 400;
    expect(res.status).toBe(c.status);
    expect(refused ? { error: typeof json.error, field: json.details?.field } : { stored: json.stored }).toEqual(
      refused ? { error: 'string', field: c.field } : { stored: c.stored },
    );
    expect(await storedCount(msg, variants)).toBe(c.status >= 400 ? 0 : (c.stored ?? 0));
    // Still serving.
    expect((await stack.post(pageEvent())).status).toBe(200);
  });

  describe('signatures', () => {
    const marker = `body-marker-${randomUUID()}`;
    const messageIds = [`sig-${randomUUID()}`, `sig-${randomUUID()}`];
    const events = messageIds.map((msg) => ({ ...validPage(`sig-${randomUUID()}`, msg), properties: { marker } }));
    const one = Buffer.from(JSON.stringify(events[0]));
    const cases: [string, () => Promise<{ status: number; json: Record<string, unknown> }>][] = [
      ['no signature', () => stack.postRaw(one, { signature: null })],
      ['a wrong signature', () => stack.postRaw(one, { signature: signBody('not-the-secret', one) })],
      ['a signature that is not hex', () => stack.postRaw(one, { signature: 'sha1=whatever' })],
      [
        'a signature over a different body',
        () => stack.postRaw(one, { signature: signBody(stack.webhookSecret, JSON.stringify(events[1])) }),
      ],
      [
        'an array whose first event alone is signed (appended events)',
        () => stack.postRaw(Buffer.from(JSON.stringify(events)), { signature: signBody(stack.webhookSecret, JSON.stringify(events[0])) }),
      ],
      [
        'a 5 MB unsigned body',
        () =>
          stack.postRaw(Buffer.from(JSON.stringify({ ...events[0], properties: { marker, pad: 'x'.repeat(5_300_000) } })), {
            signature: null,
          }),
      ],
    ];

    it.each(cases)('POST /events with %s: 401 naming x-signature, nothing stored', async (_name, post) => {
      // Act
      const res = await post();

      // Assess
      expect(res.status).toBe(401);
      expect(typeof res.json.error).toBe('string');
      expect(res.json.details).toEqual({ field: 'x-signature' });
      for (const msg of messageIds) expect(await storedCount(msg, 0)).toBe(0);
      expect((await stack.post(pageEvent())).status).toBe(200);
    });

    it('logs neither the key, the secret nor a refused body', () => {
      // Assess
      const logs = stack.logs();
      expect(logs).toContain('events ingested');
      expect(logs).not.toContain(stack.apiKey);
      expect(logs).not.toContain(stack.webhookSecret);
      expect(logs).not.toContain(marker);
    });
  });

  it.each(apiCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // Prepare
    const [method, path] = c.route.split(' ') as [string, string];
    const headers: Record<string, string> = {
      key: { 'x-api-key': stack.apiKey },
      none: {},
      wrong: { 'x-api-key': `${stack.apiKey}x` },
      wrongBasic: { authorization: `Basic ${Buffer.from('sma:nope').toString('base64')}` },
      basic: { authorization: `Basic ${Buffer.from(`sma:${stack.apiKey}`).toString('base64')}` },
    }[c.auth];

    // Act
    const res = await fetch(`${stack.base}${path}`, { method, headers });
    const json = (await res.json()) as { error?: string; details?: { field?: string } };

    // Assess
    expect(res.status).toBe(c.status);
    expect(json.error).toEqual(expect.any(String));
    expect(json.details?.field).toBe(c.field);
  });

  it('rejects the same events line by line in sma import, naming the same field', async () => {
    // Prepare: every single-event case that fits on a line
    const dir = mkdtempSync(join(tmpdir(), 'sma-bad-import-'));
    const lines = eventCases
      .filter(
        (c) =>
          c.status === 400 &&
          c.field !== 'body' &&
          c.field !== 'batch' &&
          c.field !== 'type' &&
          (c.json === undefined || !Array.isArray(c.json)),
      )
      .map((c) => ({ c, line: bodyOf(c, `imp-${randomUUID()}`, `imp-${randomUUID()}`).toString('utf8') }))
      .filter(({ line }) => !line.includes('\n') && !line.startsWith('['));
    writeFileSync(join(dir, 'bad.jsonl'), `${lines.map((l) => l.line).join('\n')}\n${JSON.stringify(pageEvent())}\n`);
    const paths = { checkpointPath: join(dir, 'cp.json'), rejectsPath: join(dir, 'rejects.jsonl') };

    // Act
    const summary = await importHistory([dir], cliDeps(stack.config), paths);
    const rejects = readFileSync(paths.rejectsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string });

    // Assess
    expect(lines.length).toBeGreaterThan(25);
    expect(summary).toMatchObject({ read: lines.length + 1, stored: 1, rejected: lines.length });
    expect(rejects.map((r) => r.reason.split(':')[0])).toEqual(lines.map(({ c }) => c.field));
  });
});

describe('valid events that used to poison a stream', () => {
  /** Posts an event, then another visitor's page view, and waits for both visitors' touches. */
  async function processedWithNeighbour(events: Record<string, unknown>[], anonymousId: string): Promise<Record<string, unknown>> {
    const neighbour = `n-${randomUUID()}`;
    for (const e of events) expect((await stack.post(e)).status).toBe(200);
    expect(
      (await stack.post(pageEvent({ anonymousId: neighbour, url: 'https://www.example.com/?utm_source=ok&utm_medium=email' }))).status,
    ).toBe(200);
    await stack.eventually(`/api/anonymous/${neighbour}`, (j) => (j.touches as unknown[]).length === 1);
    return stack.eventually(`/api/anonymous/${anonymousId}`, (j) => (j.touches as unknown[]).length > 0);
  }

  it('counts utm values of 250 CJK characters under a bounded name, and the next visitor gets its touch', async () => {
    // Prepare: about 750 bytes each; whole in a counter id, they would pass the 1,024-byte sort key
    const anonymousId = `cjk-${randomUUID()}`;
    const long = (tag: string) => encodeURIComponent(`${tag}${'漢'.repeat(250)}`);
    const url = `https://www.example.com/?utm_source=${long('s')}&utm_medium=email&utm_campaign=${long('c')}`;

    // Act
    const view = await processedWithNeighbour([pageEvent({ anonymousId, url, timestamp: '2026-05-02T10:00:00.000Z' })], anonymousId);
    const report = await stack.getJson('/api/report?since=2026-05-02&until=2026-05-02');

    // Assess
    expect((view.touches as { source: string }[])[0]?.source.startsWith('s漢漢')).toBe(true);
    expect(report.status).toBe(200);
    expect(JSON.stringify(report.json.sources)).toMatch(/s漢+…[0-9a-f]{8}/);
  });

  it('keeps the touches of 15 page views with 30 KB URLs within one item, and the next visitor gets its touch', async () => {
    // Prepare: a new campaign on every view, so each is a touch; 455 KB of touches whole
    const anonymousId = `big-${randomUUID()}`;
    // (the URL in context.page only: twice, it would pass Segment's 32 KB per event)
    const events = Array.from({ length: 15 }, (_, i) => ({
      ...pageEvent({
        anonymousId,
        timestamp: `2026-05-03T${String(i).padStart(2, '0')}:00:00.000Z`,
        url: `https://www.example.com/?utm_source=s${i}&utm_medium=email&pad=${'x'.repeat(30_000)}`,
      }),
      properties: {},
    }));

    // Act
    const view = await processedWithNeighbour(events, anonymousId);
    await stack.eventually(`/api/anonymous/${anonymousId}`, (j) => (j.touches as unknown[]).length === 15);

    // Assess: every touch kept, each URL cut to 1,000 bytes
    expect(Math.max(...(view.touches as { landing_page: string }[]).map((t) => Buffer.byteLength(t.landing_page)))).toBeLessThanOrEqual(
      1_000,
    );
  });
});
