/**
 * `sma import` runs in a worker thread with a capped heap.
 *
 * Why: the import allocates fast (gunzip, JSON, the SDK's marshalling) and
 * retains little (the identity pairs written so far, and its counters). On a
 * machine with plenty of memory V8 lets the heap grow far past what is live
 * before it collects, far past the import's memory target. A worker's
 * `resourceLimits` bound its heap without a command-line flag, in the same
 * process, so a signal (Ctrl-C, SIGKILL) still stops everything at once.
 * If an unusually large archive needs more, the worker stops with a message
 * naming `--heap-mb`, and the run resumes from its checkpoint. The default is
 * DEFAULT_IMPORT_HEAP_MB in main.ts.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import { runImport, type ImportFlags } from './import-command';

/**
 * How far V8 lets the heap grow past what survived a full collection before
 * it runs the next: 100% (twice the live size, up to the heap cap). V8's
 * default under a capped heap made the touch phase, which keeps a spill
 * file's visitors live, collect several times a second. V8's flags belong to
 * the process, so this is set before the worker starts; the cap
 * (resourceLimits) still bounds the heap.
 */
export const IMPORT_HEAP_GROWING_PERCENT = 100;

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } };

const workerDataSchema = z.object({
  smaImport: z.literal(true),
  paths: z.array(z.string()),
  flags: z.record(z.string(), z.unknown()),
  stderrIsTTY: z.boolean(),
  columns: z.number().optional(),
});

/**
 * Runs `sma import` in a worker with a heap of `heapMb`. From the TypeScript
 * sources (tests), where there is no bundle for a worker to load, it runs in
 * this thread instead.
 */
export async function runImportInWorker(paths: string[], flags: ImportFlags, heapMb: number, io: Io): Promise<number> {
  if (!__filename.endsWith('.js')) return runImport(paths, flags, io);
  setFlagsFromString(`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`);
  const worker = new Worker(`require(${JSON.stringify(__filename)}).importWorkerMain()`, {
    eval: true,
    workerData: { smaImport: true, paths, flags, stderrIsTTY: io.stderr.isTTY === true, columns: io.stderr.columns },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    stdout: true,
    stderr: true,
  });
  worker.stdout.pipe(io.stdout, { end: false });
  worker.stderr.pipe(io.stderr, { end: false });
  return new Promise((resolve) => {
    let code = 1;
    worker.on('message', (m: unknown) => {
      if (typeof m === 'number') code = m;
    });
    worker.on('error', (e: unknown) => {
      const outOfMemory = e instanceof Error && 'code' in e && e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      io.stderr.write(
        outOfMemory
          ? `\nsma import: the import needed more than its ${heapMb} MB heap. Run the same command again with --heap-mb ${heapMb * 2}: it resumes from ${flags.checkpoint}.\n`
          : `\nsma import: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      code = 1;
    });
    worker.on('exit', () => resolve(code));
  });
}

/** The worker's side: runs the import and posts its exit code. */
export async function runImportWorkerSide(): Promise<void> {
  if (isMainThread || !parentPort) throw new Error('runImportWorkerSide runs in a worker started by runImportInWorker');
  const data = workerDataSchema.parse(workerData);
  // The worker's stderr is a pipe to the main thread; a progress bar needs to
  // know that the main thread's is a terminal.
  const stderr = data.stderrIsTTY
    ? Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
        isTTY: true,
        columns: data.columns ?? 80,
        write: process.stderr.write.bind(process.stderr),
      })
    : process.stderr;
  // The flags were the main thread's own ImportFlags, passed through structured clone.
  const code = await runImport(data.paths, data.flags as unknown as ImportFlags, { stdout: process.stdout, stderr });
  parentPort.postMessage(code);
}
