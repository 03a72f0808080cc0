/**
 * Reading history archives as a stream of records: Segment's S3 archive
 * (`segment-logs/<source>/<day>/…gz`, gzipped JSON lines), plain or gzipped
 * `.jsonl`/`.json`, and warehouse CSV exports. Memory stays flat: files are
 * read one at a time, line by line.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parse as parseCsv } from 'csv-parse';
import { eventFromRow, typeFromFileName } from './warehouse';

/** One record read from an input file. */
export type InputRecord =
  { file: string; line: number; ok: true; raw: unknown } | { file: string; line: number; ok: false; reason: string };

const READABLE = /\.(jsonl|ndjson|json|csv|log|txt)(\.gz)?$|\.gz$/i;

/** One input: a local file or an S3 object. */
export interface InputFile {
  /** A path, or s3://bucket/key. */
  name: string;
  size: number;
  open(): Promise<Readable>;
}

const S3_URL = /^s3:\/\/([^/]+)\/?(.*)$/;

async function listS3(s3: S3Client, bucket: string, prefix: string): Promise<InputFile[]> {
  const files: InputFile[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const key = o.Key;
      if (!key || key.endsWith('/') || !READABLE.test(key)) continue;
      files.push({
        name: `s3://${bucket}/${key}`,
        size: o.Size ?? 0,
        open: async () => {
          const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
          if (!(body instanceof Readable)) throw new Error(`s3://${bucket}/${key}: no readable body`);
          return body;
        },
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

/**
 * Expands files, folders and s3://bucket/prefix URLs into the input files,
 * sorted, so every run reads them in the same order. Hidden entries in
 * folders, and anything under `exclude` (the import's own checkpoint, spill
 * files and rejects, which may sit inside the folder being imported), are
 * skipped.
 */
export async function listInputs(paths: readonly string[], s3?: () => S3Client, exclude: readonly string[] = []): Promise<InputFile[]> {
  const files: InputFile[] = [];
  const excluded = exclude.map((p) => resolve(p));
  const isExcluded = (path: string): boolean => {
    const full = resolve(path);
    return excluded.some((e) => full === e || full.startsWith(`${e}${sep}`));
  };
  const walk = (path: string): void => {
    if (isExcluded(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!entry.startsWith('.')) walk(join(path, entry));
    } else if (READABLE.test(path) || paths.includes(path)) {
      files.push({ name: path, size: stat.size, open: () => Promise.resolve(createReadStream(path)) });
    }
  };
  for (const p of paths) {
    const url = S3_URL.exec(p);
    if (url) {
      if (!s3) throw new Error('reading from S3 needs an S3 client');
      files.push(...(await listS3(s3(), url[1] ?? '', url[2] ?? '')));
    } else {
      walk(p);
    }
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Total bytes of the inputs, for progress and ETA. */
export function totalBytes(files: readonly InputFile[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
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

async function open(file: InputFile, onBytes: (n: number) => void): Promise<Readable> {
  const raw = (await file.open()).pipe(counting(onBytes));
  return /\.gz$/i.test(file.name) ? raw.pipe(createGunzip()) : raw;
}

/**
 * Reads a file's records. JSON lines: one event per line (a line holding a
 * JSON array yields each element). CSV: the first line names the columns.
 */
export async function* readRecords(input: InputFile, onBytes: (n: number) => void = () => undefined): AsyncGenerator<InputRecord> {
  const file = input.name;
  const stream = await open(input, onBytes);
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

/**
 * Warehouse CSV (RFC 4180, by csv-parse): the first row names the columns. A
 * row with the wrong number of columns, or that csv-parse cannot read, is
 * rejected with its line, and reading goes on.
 */
async function* readCsv(file: string, stream: Readable): AsyncGenerator<InputRecord> {
  const type = typeFromFileName(file);
  const unreadable: InputRecord[] = [];
  const rows = stream.pipe(
    parseCsv({
      bom: true,
      // Whatever the first row ends with: a file edited on Windows may mix both.
      record_delimiter: ['\r\n', '\n'],
      // Exports are not always strict: a stray quote is kept as text rather than swallowing the rows after it.
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (e) => {
        unreadable.push({
          file,
          line: typeof e?.lines === 'number' ? e.lines : 0,
          ok: false,
          reason: `not valid CSV: ${e?.message ?? 'unreadable row'}`,
        });
        return undefined;
      },
    }),
  ) as AsyncIterable<string[]>;
  // Lines are counted here (empty rows included) rather than asked of
  // csv-parse, whose per-row info costs a third of its speed.
  let line = 0;
  let header: string[] | undefined;
  for await (const fields of rows) {
    line += 1;
    const first = line;
    line += newlines(fields);
    // The parser runs ahead of this loop: the rows it could not read before this one come first.
    while (unreadable.length > 0 && (unreadable[0]?.line ?? 0) < first) yield unreadable.shift() as InputRecord;
    if (fields.length === 1 && fields[0] === '') continue;
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
    } else if (fields.length !== header.length) {
      yield { file, line: first, ok: false, reason: `row has ${fields.length} columns; the header has ${header.length}` };
    } else {
      const row = Object.fromEntries(header.map((h, i) => [h, fields[i] ?? '']));
      yield { file, line: first, ok: true, raw: eventFromRow(row, type) };
    }
  }
  yield* unreadable;
}

/** Line breaks inside a row's fields: the row started that many lines before csv-parse's line count. */
const newlines = (fields: readonly string[]): number => fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
