/**
 * Strings an import has met so far (messageIds, visitor keys), as 32-bit
 * fingerprints in an open-addressing hash set.
 *
 * Why: an import into tables that held no events when it began needs no
 * DynamoDB read to tell a new event from a duplicate, except when the
 * duplicate is one of its own. Remembering every messageId exactly would cost
 * about 100 bytes each on the heap (a million events: 100 MB of the import's
 * 128 MB); a fingerprint costs 4 to 8 bytes, outside the heap.
 *
 * A fingerprint can collide, so `mayHave` answers "maybe" or "no", never
 * "yes": the import settles a "maybe" by reading the table, so a collision
 * costs one read and can never make a new event pass for a duplicate. With a
 * million fingerprints, a new string meets a false "maybe" about once in
 * 4,000; `size` undercounts by the collisions, a few per million.
 */

/** Slots to start with; the table doubles whenever it is half full. */
const INITIAL_SLOTS = 1 << 16;

/**
 * MurmurHash3 (x86, 32-bit) over the UTF-16 code units. FNV-1a, cheaper,
 * collided seven times as often as chance on ids that differ in a counter.
 */
export function fingerprintOf(id: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    let k = Math.imul(id.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= id.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // 0 marks an empty slot.
  return h >>> 0 || 1;
}

export class FingerprintSet {
  private slots = new Uint32Array(INITIAL_SLOTS);
  private count = 0;

  /** Fingerprints held: the strings added, less the few that collided. */
  get size(): number {
    return this.count;
  }

  /** False when `id` was certainly never added; true when it may have been. */
  mayHave(id: string): boolean {
    const fp = fingerprintOf(id);
    const mask = this.slots.length - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === 0) return false;
      if (slot === fp) return true;
    }
  }

  add(id: string): void {
    this.addFingerprint(fingerprintOf(id));
  }

  /** Adds a fingerprint from fingerprintOf (one kept on disk). */
  addFingerprint(fp: number): void {
    if (fp === 0) return;
    if (this.insert(fp)) this.count += 1;
    if (this.count * 2 > this.slots.length) this.grow();
  }

  /** Inserts a fingerprint; false when it was there already. */
  private insert(fp: number): boolean {
    const mask = this.slots.length - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === fp) return false;
      if (slot === 0) {
        this.slots[i] = fp;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const fp of old) if (fp !== 0) this.insert(fp);
  }
}
