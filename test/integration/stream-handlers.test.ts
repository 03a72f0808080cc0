import { randomUUID } from 'node:crypto';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { parseConfig } from '../../src/config';
import { testEnv, createTables } from '../helpers/tables';
import { signBody } from '../../src/segment/signature';
import { readStream } from '../helpers/streams';
import { at, identifyEvent, pageEvent, aliasEvent } from '../helpers/events';
import { depsFor } from '../helpers/handler-deps';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import { createProcessPageHandler } from '../../src/handlers/stream/process-page';
import { createProcessIdentifyHandler } from '../../src/handlers/stream/process-identify';
import { getUserView } from '../../src/app/visitor-view';

const SECRET = 'stream-test-secret';
const env = testEnv({ WEBHOOK_SECRET: SECRET });
const config = parseConfig(env);

const deps = depsFor(config);
const storeEvent = createStoreEventHandler(deps);
const processPage = createProcessPageHandler(deps);
const processIdentify = createProcessIdentifyHandler(deps);

const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const post = (body: unknown) =>
  storeEvent({
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, JSON.stringify(body)) },
    isBase64Encoded: false,
  } as unknown as Parameters<typeof storeEvent>[0]);

describe('stream handlers on real DynamoDB Local stream records', () => {
  beforeAll(async () => {
    await createTables(config);
  });

  it('turns stored page views and identifies into touches and links', async () => {
    // Prepare
    const anonymousId = randomUUID();
    const userId = `u-${randomUUID()}`;
    const t0 = '2026-04-01T08:00:00.000Z';
    await post([
      pageEvent({ anonymousId, timestamp: t0, url: 'https://www.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand' }),
      pageEvent({ anonymousId, timestamp: at(t0, 1), url: 'https://www.example.com/pricing', referrer: 'https://www.example.com/' }),
      pageEvent({ anonymousId, timestamp: at(t0, 300), referrer: 'https://www.linkedin.com/feed/' }),
    ]);
    await post({
      batch: [identifyEvent({ anonymousId, userId, timestamp: at(t0, 301) }), aliasEvent({ previousId: 'old-device', userId })],
    });

    // Act
    const pageResult = await processPage(await readStream(config.tables.page), context);
    const identifyResult = await processIdentify(await readStream(config.tables.identify), context);
    const view = await getUserView(userId, (await deps()).identity, (await deps()).touches);

    // Assess
    expect(pageResult.batchItemFailures).toEqual([]);
    expect(identifyResult.batchItemFailures).toEqual([]);
    expect(view?.anonymousIds.sort()).toEqual([anonymousId, 'old-device'].sort());
    expect(view?.touches.map((t) => [t.channel, t.source, t.campaign])).toEqual([
      ['Paid Search', 'google', 'brand'],
      ['Organic Social', 'linkedin', null],
    ]);
    expect(view?.pageViews).toBe(3);
  });

  it('sets aside a record that can never be processed, in the rejected list, and processes the rest', async () => {
    // Prepare
    const anonymousId = randomUUID();
    await post(pageEvent({ anonymousId }));
    const event = await readStream(config.tables.page);
    const good = event.Records.filter((r) => r.dynamodb?.NewImage?.anonymousId?.S === anonymousId);
    const broken: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '999', NewImage: { visitorKey: { S: 'anon#broken' }, messageId: { S: 'm' } } },
    };

    // Act
    const result = await processPage({ Records: [...good, broken] }, context);

    // Assess: not retried (it would fail the same way and hold back its shard), but kept where an operator looks
    const rejected = await (await deps()).events.listRejected(new Date().toISOString().slice(0, 10), 100);
    expect(result.batchItemFailures).toEqual([]);
    expect(rejected.find((r) => r.field === 'processing' && r.body.includes('999'))?.message).toMatch(/^processPage: /);
    expect(await (await deps()).touches.touchesOf(`anon#${anonymousId}`)).toBeDefined();
  });
});
