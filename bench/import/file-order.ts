/**
 * Does the order of an archive's files slow an import into DynamoDB Local?
 * A warehouse export is read in name order: identifies.csv, then pages.csv.
 * Before `sma import` started every table's stream first
 * (src/local/local-streams.ts), each page view written after the identifies
 * cost DynamoDB Local time in proportion to every stream record before it.
 *
 * Imports the same events twice with `sma import`, each into a fresh DynamoDB
 * Local: as one JSON lines file in time order, identifies and page views
 * interleaved (the baseline), and as the warehouse's two CSV files. Prints
 * the CSV import's time against the baseline's; about 1× means file order
 * costs nothing.
 * BENCH_IDENTIFIES (default 30,000) and BENCH_PAGES (default 10,000).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config';
import { freePort, startDynamoDbLocal } from '../../src/local/processes';
import { smaImportArgs } from '../../test/helpers/sma-cli';
import { createTables } from '../../test/helpers/tables';

const IDENTIFIES = Number(process.env.BENCH_IDENTIFIES ?? 30_000);
const PAGES = Number(process.env.BENCH_PAGES ?? 10_000);
/** Users per identify: each user signs in from this many anonymous ids, one link each. */
const IDS_PER_USER = 5;

interface Row {
  type: 'identify' | 'page';
  id: string;
  anonymousId: string;
  userId: string;
  timestamp: string;
}

/** The events: identifies and page views, spread over one year, in time order. */
function events(): Row[] {
  const t0 = Date.parse('2021-01-01T00:00:00Z');
  const year = 365 * 86_400_000;
  const rows: Row[] = [];
  for (let i = 0; i < IDENTIFIES; i++) {
    const timestamp = new Date(t0 + Math.floor((i / IDENTIFIES) * year)).toISOString();
    rows.push({ type: 'identify', id: `idf-${i}`, anonymousId: `anon-${i}`, userId: `user-${Math.floor(i / IDS_PER_USER)}`, timestamp });
  }
  for (let i = 0; i < PAGES; i++) {
    const timestamp = new Date(t0 + Math.floor(((i + 0.5) / PAGES) * year)).toISOString();
    rows.push({ type: 'page', id: `pg-${i}`, anonymousId: `anon-${(i * 7) % IDENTIFIES}`, userId: '', timestamp });
  }
  return rows.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

const URL = 'https://www.acme.com/?utm_source=newsletter&utm_medium=email';

/** The same events as one JSON lines file, interleaved in time order. */
function writeJsonLines(dir: string, rows: readonly Row[]): string {
  const lines = rows.map((r) =>
    JSON.stringify({
      type: r.type,
      messageId: r.id,
      anonymousId: r.anonymousId,
      ...(r.userId ? { userId: r.userId } : {}),
      timestamp: r.timestamp,
      ...(r.type === 'page' ? { context: { page: { url: URL, referrer: '' } } } : {}),
    }),
  );
  const path = join(dir, 'events.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The same events as the warehouse exports them: identifies.csv and pages.csv. */
function writeWarehouseCsv(dir: string, rows: readonly Row[]): string {
  const folder = join(dir, 'warehouse');
  mkdirSync(folder, { recursive: true });
  const identifies = rows.filter((r) => r.type === 'identify').map((r) => `${r.id},${r.anonymousId},${r.userId},${r.timestamp}`);
  writeFileSync(join(folder, 'identifies.csv'), `id,anonymous_id,user_id,timestamp\n${identifies.join('\n')}\n`);
  const pages = rows.filter((r) => r.type === 'page').map((r) => `${r.id},${r.anonymousId},${r.timestamp},"${URL}",`);
  writeFileSync(join(folder, 'pages.csv'), `id,anonymous_id,timestamp,context_page_url,context_page_referrer\n${pages.join('\n')}\n`);
  return folder;
}

/** `sma import` of `input` into a fresh DynamoDB Local; its wall time in seconds and its summary lines. */
async function importSeconds(input: string, dir: string): Promise<{ seconds: number; summary: string }> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const config = parseConfig({ SERVICE_NAME: `o${randomUUID().slice(0, 8)}`, STAGE: 'bench', DYNAMODB_ENDPOINT: dynamo.endpoint });
    await createTables(config);
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, smaImportArgs(input, dynamo.endpoint, dir, randomUUID().slice(0, 8)), {
      env: { ...process.env, SERVICE_NAME: config.serviceName, STAGE: config.stage },
      encoding: 'utf8',
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status !== 0) throw new Error(`sma import failed: ${run.stderr.slice(-500)}`);
    const summary = run.stdout
      .split('\n')
      .filter((l) => /^ {2}(read|stored|id links|visitors) +\d/.test(l))
      .map((l) => l.trim().replace(/ +/g, ' '))
      .join(', ');
    return { seconds, summary };
  } finally {
    await dynamo.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sma-bench-order-'));
  try {
    const rows = events();
    const jsonl = await importSeconds(writeJsonLines(dir, rows), dir);
    const csv = await importSeconds(writeWarehouseCsv(dir, rows), dir);
    console.log(
      `import file-order benchmark: ${IDENTIFIES} identifies and ${PAGES} page views, each side into a fresh DynamoDB Local (in memory); Node ${process.version}`,
    );
    console.log(`  one JSON lines file, interleaved in time order  ${jsonl.seconds.toFixed(1)} s  (${jsonl.summary})`);
    console.log(`  identifies.csv, then pages.csv                  ${csv.seconds.toFixed(1)} s  (${csv.summary})`);
    console.log(`  CSV / interleaved  ${(csv.seconds / jsonl.seconds).toFixed(2)}×  (about 1× when file order costs nothing)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
