import { appendFileSync, mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cliDeps } from '../../src/cli/import-command';
import type { Deps } from '../../src/handlers/deps';
import { importHistory, SPILL_BUCKETS, type ImportSummary } from '../../src/app/import/importer';
import { USER_CHUNK } from '../../src/app/import/user-counts';
import { Readable } from 'node:stream';
import { readRecords, type InputRecord } from '../../src/app/import/sources';
import { getUserView } from '../../src/app/visitor-view';
import { ingestEvents } from '../../src/app/store-events';
import { refreshVisitorTouches } from '../../src/app/refresh-touches';
import { refreshUserRollup, refreshVisitorRollup } from '../../src/app/refresh-counters';
import { identifyEvent, pageEvent } from '../helpers/events';
import { attributionHistory } from '../helpers/history';
import { bruteForce, disagreements } from '../helpers/recount';
import { freshConfig } from '../helpers/tables';
import { scanAll, snapshot } from '../helpers/snapshot';
import { addContribution, parseCounterId, visitorContribution } from '../../src/attribution/counters';
import { decodeTouches } from '../../src/attribution/touch-codec';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');

function tempPaths(): { checkpointPath: string; rejectsPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-'));
  return { checkpointPath: join(dir, 'checkpoint.json'), rejectsPath: join(dir, 'rejects.jsonl') };
}

/** The events of the S3 archive fixture. */
function readFixtureEvents(): Record<string, unknown>[] {
  const dir = join(FIXTURES, 'segment-logs');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.gz'));
  return files.flatMap((f) =>
    gunzipSync(readFileSync(join(dir, f)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

/** What a summary counts, for comparing two imports. */
const counts = ({ read, stored, duplicates, ignored, rejected, links, visitors }: ImportSummary) => ({
  read,
  stored,
  duplicates,
  ignored,
  rejected,
  links,
  visitors,
});

/** The visitor counters as the stored touches make them. */
async function recount(deps: Deps): Promise<Record<string, number>> {
  const expected: Record<string, number> = {};
  for (const item of (await scanAll(deps, deps.config.tables.attribution)).filter((i) => i.sk === 'touches')) {
    addContribution(expected, visitorContribution(decodeTouches(String(item.touches))));
  }
  return expected;
}

/** The visitor counters (not the users') as a report reads them. */
async function visitorCounters(deps: Deps): Promise<Record<string, number>> {
  const counters = await deps.rollups.counters('2019-01-01', '2020-12-31');
  return Object.fromEntries([...counters].filter(([id]) => !parseCounterId(id)?.metric.startsWith('users:')));
}

/** Runs an import, two events a batch, that is killed once it has committed `batches` batches. */
async function importStoppedAfterBatch(deps: Deps, paths: ReturnType<typeof tempPaths>, batches: number): Promise<void> {
  await expect(
    importHistory([FIXTURES], deps, {
      ...paths,
      batchSize: 2,
      afterBatch: (n) => {
        if (n === batches) throw new Error('killed');
      },
    }),
  ).rejects.toThrow('killed');
}

/** Runs an import that is killed once it has derived `files` spill files' touches (before it counts itself finished). */
async function importStoppedAfterTouchFile(deps: Deps, paths: ReturnType<typeof tempPaths>, files: number): Promise<void> {
  await expect(
    importHistory([FIXTURES], deps, {
      ...paths,
      afterTouchFile: (n) => {
        if (n === files) throw new Error('killed');
      },
    }),
  ).rejects.toThrow('killed');
}

describe('sma import against DynamoDB Local', () => {
  it('imports an S3 archive tree, JSON lines and warehouse CSV, with a reconciled summary and a rejects file', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());
    const paths = tempPaths();

    // Act
    const summary = await importHistory([FIXTURES], deps, paths);

    // Assess
    expect(summary).toMatchObject({ files: 5, read: 19, stored: 13, duplicates: 1, ignored: 1, rejected: 4 });
    expect(summary.stored + summary.duplicates + summary.ignored + summary.rejected).toBe(summary.read);
    const rejects = readFileSync(paths.rejectsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; reason: string });
    expect(rejects.map((r) => [r.file.replace(/^.*fixtures\/import\//, ''), r.line, r.reason])).toEqual([
      ['jsonl/events.jsonl', 2, 'line is not valid JSON'],
      ['jsonl/events.jsonl', 3, 'anonymousId: anonymousId or userId is required'],
      ['jsonl/events.jsonl', 6, 'timestamp: must be an ISO-8601 date'],
      ['warehouse/pages.csv', 5, 'row has 7 columns; the header has 9'],
    ]);
    expect(existsSync(paths.checkpointPath)).toBe(false);
  });

  it('decides touches on event time, whatever order the files arrive in, and links ids', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());

    // Act
    await importHistory([FIXTURES], deps, tempPaths());
    const user1 = await getUserView('user-1', deps.identity, deps.touches);
    const user2 = await getUserView('user-2', deps.identity, deps.touches);
    const user4 = await getUserView('user-4', deps.identity, deps.touches);

    // Assess: anon-A's Google visit arrived a day late but is still its first touch
    expect(user1?.touches.map((t) => [t.timestamp, t.channel, t.source])).toEqual([
      ['2019-12-31T22:00:00.000Z', 'Organic Search', 'google'],
      ['2020-01-01T10:05:00.000Z', 'Email', 'newsletter'],
    ]);
    expect(user2).toMatchObject({ anonymousIds: ['anon-C'], touches: [{ channel: 'Paid Search', click_id: 'gclid' }] });
    expect(user4?.touches.map((t) => [t.channel, t.source])).toEqual([
      ['Organic Social', 'hacker-news'],
      ['Paid Social', 'facebook'],
    ]);
  });

  it('resumes from a stop at any batch, while batches of the next file are in flight, with the same tables', async () => {
    // Prepare: a clean import, counting its batches (a file's last batch is
    // followed into the pipeline by the next file's first)
    const clean = cliDeps(await freshConfig());
    let batches = 0;
    const cleanSummary = await importHistory([FIXTURES], clean, { ...tempPaths(), batchSize: 2, afterBatch: (n) => (batches = n) });
    const expected = await snapshot(clean);
    expect(batches).toBeGreaterThan(5);

    for (let stopAt = 1; stopAt < batches; stopAt++) {
      const resumed = cliDeps(await freshConfig());
      const paths = tempPaths();

      // Act
      await importStoppedAfterBatch(resumed, paths, stopAt);
      const summary = await importHistory([FIXTURES], resumed, { ...paths, batchSize: 2 });

      // Assess: batches sent but not committed before the stop count as
      // stored, not as duplicates of themselves
      expect(summary.resumed).toBe(true);
      expect({ stopAt, ...counts(summary) }).toEqual({ stopAt, ...counts(cleanSummary) });
      expect(await snapshot(resumed)).toEqual(expected);
    }
  });

  it('counts a page view spilled twice (a stop between its spill and its checkpoint) once', async () => {
    // Prepare: a clean import, and one stopped after its third batch whose
    // spill files then hold every line twice, as a batch spilled again on
    // resume would
    const clean = cliDeps(await freshConfig());
    const cleanSummary = await importHistory([FIXTURES], clean, { ...tempPaths(), batchSize: 2 });
    const resumed = cliDeps(await freshConfig());
    const paths = tempPaths();
    await importStoppedAfterBatch(resumed, paths, 3);
    const spillDir = `${paths.checkpointPath}.spill`;
    const spillFiles = readdirSync(spillDir).filter((f) => /^\d+\.jsonl$/.test(f));
    expect(spillFiles.length).toBeGreaterThan(0);
    for (const f of spillFiles) appendFileSync(join(spillDir, f), readFileSync(join(spillDir, f)));

    // Act
    const summary = await importHistory([FIXTURES], resumed, { ...paths, batchSize: 2 });

    // Assess
    expect(counts(summary)).toEqual(counts(cleanSummary));
    expect(await snapshot(resumed)).toEqual(await snapshot(clean));
  });

  it('resumes after being stopped while deriving touches and ends with the same tables as one clean import', async () => {
    // Prepare
    const clean = cliDeps(await freshConfig());
    const cleanSummary = await importHistory([FIXTURES], clean, tempPaths());
    const resumed = cliDeps(await freshConfig());
    const paths = tempPaths();
    const stopAt = SPILL_BUCKETS / 2;

    // Act: stop halfway through the spill files, with the next ones being prepared, then run again
    await importStoppedAfterTouchFile(resumed, paths, stopAt);
    const checkpoint = JSON.parse(readFileSync(paths.checkpointPath, 'utf8')) as {
      phase: string;
      bucketsDone: number;
      touchesDone: number;
    };
    const summary = await importHistory([FIXTURES], resumed, paths);

    // Assess
    expect(checkpoint).toMatchObject({ phase: 'touches', bucketsDone: stopAt });
    // Visitors on both sides of the stop.
    expect(checkpoint.touchesDone).toBeGreaterThan(0);
    expect(checkpoint.touchesDone).toBeLessThan(cleanSummary.touches);
    expect(summary.resumed).toBe(true);
    expect({ ...summary, seconds: 0, resumed: false }).toEqual({ ...cleanSummary, seconds: 0 });
    expect(await snapshot(resumed)).toEqual(await snapshot(clean));
  });

  it('counts the same duplicates whether the tables were empty (no reads but for repeats) or not (every event looked up)', async () => {
    // Prepare: one event of another visitor already stored makes the second import look every event up
    const empty = cliDeps(await freshConfig());
    const used = cliDeps(await freshConfig());
    const other = pageEvent({ anonymousId: 'anon-elsewhere', messageId: 'elsewhere-1', timestamp: '2018-01-01T00:00:00.000Z' });
    await ingestEvents([other], used.events);

    // Act: batches of two, so the archive's repeated event lands in another batch than its first copy
    const fromEmpty = await importHistory([FIXTURES], empty, { ...tempPaths(), batchSize: 2 });
    const fromUsed = await importHistory([FIXTURES], used, { ...tempPaths(), batchSize: 2 });

    // Assess
    expect({ ...fromEmpty, seconds: 0 }).toEqual({ ...fromUsed, seconds: 0 });
    expect(fromEmpty).toMatchObject({ stored: 13, duplicates: 1 });
    const viewOf = async (deps: typeof empty) => (await getUserView('user-1', deps.identity, deps.touches))?.touches;
    expect(await viewOf(empty)).toEqual(await viewOf(used));
  });

  it('fills in the report counters of the visitors it imports, and a second import changes none', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());
    const sumOf = (counters: Map<string, number>, metric: string): number =>
      [...counters].filter(([id]) => parseCounterId(id)?.metric === metric).reduce((a, [, n]) => a + n, 0);

    // Act
    const summary = await importHistory([FIXTURES], deps, tempPaths());
    const first = await deps.rollups.counters('2019-01-01', '2020-12-31');
    await importHistory([FIXTURES], deps, tempPaths());
    const again = await deps.rollups.counters('2019-01-01', '2020-12-31');

    // Assess: one new visitor per visitor with page views, and every touch counted once
    const touchItems = (await scanAll(deps, deps.config.tables.attribution)).filter((i) => i.sk === 'touches');
    const touches = touchItems.reduce((n, i) => n + (JSON.parse(String(i.touches)) as unknown[]).length, 0);
    expect(sumOf(first, 'new_visitors')).toBe(summary.visitors);
    expect(sumOf(first, 'touches')).toBe(touches);
    expect(again).toEqual(first);
  });

  it('keeps the counters equal to a recount from the stored touches when a later import adds visits to imported visitors', async () => {
    // Prepare: a second archive with later visits of two imported visitors and one new visitor
    const deps = cliDeps(await freshConfig());
    const later = mkdtempSync(join(tmpdir(), 'sma-import-later-'));
    const events = [
      pageEvent({ anonymousId: 'anon-A', messageId: 'later-1', timestamp: '2020-03-01T08:00:00.000Z', referrer: 'https://www.bing.com/' }),
      pageEvent({
        anonymousId: 'anon-C',
        messageId: 'later-2',
        timestamp: '2020-03-02T08:00:00.000Z',
        url: 'https://www.acme.com/?gclid=x',
      }),
      pageEvent({ anonymousId: 'anon-new', messageId: 'later-3', timestamp: '2020-03-03T08:00:00.000Z', referrer: 'https://t.co/y' }),
    ];
    writeFileSync(join(later, 'later.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);

    // Act
    await importHistory([FIXTURES], deps, tempPaths());
    await importHistory([later], deps, tempPaths());

    // Assess: every counter is what the stored touches make it, whichever import counted it
    expect(await visitorCounters(deps)).toEqual(await recount(deps));
  });

  it('counts a visitor once when the webhook brings it in before the import has finished', async () => {
    // Prepare: an import stopped after its last spill file, before it counts
    // itself finished; then anon-A, one of its visitors, comes back live.
    const deps = cliDeps(await freshConfig());
    const paths = tempPaths();
    await importStoppedAfterTouchFile(deps, paths, SPILL_BUCKETS);
    const live = pageEvent({
      anonymousId: 'anon-A',
      messageId: 'live-1',
      timestamp: '2020-02-01T08:00:00.000Z',
      referrer: 'https://t.co/z',
    });
    await ingestEvents([live], deps.events);
    await refreshVisitorTouches('anon#anon-A', deps.touches, deps.classify);
    await refreshVisitorRollup('anon#anon-A', deps);

    // Act: the import is run again and finishes
    await importHistory([FIXTURES], deps, paths);

    // Assess
    expect(await visitorCounters(deps)).toEqual(await recount(deps));
  });

  it('counts every visitor once when an abandoned import is finished after a fresh import of the same archive', async () => {
    // Prepare: an import stopped after its last spill file and left; the
    // archive imported again from scratch (without the checkpoint)
    const deps = cliDeps(await freshConfig());
    const abandoned = tempPaths();
    await importStoppedAfterTouchFile(deps, abandoned, SPILL_BUCKETS);
    await importHistory([FIXTURES], deps, tempPaths());

    // Act: the abandoned one is resumed after all
    await importHistory([FIXTURES], deps, abandoned);

    // Assess
    expect(await visitorCounters(deps)).toEqual(await recount(deps));
  });

  it('keeps history stored before the import: visitors with earlier page views are derived from the table', async () => {
    // Prepare: the webhook already stored an earlier visit of anon-C (touches derived)
    // and of anon-A (touches not derived yet), plus one archive event of anon-A.
    const deps = cliDeps(await freshConfig());
    const earlierC = pageEvent({ anonymousId: 'anon-C', timestamp: '2019-06-01T08:00:00.000Z', referrer: 'https://www.bing.com/' });
    const earlierA = pageEvent({ anonymousId: 'anon-A', timestamp: '2019-05-01T08:00:00.000Z', referrer: 'https://duckduckgo.com/' });
    const archived = readFixtureEvents().find((e) => e.messageId === 's3-1');
    await ingestEvents([earlierC, earlierA, archived], deps.events);
    await refreshVisitorTouches('anon#anon-C', deps.touches, deps.classify);

    // Act
    const summary = await importHistory([FIXTURES], deps, tempPaths());

    // Assess
    expect(summary.duplicates).toBe(2);
    const user1 = await getUserView('user-1', deps.identity, deps.touches);
    const user2 = await getUserView('user-2', deps.identity, deps.touches);
    expect(user1?.touches.map((t) => [t.timestamp, t.source])).toEqual([
      ['2019-05-01T08:00:00.000Z', 'duckduckgo'],
      ['2019-12-31T22:00:00.000Z', 'google'],
      ['2020-01-01T10:05:00.000Z', 'newsletter'],
    ]);
    expect(user2?.touches.map((t) => [t.timestamp, t.channel])).toEqual([
      ['2019-06-01T08:00:00.000Z', 'Organic Search'],
      ['2020-01-02T09:00:00.000Z', 'Paid Search'],
    ]);
  });

  it('refuses a checkpoint from another import, saying what to do', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());
    const paths = tempPaths();
    await expect(
      importHistory([FIXTURES], deps, {
        ...paths,
        batchSize: 3,
        afterBatch: () => {
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');

    // Act / Assess
    await expect(importHistory([join(FIXTURES, 'jsonl')], deps, paths)).rejects.toThrow(/belongs to an import of other files; delete it/);
  });
});

const HISTORY = attributionHistory({ seed: 31, users: 600, visitors: 700, pageViews: 1_200, userOnlyViews: 40 });

/** The generated history written as an archive: enough users for two chunks of the user phase. */
function historyArchive(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-history-'));
  writeFileSync(join(dir, 'history.jsonl'), `${HISTORY.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return dir;
}

/** Every counter of the generated history's months that the recount does not agree with. */
async function offCounters(deps: Deps): Promise<string[]> {
  return disagreements(await deps.rollups.counters('2026-01-01', '2026-12-31'), await bruteForce(deps));
}

/** A visitor and a user of the history coming back live, processed as the stream processors do. */
async function liveVisit(deps: Deps, anonymousId: string, userId: string, timestamp: string): Promise<void> {
  const events = [
    pageEvent({ anonymousId, timestamp, url: 'https://www.acme.com/?utm_source=live&utm_medium=email' }),
    identifyEvent({ anonymousId, userId, timestamp }),
  ];
  await ingestEvents(events, deps.events);
  await deps.identity.link([{ userId, anonymousId, linkedAt: timestamp, messageId: String(events[1]?.messageId), type: 'identify' }]);
  await refreshVisitorTouches(`anon#${anonymousId}`, deps.touches, deps.classify);
  await refreshVisitorRollup(`anon#${anonymousId}`, deps);
  await refreshUserRollup(userId, deps);
}

describe('identity links from sma import', () => {
  it('keep their earliest time when a later identify of the pair comes first, into empty tables and into used ones', async () => {
    // Prepare: the later identify first in file order, in a batch of its own
    const dir = mkdtempSync(join(tmpdir(), 'sma-import-links-'));
    const events = [
      identifyEvent({ anonymousId: 'a-9', userId: 'u-9', timestamp: '2024-06-01T00:00:00.000Z' }),
      identifyEvent({ anonymousId: 'a-9', userId: 'u-9', timestamp: '2024-02-01T00:00:00.000Z' }),
    ];
    writeFileSync(join(dir, 'links.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const [empty, emptyOneByOne, used] = [cliDeps(await freshConfig()), cliDeps(await freshConfig()), cliDeps(await freshConfig())];
    await ingestEvents([pageEvent({ anonymousId: 'someone-else' })], used.events);

    // Act: both in one batch, and each in a batch of its own
    const summary = await importHistory([dir], empty, tempPaths());
    await importHistory([dir], emptyOneByOne, { ...tempPaths(), batchSize: 1 });
    await importHistory([dir], used, { ...tempPaths(), batchSize: 1 });

    // Assess
    expect(summary.links).toBe(1);
    for (const deps of [empty, emptyOneByOne, used]) {
      expect(await deps.identity.linksOf('u-9')).toEqual([{ anonymousId: 'a-9', linkedAt: '2024-02-01T00:00:00.000Z' }]);
    }
  });
});

describe('report counters after sma import', () => {
  it('sets every counter, users under every model included, to a recount of the imported events', async () => {
    // Prepare
    const deps = cliDeps(await freshConfig());

    // Act
    const summary = await importHistory([historyArchive()], deps, tempPaths());

    // Assess
    expect(summary.users).toBe(new Set(HISTORY.map((e) => e.userId).filter(Boolean)).size);
    expect(summary.users).toBeGreaterThan(USER_CHUNK);
    expect(await offCounters(deps)).toEqual([]);
  });

  it('agrees with a recount when users had live state before the import and came back live during it', async () => {
    // Prepare: u-1 known live before the import; the import stopped after
    // its first chunk of users had their seeds written, before its checkpoint
    const deps = cliDeps(await freshConfig());
    await liveVisit(deps, 'live-before', 'u-1', '2026-08-20T08:00:00.000Z');
    const archive = historyArchive();
    const paths = tempPaths();
    await expect(
      importHistory([archive], deps, {
        ...paths,
        afterUserChunk: () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    // u-2's seed is written; live traffic refreshes it before the import resumes.
    await liveVisit(deps, 'live-during', 'u-2', '2026-10-05T08:00:00.000Z');

    // Act
    await importHistory([archive], deps, paths);
    await liveVisit(deps, 'live-after', 'u-3', '2026-10-06T08:00:00.000Z');

    // Assess
    expect(await offCounters(deps)).toEqual([]);
  });
});

describe('warehouse CSV', () => {
  /** The records of a CSV file whose bytes arrive in the given chunks. */
  async function csvRecords(chunks: string[]): Promise<InputRecord[]> {
    const input = { name: 'pages.csv', size: 0, open: () => Promise.resolve(Readable.from(chunks.map((c) => Buffer.from(c)))) };
    const out: InputRecord[] = [];
    for await (const r of readRecords(input)) out.push(r);
    return out;
  }

  it("reads quoted commas, doubled quotes and newlines, across chunk boundaries, with each row's first line", async () => {
    // Prepare
    const text = 'id,url,title\n1,"x, y","say ""hi"""\n2,"multi\nline",\r\n\n3,,last';

    for (let cut = 1; cut < text.length; cut++) {
      // Act
      const records = await csvRecords([text.slice(0, cut), text.slice(cut)]);

      // Assess
      const pages = records.map((r) => [r.line, r.ok ? (r.raw as { context: { page: Record<string, string> } }).context.page : r.reason]);
      expect(pages).toEqual([
        [2, { url: 'x, y', title: 'say "hi"' }],
        [3, { url: 'multi\nline' }],
        [6, { title: 'last' }],
      ]);
    }
  });

  it('keeps a stray quote as text, and rejects a row with the wrong columns or an unclosed quote, with its line', async () => {
    // Act
    const records = await csvRecords(['id,url,title\n1,"x"y,t\n2,u\n3,u,t3\n4,"open,t\n']);

    // Assess
    expect(records.map((r) => [r.line, r.ok])).toEqual([
      [2, true],
      [3, false],
      [4, true],
      [5, false],
    ]);
    expect(records[0]).toMatchObject({ raw: { context: { page: { url: '"x"y' } } } });
    expect(records[1]).toMatchObject({ reason: 'row has 2 columns; the header has 3' });
    expect(records[3]?.ok === false && records[3].reason).toMatch(/^not valid CSV: Quote Not Closed/);
  });
});

describe('sma import from S3', () => {
  it('reads s3://bucket/prefix through the AWS SDK and imports the same as the local copy', async () => {
    // Prepare: a real S3-compatible server on loopback, holding the fixture archive
    /* eslint-disable @typescript-eslint/no-require-imports */
    const S3rver = require('s3rver') as new (o: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };
    const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3rver-')) });
    const { port } = await server.run();
    const s3 = () =>
      new S3Client({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
    try {
      await s3().send(new CreateBucketCommand({ Bucket: 'archive' }));
      const local = join(FIXTURES, 'segment-logs');
      for (const day of ['1577836800000', '1577923200000']) {
        const dir = join(local, 'Wk9Xa1b2', day);
        for (const file of readdirSync(dir)) {
          await s3().send(
            new PutObjectCommand({ Bucket: 'archive', Key: `segment-logs/Wk9Xa1b2/${day}/${file}`, Body: readFileSync(join(dir, file)) }),
          );
        }
      }
      const fromS3 = cliDeps(await freshConfig());
      const fromDisk = cliDeps(await freshConfig());

      // Act
      const a = await importHistory(['s3://archive/segment-logs/'], { ...fromS3, s3 }, tempPaths());
      const b = await importHistory([local], fromDisk, tempPaths());

      // Assess
      expect(a).toMatchObject({ files: 2, read: 9, stored: 7, duplicates: 1, ignored: 1, rejected: 0 });
      expect(b).toMatchObject({ files: 2, read: 9, stored: 7 });
      expect(await snapshot(fromS3)).toEqual(await snapshot(fromDisk));
    } finally {
      await server.close();
    }
  });
});
