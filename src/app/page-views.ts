/**
 * New page views, a stream batch at a time. Each view refreshes its visitor's
 * touches and links its ids; then, once for the batch, the visitors whose
 * views all went through get their report counters and real-time sync
 * (processAttributionChanges), at a bounded concurrency rather than one per
 * view. The caller runs `apply` per view (reporting failures per view), then
 * `settle` once.
 */
import type { PageView } from '../attribution/touches';
import { appendTo } from '../lib/maps';
import type { Classifier } from '../source';
import { linkIdentities, type LinkingEvent } from './link-identities';
import { processAttributionChanges, type AttributionChange, type SyncDeps } from './realtime-sync';
import { refreshVisitorTouches } from './refresh-touches';

/** A page view the batch carries, by its visitor. */
export interface ArrivedPageView {
  visitorKey: string;
  view: PageView;
}

export interface PageViewBatchDeps extends SyncDeps {
  classify: Classifier;
}

/** One batch of page views; `Ref` names a view (a stream record) for failure reporting. */
export class PageViewBatch<Ref> {
  /** Views of one visitor in this batch share one recomputation. */
  readonly #refreshed = new Map<string, Promise<unknown>>();
  readonly #refsOf = new Map<string, Ref[]>();
  /** Counted even when the index the refresh reads does not show them yet. */
  readonly #arrived = new Map<string, PageView[]>();

  constructor(
    arrived: readonly ArrivedPageView[],
    private readonly deps: PageViewBatchDeps,
  ) {
    for (const { visitorKey, view } of arrived) appendTo(this.#arrived, visitorKey, view);
  }

  /**
   * Refreshes the touches of the view's visitor (once for the batch) and
   * stores the links of the event `linking` parses. The parse runs here, so
   * that a malformed item fails this view like any other permanent failure.
   */
  async apply(visitorKey: string, ref: Ref | undefined, linking: () => LinkingEvent): Promise<void> {
    let refresh = this.#refreshed.get(visitorKey);
    if (!refresh) {
      refresh = refreshVisitorTouches(visitorKey, this.deps.touches, this.deps.classify, { arrived: this.#arrived.get(visitorKey) });
      this.#refreshed.set(visitorKey, refresh);
    }
    if (ref !== undefined) appendTo(this.#refsOf, visitorKey, ref);
    await Promise.all([refresh, linkIdentities([linking()], this.deps.identity)]);
  }

  /**
   * Counters and sync for the visitors none of whose views failed (`failed`).
   * Resolves to every failed view: those, and the views of each visitor whose
   * counters or sync failed, for the stream to retry.
   */
  async settle(failed: ReadonlySet<Ref>): Promise<Set<Ref>> {
    const all = new Set(failed);
    const changes: AttributionChange<string>[] = [...this.#refsOf]
      .filter(([, refs]) => !refs.some((r) => failed.has(r)))
      .map(([visitorKey]) => ({ kind: 'touches', visitorKey, ref: visitorKey }));
    const failedVisitors = await processAttributionChanges(changes, this.deps);
    for (const visitorKey of failedVisitors) for (const ref of this.#refsOf.get(visitorKey) ?? []) all.add(ref);
    return all;
  }
}
