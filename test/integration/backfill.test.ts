import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill, type BackfillOptions } from '../../src/backfill/backfill';
import { listUnlinkedAnonymous, listUsers } from '../../src/backfill/candidates';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { importHistory } from '../../src/import/importer';
import { SegmentBatchClient } from '../../src/segment/batch-client';
import { startSegmentCapture, type SegmentCapture } from '../../src/segment/capture-server';
import { freshConfig } from '../helpers/tables';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const WRITE_KEY = 'wk_backfill';

describe('sma backfill against DynamoDB Local and a capture server', () => {
  let deps: Deps;
  let capture: SegmentCapture;
  let options: BackfillOptions;

  beforeAll(async () => {
    capture = await startSegmentCapture(WRITE_KEY);
    deps = buildDeps(await freshConfig());
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
  });
});
