/**
 * End to end through `sls offline`: the real serverless.yml, the HTTP API,
 * and the stream plugin driving processPage and processIdentify against
 * DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config';
import { freePort, startOffline, type Started } from '../../src/cli/processes';
import { projectRoot } from '../../src/lib/project-root';
import { createTables, testEnv } from '../helpers/tables';
import { aliasEvent, at, identifyEvent, pageEvent, trackEvent } from '../helpers/events';

/** sls offline builds every function with esbuild before it listens. */
const OFFLINE_START_MS = 120_000;
/** How long the stream processors may take to show a touch (the plugin polls every 250 ms). */
const STREAM_WAIT_MS = 20_000;

const API_KEY = `key-${randomUUID()}`;
let offline: Started | undefined;
let base = '';
const logs: string[] = [];

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function getJson(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { headers: { 'x-api-key': API_KEY } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Polls `path` until `done` holds, or fails after STREAM_WAIT_MS. */
async function eventually(path: string, done: (json: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + STREAM_WAIT_MS;
  for (;;) {
    const { status, json } = await getJson(path);
    if (status === 200 && done(json)) return json;
    if (Date.now() > deadline) throw new Error(`${path} not ready after ${STREAM_WAIT_MS} ms: ${status} ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const env = testEnv({ LAMBDA_PORT: String(await freePort()), API_KEY });
  await createTables(parseConfig(env));
  const httpPort = await freePort();
  offline = await startOffline({
    cwd: projectRoot(),
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'WARN' },
    httpPort,
    timeoutMs: OFFLINE_START_MS,
    log: (l) => logs.push(l),
  });
  base = `http://127.0.0.1:${httpPort}`;
}, OFFLINE_START_MS + 10_000);

afterAll(async () => {
  await offline?.stop();
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
      json: { error: 'event 0: anonymousId anonymousId or userId is required', details: { rejected: 1 } },
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
    const garbage = await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
    const after = await post(pageEvent());
    const unknown = await getJson(`/api/user/${randomUUID()}`);

    // Assess
    expect(first.json).toMatchObject({ stored: 1, duplicates: 0 });
    expect(again.json).toMatchObject({ stored: 0, duplicates: 1 });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toEqual({ error: 'body is not valid JSON', details: { field: 'body' } });
    expect(after.status).toBe(200);
    expect(unknown.status).toBe(404);
  });
});
