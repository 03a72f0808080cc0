/**
 * The identity pairs an import links. An archive repeats a pair on every
 * event a signed-in visitor sends, so a pair is written only when it is new,
 * or earlier than before; that saves most link writes. links.jsonl, beside
 * the spill files, lists what was written, so that a resumed import writes
 * exactly what a clean one would, and the user phase knows every pair.
 */
import { appendFileSync } from 'node:fs';
import { linksFromEvent, type LinkingEvent } from '../link-identities';
import type { IdentityLink, IdentityStore } from '../ports';
import { eventTime, type SegmentEvent } from '../../segment/events';
import { linksPath, readJsonLines, type LinkLine } from './spill';
import { EarliestLinks } from '../../attribution/identity-links';

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

export class ImportLinks {
  /** Identity pairs linked so far, with the earliest time each was linked at. */
  private readonly linked = new EarliestLinks();
  /** The last link write: a batch's links wait for the previous batch's, so a pair linked again earlier lands after its first write rather than racing it. */
  private writes: Promise<void> = Promise.resolve();
  private readonly path: string;

  /** Picks up the pairs listed in `spillDir` by an earlier run of this import. */
  constructor(
    spillDir: string,
    private readonly identity: Pick<IdentityStore, 'linkInBulk'>,
  ) {
    this.path = linksPath(spillDir);
    for (const [userId, anonymousId, linkedAt] of readJsonLines<LinkLine>(this.path)) this.linked.offer({ userId, anonymousId, linkedAt });
  }

  /** The links of `events` worth writing (new pairs, or pairs linked earlier than before), and how many are new pairs. */
  select(events: readonly SegmentEvent[]): { links: IdentityLink[]; newLinks: number } {
    let newLinks = 0;
    const links = events
      .flatMap((e) => linksFromEvent(linkingFields(e)))
      .filter((l) => {
        const taken = this.linked.offer(l);
        if (taken === 'new') newLinks += 1;
        return taken !== undefined;
      });
    return { links, newLinks };
  }

  /** Writes `links` once the previous batch's links are written. */
  write(links: IdentityLink[]): Promise<void> {
    if (links.length === 0) return Promise.resolve();
    const write = this.writes.then(() => this.identity.linkInBulk(links.map((l) => ({ ...l, origin: 'import' as const }))));
    // The next batch's links wait for this write to end, well or not; its own failure surfaces at its commit.
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Lists a committed batch's links in links.jsonl. */
  record(lines: readonly LinkLine[]): void {
    if (lines.length > 0) appendFileSync(this.path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }
}
