/**
 * Conversions end to end on the local stack (sls offline with the stream
 * runner, CONVERSION_EVENTS=Order Completed, REALTIME_SYNC=users,conversions):
 * from the webhook to a `Conversion Attributed` track at the capture server,
 * to the debug view and to /api/report, with no manual call.
 */
import { randomUUID } from 'node:crypto';
import { kept, type CapturedMessage } from '../../src/local/capture-server';
import { at, identifyEvent, pageEvent } from '../helpers/events';
import { orderEvent } from '../helpers/conversions';
import { OFFLINE_START_MS, STREAM_WAIT_MS, startStack, type Stack } from '../helpers/offline';

const EVENT_NAME = 'Conversion Attributed';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ CONVERSION_EVENTS: 'Order Completed', REALTIME_SYNC: 'users,conversions' });
}, OFFLINE_START_MS + 10_000);

afterAll(async () => {
  await stack?.stop();
});

/** What Segment keeps of the `Conversion Attributed` tracks of one conversion, after its messageId dedupe. */
const attributed = (conversionId: string): CapturedMessage[] =>
  kept(stack.capture.messages.filter((m) => m.event === EVENT_NAME && m.properties?.conversion_message_id === conversionId));

/** Waits for the conversion's track, or fails after STREAM_WAIT_MS. */
async function trackOf(conversionId: string): Promise<CapturedMessage> {
  const deadline = Date.now() + STREAM_WAIT_MS;
  for (;;) {
    const [track] = attributed(conversionId);
    if (track) return track;
    if (Date.now() > deadline) throw new Error(`no ${EVENT_NAME} for ${conversionId} within ${STREAM_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Listed = { messageId: string; value: unknown; credits: Record<string, unknown[]> };

describe('conversions on the local stack', () => {
  const anonymousId = randomUUID();
  const userId = `user-${randomUUID()}`;
  const t0 = '2026-06-03T09:00:00.000Z';
  const newsletter = { channel: 'Email', source: 'newsletter', campaign: 'june' };

  it('sends Conversion Attributed with the touch of its moment, lists it in the debug view and counts it in the report', async () => {
    // Prepare
    const order = orderEvent({ anonymousId, timestamp: at(t0, 10), properties: { revenue: 49.9, currency: 'EUR' } });

    // Act: a campaign visit, an order before sign-up, then sign-up; no call to /segment
    await stack.post(
      pageEvent({ anonymousId, timestamp: t0, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june' }),
    );
    // The order minutes after the landing, as a buyer's is: its touch is derived by then.
    await stack.eventually(`/api/anonymous/${anonymousId}`, (j) => (j.touches as unknown[]).length === 1);
    const stored = await stack.post(order);
    await stack.post(identifyEvent({ anonymousId, userId, timestamp: at(t0, 15) }));
    const track = await trackOf(String(order.messageId));
    const view = await stack.eventually(`/api/user/${userId}`, (j) => (j.conversions as unknown[] | undefined)?.length === 1);
    const report = await stack.eventually(
      '/api/report?since=2026-06-03&until=2026-06-03&model=first_touch',
      (j) => (j.conversions as { total?: { count: number } } | undefined)?.total?.count === 1,
    );
    const echo = await stack.post(track);

    // Assess
    expect(stored.json).toMatchObject({ stored: 1 });
    expect(track).toMatchObject({ type: 'track', anonymousId, timestamp: at(t0, 10) });
    expect(track.properties).toMatchObject({
      conversion_event: 'Order Completed',
      value: 49.9,
      currency: 'EUR',
      source_first_channel: 'Email',
      source_first_source: 'newsletter',
      source_first_campaign: 'june',
      source_last_channel: 'Email',
      source_last_source: 'newsletter',
    });
    const [listed] = view.conversions as Listed[];
    expect(listed?.messageId).toBe(order.messageId);
    expect(listed?.value).toEqual({ amount: 49.9, currency: 'EUR' });
    expect(listed?.credits.first_touch).toEqual([{ ...newsletter, credit: 1 }]);
    expect(listed?.credits.last_touch).toEqual([{ ...newsletter, credit: 1 }]);
    expect(report.conversions).toMatchObject({
      total: { count: 1, value: { EUR: 49.9 } },
      byChannel: [{ channel: 'Email', count: 1, value: { EUR: 49.9 } }],
    });
    expect(echo.json).toMatchObject({ ignored: 1 });
    expect(attributed(String(order.messageId))).toHaveLength(1);
  });

  it('attributes a conversion that only processConversion hears of: a signed-in order that carries the user id alone', async () => {
    // Prepare: written to the conversion table only (a track without both ids links nothing)
    const order = orderEvent({ userId, timestamp: at(t0, 2 * 24 * 60), properties: { total: 20, currency: 'USD' } });

    // Act
    await stack.post(order);
    const track = await trackOf(String(order.messageId));

    // Assess
    expect(track).toMatchObject({ userId, timestamp: at(t0, 2 * 24 * 60) });
    expect(track.anonymousId).toBeUndefined();
    expect(track.properties).toMatchObject({ value: 20, currency: 'USD', source_first_source: 'newsletter', touches_before: 1 });
  });
});
