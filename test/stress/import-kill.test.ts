/**
 * `sma import` killed with SIGKILL at random points, three times, then run to
 * the end, leaves exactly the tables one clean import leaves.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../src/config';
import { buildDeps } from '../../src/handlers/deps';
import { cliDeps } from '../../src/cli/import-command';
import { importHistory } from '../../src/import/importer';
import { projectRoot } from '../../src/lib/project-root';
import { createTables, testEnv } from '../helpers/tables';
import { seededRandom } from '../helpers/random';
import { snapshot } from '../helpers/snapshot';

const EVENTS = 6_000;
const PER_FILE = 500;
const KILLS = 3;

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

/** Runs `sma import` as a user would; kills it with SIGKILL after `killAfterMs` if given. Resolves to its exit code or signal. */
function runCli(args: string[], env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve(signal ?? (code === 0 ? '0' : `${code}: ${stderr.split('\n').slice(-4).join(' | ')}`));
    });
  });
}

describe('sma import under SIGKILL', () => {
  it('killed three times at random points, then finished, equals one clean import', async () => {
    // Prepare
    const dir = archive();
    const cleanEnv = testEnv();
    const cleanConfig = parseConfig(cleanEnv);
    await createTables(cleanConfig);
    // As `sma import` runs it: with the CLI's patient per-call timeout (this DynamoDB Local may be busy).
    const clean = cliDeps(cleanConfig);
    const started = Date.now();
    await importHistory([dir], clean, { checkpointPath: join(dir, 'clean.json'), rejectsPath: join(dir, 'clean-rejects.jsonl') });
    const cleanMs = Date.now() - started;
    const env = testEnv();
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
    const random = seededRandom(4242);

    // Act: three kills, each at a random point of a run (the CLI's start-up comes on top of the clean import's time)
    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      kills.push(await runCli(args, childEnv, 600 + Math.floor(random() * cleanMs)));
      expect(existsSync(checkpoint)).toBe(true);
    }
    const last = await runCli(args, childEnv);

    // Assess
    expect(kills).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
    expect(last).toBe('0');
    expect(existsSync(checkpoint)).toBe(false);
    expect(await snapshot(buildDeps(config))).toEqual(await snapshot(clean));
  });
});
