/**
 * Local import benchmark: `sma import` of a generated history into a running
 * `npm start`, with live webhook traffic throughout, against the same import
 * into the same tables on a DynamoDB Local with no stack running. Both sides
 * keep their data on disk, as `npm start` does, each in a fresh folder.
 *
 * Figures, each against its target:
 *   import throughput into the running stack / with no stack   ≥ 0.8×
 *   peak RSS of every process `npm start` started, together      ≤ 1.5 GB
 *   live events' touch visible at /api/anonymous/{id}, p95        ≤ 5 s
 *   after the import, time until the stack is under 5% CPU       ≤ 30 s
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { freePort, startDynamoDbLocal } from '../../src/local/processes';
import { startTableStreams } from '../../src/local/local-streams';
import { createMissingTables } from '../../src/local/table-definitions';
import { writeSegmentArchive } from '../../test/helpers/archive';
import { pageEvent } from '../../test/helpers/events';
import { startLocalStack, type LocalStack } from '../../test/helpers/local-stack';
import { treeCpuSeconds, treeRssBytes, watchCpu } from '../../test/helpers/process-tree';
import { smaImportArgs } from '../../test/helpers/sma-cli';
import { targetLine } from '../stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Live webhook traffic during the import, events per second. */
const LIVE_RATE = Number(process.env.BENCH_LIVE_RATE ?? 20);
const SAMPLE_MS = 1_000;
/** The stack counts as quiet once its processes use under this share of the machine over QUIET_WINDOW_MS. */
const QUIET_SHARE = 0.05;
const QUIET_WINDOW_MS = 5_000;
/** How long to wait for quiet before reporting that it never came. */
const QUIET_GIVE_UP_MS = 300_000;
/** A live event whose touch has not shown by then counts as this late. */
const LIVE_GIVE_UP_MS = 60_000;
/** How often a pending live event is checked, and how many checks run at once. */
const LIVE_CHECK_MS = 1_000;
const LIVE_CHECKERS = 4;

/** Runs `sma import` into an endpoint; resolves to its wall time in seconds. */
async function importInto(archive: string, endpoint: string, serviceName: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, smaImportArgs(archive, endpoint, archive, serviceName), {
    env: { ...process.env, SERVICE_NAME: serviceName },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`sma import failed (exit ${code}):\n${out}`);
  if (!out.includes('read = stored + duplicates + ignored + rejected ✓')) throw new Error(`sma import did not reconcile:\n${out}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** CPU seconds by process while `work` runs: every process this benchmark started, and its own. */
async function withCpu<T>(work: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const cpu = watchCpu(() => [process.pid], SAMPLE_MS);
  try {
    const result = await work();
    return [result, cpu.stop()];
  } catch (e) {
    cpu.stop();
    throw e;
  }
}

const formatCpu = (cpu: Record<string, number>): string =>
  Object.entries(cpu)
    .filter(([, s]) => s >= 0.5)
    .sort(([, a], [, b]) => b - a)
    .map(([label, s]) => `${label} ${s.toFixed(0)}`)
    .join(', ');

/** The same import into the same tables on a DynamoDB Local with nothing else running. */
async function baseline(archive: string): Promise<[number, Record<string, number>]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sma-bench-baseline-'));
  const dynamo = await startDynamoDbLocal({ port: await freePort(), dbPath: dataDir });
  try {
    const serviceName = `b${randomUUID().slice(0, 8)}`;
    const config = parseConfig({ SERVICE_NAME: serviceName, DYNAMODB_ENDPOINT: dynamo.endpoint });
    // As npm start makes them: the tables, with their streams begun.
    await createMissingTables(config);
    await startTableStreams(config);
    return await withCpu(() => importInto(archive, dynamo.endpoint, serviceName));
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Posts LIVE_RATE page events a second until stopped, and measures each one's
 * time until its touch is visible at /api/anonymous/{id}. Pending events are
 * checked at most once a LIVE_CHECK_MS each, LIVE_CHECKERS at a time, so the
 * checking itself stays a light load however late the touches come.
 */
function liveTraffic(stack: LocalStack): { stop(): Promise<number[]> } {
  const pending: { anonymousId: string; postedAt: number; nextCheck: number }[] = [];
  const latencies: number[] = [];
  let posting = true;
  const post = async (): Promise<void> => {
    const anonymousId = `live-${randomUUID()}`;
    const postedAt = Date.now();
    const res = await fetch(`${stack.base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pageEvent({ anonymousId, url: 'https://www.acme.com/?utm_source=live&utm_medium=cpc' })),
    });
    if (res.status === 200) pending.push({ anonymousId, postedAt, nextCheck: postedAt + LIVE_CHECK_MS / 4 });
    else latencies.push(LIVE_GIVE_UP_MS);
  };
  const check = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      const due = pending.find((p) => p.nextCheck <= now);
      if (!due) {
        if (!posting && pending.length === 0) return;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      due.nextCheck = Infinity;
      const view = await fetch(`${stack.base}/api/anonymous/${due.anonymousId}`).catch(() => undefined);
      const visible = view?.status === 200 && ((await view.json()) as { touches: unknown[] }).touches.length > 0;
      const waited = Date.now() - due.postedAt;
      if (visible || waited >= LIVE_GIVE_UP_MS) {
        latencies.push(visible ? waited : LIVE_GIVE_UP_MS);
        pending.splice(pending.indexOf(due), 1);
      } else due.nextCheck = Date.now() + LIVE_CHECK_MS;
    }
  };
  const posts: Promise<void>[] = [];
  // BENCH_LIVE_RATE=0 measures the stack's streams alone, with no live traffic.
  const timer =
    LIVE_RATE > 0 ? setInterval(() => posts.push(post().catch(() => void latencies.push(LIVE_GIVE_UP_MS))), 1000 / LIVE_RATE) : undefined;
  const checkers = Array.from({ length: LIVE_CHECKERS }, () => check());
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(posts);
      posting = false;
      await Promise.all(checkers);
      return latencies;
    },
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const archive = mkdtempSync(join(tmpdir(), 'sma-bench-local-import-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'sma-bench-stack-'));
  try {
    const generated = Date.now();
    writeSegmentArchive(archive, EVENTS);
    console.log(`generated ${EVENTS} events in ${((Date.now() - generated) / 1000).toFixed(1)} s`);

    const [baselineSeconds, baselineCpu] = await baseline(archive);
    console.log(`  no stack: ${baselineSeconds.toFixed(1)} s (${Math.round(EVENTS / baselineSeconds)} events/s)`);
    console.log(`    CPU seconds: ${formatCpu(baselineCpu)}`);

    const stack = await startLocalStack({ POWERTOOLS_LOG_LEVEL: 'ERROR' }, dataDir);
    const pid = stack.child.pid ?? 0;
    let peakRss = treeRssBytes(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRssBytes(pid))), SAMPLE_MS);
    const live = liveTraffic(stack);
    const [stackSeconds, stackCpu] = await withCpu(() => importInto(archive, stack.dynamodbEndpoint, stack.serviceName));
    const latencies = await live.stop();
    console.log(`  running stack: ${stackSeconds.toFixed(1)} s (${Math.round(EVENTS / stackSeconds)} events/s)`);
    console.log(`    CPU seconds: ${formatCpu(stackCpu)}`);

    // Quiet: the stack's CPU over a window, from the end of the import.
    const importEnded = Date.now();
    let quietAfter = Infinity;
    let window = { at: Date.now(), cpu: treeCpuSeconds(pid) };
    while (Date.now() - importEnded < QUIET_GIVE_UP_MS) {
      await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS));
      const now = { at: Date.now(), cpu: treeCpuSeconds(pid) };
      const share = (now.cpu - window.cpu) / ((now.at - window.at) / 1000) / availableParallelism();
      window = now;
      if (share < QUIET_SHARE) {
        quietAfter = (now.at - QUIET_WINDOW_MS - importEnded) / 1000;
        break;
      }
    }
    clearInterval(sampler);
    peakRss = Math.max(peakRss, treeRssBytes(pid));
    await stack.interrupt(30_000);
    // What the stack said of its streams while they were behind: which one held the live events back.
    const lagLines = stack
      .output()
      .split('\n')
      .filter((l) => l.startsWith('streams'));
    console.log(`  stream lag reported by sma local (${lagLines.length} lines; the slowest of each stream):`);
    for (const fn of ['processPage', 'processIdentify', 'processAttribution']) {
      const ages = lagLines.flatMap((l) =>
        [...l.matchAll(new RegExp(`${fn} (\\d+)\\+? waiting, oldest (\\d+) s`, 'g'))].map((m) => Number(m[2])),
      );
      console.log(`    ${fn}: ${ages.length === 0 ? 'never over 5 s behind' : `up to ${Math.max(...ages)} s behind`}`);
    }

    const ratio = baselineSeconds / stackSeconds;
    const p95 = percentile(latencies, 95) / 1000;
    console.log(
      `local import benchmark: ${EVENTS} events, ${LIVE_RATE} live events/s during the import (${latencies.length} sent), data on disk, Node ${process.version}, ${availableParallelism()} cores`,
    );
    console.log(
      `  live touch latency: p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, p95 ${p95.toFixed(2)} s, max ${(percentile(latencies, 100) / 1000).toFixed(2)} s`,
    );
    console.log('ratio');
    console.log(targetLine('import into the running stack / no stack', ratio, '≥', 0.8));
    console.log(targetLine('peak RSS of the stack, MB', peakRss / 1024 / 1024, '≤', 1536, ''));
    console.log(targetLine('live touch visible, p95, s', p95, '≤', 5, ''));
    console.log(targetLine('back under 5% CPU after the import, s', quietAfter, '≤', 30, ''));
  } finally {
    rmSync(archive, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
