/**
 * The events phase: every event is stored (idempotently, by messageId) and
 * its ids are linked, batch by batch, and each new page view is classified
 * and spilled under its visitor for the touch phase; each conversion's
 * visitor is listed for the conversions phase.
 *
 * Classifying here needs none of the visitor's other views, and this phase
 * waits on DynamoDB with CPU to spare, while the touch phase waits on the
 * import's own CPU: so the spill line carries the view as the touch it would
 * be, and the touch phase only orders and selects.
 *
 * Several batches are written at once, and committed (counted, spilled,
 * checkpointed) in input order, so a resumed import starts after the last
 * batch whose writes all succeeded.
 */
import { appendFileSync } from 'node:fs';
import { viewTouch } from '../../attribution/touches';
import { visitorKeyOf } from '../../attribution/visitor-key';
import { asViewEvent, type SegmentEvent, type ViewEvent } from '../../segment/events';
import { pageViewOf, viewKeyOf } from '../../store/items';
import { compactTouch, type CompactTouch } from '../../attribution/touch-codec';
import { NOTHING_STORED, type StoredEvents } from '../ports';
import { newBotViews } from '../store-events';
import { recordConverters } from './converters';
import { readBatches, type InputBatch } from './event-batches';
import { FingerprintSet } from './fingerprints';
import { ImportLinks } from './links';
import type { ImportRun } from './run';
import { SeenMessageIds } from './seen-ids';
import { totalBytes, type InputFile } from './sources';
import { SpillWriter, spilledVisitorKeys, type LinkLine, type SpilledBotView, type SpillLine } from './spill';

/** Events stored per batch (and per checkpoint). */
export const IMPORT_BATCH_SIZE = 500;
/**
 * Batches being written at once. Storing a batch waits on a read (the
 * duplicate check) before its writes, and a batch commits only when its last
 * request is answered; with several in flight, DynamoDB is never idle.
 * Against DynamoDB Local that a running stack shares, only
 * CLI_SHARED_IN_FLIGHT of their requests are sent at once; the rest wait in
 * the client, ready the moment one is answered.
 */
export const PIPELINE_DEPTH = 6;

/** A batch sent to DynamoDB, with what its commit needs. */
interface SentBatch extends Omit<InputBatch, 'events'> {
  /** The batch's events, each messageId once and none still in flight in an earlier batch. */
  unique: SegmentEvent[];
  /** Events dropped as repeats within the batch or of a batch in flight. */
  repeated: number;
  /** The messageIds of `unique`. */
  ids: Set<string>;
  /** Pairs this batch links first, or earlier than before. */
  links: LinkLine[];
  /** How many of them are new pairs. */
  newLinks: number;
  /** Fingerprints in seen.bin once this batch's are in. */
  seenEnd: number;
}

type Written = Promise<[StoredEvents, void]>;

/** Sends batches and commits them in order, at most PIPELINE_DEPTH in flight. */
class EventPipeline {
  private readonly inflight: { batch: SentBatch; written: Written }[] = [];
  private readonly inflightIds = new Set<string>();
  private committed = 0;
  private readonly links: ImportLinks;
  private readonly seen: SeenMessageIds;
  private readonly spill: SpillWriter;
  /**
   * Visitors with page views, counted for the progress bar as fingerprints,
   * which take far less memory than the keys; the touch phase gives the
   * exact count. On resume, the spill files know them.
   */
  private readonly visitors = new FingerprintSet();

  constructor(private readonly run: ImportRun) {
    this.links = new ImportLinks(run.spillDir, run.deps.identity);
    this.seen = SeenMessageIds.open(run.spillDir, run.checkpoint.seenCommitted, run.checkpoint.freshTables);
    for (const key of spilledVisitorKeys(run.spillDir)) this.visitors.add(key);
    this.spill = new SpillWriter(run.spillDir);
  }

  /** Sends `input`; it is committed (counted, checkpointed) later, in order. */
  async send({ events, ...input }: InputBatch): Promise<void> {
    const { unique, repeated, ids } = this.withoutRepeats(events);
    const knownNew = this.seen.admit(unique);
    const { links, newLinks } = this.links.select(unique);
    const batch: SentBatch = {
      ...input,
      unique,
      repeated,
      ids,
      links: links.map((l) => [l.userId, l.anonymousId, l.linkedAt]),
      newLinks,
      seenEnd: this.seen.sent,
    };
    const written = Promise.all([
      unique.length > 0 ? this.run.deps.events.storeEvents(unique, { origin: 'import', knownNew }) : Promise.resolve(NOTHING_STORED),
      this.links.write(links),
    ]);
    // Handled when committed; until then, do not let a failure go unobserved.
    written.catch(() => undefined);
    this.inflight.push({ batch, written });
    while (this.inflight.length >= PIPELINE_DEPTH) await this.commitOldest();
  }

  /** Commits every batch still in flight. */
  async drain(): Promise<void> {
    while (this.inflight.length > 0) await this.commitOldest();
  }

  close(): void {
    this.spill.close();
  }

  /**
   * The events whose messageId is new to this batch and to the batches in
   * flight: a repeat is counted as a duplicate, not written twice.
   */
  private withoutRepeats(events: readonly SegmentEvent[]): { unique: SegmentEvent[]; repeated: number; ids: Set<string> } {
    const ids = new Set<string>();
    let repeated = 0;
    const unique = events.filter((e) => {
      if (ids.has(e.messageId) || this.inflightIds.has(e.messageId)) {
        repeated += 1;
        return false;
      }
      ids.add(e.messageId);
      return true;
    });
    for (const id of ids) this.inflightIds.add(id);
    return { unique, repeated, ids };
  }

  /** Waits for the oldest batch in flight, then counts it and moves the checkpoint past it. */
  private async commitOldest(): Promise<void> {
    const next = this.inflight.shift();
    if (!next) return;
    const { batch } = next;
    const [{ duplicates, conversions }] = await next.written;
    // Before the checkpoint moves past this batch; a kill in between spills it
    // twice, and the touch phase keeps each view once.
    this.spill.append(this.spillLines(batch.unique, duplicates));
    if (batch.rejects.length > 0) appendFileSync(this.run.options.rejectsPath, batch.rejects.join(''));
    this.links.record(batch.links);
    // Stored before or not, each is credited: an import stopped and started
    // afresh has stored some it has not credited.
    recordConverters(this.run.spillDir, conversions);
    const { checkpoint } = this.run;
    const c = checkpoint.counts;
    const newConversions = conversions.filter((x) => !duplicates.has(x.messageId));
    c.conversions += newConversions.length;
    c.conversionWarnings += newConversions.filter((x) => x.warning !== undefined).length;
    c.read += batch.counts.read;
    c.ignored += batch.counts.ignored;
    c.rejected += batch.counts.rejected;
    c.duplicates += duplicates.size + batch.repeated;
    c.stored += batch.unique.length - duplicates.size;
    c.bots += newBotViews(batch.unique, duplicates);
    c.links += batch.newLinks;
    c.visitors = this.visitors.size;
    checkpoint.fileIndex = batch.fileIndex;
    checkpoint.record = batch.record;
    checkpoint.seenCommitted = batch.seenEnd;
    this.run.save();
    for (const id of batch.ids) this.inflightIds.delete(id);
    this.committed += 1;
    this.run.report('events', batch.file);
    this.run.options.afterBatch?.(this.committed);
  }

  /** The spill lines of a committed batch's views (pages, screens, install attributions), counting their visitors. */
  private spillLines(events: readonly SegmentEvent[], duplicates: ReadonlySet<string>): SpillLine[] {
    const { freshTables } = this.run.checkpoint;
    const lines: SpillLine[] = [];
    for (const event of events) {
      const e = asViewEvent(event);
      if (!e) continue;
      const key = visitorKeyOf(e);
      this.visitors.add(key);
      // With fresh tables a duplicate is one this import stored itself (perhaps
      // before a kill, unspilled): the view is spilled, and the touch phase
      // keeps one. Otherwise it marks a visitor with history from before the import.
      const earlier = duplicates.has(e.messageId) && !freshTables;
      lines.push([key, earlier ? 0 : this.spilledView(e)]);
    }
    return lines;
  }

  /** A new view as spilled: the touch it would be, or a bot's view to count. */
  private spilledView(e: ViewEvent): CompactTouch | SpilledBotView {
    return e.bot === true ? { bot: viewKeyOf(e) } : compactTouch(viewTouch(pageViewOf(e), this.run.deps.classify));
  }
}

/** Runs the events phase from where the checkpoint says, then moves the checkpoint on to the touch phase. */
export async function runEventPhase(run: ImportRun, files: readonly InputFile[]): Promise<void> {
  const { checkpoint, options } = run;
  const pipeline = new EventPipeline(run);
  run.bytesRead += totalBytes(files.slice(0, checkpoint.fileIndex));
  const batches = readBatches(files, {
    // Where this run starts; the checkpoint moves on as batches commit.
    fileIndex: checkpoint.fileIndex,
    record: checkpoint.record,
    batchSize: options.batchSize ?? IMPORT_BATCH_SIZE,
    dropPersonalData: options.dropPersonalData,
    botFilter: options.botFilter,
    conversionEvents: options.conversionEvents,
    onBytes: (n) => (run.bytesRead += n),
  });
  try {
    for await (const batch of batches) await pipeline.send(batch);
    await pipeline.drain();
  } finally {
    pipeline.close();
  }
  checkpoint.phase = 'touches';
  checkpoint.bucketsDone = 0;
  checkpoint.touchesDone = 0;
  run.save();
}
