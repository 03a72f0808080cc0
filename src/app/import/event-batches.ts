/**
 * The input, read as batches: each record is parsed and validated as the
 * webhook would, and sorted into events to store, ignored events and
 * rejected lines. A batch is what the events phase stores, counts and
 * checkpoints as one.
 */
import { isStored, parseIncoming } from '../store-events';
import type { SegmentEvent } from '../../segment/events';
import { ComputeSlice } from './compute-slice';
import { readRecords, type InputFile, type InputRecord } from './sources';

/** Records of the input, parsed. */
export interface InputBatch {
  /** The events to store, in input order (repeats included). */
  events: SegmentEvent[];
  /** Lines for the rejects file, as JSON lines {file, line, reason}. */
  rejects: string[];
  counts: { read: number; ignored: number; rejected: number };
  /** The input file the batch comes from. */
  fileIndex: number;
  file: string;
  /** Records of that file done once this batch is in. */
  record: number;
}

export interface BatchReading {
  /** Where reading begins: a file, and how many of its records were done already. */
  fileIndex: number;
  record: number;
  /** Records per batch: events, ignored and rejected together. */
  batchSize: number;
  /** Drop IPs and identify traits before storing (DROP_PERSONAL_DATA). */
  dropPersonalData: boolean | undefined;
  /** Tell bots' page views from their user agent (BOT_FILTER). */
  botFilter: boolean | undefined;
  /** CONVERSION_EVENTS: stored whatever ids they carry, where other tracks need both. */
  conversionEvents: ReadonlySet<string> | undefined;
  /** Told how many bytes of a file were read, before decompression. */
  onBytes: (n: number) => void;
}

const emptyBatch = (fileIndex: number, file: string): InputBatch => ({
  events: [],
  rejects: [],
  counts: { read: 0, ignored: 0, rejected: 0 },
  fileIndex,
  file,
  record: 0,
});

/** Sorts record number `record` of a file into `batch`. */
function addRecord(batch: InputBatch, r: InputRecord, record: number, reading: BatchReading): void {
  batch.counts.read += 1;
  const parsed = r.ok ? parseIncoming(r.raw, record, reading) : undefined;
  if (!r.ok || !parsed?.ok) {
    batch.counts.rejected += 1;
    const reason = !r.ok ? r.reason : parsed && !parsed.ok ? `${parsed.field}: ${parsed.message}` : 'invalid';
    batch.rejects.push(`${JSON.stringify({ file: batch.file, line: r.line, reason })}\n`);
  } else if (!isStored(parsed.event, reading.conversionEvents)) {
    batch.counts.ignored += 1;
  } else {
    batch.events.push(parsed.event);
  }
}

/**
 * The batches of `files`, from where `reading` says on. Every file ends with
 * a batch of its own, empty or not, so that its commit records the file as
 * read to its end.
 */
export async function* readBatches(files: readonly InputFile[], reading: BatchReading): AsyncGenerator<InputBatch> {
  for (let f = reading.fileIndex; f < files.length; f++) {
    const input = files[f] as InputFile;
    const skip = f === reading.fileIndex ? reading.record : 0;
    let record = 0;
    let batch = emptyBatch(f, input.name);
    const slice = new ComputeSlice();
    for await (const r of readRecords(input, reading.onBytes)) {
      // Records of one decompressed chunk would otherwise be parsed without a
      // turn of the event loop, while replies wait and DynamoDB idles.
      if (slice.due()) await slice.pause();
      record += 1;
      if (record <= skip) continue;
      addRecord(batch, r, record, reading);
      if (batch.events.length + batch.counts.ignored + batch.counts.rejected >= reading.batchSize) {
        yield { ...batch, record };
        batch = emptyBatch(f, input.name);
      }
    }
    // The next file's batches follow this one into the pipeline without
    // waiting for its writes, so DynamoDB is not idle while a file opens.
    yield { ...batch, record };
  }
}
