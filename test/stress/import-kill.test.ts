/**
 * `sma import` killed with SIGKILL at random points, three times, then run to
 * the end, leaves exactly the tables one clean import leaves.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/config';
import { buildDeps } from '../../src/handlers/deps';
import { cliDeps } from '../../src/cli/import-command';
import { DYNAMODB_START_TIMEOUT_MS, freePort, startDynamoDbLocal, type Started } from '../../src/local/processes';
import { importHistory, SPILL_BUCKETS } from '../../src/app/import/importer';
import { projectRoot } from '../../src/lib/project-root';
import { createTables, testEnv } from '../helpers/tables';
import { seededRandom } from '../helpers/random';
import { snapshot } from '../helpers/snapshot';

const EVENTS = 6_000;
const PER_FILE = 500;
/** Where the three kills land, as ranges of progress: early and late in the event phase, then in the touch phase. */
const KILL_WINDOWS: [number, number][] = [
  [0.05, 0.3],
  [0.35, 0.65],
  [0.75, 0.9],
];
/** The event phase's share of the progress scale (it is most of the work). */
const EVENT_PHASE_SHARE = 0.7;
/** After the progress is reached, the kill waits up to this long, to land inside a batch. */
const MAX_KILL_DELAY_MS = 100;
const POLL_MS = 10;

/** A fixed-seed archive in Segment's S3 layout: pages, identifies and tracks, out of order. */
function archive(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sma-kill-'));
  const random = seededRandom(77);
  const referrers = ['', 'https://www.google.com/', 'https://t.co/x', 'https://news.example.org/'];
  const urls = [
    'https://www.acme.com/',
    'https://www.acme.com/?utm_source=nl&utm_medium=email&utm_campaign=k',
    'https://www.acme.com/?gclid=z',
  ];
  for (let f = 0; f < EVENTS / PER_FILE; f++) {
    const lines: string[] = [];
    for (let i = 0; i < PER_FILE; i++) {
      const n = f * PER_FILE + i;
      const a = Math.floor(random() * 1_200);
      const timestamp = new Date(Date.parse('2024-01-01') + Math.floor(random() * 200 * 86_400_000)).toISOString();
      const roll = random();
      const event =
        roll < 0.75
          ? { type: 'page', anonymousId: `k-${a}`, timestamp, context: { page: { url: urls[n % 3], referrer: referrers[n % 4] } } }
          : roll < 0.9
            ? { type: 'identify', anonymousId: `k-${a}`, userId: `ku-${a % 400}`, timestamp, traits: { plan: 'pro' } }
            : { type: 'track', anonymousId: `k-${a}`, event: 'Clicked', timestamp };
      lines.push(JSON.stringify({ ...event, messageId: `k-${n}` }));
    }
    const day = join(dir, 'segment-logs', 'Src', String(Date.parse('2024-01-01') + f * 86_400_000));
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, `${String(f).padStart(3, '0')}.gz`), gzipSync(`${lines.join('\n')}\n`));
  }
  return dir;
}

/**
 * How far an import is, from its checkpoint, in [0, 1]: the event phase is
 * counted in events read, the touch phase in spill files done. Undefined
 * while there is no checkpoint yet (the CLI is starting).
 */
function progressOf(checkpointPath: string): number | undefined {
  try {
    const c = JSON.parse(readFileSync(checkpointPath, 'utf8')) as { phase: string; bucketsDone: number; counts: { read: number } };
    return c.phase === 'events'
      ? EVENT_PHASE_SHARE * (c.counts.read / EVENTS)
      : EVENT_PHASE_SHARE + (1 - EVENT_PHASE_SHARE) * (c.bucketsDone / SPILL_BUCKETS);
  } catch {
    // Not written yet (the checkpoint is replaced by rename, so it is never half-written).
    return undefined;
  }
}

/**
 * Runs `sma import` as a user would. With `killAt`, kills it with SIGKILL once
 * its checkpoint shows that much progress, plus a random delay, so the kill
 * lands mid-batch rather than right after a checkpoint. Kill points are taken
 * from progress, not the clock: a fixed delay either fired while the CLI was
 * still starting or after a resumed run (with less left to do) had finished.
 * Resolves to its exit code or signal.
 */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  checkpointPath: string,
  killAt?: { progress: number; delayMs: number },
): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let killer: NodeJS.Timeout | undefined;
    const poll =
      killAt === undefined
        ? undefined
        : setInterval(() => {
            if ((progressOf(checkpointPath) ?? -1) < killAt.progress || killer) return;
            killer = setTimeout(() => child.kill('SIGKILL'), killAt.delayMs);
          }, POLL_MS);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve(signal ?? (code === 0 ? '0' : `${code}: ${stderr.split('\n').slice(-4).join(' | ')}`));
    });
  });
}

describe('sma import under SIGKILL', () => {
  // A DynamoDB Local of its own: the shared one is slowed by whatever the load
  // test left in it (this test took 3x as long after it in CI).
  let dynamo: Started & { endpoint: string };
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ port: await freePort() });
  }, DYNAMODB_START_TIMEOUT_MS + 5_000);
  afterAll(() => dynamo?.stop());

  it('killed three times at random points, then finished, equals one clean import', async () => {
    // Prepare
    const dir = archive();
    const cleanEnv = testEnv({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    const cleanConfig = parseConfig(cleanEnv);
    await createTables(cleanConfig);
    // As `sma import` runs it: with the CLI's patient per-call timeout (this DynamoDB Local may be busy).
    const clean = cliDeps(cleanConfig);
    await importHistory([dir], clean, { checkpointPath: join(dir, 'clean.json'), rejectsPath: join(dir, 'clean-rejects.jsonl') });
    const env = testEnv({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    const config = parseConfig(env);
    await createTables(config);
    const checkpoint = join(dir, 'killed.json');
    const args = [
      'import',
      dir,
      '--endpoint',
      config.dynamodbEndpoint ?? '',
      '--checkpoint',
      checkpoint,
      '--rejects',
      join(dir, 'killed-rejects.jsonl'),
    ];
    const childEnv = { ...process.env, ...env };
    // A new seed every run, so runs cover different points; a failure names it (SMA_KILL_SEED replays it).
    const seed = Number(process.env.SMA_KILL_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);

    // Act: three kills at random points, each further on than the last, then a run to the end
    const kills: string[] = [];
    const points: number[] = [];
    for (const [from, to] of KILL_WINDOWS) {
      const progress = from + random() * (to - from);
      points.push(progress);
      kills.push(await runCli(args, childEnv, checkpoint, { progress, delayMs: Math.floor(random() * MAX_KILL_DELAY_MS) }));
    }
    const last = await runCli(args, childEnv, checkpoint);

    // Assess
    expect({ seed, kills, points }).toEqual({ seed, kills: ['SIGKILL', 'SIGKILL', 'SIGKILL'], points });
    expect(last).toBe('0');
    expect(existsSync(checkpoint)).toBe(false);
    expect(await snapshot(buildDeps(config))).toEqual(await snapshot(clean));
  });
});
