/**
 * `npm start` as a user runs it: `sma local` brings up DynamoDB Local, the
 * tables, sls offline and the stream runner; a page view becomes a touch; and
 * Ctrl-C stops everything it started, leaving no process or port behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { buildDeps } from '../../src/handlers/deps';
import { writeSegmentArchive } from '../helpers/archive';
import { bruteForce, disagreements } from '../helpers/recount';
import { pageEvent } from '../helpers/events';
import { LOCAL_START_MS, startLocalStack } from '../helpers/local-stack';
import { treeRssBytes } from '../helpers/process-tree';
import { smaImportArgs } from '../helpers/sma-cli';

const STOP_MS = 20_000;
const IMPORT_EVENTS = 30_000;
const IMPORT_TIMEOUT_MS = 180_000;
/** A live event's touch is visible within this while an import runs (the benchmark measures its p95). */
const LIVE_TOUCH_MS = 15_000;
/** Every process `npm start` started, together (issue: the local stack takes a real history). */
const STACK_RSS_BUDGET_MB = 1_536;

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** How long the stack's streams may take to finish the live traffic after an import. */
const CATCH_UP_MS = 30_000;

/**
 * The report counters that disagree with a brute-force recount of the stored
 * events, once they agree or CATCH_UP_MS has passed: after an import into a
 * running stack, every counter (users under every model included) must be
 * what the same events arriving through the webhook would have made it.
 */
async function countersOffOnceCaughtUp(serviceName: string, endpoint: string): Promise<string[]> {
  const deps = buildDeps(parseConfig({ SERVICE_NAME: serviceName, DYNAMODB_ENDPOINT: endpoint }));
  const until = new Date().toISOString().slice(0, 10);
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const off = disagreements(await deps.rollups.counters('2020-01-01', until), await bruteForce(deps));
    if (off.length === 0 || Date.now() > deadline) return off.slice(0, 20);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe('sma local', () => {
  it(
    'serves, turns a page view into a touch through the stream runner, and stops on Ctrl-C with nothing left behind',
    async () => {
      // Prepare
      const stack = await startLocalStack();
      const { httpPort, dynamodbPort } = stack;
      const anonymousId = `a-${randomUUID()}`;

      // Act
      const posted = await fetch(`http://127.0.0.1:${httpPort}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pageEvent({ anonymousId, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' })),
      });
      let touches: unknown[] = [];
      for (let i = 0; i < 80 && touches.length === 0; i++) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/anonymous/${anonymousId}`);
        if (res.status === 200) touches = ((await res.json()) as { touches: unknown[] }).touches;
        else await new Promise((r) => setTimeout(r, 250));
      }
      const code = await stack.interrupt(STOP_MS);

      // Assess
      expect(posted.status).toBe(200);
      expect(touches).toEqual([expect.objectContaining({ channel: 'Email', source: 'newsletter' })]);
      expect(code).toBe(0);
      expect(await listening(httpPort)).toBe(false);
      expect(await listening(dynamodbPort)).toBe(false);
      const leftover = spawnSync('pgrep', ['-f', `-port ${dynamodbPort}`], { encoding: 'utf8' }).stdout.trim();
      expect(leftover).toBe('');
    },
    LOCAL_START_MS + 60_000,
  );

  it(
    'takes an import of 30,000 events while running, within its memory budget, and serves live traffic meanwhile',
    async () => {
      // Prepare
      const archive = writeSegmentArchive(mkdtempSync(join(tmpdir(), 'sma-archive-')), IMPORT_EVENTS);
      const stack = await startLocalStack();
      const pid = stack.child.pid ?? 0;
      let peak = treeRssBytes(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, treeRssBytes(pid))), 500);
      const anonymousId = `live-${randomUUID()}`;

      // Act: the import, and a live visit while it runs
      const child = spawn(process.execPath, smaImportArgs(archive, stack.dynamodbEndpoint, archive), {
        env: { ...process.env, SERVICE_NAME: stack.serviceName },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let importOutput = '';
      child.stdout.on('data', (chunk: Buffer) => (importOutput += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (importOutput += chunk.toString()));
      const importExit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      while (!importOutput.includes('events:')) await new Promise((r) => setTimeout(r, 100));
      const posted = await fetch(`${stack.base}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pageEvent({ anonymousId, url: 'https://www.example.com/?utm_source=live&utm_medium=cpc' })),
      });
      const postedAt = Date.now();
      let touches: unknown[] = [];
      while (touches.length === 0 && Date.now() - postedAt < LIVE_TOUCH_MS) {
        const res = await fetch(`${stack.base}/api/anonymous/${anonymousId}`);
        if (res.status === 200) touches = ((await res.json()) as { touches: unknown[] }).touches;
        else await new Promise((r) => setTimeout(r, 100));
      }
      const importStillRunning = child.exitCode === null;
      const importCode = await importExit;
      const off = await countersOffOnceCaughtUp(stack.serviceName, stack.dynamodbEndpoint);
      clearInterval(sampler);
      const code = await stack.interrupt(STOP_MS);
      rmSync(archive, { recursive: true, force: true });

      // Assess
      expect(importCode).toBe(0);
      expect(importStillRunning).toBe(true);
      expect(importOutput).toMatch(/read = stored \+ duplicates \+ ignored \+ rejected ✓/);
      expect(importOutput).toMatch(/the local stack is running on it/);
      expect(off).toEqual([]);
      expect(posted.status).toBe(200);
      expect(touches).toEqual([expect.objectContaining({ source: 'live', medium: 'cpc' })]);
      expect(peak / 1024 / 1024).toBeLessThan(STACK_RSS_BUDGET_MB);
      expect(code).toBe(0);
    },
    LOCAL_START_MS + IMPORT_TIMEOUT_MS,
  );
});
