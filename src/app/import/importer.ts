/**
 * `sma import`: loads history into the tables the webhook writes, with the
 * same domain code (event storage, identity links, touch derivation), but
 * directly: a bulk import does not depend on streams and never sends to
 * Segment.
 *
 * The stages, in order:
 * - events (event-phase.ts): every event is stored and its ids linked, batch
 *   by batch; each new page view is classified and spilled under its visitor
 *   (spill.ts), so that a visitor's whole history ends up in one place.
 * - touches (touch-phase.ts): one spill file at a time, each visitor's touches
 *   are derived from its whole history, in bulk where the archive holds all
 *   of it, from the table where the visitor had history before.
 * - users (user-phase.ts): the users it touched get their report counters.
 * - finish: this import's counter rows, then the mark that makes them count.
 * - conversions (conversion-phase.ts): the converting visitors it touched,
 *   and their users, have their conversions credited.
 *
 * A visitor or user counted in bulk gets its first rollup state as a seed,
 * not as an item of its own, and counts once the import marks itself
 * finished (see RollupSeed); so besides the events, the import writes one
 * item per visitor and one per identity pair.
 *
 * Resumable: after every batch, spill file, chunk of users and chunk of
 * converting visitors the checkpoint (checkpoint.ts) records where the import
 * is and what it counted. Run again after a crash or a kill, it continues
 * from there and converges on the same tables, because its writes are
 * idempotent.
 */
import { rmSync } from 'node:fs';
import { InvalidInputError } from '../../errors';
import { runConversionPhase } from './conversion-phase';
import { runEventPhase } from './event-phase';
import { ImportRun } from './run';
import { listInputs, type InputFile } from './sources';
import { spillDirOf } from './spill';
import { runTouchPhase } from './touch-phase';
import type { ImportDeps, ImportOptions, ImportSummary } from './types';
import { runUserPhase } from './user-phase';

export { COMPUTE_SLICE_MS } from './compute-slice';
export { CONVERSION_CHUNK } from './conversion-phase';
export { IMPORT_BATCH_SIZE, PIPELINE_DEPTH } from './event-phase';
export { SPILL_BUCKETS } from './spill';
export { TOUCH_CONCURRENCY } from './touch-phase';
export type { ImportCounts, ImportDeps, ImportOptions, ImportProgress, ImportSummary } from './types';

/** The input files under `paths`, leaving out the import's own files; none is an error. */
async function listImportFiles(paths: readonly string[], deps: ImportDeps, options: ImportOptions): Promise<InputFile[]> {
  const own = [options.checkpointPath, spillDirOf(options.checkpointPath), options.rejectsPath];
  const files = await listInputs(paths, deps.s3, own);
  if (files.length === 0)
    throw new InvalidInputError(`no readable files in ${paths.join(', ')} (.jsonl, .json, .csv, optionally .gz)`, 'paths');
  return files;
}

/**
 * Writes this import's counter rows with what the visitors and users counted
 * in bulk add up to, then the mark that makes those rows and the seeds count.
 * Until then, an import stopped and started afresh (without its checkpoint)
 * counts them the ordinary way, visitor by visitor. Every write here is a
 * plain put, so a resumed import redoes it all. The checkpoint then moves on
 * to the conversions phase.
 */
async function finishImport(run: ImportRun): Promise<void> {
  const { checkpoint } = run;
  await run.deps.rollups.putImportCounters(run.importTag, checkpoint.importCounts);
  await run.deps.rollups.finishImport(run.importTag);
  checkpoint.phase = 'conversions';
  checkpoint.convertersDone = 0;
  run.save();
}

/** Removes the checkpoint and the spill folder: the import is done. */
function cleanUp(run: ImportRun): void {
  run.report('done');
  rmSync(run.options.checkpointPath, { force: true });
  rmSync(run.spillDir, { recursive: true, force: true });
}

/** Imports the files and folders in `paths`. */
export async function importHistory(paths: readonly string[], deps: ImportDeps, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const files = await listImportFiles(paths, deps, options);
  const run = await ImportRun.start(files, deps, options);
  if (run.checkpoint.phase === 'events') await runEventPhase(run, files);
  if (run.checkpoint.phase === 'touches') await runTouchPhase(run);
  if (run.checkpoint.phase === 'users') {
    await runUserPhase(run);
    await finishImport(run);
  }
  await runConversionPhase(run);
  cleanUp(run);
  return {
    ...run.checkpoint.counts,
    files: files.length,
    touches: run.checkpoint.touchesDone,
    resumed: run.resumed,
    seconds: (Date.now() - started) / 1000,
  };
}
