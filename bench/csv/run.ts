/**
 * Warehouse CSV reading benchmark: `sma import`'s reader (csv-parse) on a
 * generated `pages.csv` export, against the same events as JSON lines read by
 * the reader of Segment's S3 archive, in the same process, alternated.
 *
 * What it answers: whether reading CSV can slow an import down. The import
 * writes events to DynamoDB far slower than either reader reads them (see
 * BENCHMARKS.md, Import), so the figure to watch is CSV rows/s against that
 * rate; the ratio to JSON lines shows the parser's own cost.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listInputs, readRecords } from '../../src/app/import/sources';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = 3;

const csvField = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function writeInputs(dir: string): { csv: string; jsonl: string } {
  const header = [
    'id',
    'anonymous_id',
    'user_id',
    'timestamp',
    'received_at',
    'context_page_url',
    'context_page_referrer',
    'context_page_title',
  ];
  const csv: string[] = [header.join(',')];
  const jsonl: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const timestamp = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    const url = `https://www.example.com/blog/post-${i % 500}?utm_source=newsletter&utm_medium=email&utm_campaign=week-${i % 52}`;
    const referrer = i % 3 === 0 ? 'https://www.google.com/' : '';
    const title = `Post ${i % 500}, "a title" with a comma`;
    const row = [`m-${i}`, `a-${i % 40_000}`, i % 7 === 0 ? `u-${i % 9_000}` : '', timestamp, timestamp, url, referrer, title];
    csv.push(row.map(csvField).join(','));
    jsonl.push(
      JSON.stringify({
        type: 'page',
        messageId: row[0],
        anonymousId: row[1],
        ...(row[2] ? { userId: row[2] } : {}),
        timestamp,
        receivedAt: timestamp,
        context: { page: { url, referrer, title } },
      }),
    );
  }
  const paths = { csv: join(dir, 'pages.csv'), jsonl: join(dir, 'pages.jsonl') };
  writeFileSync(paths.csv, csv.join('\n') + '\n');
  writeFileSync(paths.jsonl, jsonl.join('\n') + '\n');
  return paths;
}

async function recordsPerSecond(path: string): Promise<number> {
  const started = process.hrtime.bigint();
  const [file] = await listInputs([path]);
  if (!file) throw new Error(`${path}: not readable`);
  let n = 0;
  for await (const r of readRecords(file)) if (r.ok) n++;
  if (n !== ROWS) throw new Error(`${path}: read ${n} records, expected ${ROWS}`);
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const paths = writeInputs(mkdtempSync(join(tmpdir(), 'sma-bench-csv-')));
  const csv: number[] = [];
  const jsonl: number[] = [];
  // Alternated, so that a slow moment of the machine hits both.
  for (let round = 0; round < ROUNDS; round++) {
    jsonl.push(await recordsPerSecond(paths.jsonl));
    csv.push(await recordsPerSecond(paths.csv));
  }
  const best = (xs: number[]): number => Math.max(...xs);
  console.log(
    JSON.stringify({
      rows: ROWS,
      csvPerSecond: Math.round(best(csv)),
      jsonlPerSecond: Math.round(best(jsonl)),
      ratio: Number((best(csv) / best(jsonl)).toFixed(2)),
      node: process.version,
    }),
  );
}

void main();
