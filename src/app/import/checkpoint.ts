/**
 * The import's checkpoint: where it is and what it has counted, saved after
 * every batch, spill file, chunk of users and chunk of converting visitors.
 * Run again after a crash or a kill, the import continues from there and
 * converges on the same tables, because its writes are idempotent.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { CheckpointError } from '../../errors';
import { readJson, writeJsonAtomic } from '../../lib/files';

/** Changes whenever the checkpoint or the spill folder changes shape, so that an older one is refused rather than misread. */
export const CHECKPOINT_VERSION = 7;

const checkpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
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
  /** 'conversions' comes after the import marked itself finished: its counter rows and seeds count by then. */
  phase: z.enum(['events', 'touches', 'users', 'conversions']),
  fileIndex: z.number().int(),
  /** Records of that file already processed. */
  record: z.number().int(),
  /** Spill files whose visitors have their touches derived, and how many visitors that was. */
  bucketsDone: z.number().int(),
  touchesDone: z.number().int(),
  /** Users whose counters are set: whole chunks of USER_CHUNK. */
  usersDone: z.number().int(),
  /** Converting visitors credited: whole chunks of CONVERSION_CHUNK. */
  convertersDone: z.number().int(),
  counts: z.object({
    read: z.number(),
    stored: z.number(),
    duplicates: z.number(),
    ignored: z.number(),
    rejected: z.number(),
    links: z.number(),
    visitors: z.number(),
    users: z.number(),
    conversions: z.number(),
    conversionWarnings: z.number(),
    converters: z.number(),
    // A checkpoint written before bots were counted resumes with none counted.
    bots: z.number().default(0),
  }),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;

/** The checkpoint of an import of `inputs` that has done nothing yet. */
export function newCheckpoint(inputs: string[], freshTables: boolean): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    freshTables,
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
    convertersDone: 0,
    counts: {
      read: 0,
      stored: 0,
      duplicates: 0,
      ignored: 0,
      rejected: 0,
      links: 0,
      visitors: 0,
      users: 0,
      conversions: 0,
      conversionWarnings: 0,
      converters: 0,
      bots: 0,
    },
  };
}

export const saveCheckpoint = (path: string, checkpoint: Checkpoint): void => writeJsonAtomic(path, checkpoint);

/**
 * The checkpoint at `path`, or undefined when there is none. One from another
 * version of sma, or from an import of other files, is refused: resuming from
 * it would mix two imports.
 */
export function loadCheckpoint(path: string, inputs: readonly string[]): Checkpoint | undefined {
  const parsed = readJson(path, checkpointSchema);
  if (!parsed) return undefined;
  if (!parsed.success)
    throw new CheckpointError(`the checkpoint ${path} is from another version of sma; delete it and ${path}.spill to start over`);
  if (JSON.stringify(parsed.data.inputs) !== JSON.stringify(inputs)) {
    throw new CheckpointError(`the checkpoint ${path} belongs to an import of other files; delete it and ${path}.spill to start over`);
  }
  return parsed.data;
}
