/**
 * Long stretches of the import's own CPU work (parsing input, deriving
 * touches) cut into slices. Writes are in flight meanwhile, and each reply
 * waits for the event loop to send the next request: the loop must turn often
 * for DynamoDB to stay busy.
 */

/**
 * How long the import computes before it lets the event loop run: bounded by
 * time, so the wait for replies stays short whatever one item of work costs.
 */
export const COMPUTE_SLICE_MS = 4;

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tells a loop when it has computed for COMPUTE_SLICE_MS, and lets the event loop run. */
export class ComputeSlice {
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
export async function forEachSliced<T>(items: Iterable<T>, each: (item: T) => void): Promise<void> {
  const slice = new ComputeSlice();
  for (const item of items) {
    each(item);
    if (slice.due()) await slice.pause();
  }
}
