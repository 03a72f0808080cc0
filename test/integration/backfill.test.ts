import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { projectRoot } from '../../src/lib/project-root';
import { rateLimited } from '../../src/segment/rate-limit';
import { fetchHttpClient } from '../../src/segment/batch-client';
import { attributionHistory } from '../helpers/history';
import { createTables, testEnv } from '../helpers/tables';
import { backfill, BACKFILL_CHUNK, type BackfillOptions } from '../../src/app/backfill/backfill';
import { listUnlinkedAnonymous, listUsers } from '../../src/app/backfill/candidates';
import type { Deps } from '../../src/handlers/deps';
import { cliDeps } from '../../src/cli/import-command';
import { importHistory } from '../../src/app/import/importer';
import { SegmentBatchClient } from '../../src/segment/batch-client';
import { startSegmentCapture, type SegmentCapture } from '../../src/local/capture-server';
import { freshConfig } from '../helpers/tables';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const WRITE_KEY = 'wk_backfill';

describe('sma backfill against DynamoDB Local and a capture server', () => {
  let deps: Deps;
  let capture: SegmentCapture;
  let options: BackfillOptions;

  beforeAll(async () => {
    capture = await startSegmentCapture(WRITE_KEY);
    deps = cliDeps(await freshConfig());
    const dir = mkdtempSync(join(tmpdir(), 'sma-backfill-'));
    await importHistory([FIXTURES], deps, { checkpointPath: join(dir, 'import.json'), rejectsPath: join(dir, 'rejects.jsonl') });
    options = {
      identify: true,
      track: true,
      dryRun: false,
      eventName: 'Source Identified',
      model: deps.model,
      checkpointPath: join(dir, 'backfill.json'),
    };
  });
  afterAll(() => capture.close());

  const client = (): SegmentBatchClient => new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url });

  it('lists users and unlinked anonymous visitors', async () => {
    // Act
    const users = await listUsers(deps.doc, deps.config.tables);
    const anonymous = await listUnlinkedAnonymous(deps.doc, deps.config.tables);

    // Assess
    expect(users).toEqual(['user-1', 'user-2', 'user-3', 'user-4']);
    expect(anonymous).toEqual(['anon-B']);
  });

  it('sends the traits and the tracks in range, and a repeat sends identical messageIds', async () => {
    // Prepare
    const ids = { users: await listUsers(deps.doc, deps.config.tables), anonymous: [] };
    const range = { since: new Date('2020-01-01T00:00:00Z'), until: new Date('2020-02-01T00:00:00Z') };

    // Act
    const first = await backfill(ids, { ...deps, segment: client() }, { ...options, ...range });
    const sentFirst = capture.messages.map((m) => m.messageId);
    const second = await backfill(ids, { ...deps, segment: client() }, { ...options, ...range });
    const sentSecond = capture.messages.slice(sentFirst.length).map((m) => m.messageId);

    // Assess: user-1 (touch on 2020-01-01 in range; first touch 2019-12-31 outside) and user-2
    expect(first).toMatchObject({ users: 4, inRange: 2, identifies: 2, tracks: 2, failedMessages: 0 });
    const identify = capture.messages.find((m) => m.type === 'identify' && m.userId === 'user-1');
    expect(identify?.traits).toMatchObject({
      source_first_source: 'google',
      source_first_timestamp: '2019-12-31T22:00:00.000Z',
      source_last_source: 'newsletter',
    });
    expect(
      capture.messages
        .slice(0, sentFirst.length)
        .filter((m) => m.type === 'track')
        .map((m) => [m.userId, m.timestamp]),
    ).toEqual([
      ['user-1', '2020-01-01T10:05:00.000Z'],
      ['user-2', '2020-01-02T09:00:00.000Z'],
    ]);
    expect(second.messages).toBe(first.messages);
    expect(sentSecond.sort()).toEqual([...sentFirst].sort());
  });

  it('shows without sending in a dry run, and covers anonymous visitors on request', async () => {
    // Prepare
    const before = capture.requests.length;

    // Act
    const summary = await backfill({ users: [], anonymous: ['anon-B'] }, { ...deps, segment: client() }, { ...options, dryRun: true });

    // Assess
    expect(capture.requests.length).toBe(before);
    expect(summary).toMatchObject({ dryRun: true, messages: 1, tracks: 1, identifies: 0 });
    expect(summary.sample[0]).toMatchObject({
      type: 'track',
      anonymousId: 'anon-B',
      properties: { channel: 'Organic Social', source: 'linkedin' },
    });
  });

  it('reports failures with their reasons and keeps going', async () => {
    // Prepare
    capture.script.push({ status: 400 });
    const ids = { users: ['user-3', 'user-4'], anonymous: [] };

    // Act
    const summary = await backfill(ids, { ...deps, segment: client() }, options);

    // Assess
    expect(summary.failedMessages).toBeGreaterThan(0);
    expect(summary.failures[0]).toMatchObject({ status: 400, retryable: false, error: 'Segment answered 400' });
    // Refused for good: not kept for a re-run, which would fail the same way.
    expect(summary.failedIds).toBe(0);
  });
});

describe('sma backfill checkpoints and --rate', () => {
  const env = testEnv();
  const config = parseConfig(env);
  const deps = cliDeps(config);
  let users: string[];
  let dir: string;

  beforeAll(async () => {
    await createTables(config);
    dir = mkdtempSync(join(tmpdir(), 'sma-backfill-resume-'));
    const events = attributionHistory({ seed: 5, users: 500, visitors: 600, pageViews: 900 });
    writeFileSync(join(dir, 'history.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await importHistory([join(dir, 'history.jsonl')], deps, {
      checkpointPath: join(dir, 'import.json'),
      rejectsPath: join(dir, 'rejects.jsonl'),
    });
    users = await listUsers(deps.doc, config.tables);
  });

  const optionsFor = (checkpointPath: string): BackfillOptions => ({
    identify: true,
    track: true,
    dryRun: false,
    eventName: 'Source Identified',
    model: deps.model,
    checkpointPath,
  });

  /** Every messageId a full backfill sends, from one clean run into a capture server of its own. */
  async function expectedIds(): Promise<Set<string>> {
    const capture = await startSegmentCapture(WRITE_KEY);
    try {
      const segment = new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url });
      await backfill({ users, anonymous: [] }, { ...deps, segment }, optionsFor(join(mkdtempSync(join(tmpdir(), 'sma-bf-')), 'c.json')));
      return new Set(capture.messages.map((m) => String(m.messageId)));
    } finally {
      await capture.close();
    }
  }

  it('keeps the ids whose messages failed for now in the checkpoint, and a re-run sends only theirs', async () => {
    // Prepare: Segment fails the first request (a whole chunk of ids) on every attempt
    const capture = await startSegmentCapture(WRITE_KEY);
    capture.script.push(...Array.from({ length: 5 }, () => ({ status: 503 })));
    const segment = new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url });
    const checkpointPath = join(mkdtempSync(join(tmpdir(), 'sma-bf-')), 'checkpoint.json');

    // Act
    const first = await backfill({ users, anonymous: [] }, { ...deps, segment }, optionsFor(checkpointPath));
    const afterFirst = capture.messages.length;
    const kept = existsSync(checkpointPath);
    const second = await backfill({ users, anonymous: [] }, { ...deps, segment }, optionsFor(checkpointPath));
    await capture.close();

    // Assess
    expect(users.length).toBeGreaterThan(BACKFILL_CHUNK);
    expect(first.failedIds).toBeGreaterThan(0);
    expect(first.failedIds).toBeLessThanOrEqual(BACKFILL_CHUNK);
    expect(kept).toBe(true);
    expect(second).toMatchObject({ resumed: true, retried: first.failedIds, failedMessages: 0, failedIds: 0 });
    expect(capture.messages.length - afterFirst).toBe(first.failedMessages);
    expect(new Set(capture.messages.map((m) => String(m.messageId)))).toEqual(await expectedIds());
    expect(existsSync(checkpointPath)).toBe(false);
  });

  it('spaces its requests by --rate, by the capture server clock', async () => {
    // Prepare
    const rate = 5;
    const capture = await startSegmentCapture(WRITE_KEY);
    const segment = new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url, http: rateLimited(fetchHttpClient, rate) });

    // Act
    await backfill({ users, anonymous: [] }, { ...deps, segment }, optionsFor(join(mkdtempSync(join(tmpdir(), 'sma-bf-')), 'c.json')));
    await capture.close();

    // Assess: the requests' rate as the server saw it, against --rate (slower is fine, faster is not)
    const times = capture.requests.map((r) => r.at);
    const span = ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000;
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect((times.length - 1) / span / rate).toBeLessThanOrEqual(1.05);
  });

  it('resumes after a SIGKILL without sending what it had sent again, and ends with every message sent', async () => {
    // Prepare: the CLI at one request a second, killed once its second request arrived
    const capture = await startSegmentCapture(WRITE_KEY);
    const checkpointPath = join(mkdtempSync(join(tmpdir(), 'sma-bf-')), 'checkpoint.json');
    const run = (): ChildProcess =>
      spawn(
        process.execPath,
        [
          join(projectRoot(), 'bin', 'sma.js'),
          'backfill',
          '--endpoint',
          String(config.dynamodbEndpoint),
          '--rate',
          '1',
          '--checkpoint',
          checkpointPath,
        ],
        {
          env: { ...process.env, ...env, ANALYTICS_WRITE_KEY: WRITE_KEY, SEGMENT_API_HOST: capture.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    const killed = run();
    while (capture.requests.length < 2) await new Promise((r) => setTimeout(r, 20));
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('exit', r));
    const beforeResume = capture.messages.length;

    // Act
    const resumed = run();
    let out = '';
    resumed.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise((r) => resumed.once('exit', r));
    await capture.close();

    // Assess: all sent; the resumed run sent at most the chunk in flight again, not the chunks before it
    const expected = await expectedIds();
    expect(code).toBe(0);
    expect(out).toContain('resumed and finished');
    expect(new Set(capture.messages.map((m) => String(m.messageId)))).toEqual(expected);
    expect(capture.messages.length - beforeResume).toBeLessThan(expected.size);
  }, 60_000);
});
