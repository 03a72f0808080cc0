/**
 * The messageIds met so far by an import into tables that held no events as
 * it began (a new installation). Such an import needs no read to tell a new
 * event from a duplicate, unless the duplicate is one of its own: an event
 * whose messageId it has not met is new, and only a possible repeat is looked
 * up. Each batch's fingerprints are appended to seen.bin, beside the spill
 * files, as the batch is sent, so that a resumed import knows them too; one
 * sent but never committed before a kill costs a read, no more.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentEvent } from '../../segment/events';
import { fingerprintOf, FingerprintSet } from './fingerprints';

/** Fingerprints are 32-bit, stored as they lie in memory. */
const FINGERPRINT_BYTES = 4;

/**
 * The fingerprints of the messageIds of the first `committed` events a
 * (resumed) import stored or found; the file is cut back to them, so the
 * next appends follow on.
 */
function loadSeenIds(path: string, committed: number): FingerprintSet {
  const seenIds = new FingerprintSet();
  if (!existsSync(path)) return seenIds;
  const bytes = readFileSync(path);
  const length = Math.min(committed * FINGERPRINT_BYTES, Math.floor(bytes.length / FINGERPRINT_BYTES) * FINGERPRINT_BYTES);
  for (const fp of new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + length))) seenIds.addFingerprint(fp);
  truncateSync(path, length);
  return seenIds;
}

/** Adds a batch's messageIds, in memory and on disk, before it is written. */
function rememberSeen(seenIds: FingerprintSet, path: string, events: readonly SegmentEvent[]): void {
  const fps = new Uint32Array(events.length);
  events.forEach((e, i) => {
    fps[i] = fingerprintOf(e.messageId);
    seenIds.addFingerprint(fps[i] ?? 0);
  });
  appendFileSync(path, new Uint8Array(fps.buffer));
}

/**
 * What the import has met. Into tables that held events before it, nothing is
 * remembered and every event is looked up, so that events stored before (by
 * the webhook) are counted as duplicates.
 */
export class SeenMessageIds {
  private constructor(
    private readonly path: string,
    private readonly seen: FingerprintSet | undefined,
    /** Fingerprints in seen.bin once the batches sent so far are in. */
    public sent: number,
  ) {}

  /** Opens seen.bin in `spillDir`, keeping the first `committed` fingerprints; remembers nothing unless `freshTables`. */
  static open(spillDir: string, committed: number, freshTables: boolean): SeenMessageIds {
    const path = join(spillDir, 'seen.bin');
    return new SeenMessageIds(path, freshTables ? loadSeenIds(path, committed) : undefined, committed);
  }

  /** The messageIds of `events` that are surely new (a batch about to be sent, each messageId once); remembers them all. */
  admit(events: readonly SegmentEvent[]): Set<string> {
    const knownNew = new Set<string>();
    if (!this.seen) return knownNew;
    for (const e of events) if (!this.seen.mayHave(e.messageId)) knownNew.add(e.messageId);
    rememberSeen(this.seen, this.path, events);
    this.sent += events.length;
    return knownNew;
  }
}
