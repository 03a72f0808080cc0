/**
 * End to end through `sls offline`: the real serverless.yml, the HTTP API,
 * and the stream plugin driving processPage and processIdentify against
 * DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { aliasEvent, at, identifyEvent, pageEvent, trackEvent } from '../helpers/events';
import { OFFLINE_START_MS, startStack, type Stack } from '../helpers/offline';

let stack: Stack;
let base = '';
const post = (body: unknown) => stack.post(body);
const getJson = (path: string, method?: string) => stack.getJson(path, method);
const eventually = (path: string, done: (json: Record<string, unknown>) => boolean) => stack.eventually(path, done);

beforeAll(async () => {
  stack = await startStack();
  base = stack.base;
}, OFFLINE_START_MS + 10_000);

afterAll(async () => {
  await stack?.stop();
});

describe('sma through sls offline', () => {
  it('classifies a campaign visit and links it to the user who signs up', async () => {
    // Prepare
    const anonymousId = randomUUID();
    const userId = `user-${randomUUID()}`;
    const t0 = '2026-06-01T10:00:00.000Z';

    // Act
    const page = await post(
      pageEvent({
        anonymousId,
        timestamp: t0,
        url: 'https://www.example.com/?utm_source=facebook&utm_medium=paid_social&utm_campaign=summer',
        referrer: 'https://l.facebook.com/',
        campaign: { source: 'facebook', medium: 'paid_social', name: 'summer' },
      }),
    );
    const identify = await post(identifyEvent({ anonymousId, userId, timestamp: at(t0, 3) }));
    const user = await eventually(`/api/user/${userId}`, (j) => Array.isArray(j.touches) && j.touches.length > 0);

    // Assess
    expect(page).toMatchObject({ status: 200, json: { stored: 1 } });
    expect(identify).toMatchObject({ status: 200, json: { stored: 1 } });
    expect(user).toMatchObject({
      userId,
      anonymousIds: [anonymousId],
      touches: [{ channel: 'Paid Social', source: 'facebook', medium: 'paid_social', campaign: 'summer', anonymousId, timestamp: t0 }],
    });
  });

  it('takes the batch envelope and the Actions array, links by alias and by track, and shows the anonymous side', async () => {
    // Prepare
    const [a1, a2, a3] = [randomUUID(), randomUUID(), randomUUID()];
    const userId = `user-${randomUUID()}`;
    const t0 = '2026-06-02T08:00:00.000Z';

    // Act
    const batch = await post({
      batch: [
        pageEvent({ anonymousId: a1, timestamp: t0, referrer: 'https://www.google.com/search?q=attribution' }),
        aliasEvent({ previousId: a1, userId }),
      ],
    });
    const actions = await post([
      pageEvent({ anonymousId: a2, timestamp: at(t0, 60), referrer: 'https://chatgpt.com/' }),
      trackEvent({ anonymousId: a2, userId, event: 'Signed Up' }),
      pageEvent({ anonymousId: a3, timestamp: at(t0, 120), url: 'https://www.example.com/?gclid=xyz' }),
    ]);
    const allInvalid = await post({ batch: [{ type: 'page', anonymousId: '' }] });
    const user = await eventually(`/api/user/${userId}`, (j) => Array.isArray(j.touches) && j.touches.length >= 2);
    const anon = await eventually(`/api/anonymous/${a3}`, (j) => Array.isArray(j.touches) && j.touches.length === 1);

    // Assess
    expect(batch).toMatchObject({ status: 200, json: { received: 2, stored: 2 } });
    expect(actions).toMatchObject({ status: 200, json: { received: 3, stored: 3 } });
    expect(allInvalid).toMatchObject({
      status: 400,
      json: { error: 'event 0: anonymousId or userId is required', details: { rejected: 1 } },
    });
    expect((user.anonymousIds as string[]).sort()).toEqual([a1, a2].sort());
    expect((user.touches as { channel: string }[]).map((t) => t.channel)).toEqual(['Organic Search', 'AI Assistant']);
    expect(anon).toMatchObject({ anonymousId: a3, userIds: [], touches: [{ channel: 'Paid Search', click_id: 'gclid' }] });
  });

  it('treats a Segment retry as a duplicate and keeps serving after bad input', async () => {
    // Prepare
    const event = pageEvent();

    // Act
    const first = await post(event);
    const again = await post(event);
    const garbage = await stack.postRaw(Buffer.from('{"type":'));
    const after = await post(pageEvent());
    const unknown = await getJson(`/api/user/${randomUUID()}`);

    // Assess
    expect(first.json).toMatchObject({ stored: 1, duplicates: 0 });
    expect(again.json).toMatchObject({ stored: 0, duplicates: 1 });
    expect(garbage.status).toBe(400);
    expect(garbage.json).toEqual({ error: 'body is not valid JSON', details: { field: 'body' } });
    expect(after.status).toBe(200);
    expect(unknown.status).toBe(404);
  });

  it('forgets a user on DELETE, with the API key only, and answers what it removed', async () => {
    // Prepare
    const anonymousId = `forget-${randomUUID()}`;
    const userId = `forget-user-${randomUUID()}`;
    await post({ batch: [pageEvent({ anonymousId }), identifyEvent({ anonymousId, userId })] });
    await stack.eventually(`/api/user/${userId}`, (j) => (j.touches as unknown[]).length === 1);

    // Act
    const noKey = await fetch(`${stack.base}/api/user/${userId}`, { method: 'DELETE' });
    const deleted = await getJson(`/api/user/${userId}`, 'DELETE');
    const view = await getJson(`/api/anonymous/${anonymousId}`);

    // Assess
    expect(noKey.status).toBe(401);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ userId, removed: { pageViews: 1, events: 1, links: 1, touchLists: 1 } });
    expect(view.status).toBe(404);
  });
});

describe('the feed back to Segment through sls offline', () => {
  it('sends the identify traits and one Source Identified per touch, idempotently, and ignores its own echo', async () => {
    // Prepare: a visitor from Google, then a newsletter click, then sign-up
    const anonymousId = randomUUID();
    const userId = `user-${randomUUID()}`;
    const t0 = '2026-08-01T09:00:00.000Z';
    await post([
      pageEvent({ anonymousId, timestamp: t0, referrer: 'https://www.google.com/' }),
      pageEvent({
        anonymousId,
        timestamp: at(t0, 24 * 60),
        url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=aug',
      }),
      identifyEvent({ anonymousId, userId, timestamp: at(t0, 24 * 60 + 5) }),
    ]);
    await eventually(`/api/user/${userId}`, (j) => Array.isArray(j.touches) && j.touches.length === 2);

    // Act
    const dry = await getJson(`/segment/identify/user/${userId}?dryRun=true`);
    const identify = await getJson(`/segment/identify/user/${userId}`);
    const track = await getJson(`/segment/track/user/${userId}`, 'POST');
    const again = await getJson(`/segment/track/user/${userId}`);
    const view = await getJson(`/api/user/${userId}`);
    const echo = await post(stack.capture.messages.find((m) => m.type === 'identify' && m.userId === userId));

    // Assess
    expect(dry.json).toMatchObject({ dryRun: true, messages: 1, requests: 0 });
    expect(identify).toMatchObject({ status: 200, json: { dryRun: false, messages: 1, requests: 1, failures: [] } });
    const sent = stack.capture.messages.filter((m) => m.userId === userId);
    const traits = sent.find((m) => m.type === 'identify')?.traits;
    expect(traits).toMatchObject({
      source_first_channel: 'Organic Search',
      source_first_source: 'google',
      source_last_channel: 'Email',
      source_last_campaign: 'aug',
    });
    expect(traits).toEqual((view.json.attribution as { traits: unknown }).traits);
    const tracks = sent.filter((m) => m.type === 'track');
    expect(tracks.map((m) => [m.event, m.timestamp, m.properties?.channel])).toEqual([
      ['Source Identified', t0, 'Organic Search'],
      ['Source Identified', at(t0, 24 * 60), 'Email'],
      ['Source Identified', t0, 'Organic Search'],
      ['Source Identified', at(t0, 24 * 60), 'Email'],
    ]);
    expect(track.json.messageIds).toEqual(again.json.messageIds);
    expect(echo.json).toMatchObject({ stored: 0, ignored: 1 });
    expect((await getJson(`/api/user/${userId}`)).json.touches).toEqual(view.json.touches);
  });

  it('answers 404 for an unknown id and 401 without the key', async () => {
    // Act
    const unknown = await getJson(`/segment/track/anonymous/${randomUUID()}`);
    const noKey = await fetch(`${base}/segment/identify/user/someone`);

    // Assess
    expect(unknown.status).toBe(404);
    expect(noKey.status).toBe(401);
  });
});
