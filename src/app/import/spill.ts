/**
 * The spill folder, `<checkpoint>.spill`: the events phase files each new
 * page view under its visitor, in one of SPILL_BUCKETS files chosen by a hash
 * of the visitor, and the touch phase reads them back one file at a time. So
 * each visitor's whole history in the archive is in one place, whatever order
 * the archive's files arrive in, and only one file's views are in memory at
 * once.
 *
 * Beside the spill files the import keeps what a resumed run must find as it
 * was: links.jsonl (the identity pairs written), seen.bin (see seen-ids.ts),
 * each file's visitors with earlier history, the user phase's lists, and the
 * converting visitors (see converters.ts).
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Touch } from '../../attribution/touches';
import { CheckpointError } from '../../errors';
import { keptAsJson, readJson } from '../../lib/files';
import { fullTouch, type CompactTouch } from '../../attribution/touch-codec';
import { forEachSliced } from './compute-slice';
import type { SpillFolder } from './user-counts';

/** Spill files. Each holds about 1/SPILL_BUCKETS of the page views, and the touch phase holds one file's views in memory at a time. */
export const SPILL_BUCKETS = 64;

/** The spill folder of the import whose checkpoint is at `checkpointPath`. */
export const spillDirOf = (checkpointPath: string): string => `${checkpointPath}.spill`;

/** A bot's page view in a spill line, by its messageId: counted for its visitor (once, however often spilled), never a touch. */
export type SpilledBotView = { bot: string };

/**
 * A spill line: a new page view of a visitor, as the touch it would be (its
 * viewTouch, compacted as stored touches are), a bot's view, or 0 when a page
 * view of theirs was stored before this import.
 */
export type SpillLine = [visitorKey: string, view: CompactTouch | SpilledBotView | 0];

/** A line of links.jsonl: a pair the import linked, and when. */
export type LinkLine = [userId: string, anonymousId: string, linkedAt: string];

/** A spill file's visitors: their page views (as viewTouch made them), their bots' views' messageIds, and whether they had history before this import. */
export type SpillVisitors = Map<string, { views: Touch[]; bots: Set<string>; earlier: boolean }>;

/** FNV-1a: a cheap, stable hash, so a visitor always lands in the same spill file. */
function bucketOf(visitorKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorKey.length; i++) {
    h ^= visitorKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SPILL_BUCKETS;
}

/** A file of one spill bucket: its page views (`.jsonl`), its split (`.earlier.json`). */
function bucketPath(dir: string, bucket: number, suffix: '.jsonl' | '.earlier.json'): string {
  return join(dir, `${String(bucket).padStart(2, '0')}${suffix}`);
}

const spillPath = (dir: string, bucket: number): string => bucketPath(dir, bucket, '.jsonl');

/** Where the import lists the identity pairs it wrote. */
export const linksPath = (dir: string): string => join(dir, 'links.jsonl');

const NEWLINE = 0x0a;

/**
 * The non-empty lines of a file that this import wrote (none if it was never
 * written), decoded one at a time from its bytes, so that a caller can parse
 * them in slices and the file is never on the heap twice, as bytes and as one
 * long string.
 */
function* fileLines(path: string): Generator<string> {
  if (!existsSync(path)) return;
  const bytes = readFileSync(path);
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end < 0 ? bytes.length : end;
    if (stop > start) yield bytes.toString('utf8', start, stop);
    start = stop + 1;
  }
}

/** A file of JSON lines that this import wrote (none if it was never written). */
export function readJsonLines<T>(path: string): T[] {
  return Array.from(fileLines(path), (line) => JSON.parse(line) as T);
}

/** Appends spill lines to their buckets' files, each file opened once and kept open until close. */
export class SpillWriter {
  private readonly fds = new Map<number, number>();

  constructor(private readonly dir: string) {}

  /** Appends `lines`, with one write per spill file they touch. */
  append(lines: readonly SpillLine[]): void {
    const byBucket: string[][] = Array.from({ length: SPILL_BUCKETS }, () => []);
    for (const line of lines) byBucket[bucketOf(line[0])]?.push(JSON.stringify(line));
    byBucket.forEach((bucketLines, b) => {
      if (bucketLines.length > 0) writeSync(this.fileOf(b), `${bucketLines.join('\n')}\n`);
    });
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private fileOf(bucket: number): number {
    let fd = this.fds.get(bucket);
    if (fd === undefined) this.fds.set(bucket, (fd = openSync(spillPath(this.dir, bucket), 'a')));
    return fd;
  }
}

/** The visitor key of every line spilled so far, for counting visitors when the events phase resumes. */
export function* spilledVisitorKeys(dir: string): Generator<string> {
  for (let b = 0; b < SPILL_BUCKETS; b++) for (const [key] of readJsonLines<SpillLine>(spillPath(dir, b))) yield key;
}

/** Adds one spill line to its visitor (a line spilled twice is dropped later, when the views are ordered). */
function addSpillLine(visitors: SpillVisitors, [key, view]: SpillLine): void {
  let v = visitors.get(key);
  if (!v) visitors.set(key, (v = { views: [], bots: new Set(), earlier: false }));
  if (view === 0) v.earlier = true;
  else if ('bot' in view) v.bots.add(view.bot);
  else v.views.push(fullTouch(view));
}

/** One spill file's lines grouped by visitor, parsed in slices so that the writes in flight are not held up. */
export async function readSpillBucket(dir: string, bucket: number): Promise<SpillVisitors> {
  const visitors: SpillVisitors = new Map();
  await forEachSliced(fileLines(spillPath(dir, bucket)), (line) => addSpillLine(visitors, JSON.parse(line) as SpillLine));
  return visitors;
}

const EARLIER_SCHEMA = z.array(z.string());

/**
 * The visitors of a spill file that had history before this import: computed
 * once and kept beside the file before anything of it is written, so that a
 * file done again after a kill is split the same way (by then its other
 * visitors have touches too).
 */
export async function keptVisitorsWithHistory(dir: string, bucket: number, compute: () => Promise<string[]>): Promise<Set<string>> {
  return new Set(await keptAsJson(bucketPath(dir, bucket, '.earlier.json'), EARLIER_SCHEMA, compute));
}

/** The visitors of spill file `bucket` that the touch phase derived from the table, as it kept them. */
function keptEarlier(dir: string, bucket: number): Set<string> {
  const kept = readJson(bucketPath(dir, bucket, '.earlier.json'), EARLIER_SCHEMA);
  if (!kept?.success)
    throw new CheckpointError(`spill file ${bucket} has no readable list of visitors with history; delete ${dir} to start over`);
  return new Set(kept.data);
}

/** Every visitor the touch phase derived from the table rather than seeded, spill file by spill file. */
export function* visitorsDerivedFromTable(dir: string): Generator<string> {
  for (let b = 0; b < SPILL_BUCKETS; b++) yield* keptEarlier(dir, b);
}

/** The spill folder as the user phase reads it: every visitor once, and the links. */
export function spillFolder(dir: string): SpillFolder {
  return {
    dir,
    links: () => readJsonLines<LinkLine>(linksPath(dir)),
    *visitorKeys() {
      for (let b = 0; b < SPILL_BUCKETS; b++) {
        const earlier = keptEarlier(dir, b);
        for (const key of earlier) yield { key, earlier: true };
        // Only users' own page views are wanted here: most lines need no parse.
        for (const line of fileLines(spillPath(dir, b))) {
          if (!line.startsWith('["user#')) continue;
          const [key] = JSON.parse(line) as SpillLine;
          if (!earlier.has(key)) yield { key, earlier: false };
        }
      }
    },
  };
}
