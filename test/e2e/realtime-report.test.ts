/**
 * Real-time sync and the report, end to end on the local stack (sls offline
 * with the stream plugin, REALTIME_SYNC=users): Segment hears about changed
 * first and last touches with no manual call, and nothing when nothing
 * changed; /report renders in headless Chromium with the numbers /api/report
 * gives.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openReport } from '../helpers/report-browser';
import { chromium, type Browser } from 'playwright-core';
import { backfill } from '../../src/app/backfill/backfill';
import { buildDeps } from '../../src/handlers/deps';
import { SegmentBatchClient } from '../../src/segment/batch-client';
import { kept, type CapturedMessage } from '../../src/local/capture-server';
import { projectRoot } from '../../src/lib/project-root';
import { at, identifyEvent, pageEvent } from '../helpers/events';
import { OFFLINE_START_MS, STREAM_WAIT_MS, startStack, type Stack } from '../helpers/offline';

/** Debian's Chromium; never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** After the last stream step, how long to wait to be sure nothing more is sent. */
const QUIET_MS = 3_000;
const ARTIFACTS = join(projectRoot(), 'test-artifacts');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ REALTIME_SYNC: 'users' });
}, OFFLINE_START_MS + 10_000);

afterAll(async () => {
  await stack?.stop();
});

/** What Segment keeps for the user, after its messageId dedupe. */
const sentTo = (userId: string): CapturedMessage[] => kept(stack.capture.messages.filter((m) => m.userId === userId));

/** Waits until `count` messages for the user arrived, or fails after STREAM_WAIT_MS. */
async function messagesFor(userId: string, count: number): Promise<CapturedMessage[]> {
  const deadline = Date.now() + STREAM_WAIT_MS;
  while (sentTo(userId).length < count) {
    if (Date.now() > deadline)
      throw new Error(`expected ${count} messages for ${userId} within ${STREAM_WAIT_MS} ms, got ${JSON.stringify(sentTo(userId))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return sentTo(userId);
}

const quiet = (): Promise<void> => new Promise((r) => setTimeout(r, QUIET_MS));

describe('real-time sync on the local stack', () => {
  it('sends the identify and Source Identified when a campaign visitor signs up, nothing on a reload, and again on a new campaign', async () => {
    // Prepare
    const anonymousId = randomUUID();
    const userId = `user-${randomUUID()}`;
    const t0 = '2026-10-05T09:00:00.000Z';

    // Act 1: a campaign visit, then sign-up; no call to /segment
    await stack.post(
      pageEvent({ anonymousId, timestamp: t0, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=oct' }),
    );
    await stack.post(identifyEvent({ anonymousId, userId, timestamp: at(t0, 2) }));
    const first = await messagesFor(userId, 2);

    // Assess 1
    const identify = first.find((m) => m.type === 'identify');
    expect(identify?.traits).toMatchObject({
      source_first_channel: 'Email',
      source_first_source: 'newsletter',
      source_first_campaign: 'oct',
      source_last_channel: 'Email',
    });
    expect(first.filter((m) => m.type === 'track').map((m) => [m.event, m.timestamp, m.properties?.is_first_touch])).toEqual([
      ['Source Identified', t0, true],
    ]);

    // Act 2: a reload five minutes later changes no touch
    await stack.post(
      pageEvent({
        anonymousId,
        timestamp: at(t0, 7),
        url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=oct',
      }),
    );
    await stack.eventually(`/api/user/${userId}`, (j) => j.pageViews === 2);
    await quiet();

    // Assess 2
    expect(sentTo(userId)).toHaveLength(first.length);

    // Act 3: a week later, a paid search click: a new last touch
    await stack.post(pageEvent({ anonymousId, timestamp: at(t0, 7 * 24 * 60), url: 'https://www.example.com/?gclid=k1' }));
    const after = await messagesFor(userId, first.length + 2);
    await quiet();

    // Assess 3: one identify with the new last touch, one track for it, and the echo of our own identify changes nothing
    const added = after.slice(first.length);
    expect(sentTo(userId)).toHaveLength(first.length + 2);
    expect(added.find((m) => m.type === 'identify')?.traits).toMatchObject({
      source_first_channel: 'Email',
      source_last_channel: 'Paid Search',
    });
    expect(added.filter((m) => m.type === 'track').map((m) => [m.properties?.channel, m.properties?.is_last_touch])).toEqual([
      ['Paid Search', true],
    ]);
    const echo = await stack.post(added.find((m) => m.type === 'identify'));
    expect(echo.json).toMatchObject({ ignored: 1 });
    await quiet();
    expect(sentTo(userId)).toHaveLength(first.length + 2);
  });
});

describe('one Source Identified messageId per touch', () => {
  it('is the same through real-time sync, both /segment/track routes and a backfill, for a user on three devices', async () => {
    // Prepare: a user on a phone (email), a laptop (paid search), then a tablet (social)
    const userId = `user-${randomUUID()}`;
    const devices = [
      { anonymousId: `phone-${randomUUID()}`, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' },
      { anonymousId: `laptop-${randomUUID()}`, url: 'https://www.example.com/?gclid=k9' },
      { anonymousId: `tablet-${randomUUID()}`, url: 'https://www.example.com/?utm_source=linkedin&utm_medium=social' },
    ];
    const t0 = '2026-10-12T09:00:00.000Z';

    // Act: each device visits and signs in a day apart; real-time sync sends as first and last change
    for (const [i, d] of devices.entries()) {
      await stack.post(pageEvent({ anonymousId: d.anonymousId, timestamp: at(t0, i * 24 * 60), url: d.url }));
      await stack.post(identifyEvent({ anonymousId: d.anonymousId, userId, timestamp: at(t0, i * 24 * 60 + 1) }));
      await stack.eventually(`/api/user/${userId}`, (j) => (j.touches as unknown[]).length === i + 1);
    }
    await quiet();
    expect((await stack.getJson(`/segment/track/user/${userId}`)).status).toBe(200);
    for (const d of devices) expect((await stack.getJson(`/segment/track/anonymous/${d.anonymousId}`)).status).toBe(200);
    const deps = buildDeps(stack.config);
    const segment = new SegmentBatchClient({ writeKey: stack.config.segment.writeKey, host: stack.config.segment.host });
    const summary = await backfill(
      { users: [userId], anonymous: [] },
      { ...deps, segment },
      {
        identify: true,
        track: true,
        dryRun: false,
        eventName: stack.config.segment.eventName,
        model: deps.model,
        checkpointPath: join(mkdtempSync(join(tmpdir(), 'sma-backfill-')), 'checkpoint.json'),
      },
    );

    // Assess: every copy of a touch (the page view's time and device) came under one messageId
    const anonymousIds = new Set(devices.map((d) => d.anonymousId));
    const tracks = stack.capture.messages.filter(
      (m) => m.type === 'track' && (m.userId === userId || anonymousIds.has(String(m.anonymousId))),
    );
    const idsByTouch = new Map<string, Set<string>>();
    for (const m of tracks) {
      const touch = `${String(m.anonymousId)} ${String(m.timestamp)}`;
      idsByTouch.set(touch, (idsByTouch.get(touch) ?? new Set()).add(String(m.messageId)));
    }
    expect(summary.failedMessages).toBe(0);
    expect(tracks.length).toBeGreaterThanOrEqual(3 * 3);
    expect([...idsByTouch.values()].map((ids) => ids.size)).toEqual([1, 1, 1]);
  });
});

describe('the /report page in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the numbers /api/report gives, switches the model, and is saved as a screenshot', async () => {
    // Prepare: visitors from four channels over three days, most of whom sign up
    const day = '2026-03-1';
    const sources = [
      { url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring' },
      { url: 'https://www.example.com/', referrer: 'https://www.google.com/' },
      { url: 'https://www.example.com/?gclid=abc' },
      { url: 'https://www.example.com/', referrer: 'https://www.linkedin.com/feed/' },
    ];
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      const anonymousId = `r-${randomUUID()}`;
      const t = `${day}${i % 3}T1${i % 10}:00:00.000Z`;
      const a = sources[i % 4] ?? sources[0];
      const b = sources[(i + 1) % 4] ?? sources[0];
      events.push(pageEvent({ anonymousId, timestamp: t, ...a }), pageEvent({ anonymousId, timestamp: at(t, 24 * 60), ...b }));
      if (i % 4 !== 3) events.push(identifyEvent({ anonymousId, userId: `r-user-${randomUUID()}`, timestamp: at(t, 24 * 60 + 1) }));
    }
    await stack.post({ batch: events });
    const query = `since=${day}0&until=${day}9`;
    const api = await stack.eventually(
      `/api/report?${query}`,
      // Settled: every user counted, and credited to their touches (a user counted before its visitor's touches were derived is Unassigned for a moment).
      (j) =>
        (j.totals as { users: number }).users === 9 &&
        (j.totals as { newVisitors: number }).newVisitors === 12 &&
        (j.totals as { touches: number }).touches === 24 &&
        !(j.usersByChannel as { channel: string }[]).some((r) => r.channel === 'Unassigned'),
    );
    const linearApi = (await stack.getJson(`/api/report?${query}&model=linear`)).json;

    // Act
    const { page, problems, response } = await openReport(browser, `${stack.base}/report?${query}`, stack.apiKey);
    const shown = async () => ({
      users: await page.textContent('[data-testid="total-users"]'),
      newVisitors: await page.textContent('[data-testid="total-new-visitors"]'),
      byChannel: await page.$$eval('#users-by-channel tbody tr', (rows) =>
        rows.map((r) => [r.querySelector('th')?.textContent, r.querySelector('td')?.textContent]),
      ),
    });
    const firstTouch = await shown();
    await page.selectOption('#model', 'linear');
    await page.waitForURL(/model=linear/);
    await page.waitForSelector('body[data-ready="true"]');
    const linear = await shown();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: true });
    const canvases = await page.$$eval('canvas', (c) => c.map((e) => e.width));
    const unlabelled = await page.$$eval('input, select', (els) => els.filter((e) => !e.closest('label')).length);
    const noKey = await fetch(`${stack.base}/report`);

    // Assess
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'; script-src 'sha256-/);
    const rows = (r: Record<string, unknown>) =>
      (r.usersByChannel as { channel: string; users: number }[]).map((c) => [
        c.channel,
        c.users.toLocaleString('en-US', { maximumFractionDigits: 2 }),
      ]);
    expect(firstTouch).toEqual({ users: '9', newVisitors: '12', byChannel: rows(api) });
    expect(linear.byChannel).toEqual(rows(linearApi));
    expect(linear.byChannel).not.toEqual(firstTouch.byChannel);
    expect(canvases.every((w) => w > 0)).toBe(true);
    expect(canvases).toHaveLength(3);
    expect(unlabelled).toBe(0);
    expect(problems).toEqual([]);
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toMatch(/^Basic/);
    await page.context().close();
  });
});
