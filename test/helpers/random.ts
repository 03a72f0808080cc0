/**
 * A small deterministic PRNG (mulberry32): fixed seeds make generated test
 * data and benchmark corpora identical on every run, so failures replay.
 *
 * @returns a function yielding floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
