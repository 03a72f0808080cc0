/**
 * `sma backfill --conversions` against DynamoDB Local and the capture server
 * (which checks auth, sizes and the message schema as Segment does): one
 * `Conversion Attributed` track per stored conversion, attributed as at its
 * moment, under messageIds a re-run repeats.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillConversions, listConversions, type ConversionBackfillOptions } from '../../src/app/backfill/conversions';
import { parseConfig } from '../../src/config';
import { cliDeps } from '../../src/cli/import-command';
import { projectRoot } from '../../src/lib/project-root';
import { startSegmentCapture, type CapturedMessage, type SegmentCapture } from '../../src/local/capture-server';
import { SegmentBatchClient } from '../../src/segment/batch-client';
import { orderEvent, storeAndDerive, twoDeviceBuyer } from '../helpers/conversions';
import { at } from '../helpers/events';
import { createTables, testEnv } from '../helpers/tables';

const WRITE_KEY = 'wk_conversions';
const EVENT_NAME = 'Conversion Attributed';
const env = testEnv({ CONVERSION_EVENTS: 'Order Completed,Trial Started' });
const config = parseConfig(env);
const deps = cliDeps(config);

const t0 = '2026-02-02T09:00:00.000Z';
const buyer = twoDeviceBuyer(t0, { campaign: 'feb', laptopOrder: { total: 80.5, currency: 'USD' } });
const { userId, phone, laptop } = buyer;
const orders = { ...buyer.orders, old: `order-${randomUUID()}` };

/** Runs `sma backfill` as a user types it; resolves to its exit code and output. */
function smaBackfill(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    [join(projectRoot(), 'bin', 'sma.js'), 'backfill', '--endpoint', String(config.dynamodbEndpoint), ...args],
    { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

describe('sma backfill --conversions', () => {
  let capture: SegmentCapture;
  let options: ConversionBackfillOptions;
  const client = (): SegmentBatchClient => new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url });
  const checkpoint = (): string => join(mkdtempSync(join(tmpdir(), 'sma-bfc-')), 'checkpoint.json');
  const tracksOf = (messages: readonly CapturedMessage[], id: string) =>
    messages.filter((m) => m.event === EVENT_NAME && m.properties?.conversion_message_id === id);

  beforeAll(async () => {
    // The two-device buyer, and a year-old order with no touch.
    await createTables(config);
    capture = await startSegmentCapture(WRITE_KEY);
    await storeAndDerive(deps, [
      ...buyer.events,
      orderEvent({ userId: `u-${randomUUID()}`, timestamp: '2025-01-15T12:00:00.000Z', messageId: orders.old, event: 'Trial Started' }),
    ]);
    options = { dryRun: false, eventName: EVENT_NAME, model: deps.model, checkpointPath: checkpoint() };
  });
  afterAll(() => capture.close());

  it('sends one track per conversion with its value and its first and last touch at conversion time, and a re-run the same messageIds', async () => {
    // Prepare
    const listed = await listConversions(deps.conversions);

    // Act
    const first = await backfillConversions(listed, { ...deps, segment: client() }, options);
    const sentFirst = [...capture.messages];
    const second = await backfillConversions(listed, { ...deps, segment: client() }, { ...options, checkpointPath: checkpoint() });
    const sentSecond = capture.messages.slice(sentFirst.length);

    // Assess
    expect(first).toMatchObject({ conversions: 3, inRange: 3, messages: 3, failedMessages: 0, dryRun: false });
    expect(sentFirst.map((m) => m.properties?.conversion_message_id)).toEqual([orders.old, orders.phone, orders.laptop]);
    const [onPhone] = tracksOf(sentFirst, orders.phone);
    expect(onPhone).toMatchObject({ type: 'track', event: EVENT_NAME, anonymousId: phone, timestamp: at(t0, 60) });
    expect(onPhone?.userId).toBeUndefined();
    expect(onPhone?.properties).toMatchObject({
      conversion_event: 'Order Completed',
      value: 120,
      currency: 'EUR',
      source_first_channel: 'Email',
      source_first_source: 'newsletter',
      source_first_campaign: 'feb',
      source_last_channel: 'Email',
      touches_before: 1,
    });
    const [onLaptop] = tracksOf(sentFirst, orders.laptop);
    expect(onLaptop).toMatchObject({ userId, anonymousId: laptop, timestamp: at(t0, 4 * 24 * 60) });
    expect(onLaptop?.properties).toMatchObject({
      value: 80.5,
      currency: 'USD',
      source_first_source: 'newsletter',
      source_last_channel: 'Paid Search',
      source_last_source: 'google',
      touches_before: 2,
    });
    const [old] = tracksOf(sentFirst, orders.old);
    expect(old?.properties).toMatchObject({ conversion_event: 'Trial Started', value: null, source_first_channel: 'Direct' });
    expect(JSON.stringify(sentFirst)).not.toContain('linkedin');
    expect(second.messages).toBe(3);
    expect(sentSecond.map((m) => m.messageId)).toEqual(sentFirst.map((m) => m.messageId));
  });

  it('sends only the conversions in --since/--until, and nothing in a dry run', async () => {
    // Prepare
    const listed = await listConversions(deps.conversions);
    const before = capture.requests.length;
    const range = { since: new Date('2026-01-01T00:00:00Z'), until: new Date(at(t0, 4 * 24 * 60)) };

    // Act
    const dry = await backfillConversions(listed, { ...deps, segment: client() }, { ...options, ...range, dryRun: true });

    // Assess: the old order is before the range; the laptop's order is at `until`, which is outside
    expect(capture.requests.length).toBe(before);
    expect(dry).toMatchObject({ conversions: 3, inRange: 1, messages: 1, dryRun: true });
    expect(dry.sample.map((m) => m.properties?.conversion_message_id)).toEqual([orders.phone]);
  });

  it('keeps the conversions whose track failed for now in the checkpoint, and a re-run sends only theirs', async () => {
    // Prepare: Segment answers 503 to every attempt of the first request
    const listed = await listConversions(deps.conversions);
    capture.script.push(...Array.from({ length: 5 }, () => ({ status: 503 })));
    const path = checkpoint();
    const before = capture.messages.length;

    // Act
    const failed = await backfillConversions(listed, { ...deps, segment: client() }, { ...options, checkpointPath: path });
    const resumed = await backfillConversions(listed, { ...deps, segment: client() }, { ...options, checkpointPath: path });

    // Assess
    expect(failed).toMatchObject({ failedMessages: 3, failedIds: 3, resumed: false });
    expect(resumed).toMatchObject({ resumed: true, retried: 3, messages: 3, failedMessages: 0, failedIds: 0 });
    expect(capture.messages.length - before).toBe(3);
  });

  it('runs from the command line, and says to set CONVERSION_EVENTS when it is unset or combined with the other kinds', async () => {
    // Prepare
    const segmentEnv = { ANALYTICS_WRITE_KEY: WRITE_KEY, SEGMENT_API_HOST: capture.url };
    const before = capture.messages.length;

    // Act
    const sent = await smaBackfill(['--conversions', '--since', '2026-01-01', '--checkpoint', checkpoint()], segmentEnv);
    const off = await smaBackfill(['--conversions', '--checkpoint', checkpoint()], { ...segmentEnv, CONVERSION_EVENTS: '' });
    const mixed = await smaBackfill(['--conversions', '--identify', '--checkpoint', checkpoint()], segmentEnv);

    // Assess
    expect(sent.code).toBe(0);
    expect(sent.out).toContain('backfill of conversions finished');
    expect(sent.out).toMatch(/in range +2/);
    expect(capture.messages.slice(before).map((m) => m.properties?.conversion_message_id)).toEqual([orders.phone, orders.laptop]);
    expect(off.code).toBe(1);
    expect(off.err).toContain('set CONVERSION_EVENTS');
    expect(mixed.code).toBe(1);
    expect(mixed.err).toContain('--conversions sends conversions only');
  }, 30_000);
});
