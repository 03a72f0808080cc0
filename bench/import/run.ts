/**
 * Import benchmark (issue #5). Generates a fixed-seed archive in Segment's S3
 * layout (gzipped JSON lines under segment-logs/<source>/<day>/), with a
 * realistic mix of page, identify and track events over EVENTS/5 anonymous
 * ids and EVENTS/25 users. On one fresh DynamoDB Local, writes the first
 * half of the archive's files as pre-built items with raw BatchWriteItem at
 * the import's concurrency (the baseline), imports the whole archive into
 * tables of its own, then writes the second half raw. Raw, each event is
 * written as the item sma stores for it, in the table it goes to, so both
 * sides write items of the same size into tables with the same indexes.
 * Items are built a file at a time before that file's writes are timed.
 *
 * Why one instance, the import between the halves: the same raw writes cost
 * fresh instances of DynamoDB Local from 168 to 210 CPU seconds per million,
 * more than the import's own effect, so a side on an instance of its own
 * measured the instance as much as the side. Within one instance the speed
 * still drifts, either way (the two halves of the same raw writes took 89.6
 * and 139.4 s in one run, 148.3 and 93.2 s in another), and the database
 * grows: with the import between the halves, both fall on both sides.
 * Before either, untimed writes into tables of their own warm the JVM up,
 * so that its compilers work on neither side's time.
 *
 * The import runs as a user runs it, `sma import` in a child process; its peak
 * RSS (VmHWM) is sampled.
 *
 * Targets: import ≥ 0.8× the raw write throughput; peak RSS ≤ 250 MB.
 * BENCH_CORES=shared lets DynamoDB Local share every core with the writers.
 * BENCH_TABLES=used measures the import into tables that already hold events.
 * The issue asks for 1,000,000 events (BENCH_EVENTS); on the 2-core machine
 * here DynamoDB Local makes that a long run, see BENCHMARKS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../src/config';
import { freePort, startDynamoDbLocal } from '../../src/local/processes';
import { type Deps } from '../../src/handlers/deps';
import { cliDeps } from '../../src/cli/import-command';
import { projectRoot } from '../../src/lib/project-root';
import { listInputs, readRecords } from '../../src/app/import/sources';
import { parseEvent } from '../../src/segment/events';
import { identifyItem, pageItem } from '../../src/store/items';
import { mapLimit } from '../../src/lib/concurrency';
import { BATCH_CONCURRENCY, MAX_BATCH_WRITE } from '../../src/store/batch';
import { createTables } from '../../test/helpers/tables';
import { startTableStreams } from '../../src/local/local-streams';
import { writeSegmentArchive } from '../../test/helpers/archive';
import { targetLine } from '../stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/**
 * BENCH_TABLES=used: the import's tables already hold an event (as after the
 * webhook ran), so the import looks every event up instead of reading none.
 */
const USED_TABLES = process.env.BENCH_TABLES === 'used';
/**
 * Where DynamoDB Local runs. `split` (the default): pinned to one core, and
 * the import, or the raw writer, to another, as against AWS, where the
 * client's CPU does not slow the database down. Then both sides are measured
 * on how well they keep the database busy. `shared` (BENCH_CORES=shared, and
 * wherever `taskset` or a second core is missing): both on every core, where
 * each CPU second the client spends is one DynamoDB Local cannot; on two
 * cores that measures the import's CPU more than its writes (see
 * BENCHMARKS.md).
 */
const SPLIT_CORES = process.env.BENCH_CORES !== 'shared' && availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
/** Files written raw, untimed, before either side: DynamoDB Local's JIT compiles its write path on them. */
const WARM_UP_FILES = 2;
const RSS_LIMIT_MB = 250;
/**
 * Steal above this share of the machine's CPU time during either side marks
 * the run as disturbed: steal comes in bursts and slows one side more than
 * the other (BENCHMARKS.md, Import, known noise).
 */
const DISTURBED_STEAL_SHARE = 0.02;

async function freshDeps(endpoint: string): Promise<Deps> {
  const config = parseConfig({ SERVICE_NAME: `b${randomUUID().slice(0, 8)}`, STAGE: 'bench', DYNAMODB_ENDPOINT: endpoint });
  await createTables(config);
  // As `sma import` runs it.
  return cliDeps(config);
}

/** What DynamoDB Local has spent over a stretch: CPU seconds in all, in the kernel, and by kind of thread. */
interface DynamoUsage {
  cpu: number;
  system: number;
  threads: Map<string, number>;
}

function addUsage(a: DynamoUsage, b: DynamoUsage): DynamoUsage {
  const threads = new Map(a.threads);
  for (const [group, seconds] of b.threads) threads.set(group, (threads.get(group) ?? 0) + seconds);
  return { cpu: a.cpu + b.cpu, system: a.system + b.system, threads };
}

function subtractUsage(a: DynamoUsage, b: DynamoUsage): DynamoUsage {
  const threads = new Map([...a.threads].map(([group, seconds]) => [group, seconds - (b.threads.get(group) ?? 0)]));
  return { cpu: a.cpu - b.cpu, system: a.system - b.system, threads };
}

/** A probe of what DynamoDB Local (process `pid`) has spent since now. */
function usageSince(pid: number): () => DynamoUsage {
  const before = cpuTimes(pid);
  const threadsBefore = threadSeconds(pid);
  return () => {
    const now = cpuTimes(pid);
    const cpu = now.user + now.system - before.user - before.system;
    // Threads that ended meanwhile count as other.
    const threads = new Map<string, number>();
    for (const [group, seconds] of threadSeconds(pid)) threads.set(group, seconds - (threadsBefore.get(group) ?? 0));
    const known = [...threads.entries()].filter(([group]) => group !== 'other').reduce((sum, [, v]) => sum + v, 0);
    // Each thread's time is counted in whole ticks, so the rest can come out a tick below zero.
    threads.set('other', Math.max(0, cpu - known));
    return { cpu, system: now.system - before.system, threads };
  };
}

/**
 * Runs `work`, giving it a probe of what DynamoDB Local has spent since
 * `work` began; also returns that, and the hypervisor's steal, as `work` ends.
 */
async function measured<T>(
  dynamoPid: number,
  work: (probe: () => DynamoUsage) => Promise<T>,
): Promise<T & { dynamo: DynamoUsage; steal: number }> {
  const probe = usageSince(dynamoPid);
  const stealBefore = stealSeconds();
  const result = await work(probe);
  return { ...result, dynamo: probe(), steal: stealSeconds() - stealBefore };
}

const DYNAMO_CORE = 1;
const CLIENT_CORE = 0;

/** Pins every thread of a process (and the threads it starts later) to one core. */
function pin(pid: number, core: number): void {
  const out = spawnSync('taskset', ['-a', '-cp', String(core), String(pid)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`taskset failed: ${out.stderr || out.error?.message || ''}`);
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * A process's or thread's name and CPU seconds so far, in user space and in
 * the kernel, from its `stat` file under /proc (Linux); undefined once it has
 * exited.
 */
function statTimes(path: string): { name: string; user: number; system: number } | undefined {
  try {
    const line = readFileSync(path, 'utf8');
    // The name is in parentheses and may itself hold spaces and parentheses.
    const close = line.lastIndexOf(')');
    const fields = line.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    return {
      name: line.slice(line.indexOf('(') + 1, close),
      user: Number(fields[11]) / CLOCK_TICKS,
      system: Number(fields[12]) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds (all threads) a process has used so far, in user space and in the kernel; 0 once it has exited. */
function cpuTimes(pid: number): { user: number; system: number } {
  return statTimes(`/proc/${pid}/stat`) ?? { user: 0, system: 0 };
}

/** CPU seconds (user + system, all threads) a process has used so far (Linux); 0 once it has exited. */
function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** A DynamoDB Local thread's kind, by its name (Linux keeps 15 characters). */
function threadGroup(name: string): string {
  if (/GC|G1|VM Periodic|VM Thread/.test(name)) return 'gc and vm';
  if (/Compiler/.test(name)) return 'jit';
  if (/SQLite/i.test(name)) return 'storage';
  // Jetty's request threads, and the pool that parses and answers requests.
  if (/^qtp|^pool-/.test(name)) return 'http';
  return 'other';
}

/** CPU seconds by thread group of the live threads of a process (Linux). */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // The process has exited.
    return out;
  }
  for (const tid of tids) {
    // Undefined: the thread has exited.
    const times = statTimes(`/proc/${pid}/task/${tid}/stat`);
    if (!times) continue;
    const group = threadGroup(times.name);
    out.set(group, (out.get(group) ?? 0) + times.user + times.system);
  }
  return out;
}

/**
 * CPU seconds the hypervisor has taken from this virtual machine, all cores
 * (steal, the eighth figure of /proc/stat's cpu line); 0 where unknown.
 * Steal lengthens a phase without showing in either side's CPU seconds, so a
 * run with much of it was slowed by the machine, not by the code.
 */
function stealSeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
    return Number(fields[8] ?? 0) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The child's peak RSS so far, in bytes (Linux). */
function highWaterMark(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    // The child has exited.
    return 0;
  }
}

/**
 * The baseline: writes each event of `inputs` as the item sma stores for it,
 * in the table it goes to, with raw BatchWriteItem at the import's
 * concurrency. A file's items are built before its writes are timed.
 */
async function rawWrites(
  deps: Deps,
  inputs: Awaited<ReturnType<typeof listInputs>>,
): Promise<{ seconds: number; cpu: number; written: number }> {
  let nanos = 0n;
  let cpuMicros = 0;
  let written = 0;
  for (const input of inputs) {
    const batches: { table: string; items: Record<string, unknown>[] }[] = [];
    const add = (table: string, item: Record<string, unknown>): void => {
      const last = batches.findLast((b) => b.table === table);
      if (last && last.items.length < MAX_BATCH_WRITE) last.items.push(item);
      else batches.push({ table, items: [item] });
    };
    for await (const r of readRecords(input)) {
      const parsed = r.ok ? parseEvent(r.raw, 0) : undefined;
      if (!parsed?.ok) throw new Error('the generated archive has an invalid event');
      const e = parsed.event;
      if (e.type === 'page' || e.type === 'screen') add(deps.config.tables.page, pageItem(e));
      else add(deps.config.tables.identify, identifyItem(e));
      written += 1;
    }
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await mapLimit(batches, BATCH_CONCURRENCY, async ({ table, items }) => {
      const out = await deps.doc.send(
        new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      if (Object.keys(out.UnprocessedItems ?? {}).length > 0) throw new Error('DynamoDB Local left items unprocessed');
    });
    nanos += process.hrtime.bigint() - start;
    const cpu = process.cpuUsage(cpuStart);
    cpuMicros += cpu.user + cpu.system;
  }
  return { seconds: Number(nanos) / 1e9, cpu: cpuMicros / 1e6, written };
}

/** Runs `sma import` on the archive against the benchmark's tables; its summary, timings and peak RSS. */
function importWithCli(
  dir: string,
  deps: Deps,
  dynamoProbe: () => DynamoUsage,
): Promise<{
  summary: Record<string, number>;
  seconds: number;
  eventsSeconds: number;
  peakRss: number;
  cpu: number;
  /** CPU seconds of the import and of DynamoDB Local when the event phase ended. */
  eventsCpu: { sma: number; dynamo: DynamoUsage };
}> {
  // BENCH_NODE_ARGS: extra Node flags for the import, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, join(projectRoot(), 'bin', 'sma.js'), 'import', dir, '--endpoint', deps.config.dynamodbEndpoint ?? ''];
  args.push('--checkpoint', join(dir, 'cp.json'), '--rejects', join(dir, 'rejects.jsonl'));
  const env = { ...process.env, SERVICE_NAME: deps.config.serviceName, STAGE: deps.config.stage };
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e9;
    const child = SPLIT_CORES
      ? spawn('taskset', ['-c', String(CLIENT_CORE), process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakRss = 0;
    // CPU as last sampled: at most one sample (100 ms) short.
    let cpu = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, highWaterMark(child.pid ?? 0));
      cpu = Math.max(cpu, cpuSeconds(child.pid ?? 0));
    }, 100);
    let stdout = '';
    let stderr = '';
    let eventsSeconds = 0;
    const eventsCpu: { sma: number; dynamo: DynamoUsage } = { sma: 0, dynamo: { cpu: 0, system: 0, threads: new Map() } };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (eventsSeconds === 0 && /^touches:/m.test(stderr)) {
        eventsSeconds = elapsed();
        eventsCpu.sma = cpuSeconds(child.pid ?? 0);
        eventsCpu.dynamo = dynamoProbe();
      }
    });
    child.on('exit', (code) => {
      clearInterval(sampler);
      const seconds = elapsed();
      if (code !== 0) return reject(new Error(`sma import failed: ${stderr.slice(-500)}`));
      const summary: Record<string, number> = {};
      for (const [, name, n] of stdout.matchAll(/^ {2}(read|stored|duplicates|ignored|rejected|files|id links|visitors) +(\d+)/gm)) {
        summary[name ?? ''] = Number(n);
      }
      resolve({ summary, seconds, eventsSeconds, peakRss, cpu, eventsCpu });
    });
  });
}

async function main(): Promise<void> {
  // The archive is generated by a child process: building a million events
  // leaves this process's heap large, and RSS measured afterwards would be the
  // generator's, not the import's.
  const into = process.env.BENCH_GENERATE_INTO;
  if (into) {
    writeSegmentArchive(into, EVENTS);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sma-bench-import-'));
  try {
    const genStart = Date.now();
    const child = spawnSync(process.execPath, [process.argv[1] ?? ''], {
      env: { ...process.env, BENCH_GENERATE_INTO: dir },
      stdio: 'inherit',
    });
    if (child.status !== 0) throw new Error('generating the archive failed');
    console.log(`generated ${EVENTS} events in ${((Date.now() - genStart) / 1000).toFixed(1)} s (in a child process)`);

    // One DynamoDB Local for both sides, the import between the two halves
    // of the raw writes (see the file's comment). Every table's stream is
    // started before either side writes: DynamoDB Local looks up a stream's
    // oldest record on every write by walking its stream records from the
    // oldest (src/local/local-streams.ts), so a stream begun after the other
    // side's writes would make this side pay for all of them.
    const dynamo = await startDynamoDbLocal({ port: await freePort() });
    let imported: Awaited<ReturnType<typeof importWithCli>> & { dynamo: DynamoUsage; steal: number };
    let raw: { seconds: number; halves: [number, number]; cpu: number; dynamo: DynamoUsage; steal: number };
    try {
      const dynamoPid = dynamo.child.pid ?? 0;
      const importDeps = await freshDeps(dynamo.endpoint);
      const rawDeps = await freshDeps(dynamo.endpoint);
      const warmUpDeps = await freshDeps(dynamo.endpoint);
      for (const deps of [importDeps, rawDeps, warmUpDeps]) await startTableStreams(deps.config);
      if (SPLIT_CORES) {
        pin(dynamoPid, DYNAMO_CORE);
        // This process only samples while the import runs.
        pin(process.pid, CLIENT_CORE);
      }
      const inputs = await listInputs([dir]);
      const half = Math.ceil(inputs.length / 2);
      // Untimed, into tables of its own: the JVM's compilers warm up on
      // these writes, not on the first side's.
      await rawWrites(warmUpDeps, inputs.slice(0, WARM_UP_FILES));
      const rawBefore = await measured(dynamoPid, () => rawWrites(rawDeps, inputs.slice(0, half)));
      // As a user runs it: the CLI in a child process (its import runs in a
      // worker with a capped heap). Peak RSS is the child's high-water mark
      // (VmHWM), sampled until it exits; the event phase ends at the CLI's
      // first "touches" progress line.
      if (USED_TABLES) {
        const earlier = { type: 'page', messageId: 'webhook-1', anonymousId: 'webhook-visitor', timestamp: '2020-12-31T00:00:00.000Z' };
        const parsed = parseEvent(earlier, 0);
        if (!parsed.ok) throw new Error('the earlier event is invalid');
        await importDeps.events.storeEvents([parsed.event]);
      }
      imported = await measured(dynamoPid, (probe) => importWithCli(dir, importDeps, probe));
      const rawAfter = await measured(dynamoPid, () => rawWrites(rawDeps, inputs.slice(half)));
      if (rawBefore.written + rawAfter.written !== EVENTS) {
        throw new Error(`wrote ${rawBefore.written + rawAfter.written} raw items, expected ${EVENTS}`);
      }
      raw = {
        seconds: rawBefore.seconds + rawAfter.seconds,
        halves: [rawBefore.seconds, rawAfter.seconds],
        cpu: rawBefore.cpu + rawAfter.cpu,
        dynamo: addUsage(rawBefore.dynamo, rawAfter.dynamo),
        steal: rawBefore.steal + rawAfter.steal,
      };
    } finally {
      await dynamo.stop();
    }

    const s = imported.summary;
    const peakRss = imported.peakRss;
    if (s.read !== EVENTS) throw new Error(`sma import read ${s.read} events, expected ${EVENTS}`);
    const importRate = EVENTS / imported.seconds;
    const rawRate = EVENTS / raw.seconds;
    console.log(
      `import benchmark: ${EVENTS} events (${s.files} gz files), ${s.visitors} visitors, one fresh DynamoDB Local (in memory) for both sides, the import between the raw writes' two halves, ${SPLIT_CORES ? `pinned to core ${DYNAMO_CORE}, the import and the raw writer to core ${CLIENT_CORE}` : 'sharing every core with the import and the raw writer'}${USED_TABLES ? ', the import into tables holding an event (every event looked up)' : ''}; \`sma import\` in a child process; Node ${process.version}`,
    );
    console.log(
      `  import  ${importRate.toFixed(0)} events/s (${imported.seconds.toFixed(1)} s: events and links ${imported.eventsSeconds.toFixed(1)} s, touches ${(imported.seconds - imported.eventsSeconds).toFixed(1)} s; stored ${s.stored}, ignored ${s.ignored}, rejected ${s.rejected}, ${s['id links']} links)`,
    );
    console.log(
      `  raw BatchWriteItem of ${EVENTS} pre-built items (the items sma stores for these events), ${BATCH_CONCURRENCY} in flight: ${rawRate.toFixed(0)} items/s (${raw.seconds.toFixed(1)} s: ${raw.halves[0].toFixed(1)} s before the import, ${raw.halves[1].toFixed(1)} s after)`,
    );
    // CPU seconds show which side a phase waits on (pinned, a side near its
    // wall time is the bound; shared, wall time is both added up), and are
    // steadier than wall time from run to run.
    console.log(
      `  CPU seconds (user + system): import: sma import ${imported.cpu.toFixed(1)} (events ${imported.eventsCpu.sma.toFixed(1)}), DynamoDB Local ${imported.dynamo.cpu.toFixed(1)} (events ${imported.eventsCpu.dynamo.cpu.toFixed(1)}); raw: writer ${raw.cpu.toFixed(1)} (timed writes), DynamoDB Local ${raw.dynamo.cpu.toFixed(1)}`,
    );
    // Where DynamoDB Local's CPU went: its one storage thread, the threads
    // that parse requests and write answers, garbage collection, the JIT
    // compilers; and how much of it was in the kernel.
    const byThread = (u: DynamoUsage): string =>
      `${['storage', 'http', 'gc and vm', 'jit', 'other'].map((g) => `${g} ${(u.threads.get(g) ?? 0).toFixed(1)}`).join(', ')} (kernel ${u.system.toFixed(1)})`;
    const touchesUsage = subtractUsage(imported.dynamo, imported.eventsCpu.dynamo);
    console.log(
      `  DynamoDB Local CPU seconds by thread: import events: ${byThread(imported.eventsCpu.dynamo)}; import touches: ${byThread(touchesUsage)}; raw: ${byThread(raw.dynamo)}`,
    );
    console.log(`  CPU seconds stolen by the hypervisor (all cores): import ${imported.steal.toFixed(1)}, raw ${raw.steal.toFixed(1)}`);
    const stolenShare = (steal: number, seconds: number): number => steal / (availableParallelism() * Math.max(seconds, 0.001));
    const stolen = Math.max(stolenShare(imported.steal, imported.seconds), stolenShare(raw.steal, raw.seconds));
    if (stolen > DISTURBED_STEAL_SHARE) {
      console.log(
        `  DISTURBED: the hypervisor took ${(100 * stolen).toFixed(1)}% of the machine during one side (more than ${100 * DISTURBED_STEAL_SHARE}%); the ratio then says more about the machine than about sma. Run again when the machine is quiet.`,
      );
    }
    if (SPLIT_CORES) {
      // Pinned, DynamoDB Local has one core: its CPU seconds over a phase's
      // wall time say how busy the client kept it, and the two sides' CPU
      // seconds compare the work each gave it. The ratio is the product of
      // the two (raw work / import work × import busy / raw busy), so this
      // line tells an import that asks more of the database apart from one
      // that leaves it idle.
      const touchesSeconds = imported.seconds - imported.eventsSeconds;
      const busy = (cpu: number, seconds: number): string => `${((100 * cpu) / Math.max(seconds, 0.001)).toFixed(0)}%`;
      const work = imported.dynamo.cpu / raw.dynamo.cpu;
      console.log(
        `  DynamoDB Local busy: import ${busy(imported.dynamo.cpu, imported.seconds)} (events ${busy(imported.eventsCpu.dynamo.cpu, imported.eventsSeconds)}, touches ${busy(imported.dynamo.cpu - imported.eventsCpu.dynamo.cpu, touchesSeconds)}), raw ${busy(raw.dynamo.cpu, raw.seconds)}; its CPU seconds for the import ${work.toFixed(2)}× those for the raw writes, so kept as busy as the raw writer kept it, the import would reach ${(1 / work).toFixed(2)}×`,
      );
    }
    console.log(`  peak RSS of the sma import process ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
    console.log('targets');
    console.log(targetLine('import / raw', importRate / rawRate, '≥', 0.8));
    console.log(
      `  peak RSS      ${(peakRss / 1024 / 1024).toFixed(0)} MB   target ≤ ${RSS_LIMIT_MB} MB   ${peakRss / 1024 / 1024 <= RSS_LIMIT_MB ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
