/**
 * One run of an import, shared by its stages: the checkpoint it started from
 * (or a new one), its spill folder, its tag, and how it saves and reports
 * where it is.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadCheckpoint, newCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint';
import { totalBytes, type InputFile } from './sources';
import { spillDirOf } from './spill';
import type { ImportDeps, ImportOptions, ImportProgress } from './types';

export class ImportRun {
  /** Bytes of input read, for progress: the events phase counts them, from the files done before a resume on. */
  bytesRead = 0;
  readonly spillDir: string;
  /** Tags this import's seeds and counter rows; the same across resumes. */
  readonly importTag: string;

  private constructor(
    readonly deps: ImportDeps,
    readonly options: ImportOptions,
    readonly checkpoint: Checkpoint,
    /** Whether this run continues from a checkpoint. */
    readonly resumed: boolean,
    private readonly bytesTotal: number,
  ) {
    this.spillDir = spillDirOf(options.checkpointPath);
    this.importTag = `import-${checkpoint.runId}`;
  }

  /**
   * Resumes the import of `files` from its checkpoint, or starts it afresh
   * with an empty spill folder, and starts the tables' streams.
   */
  static async start(files: readonly InputFile[], deps: ImportDeps, options: ImportOptions): Promise<ImportRun> {
    const inputs = files.map((f) => f.name);
    const spillDir = spillDirOf(options.checkpointPath);
    const resumedFrom = loadCheckpoint(options.checkpointPath, inputs);
    const checkpoint = resumedFrom ?? newCheckpoint(inputs, await deps.events.holdsNoEvents());
    if (!resumedFrom) rmSync(spillDir, { recursive: true, force: true });
    // After holdsNoEvents: the marker is an item while it lasts.
    await deps.startStreams?.();
    mkdirSync(spillDir, { recursive: true });
    return new ImportRun(deps, options, checkpoint, resumedFrom !== undefined, totalBytes(files));
  }

  /** Saves the checkpoint as it stands. */
  save(): void {
    saveCheckpoint(this.options.checkpointPath, this.checkpoint);
  }

  /** Tells the caller where the import is. */
  report(phase: ImportProgress['phase'], file?: string): void {
    this.options.onProgress?.({
      ...this.checkpoint.counts,
      phase,
      bytesRead: this.bytesRead,
      bytesTotal: this.bytesTotal,
      touchesDone: this.checkpoint.touchesDone,
      usersDone: this.checkpoint.usersDone,
      convertersDone: this.checkpoint.convertersDone,
      file,
    });
  }
}
