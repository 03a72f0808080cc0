import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config';
import { signBody } from '../../src/segment/signature';
import { testEnv, createTables } from '../helpers/tables';
import { pageEvent } from '../helpers/events';
import type { HttpEvent, HttpResult } from '../../src/handlers/http/http';

const SECRET = 'webhook-secret';
const API_KEY = 'k-123';
const env = testEnv({ WEBHOOK_SECRET: SECRET, API_KEY });
Object.assign(process.env, env);
const config = parseConfig(env);

/* eslint-disable @typescript-eslint/no-require-imports */
const { handler: storeEvent } = require('../../src/handlers/http/store-event') as typeof import('../../src/handlers/http/store-event');
const { getUser } = require('../../src/handlers/http/views') as typeof import('../../src/handlers/http/views');
const { handler: listRejected } =
  require('../../src/handlers/http/list-rejected') as typeof import('../../src/handlers/http/list-rejected');
/* eslint-enable @typescript-eslint/no-require-imports */

function request(body: string, headers: Record<string, string> = {}, extra: Partial<HttpEvent> = {}): HttpEvent {
  return { body, headers: { 'content-type': 'application/json', ...headers }, isBase64Encoded: false, ...extra } as HttpEvent;
}

function signed(body: unknown): HttpEvent {
  const text = JSON.stringify(body);
  return request(text, { 'x-signature': signBody(SECRET, text) });
}

function parse(result: HttpResult): Record<string, unknown> {
  return JSON.parse(String(result.body)) as Record<string, unknown>;
}

describe('storeEvent', () => {
  beforeAll(async () => {
    await createTables(config);
  });

  it('accepts a signed event, batch envelope and Actions array', async () => {
    // Prepare
    const array = [pageEvent(), pageEvent()];
    const arrayText = JSON.stringify(array);

    // Act
    const single = await storeEvent(signed(pageEvent()));
    const batch = await storeEvent(signed({ batch: [pageEvent(), pageEvent(), pageEvent()] }));
    // Webhooks (Actions) signs the first event of a batch.
    const actions = await storeEvent(request(arrayText, { 'x-signature': signBody(SECRET, JSON.stringify(array[0])) }));

    // Assess
    expect([single.statusCode, batch.statusCode, actions.statusCode]).toEqual([200, 200, 200]);
    expect(parse(batch)).toMatchObject({ received: 3, stored: 3 });
    expect(parse(actions)).toMatchObject({ received: 2, stored: 2 });
  });

  it.each([
    ['no signature', request(JSON.stringify(pageEvent())), 401, 'x-signature'],
    ['a wrong signature', request(JSON.stringify(pageEvent()), { 'x-signature': 'deadbeef' }), 401, 'x-signature'],
    ['invalid JSON', request('{"type":', { 'x-signature': signBody(SECRET, '{"type":') }), 400, 'body'],
    ['an empty body', request('', { 'x-signature': signBody(SECRET, '') }), 400, 'body'],
    ['a form body', request('a=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'content-type'],
    ['a JSON string', request('"page"', { 'x-signature': signBody(SECRET, '"page"') }), 400, 'body'],
    ['an object that is no event', signed({ hello: 'world' }), 400, 'type'],
    ['an empty batch', signed({ batch: [] }), 400, 'batch'],
    ['a batch over 2,500 events', signed({ batch: Array.from({ length: 2501 }, () => ({ type: 'page' })) }), 413, 'batch'],
    ['a body over the size limit', request('['.padEnd(6 * 1024 * 1024, ' ') + ']'), 413, 'body'],
  ])('refuses %s with %i naming the field', async (_name, event, status, field) => {
    // Act
    const result = await storeEvent(event);

    // Assess
    expect(result.statusCode).toBe(status);
    expect(parse(result)).toMatchObject({ details: { field } });
  });

  it('answers 400 naming the field when every event is invalid, and keeps them', async () => {
    // Act
    const result = await storeEvent(signed([{ type: 'page', anonymousId: '' }]));
    const listed = await listRejected(request('', { 'x-api-key': API_KEY }));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(parse(result).error).toBe('event 0: anonymousId anonymousId or userId is required');
    expect(JSON.stringify(parse(listed))).toContain('anonymousId or userId is required');
  });

  it('answers 503 with Retry-After when DynamoDB is unreachable', async () => {
    // Prepare: a handler whose configuration points at a closed port.
    let handler: typeof storeEvent = storeEvent;
    const saved = { ...process.env };
    Object.assign(process.env, testEnv({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', WEBHOOK_SECRET: '' }));
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../src/handlers/http/store-event') as typeof import('../../src/handlers/http/store-event')).handler;
    });

    // Act
    let result: HttpResult;
    try {
      result = await handler(request(JSON.stringify(pageEvent())));
    } finally {
      process.env = saved;
    }

    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': '5' });
    expect(parse(result)).toEqual({ error: 'storage is temporarily unavailable; retry later' });
  });
});

describe('the debug API', () => {
  it('requires the API key when one is configured', async () => {
    // Act
    const missing = await getUser(request('', {}, { pathParameters: { id: 'u' } }));
    const wrong = await getUser(request('', { 'x-api-key': 'nope' }, { pathParameters: { id: 'u' } }));
    const unknown = await getUser(request('', { 'x-api-key': API_KEY }, { pathParameters: { id: randomUUID() } }));

    // Assess
    expect([missing.statusCode, wrong.statusCode, unknown.statusCode]).toEqual([401, 401, 404]);
  });
});
