import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config';
import { signBody } from '../../src/segment/signature';
import { testEnv, createTables } from '../helpers/tables';
import { buildDeps } from '../../src/handlers/deps';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import { createViewHandler } from '../../src/handlers/http/views';
import { createListRejectedHandler } from '../../src/handlers/http/list-rejected';
import { pageEvent } from '../helpers/events';
import { depsFor } from '../helpers/handler-deps';
import type { HttpEvent, HttpResult } from '../../src/handlers/http/http';

const SECRET = 'webhook-secret';
const API_KEY = 'k-123';
const env = testEnv({ WEBHOOK_SECRET: SECRET, API_KEY });
const config = parseConfig(env);

const deps = depsFor(config);
const storeEvent = createStoreEventHandler(deps);
const getUser = createViewHandler('user', deps);
const listRejected = createListRejectedHandler(deps);

function request(body: string, headers: Record<string, string> = {}, extra: Partial<HttpEvent> = {}): HttpEvent {
  return { body, headers: { 'content-type': 'application/json', ...headers }, isBase64Encoded: false, ...extra } as HttpEvent;
}

function signedText(text: string): HttpEvent {
  return request(text, { 'x-signature': signBody(SECRET, text) });
}

function signed(body: unknown): HttpEvent {
  return signedText(JSON.stringify(body));
}

function parse(result: HttpResult): Record<string, unknown> {
  return JSON.parse(String(result.body)) as Record<string, unknown>;
}

describe('storeEvent', () => {
  beforeAll(async () => {
    await createTables(config);
  });

  it('accepts a signed event, batch envelope and array', async () => {
    // Act
    const single = await storeEvent(signed(pageEvent()));
    const batch = await storeEvent(signed({ batch: [pageEvent(), pageEvent(), pageEvent()] }));
    const array = await storeEvent(signed([pageEvent(), pageEvent()]));

    // Assess
    expect([single.statusCode, batch.statusCode, array.statusCode]).toEqual([200, 200, 200]);
    expect(parse(batch)).toMatchObject({ received: 3, stored: 3 });
    expect(parse(array)).toMatchObject({ received: 2, stored: 2 });
  });

  it("takes Webhooks (Actions) batching's signature of the first event only when WEBHOOK_SIGNATURE=first-event", async () => {
    // Prepare
    const array = [pageEvent(), pageEvent()];
    const firstOnly = request(JSON.stringify(array), { 'x-signature': signBody(SECRET, JSON.stringify(array[0])) });
    const lenient = createStoreEventHandler(() => Promise.resolve(buildDeps(parseConfig({ ...env, WEBHOOK_SIGNATURE: 'first-event' }))));

    // Act
    const strict = await storeEvent(firstOnly);
    const accepted = await lenient(firstOnly);

    // Assess
    expect(strict.statusCode).toBe(401);
    expect(parse(strict)).toMatchObject({ details: { field: 'x-signature' } });
    expect(accepted.statusCode).toBe(200);
    expect(parse(accepted)).toMatchObject({ received: 2, stored: 2 });
  });

  it('refuses every event while no webhook secret is configured, with a 503 Segment retries', async () => {
    // Prepare
    const unset = parseConfig({ ...env, WEBHOOK_SECRET: '' });
    const closed = createStoreEventHandler(() => Promise.resolve(buildDeps(unset)));
    const open = createStoreEventHandler(() =>
      Promise.resolve(buildDeps(parseConfig({ ...env, WEBHOOK_SECRET: '', ALLOW_UNAUTHENTICATED: 'true' }))),
    );

    // Act
    const refused = await closed(request(JSON.stringify(pageEvent())));
    const served = await open(request(JSON.stringify(pageEvent())));

    // Assess
    expect(refused.statusCode).toBe(503);
    expect(refused.headers).toMatchObject({ 'retry-after': '5' });
    expect(served.statusCode).toBe(200);
  });

  it.each([
    ['no signature', request(JSON.stringify(pageEvent())), 401, 'x-signature'],
    ['a wrong signature', request(JSON.stringify(pageEvent()), { 'x-signature': 'deadbeef' }), 401, 'x-signature'],
    ['invalid JSON', request('{"type":', { 'x-signature': signBody(SECRET, '{"type":') }), 400, 'body'],
    ['an empty body', request('', { 'x-signature': signBody(SECRET, '') }), 400, 'body'],
    [
      'a form body',
      request('a=1', { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': signBody(SECRET, 'a=1') }),
      415,
      'content-type',
    ],
    ['a JSON string', request('"page"', { 'x-signature': signBody(SECRET, '"page"') }), 400, 'body'],
    ['an object that is no event', signed({ hello: 'world' }), 400, 'type'],
    ['an empty batch', signed({ batch: [] }), 400, 'batch'],
    ['a batch over 2,500 events', signed({ batch: Array.from({ length: 2501 }, () => ({ type: 'page' })) }), 413, 'batch'],
    ['a signed body over the size limit', signedText('['.padEnd(6 * 1024 * 1024, ' ') + ']'), 413, 'body'],
    ['an unsigned body over the size limit', request('['.padEnd(6 * 1024 * 1024, ' ') + ']'), 401, 'x-signature'],
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
    expect(parse(result).error).toBe('event 0: anonymousId or userId is required');
    expect(JSON.stringify(parse(listed))).toContain('anonymousId or userId is required');
  });

  it('answers 503 with Retry-After when DynamoDB is unreachable', async () => {
    // Prepare: a handler whose configuration points at a closed port.
    const unreachable = parseConfig(testEnv({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', WEBHOOK_SECRET: SECRET }));
    const handler = createStoreEventHandler(() => Promise.resolve(buildDeps(unreachable)));

    // Act
    const result = await handler(signed(pageEvent()));

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
