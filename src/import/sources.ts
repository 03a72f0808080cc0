/**
 * Reading history archives as a stream of records: Segment's S3 archive
 * (`segment-logs/<source>/<day>/…gz`, gzipped JSON lines), plain or gzipped
 * `.jsonl`/`.json`, and warehouse CSV exports. Memory stays flat: files are
 * read one at a time, line by line.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvParser } from './csv';
import { eventFromRow, typeFromFileName } from './warehouse';

/** One record read from an input file. */
export type InputRecord =
  { file: string; line: number; ok: true; raw: unknown } | { file: string; line: number; ok: false; reason: string };

const READABLE = /\.(jsonl|ndjson|json|csv|log|txt)(\.gz)?$|\.gz$/i;

/** Expands files and folders into the input files, sorted, so every run reads them in the same order. */
export function listInputs(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!entry.startsWith('.')) walk(join(path, entry));
    } else if (READABLE.test(path) || paths.includes(path)) {
      files.push(path);
    }
  };
  for (const p of paths) walk(p);
  return files;
}

/** Total bytes of the inputs, for progress and ETA. */
export function totalBytes(files: readonly string[]): number {
  return files.reduce((sum, f) => sum + statSync(f).size, 0);
}

/** Counts the bytes read from a file, before decompression. */
function counting(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

function open(file: string, onBytes: (n: number) => void): Readable {
  const raw = createReadStream(file).pipe(counting(onBytes));
  return /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
}

/**
 * Reads a file's records. JSON lines: one event per line (a line holding a
 * JSON array yields each element). CSV: the first line names the columns.
 */
export async function* readRecords(file: string, onBytes: (n: number) => void = () => undefined): AsyncGenerator<InputRecord> {
  const stream = open(file, onBytes);
  if (/\.csv(\.gz)?$/i.test(file)) {
    yield* readCsv(file, stream);
    return;
  }
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      yield { file, line, ok: false, reason: 'line is not valid JSON' };
      continue;
    }
    if (Array.isArray(parsed)) for (const raw of parsed as unknown[]) yield { file, line, ok: true, raw };
    else yield { file, line, ok: true, raw: parsed };
  }
}

async function* readCsv(file: string, stream: Readable): AsyncGenerator<InputRecord> {
  const parser = new CsvParser();
  const type = typeFromFileName(file);
  let header: string[] | undefined;
  const toRecords = function* (rows: { fields: string[]; line: number }[]): Generator<InputRecord> {
    for (const { fields, line } of rows) {
      if (!header) {
        header = fields.map((f) => f.trim().toLowerCase());
        continue;
      }
      if (fields.length === 1 && fields[0] === '') continue;
      if (fields.length !== header.length) {
        yield { file, line, ok: false, reason: `row has ${fields.length} columns; the header has ${header.length}` };
        continue;
      }
      const row = Object.fromEntries(header.map((h, i) => [h, fields[i] ?? '']));
      yield { file, line, ok: true, raw: eventFromRow(row, type) };
    }
  };
  stream.setEncoding('utf8');
  for await (const chunk of stream) yield* toRecords(parser.push(chunk as string));
  yield* toRecords(parser.end());
}
