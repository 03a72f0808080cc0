/**
 * The touch phase: every visitor with page views gets its touches, derived
 * from its whole history, one spill file at a time. Sessions and "first page
 * view" are decided on event time, so archives may arrive in any order.
 *
 * A visitor whose every page view is new in this import, and who has no
 * touches stored, has its whole history in the spill file: its touches are
 * derived there and written in bulk, each with the visitor's first rollup
 * state (a seed), which spares an index query and a conditional write per
 * visitor. Visitors with earlier history (a page view stored before, or
 * touches already saved) are derived from the table, as the webhook's
 * stream processor would, and so are visitors with conversions stored.
 */
import { addContribution } from '../../attribution/counters';
import { compareByTime, type Touch } from '../../attribution/touches';
import type { VisitorTouches } from '../ports';
import { refreshVisitorRollup, seedVisitor } from '../refresh-counters';
import { MAX_PAGE_VIEWS_READ, refreshVisitorTouches, touchesFromCandidates } from '../refresh-touches';
import { mapLimit } from '../../lib/concurrency';
import { forEachSliced, nextTurn } from './compute-slice';
import { storedConverters } from './converters';
import type { FingerprintSet } from './fingerprints';
import type { ImportRun } from './run';
import { keptVisitorsWithHistory, readSpillBucket, SPILL_BUCKETS, type SpillVisitors } from './spill';
import type { ImportDeps } from './types';

/** Visitors with earlier history whose touches are derived (queried) at once. */
export const TOUCH_CONCURRENCY = 16;

/** One spill file, read and derived, ready to write. */
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

/**
 * A visitor's spilled views ordered by compareByTime, each once. A batch
 * spilled just before a kill is spilled again on resume; its lines are the
 * same views, and compareByTime breaks ties by messageId, so after sorting
 * they sit side by side, which is cheaper than a set of messageIds per visitor.
 */
function inTimeOrder(views: Touch[]): Touch[] {
  views.sort(compareByTime);
  return views.filter((view, i) => i === 0 || view.messageId !== views[i - 1]?.messageId);
}

/**
 * The visitors of a spill file that had history before this import (a page
 * view stored before, or touches saved), or that converted: one that
 * converted live may have counters of its own already, which a seed would
 * count a second time.
 */
function visitorsWithHistory(run: ImportRun, bucket: number, grouped: SpillVisitors, converters: FingerprintSet): Promise<Set<string>> {
  return keptVisitorsWithHistory(run.spillDir, bucket, async () => {
    const keys = [...grouped.keys()];
    const stored = keys.length > 0 ? await run.deps.touches.visitorsWithTouches(keys) : new Set<string>();
    return keys.filter((k) => grouped.get(k)?.earlier === true || stored.has(k) || converters.mayHave(k));
  });
}

/** Reads one spill file, splits its visitors and derives the touches of those whose whole history is in it. */
async function prepareBucket(run: ImportRun, bucket: number, converters: FingerprintSet): Promise<PreparedBucket> {
  // Lets the previous file's writes go out before this file's CPU work.
  await nextTurn();
  const grouped = await readSpillBucket(run.spillDir, bucket);
  const earlier = await visitorsWithHistory(run, bucket, grouped, converters);
  const now = new Date();
  // What the seeded visitors add up to is summed in the checkpoint and written
  // as this import's counter rows once every file is done, rather than
  // rewriting those rows after each file.
  const counts: Record<string, number> = {};
  const seeded: VisitorTouches[] = [];
  await forEachSliced(grouped, ([key, v]) => {
    if (earlier.has(key)) return;
    // The same earliest views, in the same order, that the query path reads.
    const views = inTimeOrder(v.views);
    const viewCounts = { botViews: v.bots.size, truncated: views.length > MAX_PAGE_VIEWS_READ };
    const touches = touchesFromCandidates(key, views.slice(0, MAX_PAGE_VIEWS_READ), viewCounts, { now, origin: 'import' });
    seeded.push(seedVisitor(touches, run.importTag, run.deps.model, counts));
  });
  return { visitors: grouped.size, seeded, earlier: [...earlier], counts, now };
}

/** Writes a prepared spill file's touches: the seeded ones in bulk, the others through the table. */
function writeBucket(bucket: PreparedBucket, deps: ImportDeps): Promise<unknown> {
  return Promise.all([
    deps.touches.saveTouchesInBulk(bucket.seeded),
    mapLimit(bucket.earlier, TOUCH_CONCURRENCY, async (key) => {
      await refreshVisitorTouches(key, deps.touches, deps.classify, { now: bucket.now, origin: 'import' });
      await refreshVisitorRollup(key, deps);
    }),
  ]);
}

/** Moves the checkpoint past spill file `b`, once its touches are written. */
function commitBucket(run: ImportRun, b: number, bucket: PreparedBucket): void {
  const { checkpoint } = run;
  addContribution(checkpoint.importCounts, bucket.counts);
  checkpoint.bucketsDone = b + 1;
  checkpoint.touchesDone += bucket.visitors;
  run.save();
  run.report('touches');
  run.options.afterTouchFile?.(checkpoint.bucketsDone);
}

/**
 * Runs the touch phase from the checkpoint's next spill file, then moves the
 * checkpoint on to the user phase. The next file is read and derived while
 * this one's touches are written, so that DynamoDB and the import's CPU work
 * at the same time; one file ahead is enough to keep both busy, and more
 * would only hold more views in memory.
 */
export async function runTouchPhase(run: ImportRun): Promise<void> {
  const { checkpoint } = run;
  run.report('touches');
  const converters = await storedConverters(run.spillDir, run.deps.conversions);
  const prepare = (b: number): Promise<PreparedBucket> | undefined => {
    if (b >= SPILL_BUCKETS) return undefined;
    const p = prepareBucket(run, b, converters);
    // Handled when awaited in its round; until then, not unobserved.
    p.catch(() => undefined);
    return p;
  };
  let next = prepare(checkpoint.bucketsDone);
  try {
    for (let b = checkpoint.bucketsDone; b < SPILL_BUCKETS; b++) {
      const bucket = await (next as Promise<PreparedBucket>);
      const written = writeBucket(bucket, run.deps);
      next = prepare(b + 1);
      await written;
      commitBucket(run, b, bucket);
    }
  } catch (e: unknown) {
    // Nothing of this import runs on once it has failed: a run started next
    // (to resume) must not meet a file still being prepared.
    await next?.catch(() => undefined);
    throw e;
  }
  // Every visitor is in exactly one spill file: this is the exact count.
  checkpoint.counts.visitors = checkpoint.touchesDone;
  checkpoint.phase = 'users';
  checkpoint.usersDone = 0;
  run.save();
}
