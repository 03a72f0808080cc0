/**
 * `sma import`: loads history into the tables the webhook writes, with the
 * same domain code (event storage, identity links, touch derivation), but
 * directly: a bulk import does not depend on streams and never sends to
 * Segment.
 *
 * Three phases. First every event is stored (idempotently, by messageId) and
 * ids are linked, batch by batch; each new page view is also classified and
 * appended to a spill file chosen by a hash of its visitor. Then, one spill
 * file at a time, each visitor's touches are derived from its whole history,
 * so archives may arrive in any order: sessions and "first page view" are
 * decided on event time, not file order. Last, the users it touched get their
 * report counters (src/import/user-counts.ts).
 *
 * Why spill: deriving touches from the table costs an index query and a
 * conditional write per visitor, which took half the import time. A visitor
 * whose every page view is new in this import, and who has no touches stored,
 * has its whole history in the spill file, so its touches are derived there
 * and written in bulk. Visitors with earlier history (a page view that was
 * already stored, or touches already saved) still take the query path.
 *
 * Why classify in the first phase: classifying a page view needs none of the
 * visitor's other views. The first phase waits on DynamoDB with the import's
 * CPU half idle; the second waited on the import's CPU, and classifying there
 * took a fifth of it. The spill line carries the view as the touch it would be (see viewTouch), and
 * the second phase only orders and selects.
 *
 * Why no read per event: when the tables held no events as the import began
 * (a new installation), an event whose messageId the import has not met is
 * new, and FingerprintSet remembers what it has met in a few bytes each; only a
 * possible repeat is looked up. Otherwise every event is looked up, so that
 * events stored before (by the webhook) are counted as duplicates.
 *
 * Why seeds: a visitor counted in bulk gets its first rollup state on its
 * touches item, not as an item of its own, and counts once the import marks
 * itself finished (see RollupSeed). Besides the events, the import writes one
 * item per visitor and one per identity pair.
 *
 * Resumable: after every batch a checkpoint file records where the import is
 * and what it counted. Run again after a crash or a kill, it continues from
 * there and converges on the same tables (writes are idempotent).
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { compareByTime, viewTouch, type Touch } from '../attribution/touches';
import { z } from 'zod';
import { linksFromEvent, type LinkingEvent } from '../ingest/identity';
import { isStored } from '../ingest/ingest-events';
import { visitorKeyOf } from '../attribution/visitor-key';
import {
  type EventStore,
  type IdentityLink,
  type IdentityStore,
  type RollupStore,
  type TouchStore,
  type VisitorTouches,
} from '../ingest/ports';
import { refreshVisitorRollup, seedVisitor } from '../ingest/rollups';
import { addContribution } from '../attribution/rollups';
import { MAX_PAGE_VIEWS_READ, refreshVisitorTouches, touchesFromCandidates } from '../ingest/touches';
import type { ModelOptions } from '../attribution/models';
import { mapLimit } from '../lib/concurrency';
import { keptAsJson, readJson, writeJsonAtomic } from '../lib/files';
import { eventTime, parseEvent, type SegmentEvent } from '../segment/events';
import type { Classifier } from '../source';
import { withoutPersonalData } from '../segment/privacy';
import { pageViewOf } from '../store/items';
import { compactTouch, fullTouch, type CompactTouch } from '../store/touch-store';
import { listInputs, readRecords, totalBytes } from './sources';
import { importedUsers, linksStored, linksWritten, seedUserChunk, userChunks, USER_CHUNK, type SpillFolder } from './user-counts';
import { fingerprintOf, FingerprintSet } from './fingerprints';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointError, InvalidInputError } from '../errors';

/** Events stored per batch (and per checkpoint). */
export const IMPORT_BATCH_SIZE = 500;
/**
 * Batches being written at once. Storing a batch waits on a read (the
 * duplicate check) before its writes, and a batch commits only when its last
 * request is answered; with several in flight, DynamoDB is never idle.
 * Batches are still counted and checkpointed in order. Against DynamoDB
 * Local that a running stack shares, only CLI_SHARED_IN_FLIGHT of their requests are sent at once; the
 * rest wait in the client, ready the moment one is answered.
 */
export const PIPELINE_DEPTH = 6;
/** Visitors with earlier history whose touches are derived (queried) at once. */
export const TOUCH_CONCURRENCY = 16;
/**
 * Spill files. Each holds about 1/64 of the page views, so the touch phase
 * holds one file's views in memory at a time: 12 k views per million events.
 */
export const SPILL_BUCKETS = 64;

export interface ImportDeps {
  /** Builds the S3 client, for s3:// inputs. */
  s3?: () => S3Client;
  events: EventStore;
  identity: IdentityStore;
  touches: TouchStore;
  rollups: RollupStore;
  model: ModelOptions;
  classify: Classifier;
  /**
   * Run before the first write (DynamoDB Local only, see
   * src/store/local-streams.ts): starts every table's stream, so that
   * writing one table's history first does not slow the writes to the others.
   */
  startStreams?: () => Promise<void>;
}

export interface ImportCounts {
  read: number;
  stored: number;
  duplicates: number;
  ignored: number;
  rejected: number;
  links: number;
  /** Visitors with page views: until the touch phase ends, less a few per million (see FingerprintSet). */
  visitors: number;
  /** Users whose report counters the import set (known once the user phase begins). */
  users: number;
}

export interface ImportProgress extends ImportCounts {
  phase: 'events' | 'touches' | 'users' | 'done';
  bytesRead: number;
  bytesTotal: number;
  touchesDone: number;
  usersDone: number;
  file: string | undefined;
}

export interface ImportOptions {
  /** Where to keep the checkpoint; the folder `<path>.spill` holds page views by visitor until touches are derived. */
  checkpointPath: string;
  /** Rejected lines go here as JSON lines {file, line, reason}. */
  rejectsPath: string;
  batchSize?: number;
  /** Drop IPs and identify traits before storing (DROP_PERSONAL_DATA). */
  dropPersonalData?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** For tests of resumption: called after each stored batch; throwing stops the import as a crash would. */
  afterBatch?: (batches: number) => void;
  /** For tests of resumption: called after each spill file's touches are written, with how many are. */
  afterTouchFile?: (files: number) => void;
  /** For tests of resumption: called after each chunk of users has its seeds written, before its checkpoint. */
  afterUserChunk?: (chunks: number) => void;
}

export interface ImportSummary extends ImportCounts {
  files: number;
  touches: number;
  resumed: boolean;
  seconds: number;
}

const checkpointSchema = z.object({
  version: z.literal(6),
  /**
   * The tables held no events when this import began. Then an event whose
   * messageId this import has not met (see FingerprintSet) is new without a read.
   */
  freshTables: z.boolean(),
  /**
   * Fingerprints at the head of the spill folder's seen.bin that belong to
   * committed batches. Those after them were appended for batches sent but
   * not committed before a kill; they are dropped on resume, because those
   * batches are read from the input again, and must count as stored, not as
   * duplicates of themselves.
   */
  seenCommitted: z.number().int(),
  /** Names this import's own report counter rows (see taggedCounterId); kept across resumes. */
  runId: z.string(),
  /**
   * What the visitors counted in bulk so far add up to, by counter id: the
   * values of this import's counter rows. Kept here so that a spill file done
   * again after a kill writes the same values.
   */
  importCounts: z.record(z.string(), z.number()),
  inputs: z.array(z.string()),
  phase: z.enum(['events', 'touches', 'users']),
  fileIndex: z.number().int(),
  /** Records of that file already processed. */
  record: z.number().int(),
  /** Spill files whose visitors have their touches derived, and how many visitors that was. */
  bucketsDone: z.number().int(),
  touchesDone: z.number().int(),
  /** Users whose counters are set: whole chunks of USER_CHUNK. */
  usersDone: z.number().int(),
  counts: z.object({
    read: z.number(),
    stored: z.number(),
    duplicates: z.number(),
    ignored: z.number(),
    rejected: z.number(),
    links: z.number(),
    visitors: z.number(),
    users: z.number(),
  }),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

const saveCheckpoint = (path: string, checkpoint: Checkpoint): void => writeJsonAtomic(path, checkpoint);

function loadCheckpoint(path: string, inputs: readonly string[]): Checkpoint | undefined {
  const parsed = readJson(path, checkpointSchema);
  if (!parsed) return undefined;
  if (!parsed.success)
    throw new CheckpointError(`the checkpoint ${path} is from another version of sma; delete it and ${path}.spill to start over`);
  if (JSON.stringify(parsed.data.inputs) !== JSON.stringify(inputs)) {
    throw new CheckpointError(`the checkpoint ${path} belongs to an import of other files; delete it and ${path}.spill to start over`);
  }
  return parsed.data;
}

/** FNV-1a: a cheap, stable hash, so a visitor always lands in the same spill file. */
function bucketOf(visitorKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorKey.length; i++) {
    h ^= visitorKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SPILL_BUCKETS;
}

/**
 * A spill line: a new page view of a visitor, as the touch it would be (its
 * viewTouch, compacted as stored touches are), or 0 when a page view of
 * theirs was stored before this import.
 */
type SpillLine = [visitorKey: string, view: CompactTouch | 0];

/** A file of one spill bucket: its page views (`.jsonl`), its split (`.earlier.json`). */
function bucketPath(dir: string, bucket: number, suffix: '.jsonl' | '.earlier.json'): string {
  return join(dir, `${String(bucket).padStart(2, '0')}${suffix}`);
}

const spillPath = (dir: string, bucket: number): string => bucketPath(dir, bucket, '.jsonl');

/** A file of JSON lines that this import wrote (none if it was never written). */
function readJsonLines<T>(path: string): T[] {
  return Array.from(fileLines(path), (line) => JSON.parse(line) as T);
}

/**
 * The non-empty lines of a file that this import wrote (none if it was never
 * written), decoded one at a time from its bytes, so a caller can parse them
 * in slices. Read as one string and split, a file at a
 * million events (12,000 page views, about 4 MB of UTF-8, twice that as a
 * string: the reasons' arrows make it two bytes a character) was on the heap
 * twice at once, and the split was one stretch of the event loop (55 ms a
 * file in a CPU profile) while the previous file's writes waited on it.
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

const NEWLINE = 0x0a;

const pairKey = (userId: string, anonymousId: string): string => `${userId}\u0000${anonymousId}`;

/** A line of links.jsonl: a pair the import linked, and when. */
type LinkLine = [userId: string, anonymousId: string, linkedAt: string];

/** A spill file's visitors: their page views (as viewTouch made them), and whether they had history before this import. */
type SpillVisitors = Map<string, { views: Touch[]; earlier: boolean }>;

/** Adds one spill line to its visitor (a line spilled twice is dropped later, see inTimeOrder). */
function addSpillLine(visitors: SpillVisitors, [key, view]: SpillLine): void {
  let v = visitors.get(key);
  if (!v) visitors.set(key, (v = { views: [], earlier: false }));
  if (view === 0) v.earlier = true;
  else v.views.push(fullTouch(view));
}

/**
 * A visitor's spilled views ordered by compareByTime, each once. A batch
 * spilled just before a kill is spilled again on resume; its lines are the
 * same views, and compareByTime breaks ties by messageId, so after sorting
 * they sit side by side. (A Set of messageIds
 * per visitor did the same, at a hash table for each of a file's thousands
 * of visitors.)
 */
function inTimeOrder(views: Touch[]): Touch[] {
  views.sort(compareByTime);
  return views.filter((view, i) => i === 0 || view.messageId !== views[i - 1]?.messageId);
}

/**
 * How long the import computes (parsing input, or deriving touches) before it
 * lets the event loop run. Writes are in flight meanwhile, a few requests at a
 * time, and each finished request waits for the loop to send the next.
 * Computing 500 visitors at a stretch held replies for about 50 ms; this
 * bounds the wait by time whatever the work costs.
 */
export const COMPUTE_SLICE_MS = 4;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tells a loop when it has computed for COMPUTE_SLICE_MS, and lets the event loop run. */
class ComputeSlice {
  private since = performance.now();

  /** True once the loop should call pause (a check, not a promise: it runs for every record). */
  due(): boolean {
    return performance.now() - this.since >= COMPUTE_SLICE_MS;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
  }
}

/** Calls `each` on every item, letting the event loop run every COMPUTE_SLICE_MS. */
async function forEachSliced<T>(items: Iterable<T>, each: (item: T) => void): Promise<void> {
  const slice = new ComputeSlice();
  for (const item of items) {
    each(item);
    if (slice.due()) await slice.pause();
  }
}

/**
 * The visitors of a spill file that had history before this import (a page
 * view stored before, or touches saved): they are derived from the table.
 * Decided once per spill file and kept beside it, before anything of the file
 * is written, so a file done again after a kill is split the same way (by
 * then its other visitors have touches too).
 */
const EARLIER_SCHEMA = z.array(z.string());

async function visitorsWithHistory(
  spillDir: string,
  bucket: number,
  grouped: ReadonlyMap<string, { earlier: boolean }>,
  touches: TouchStore,
): Promise<Set<string>> {
  const earlier = await keptAsJson(bucketPath(spillDir, bucket, '.earlier.json'), EARLIER_SCHEMA, async () => {
    const keys = [...grouped.keys()];
    const stored = keys.length > 0 ? await touches.visitorsWithTouches(keys) : new Set<string>();
    return keys.filter((k) => grouped.get(k)?.earlier === true || stored.has(k));
  });
  return new Set(earlier);
}

/** The spill folder as the user phase reads it: every visitor once, and the links. */
function spillFolder(dir: string): SpillFolder {
  return {
    dir,
    links: () => readJsonLines<LinkLine>(join(dir, 'links.jsonl')),
    *visitorKeys() {
      for (let b = 0; b < SPILL_BUCKETS; b++) {
        const kept = readJson(bucketPath(dir, b, '.earlier.json'), EARLIER_SCHEMA);
        if (!kept?.success)
          throw new CheckpointError(`spill file ${b} has no readable list of visitors with history; delete ${dir} to start over`);
        const earlier = new Set(kept.data);
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

/**
 * The fingerprints of the messageIds of the first `committed` events a
 * (resumed) import stored or found (see rememberSeen); the file is cut back
 * to them, so the next appends follow on.
 */
function loadSeenIds(path: string, committed: number): FingerprintSet {
  const seenIds = new FingerprintSet();
  if (!existsSync(path)) return seenIds;
  const bytes = readFileSync(path);
  const length = Math.min(committed * 4, Math.floor(bytes.length / 4) * 4);
  for (const fp of new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length))) seenIds.addFingerprint(fp);
  truncateSync(path, length);
  return seenIds;
}

/** Adds a batch's messageIds, in memory and on disk, before it is written. */
function rememberSeen(seenIds: FingerprintSet, path: string, events: readonly SegmentEvent[]): void {
  const fps = new Uint32Array(events.length);
  events.forEach((e, i) => {
    fps[i] = fingerprintOf(e.messageId);
    seenIds.addFingerprint(fps[i] ?? 0);
  });
  appendFileSync(path, new Uint8Array(fps.buffer));
}

interface PreparedBucket {
  /** Visitors with page views in the spill file. */
  visitors: number;
  /** Visitors whose whole history is in the archive: their touches, each with its seed. */
  seeded: VisitorTouches[];
  /** Visitors with history before the import: derived from the table. */
  earlier: string[];
  /** What the seeded visitors add to the report counters. */
  counts: Record<string, number>;
  now: Date;
}

/** Reads one spill file, splits its visitors and derives the touches of those whose whole history is in it. */
async function prepareBucket(spillDir: string, bucket: number, importTag: string, deps: ImportDeps): Promise<PreparedBucket> {
  // Lets the previous file's writes go out before this file's CPU work.
  await nextTurn();
  const grouped: SpillVisitors = new Map();
  // Parsed in slices too: a spill file holds 12,000 page views per million events.
  await forEachSliced(fileLines(spillPath(spillDir, bucket)), (line) => addSpillLine(grouped, JSON.parse(line) as SpillLine));
  const earlier = await visitorsWithHistory(spillDir, bucket, grouped, deps.touches);
  const now = new Date();
  // Visitors whose whole history is here: touches in bulk, each carrying its
  // first rollup state (a seed); what they add up to is summed in the
  // checkpoint and written as this import's counter rows once every file is
  // done. Per file, the counter rows would be rewritten 64 times.
  const counts: Record<string, number> = {};
  const seeded: VisitorTouches[] = [];
  await forEachSliced(grouped, ([key, v]) => {
    if (earlier.has(key)) return;
    // The same earliest views, in the same order, that the query path reads.
    const views = inTimeOrder(v.views);
    const touches = touchesFromCandidates(key, views.slice(0, MAX_PAGE_VIEWS_READ), views.length > MAX_PAGE_VIEWS_READ, {
      now,
      origin: 'import',
    });
    seeded.push(seedVisitor(touches, importTag, deps.model, counts));
  });
  return { visitors: grouped.size, seeded, earlier: [...earlier], counts, now };
}

function linkingFields(event: SegmentEvent): LinkingEvent {
  return {
    messageId: event.messageId,
    type: event.type,
    timestamp: eventTime(event),
    userId: event.userId,
    anonymousId: event.anonymousId,
    previousId: event.type === 'alias' ? event.previousId : undefined,
  };
}

/** Imports the files and folders in `paths`. */
export async function importHistory(paths: readonly string[], deps: ImportDeps, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const files = await listInputs(paths, deps.s3, [options.checkpointPath, `${options.checkpointPath}.spill`, options.rejectsPath]);
  const inputs = files.map((f) => f.name);
  if (files.length === 0)
    throw new InvalidInputError(`no readable files in ${paths.join(', ')} (.jsonl, .json, .csv, optionally .gz)`, 'paths');
  const spillDir = `${options.checkpointPath}.spill`;
  const resumedFrom = loadCheckpoint(options.checkpointPath, inputs);
  const checkpoint: Checkpoint = resumedFrom ?? {
    version: 6,
    freshTables: await deps.events.holdsNoEvents(),
    seenCommitted: 0,
    runId: randomUUID().slice(0, 8),
    importCounts: {},
    inputs,
    phase: 'events',
    fileIndex: 0,
    record: 0,
    bucketsDone: 0,
    touchesDone: 0,
    usersDone: 0,
    counts: { read: 0, stored: 0, duplicates: 0, ignored: 0, rejected: 0, links: 0, visitors: 0, users: 0 },
  };
  if (!resumedFrom) rmSync(spillDir, { recursive: true, force: true });
  // After holdsNoEvents: the marker is an item while it lasts.
  await deps.startStreams?.();
  const importTag = `import-${checkpoint.runId}`;
  mkdirSync(spillDir, { recursive: true });
  // Identity pairs linked so far, with the earliest time each was linked at.
  // An archive repeats a pair on every event a signed-in visitor sends;
  // writing it only when it is new, or earlier than before, saves most link
  // writes. The list is kept with the checkpoint so a resumed import writes
  // exactly what a clean one would.
  const linksPath = join(spillDir, 'links.jsonl');
  // A batch's links are written after the previous batch's: a pair linked
  // again at an earlier time must land after its first write, not race it.
  let linkWrites: Promise<void> = Promise.resolve();
  const writeLinks = (links: IdentityLink[]): Promise<void> => {
    if (links.length === 0) return Promise.resolve();
    const write = linkWrites.then(() => deps.identity.linkInBulk(links.map((l) => ({ ...l, origin: 'import' as const }))));
    // The next batch's links wait for this write to end, well or not; its own failure surfaces at its commit.
    linkWrites = write.catch(() => undefined);
    return write;
  };
  const linked = new Map<string, string>();
  for (const [userId, anonymousId, at] of readJsonLines<LinkLine>(linksPath)) {
    const key = pairKey(userId, anonymousId);
    if ((linked.get(key) ?? at) >= at) linked.set(key, at);
  }
  // The messageIds met so far, when the tables were empty at the start; kept
  // beside the spill files as each batch is sent, so a resumed import knows
  // them too (one sent but never committed before a kill costs a read, no more).
  const seenPath = join(spillDir, 'seen.bin');
  const seenIds = checkpoint.freshTables ? loadSeenIds(seenPath, checkpoint.seenCommitted) : undefined;
  let seenSent = checkpoint.seenCommitted;
  // Visitors with page views, counted for the progress bar (as fingerprints:
  // as strings, 195,000 visitors per million events took 20 MB of the heap;
  // the exact count comes with the touch phase). On resume, the spill files
  // know them.
  const visitors = new FingerprintSet();
  if (checkpoint.phase === 'events') {
    for (let b = 0; b < SPILL_BUCKETS; b++) for (const [key] of readJsonLines<SpillLine>(spillPath(spillDir, b))) visitors.add(key);
  }
  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  const bytesTotal = totalBytes(files);
  let bytesRead = 0;
  let batches = 0;
  const progress = (phase: ImportProgress['phase'], file?: string): void =>
    options.onProgress?.({
      ...checkpoint.counts,
      phase,
      bytesRead,
      bytesTotal,
      touchesDone: checkpoint.touchesDone,
      usersDone: checkpoint.usersDone,
      file,
    });

  interface Job {
    unique: SegmentEvent[];
    repeated: number;
    rejects: string[];
    counts: { read: number; ignored: number; rejected: number };
    fileIndex: number;
    record: number;
    file: string;
    ids: Set<string>;
    /** Pairs this batch links first, or earlier than before. */
    links: LinkLine[];
    /** How many of them are new pairs. */
    newLinks: number;
    /** Fingerprints in seen.bin once this batch's are in. */
    seenEnd: number;
  }
  const inflight: { job: Job; written: Promise<[{ duplicates: ReadonlySet<string> }, void]> }[] = [];
  const inflightIds = new Set<string>();
  /** Waits for the oldest batch in flight, then counts it and moves the checkpoint past it. */
  const commitOldest = async (): Promise<void> => {
    const next = inflight.shift();
    if (!next) return;
    const { job } = next;
    const [{ duplicates }] = await next.written;
    const spill: string[][] = Array.from({ length: SPILL_BUCKETS }, () => []);
    for (const e of job.unique) {
      if (e.type !== 'page' && e.type !== 'screen') continue;
      const key = visitorKeyOf(e);
      visitors.add(key);
      // With fresh tables a duplicate is one this import stored itself (perhaps
      // before a kill, unspilled): the view is spilled, and inTimeOrder keeps
      // one. Otherwise it marks a visitor with history from before the import.
      const line: SpillLine = [
        key,
        duplicates.has(e.messageId) && !checkpoint.freshTables ? 0 : compactTouch(viewTouch(pageViewOf(e), deps.classify)),
      ];
      spill[bucketOf(key)]?.push(JSON.stringify(line));
    }
    // Before the checkpoint moves past this batch; a kill in between spills it twice, which inTimeOrder absorbs.
    spill.forEach((lines, b) => {
      if (lines.length > 0) writeSync(spillFile(b), `${lines.join('\n')}\n`);
    });
    if (job.rejects.length > 0) appendFileSync(options.rejectsPath, job.rejects.join(''));
    if (job.links.length > 0) appendFileSync(linksPath, job.links.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const c = checkpoint.counts;
    c.read += job.counts.read;
    c.ignored += job.counts.ignored;
    c.rejected += job.counts.rejected;
    c.duplicates += duplicates.size + job.repeated;
    c.stored += job.unique.length - duplicates.size;
    c.links += job.newLinks;
    c.visitors = visitors.size;
    checkpoint.fileIndex = job.fileIndex;
    checkpoint.record = job.record;
    checkpoint.seenCommitted = job.seenEnd;
    saveCheckpoint(options.checkpointPath, checkpoint);
    for (const id of job.ids) inflightIds.delete(id);
    batches += 1;
    progress('events', job.file);
    options.afterBatch?.(batches);
  };

  const spillFds = new Map<number, number>();
  const spillFile = (b: number): number => {
    let fd = spillFds.get(b);
    if (fd === undefined) spillFds.set(b, (fd = openSync(spillPath(spillDir, b), 'a')));
    return fd;
  };
  if (checkpoint.phase === 'events') {
    bytesRead += totalBytes(files.slice(0, checkpoint.fileIndex));
    // Where this run starts; the checkpoint moves on as batches commit.
    const resumeFile = checkpoint.fileIndex;
    const resumeRecord = checkpoint.record;
    try {
      for (let f = resumeFile; f < files.length; f++) {
        const input = files[f] as (typeof files)[number];
        const file = input.name;
        const skip = f === resumeFile ? resumeRecord : 0;
        let record = 0;
        let pending: SegmentEvent[] = [];
        let pendingRejects: string[] = [];
        let pendingCounts = { read: 0, ignored: 0, rejected: 0 };
        /** Sends the pending batch; it is committed (counted, checkpointed) later, in order. */
        const flush = async (): Promise<void> => {
          const seen = new Set<string>();
          let repeated = 0;
          const unique = pending.filter((e) => {
            // A messageId seen earlier in this batch, or in a batch still being
            // written, is a duplicate: count it, do not write it twice.
            if (seen.has(e.messageId) || inflightIds.has(e.messageId)) {
              repeated += 1;
              return false;
            }
            seen.add(e.messageId);
            return true;
          });
          for (const id of seen) inflightIds.add(id);
          const knownNew = new Set<string>();
          if (seenIds) {
            for (const e of unique) if (!seenIds.mayHave(e.messageId)) knownNew.add(e.messageId);
            rememberSeen(seenIds, seenPath, unique);
            seenSent += unique.length;
          }
          let newLinks = 0;
          const links = unique
            .flatMap((e) => linksFromEvent(linkingFields(e)))
            .filter((l) => {
              const key = pairKey(l.userId, l.anonymousId);
              const before = linked.get(key);
              if (before !== undefined && before <= l.linkedAt) return false;
              if (before === undefined) newLinks += 1;
              linked.set(key, l.linkedAt);
              return true;
            });
          const job: Job = {
            unique,
            repeated,
            rejects: pendingRejects,
            counts: pendingCounts,
            fileIndex: f,
            record,
            file,
            ids: seen,
            links: links.map((l) => [l.userId, l.anonymousId, l.linkedAt]),
            newLinks,
            seenEnd: seenSent,
          };
          const written = Promise.all([
            unique.length > 0
              ? deps.events.storeEvents(unique, { origin: 'import', knownNew })
              : Promise.resolve({ duplicates: new Set<string>() }),
            writeLinks(links),
          ]);
          // Handled when committed; until then, do not let a failure go unobserved.
          written.catch(() => undefined);
          inflight.push({ job, written });
          pending = [];
          pendingRejects = [];
          pendingCounts = { read: 0, ignored: 0, rejected: 0 };
          while (inflight.length >= PIPELINE_DEPTH) await commitOldest();
        };
        const slice = new ComputeSlice();
        for await (const r of readRecords(input, (n) => (bytesRead += n))) {
          // Records of one decompressed chunk are parsed without a turn of
          // the event loop: replies wait, no next write goes out, and
          // DynamoDB idles (86 to 93% busy in this phase in three runs at 1M,
          // 90 to 94% in three with this).
          if (slice.due()) await slice.pause();
          record += 1;
          if (record <= skip) continue;
          pendingCounts.read += 1;
          const parsed = r.ok ? parseEvent(options.dropPersonalData ? withoutPersonalData(r.raw) : r.raw, record) : undefined;
          if (!r.ok || !parsed?.ok) {
            pendingCounts.rejected += 1;
            const reason = !r.ok ? r.reason : parsed && !parsed.ok ? `${parsed.field}: ${parsed.message}` : 'invalid';
            pendingRejects.push(`${JSON.stringify({ file, line: r.line, reason })}\n`);
          } else if (!isStored(parsed.event)) {
            pendingCounts.ignored += 1;
          } else {
            pending.push(parsed.event);
          }
          if (pending.length + pendingCounts.ignored + pendingCounts.rejected >= batchSize) await flush();
        }
        // The file's last batch; its commit records the file as read to its
        // end. The next file's batches follow it into the pipeline: waiting
        // for this file's writes first left DynamoDB idle at each of the
        // archive's files while the next was opened and parsed.
        await flush();
      }
      while (inflight.length > 0) await commitOldest();
    } finally {
      for (const fd of spillFds.values()) closeSync(fd);
      spillFds.clear();
    }
    checkpoint.phase = 'touches';
    checkpoint.bucketsDone = 0;
    checkpoint.touchesDone = 0;
    saveCheckpoint(options.checkpointPath, checkpoint);
  }

  if (checkpoint.phase === 'touches') {
    // Derive touches for every visitor with page views, from their whole
    // history, one spill file at a time. The next file is read, split and
    // derived while this one's touches are being written, so that DynamoDB and
    // the import's own CPU work at the same time.
    progress('touches');
    // One file ahead: two took the touch phase 96 s at a million events instead
    // of 100 to 101 s, within the noise between runs, and raised peak RSS from
    // 236 to 249 MB, against the 250 MB target.
    const prepare = (b: number): Promise<PreparedBucket> | undefined => {
      if (b >= SPILL_BUCKETS) return undefined;
      const p = prepareBucket(spillDir, b, importTag, deps);
      // Handled when awaited in its round; until then, not unobserved.
      p.catch(() => undefined);
      return p;
    };
    let next = prepare(checkpoint.bucketsDone);
    try {
      for (let b = checkpoint.bucketsDone; b < SPILL_BUCKETS; b++) {
        const bucket = await (next as Promise<PreparedBucket>);
        const written = Promise.all([
          deps.touches.saveTouchesInBulk(bucket.seeded),
          mapLimit(bucket.earlier, TOUCH_CONCURRENCY, async (key) => {
            await refreshVisitorTouches(key, deps.touches, deps.classify, { now: bucket.now, origin: 'import' });
            await refreshVisitorRollup(key, deps);
          }),
        ]);
        next = prepare(b + 1);
        await written;
        addContribution(checkpoint.importCounts, bucket.counts);
        checkpoint.bucketsDone = b + 1;
        checkpoint.touchesDone += bucket.visitors;
        saveCheckpoint(options.checkpointPath, checkpoint);
        progress('touches');
        options.afterTouchFile?.(checkpoint.bucketsDone);
      }
    } catch (e) {
      // Nothing of this import runs on once it has failed: a run started next
      // (to resume) must not meet a file still being prepared.
      await next?.catch(() => undefined);
      throw e;
    }
    // Every visitor is in exactly one spill file: this is the exact count.
    checkpoint.counts.visitors = checkpoint.touchesDone;
    checkpoint.phase = 'users';
    checkpoint.usersDone = 0;
    saveCheckpoint(options.checkpointPath, checkpoint);
  }

  // The users' counters, chunk by chunk, once every visitor's touches are in.
  const spill = spillFolder(spillDir);
  const users = await importedUsers(spill, deps.identity);
  // Into tables that held no events, a user's links are the ones this import
  // wrote (a live one meanwhile is counted by processAttribution after it).
  const linksOf = checkpoint.freshTables ? linksWritten(spill) : linksStored(deps.identity);
  checkpoint.counts.users = users.length;
  progress('users');
  for (let chunk = Math.ceil(checkpoint.usersDone / USER_CHUNK); chunk < userChunks(users); chunk++) {
    const counts = await seedUserChunk(spill, users, chunk, importTag, deps, linksOf);
    options.afterUserChunk?.(chunk + 1);
    addContribution(checkpoint.importCounts, counts);
    checkpoint.usersDone = Math.min(users.length, (chunk + 1) * USER_CHUNK);
    saveCheckpoint(options.checkpointPath, checkpoint);
    progress('users');
  }
  // The visitors and users counted in bulk: this import's counter rows with what they
  // add up to, then the mark that makes those rows and the seeds count. Until
  // then, an import stopped and started afresh (without its checkpoint) counts
  // them the ordinary way, visitor by visitor. Every write here is a plain
  // put, so a resumed import redoes it all.
  await deps.rollups.putImportCounters(importTag, checkpoint.importCounts);
  await deps.rollups.finishImport(importTag);
  progress('done');
  rmSync(options.checkpointPath, { force: true });
  rmSync(spillDir, { recursive: true, force: true });
  return {
    ...checkpoint.counts,
    files: inputs.length,
    touches: checkpoint.touchesDone,
    resumed: resumedFrom !== undefined,
    seconds: (Date.now() - started) / 1000,
  };
}
