import { randomUUID } from 'node:crypto';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { linkIdentities } from '../../src/app/link-identities';
import { ingestEvents } from '../../src/app/store-events';
import { visitorKeyOf } from '../../src/attribution/visitor-key';
import { feedSegment } from '../../src/app/send-attribution';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { SegmentBatchClient } from '../../src/segment/batch-client';
import { freshConfig } from '../helpers/tables';
import { at, pageEvent } from '../helpers/events';
import { startSegmentCapture, type SegmentCapture } from '../../src/local/capture-server';

const WRITE_KEY = 'wk_feed';

describe('feedSegment over DynamoDB Local and a capture server', () => {
  let deps: Deps;
  let capture: SegmentCapture;

  beforeAll(async () => {
    capture = await startSegmentCapture(WRITE_KEY);
    deps = buildDeps(await freshConfig({ ANALYTICS_WRITE_KEY: WRITE_KEY, SEGMENT_API_HOST: capture.url }));
  });
  afterAll(() => capture.close());

  it('credits a user over the touches of all three of its devices', async () => {
    // Prepare: laptop from Google, phone from an Instagram ad, tablet direct
    const userId = `u-${randomUUID()}`;
    const [laptop, phone, tablet] = [randomUUID(), randomUUID(), randomUUID()];
    const t0 = '2026-09-01T08:00:00.000Z';
    await ingestEvents(
      [
        pageEvent({
          anonymousId: phone,
          timestamp: at(t0, 60 * 24),
          url: 'https://www.example.com/?utm_source=instagram&utm_medium=paid_social&utm_campaign=fall',
        }),
        pageEvent({ anonymousId: laptop, timestamp: t0, referrer: 'https://www.google.com/' }),
        pageEvent({ anonymousId: tablet, timestamp: at(t0, 60 * 48) }),
      ],
      deps.events,
    );
    for (const anonymousId of [laptop, phone, tablet])
      await refreshVisitorTouches(visitorKeyOf({ anonymousId }), deps.touches, deps.classify);
    await linkIdentities(
      [laptop, phone, tablet].map((anonymousId) => ({ messageId: randomUUID(), type: 'identify', timestamp: t0, userId, anonymousId })),
      deps.identity,
    );
    const feed = { ...deps, eventName: 'Source Identified' };

    // Act
    const identify = await feedSegment('identify-user', userId, feed);
    const tracks = await feedSegment('track-user', userId, feed);

    // Assess
    expect(identify?.failures).toEqual([]);
    const sent = capture.messages.filter((m) => m.userId === userId);
    expect(sent.find((m) => m.type === 'identify')?.traits).toMatchObject({
      source_first_channel: 'Organic Search',
      source_first_source: 'google',
      source_last_channel: 'Paid Social',
      source_last_source: 'instagram',
      source_last_campaign: 'fall',
    });
    expect(tracks?.messages).toBe(3);
    expect(sent.filter((m) => m.type === 'track').map((m) => [m.anonymousId, m.timestamp, m.properties?.is_first_touch])).toEqual([
      [laptop, t0, true],
      [phone, at(t0, 60 * 24), false],
      [tablet, at(t0, 60 * 48), false],
    ]);
  });

  it('sends nothing for an unknown id', async () => {
    // Act
    const result = await feedSegment('track-anonymous', randomUUID(), { ...deps, eventName: 'Source Identified' });

    // Assess
    expect(result).toBeUndefined();
  });

  it('is a dry run without a write key', async () => {
    // Prepare
    const dry = { ...deps, segment: new SegmentBatchClient({ writeKey: undefined, host: capture.url }), eventName: 'Source Identified' };
    const anonymousId = randomUUID();
    await ingestEvents([pageEvent({ anonymousId })], deps.events);
    await refreshVisitorTouches(visitorKeyOf({ anonymousId }), deps.touches, deps.classify);
    const before = capture.requests.length;

    // Act
    const result = await feedSegment('track-anonymous', anonymousId, dry);

    // Assess
    expect(result).toMatchObject({ dryRun: true, messages: 1, requests: 0 });
    expect(result?.batches?.[0]?.batch[0]).toMatchObject({ type: 'track', anonymousId, event: 'Source Identified' });
    expect(capture.requests.length).toBe(before);
  });
});
