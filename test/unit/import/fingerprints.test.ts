import { fingerprintOf, FingerprintSet } from '../../../src/app/import/fingerprints';

describe('FingerprintSet', () => {
  it('says "maybe" for every id added, across many doublings of its table', () => {
    // Prepare
    const seen = new FingerprintSet();
    const ids = Array.from({ length: 200_000 }, (_, i) => `msg-${i}`);

    // Act
    for (const id of ids) seen.add(id);

    // Assess
    expect(ids.every((id) => seen.mayHave(id))).toBe(true);
    expect(seen.size).toBeGreaterThan(199_990);
  });

  it('rarely says "maybe" for ids never added', () => {
    // Prepare
    const seen = new FingerprintSet();
    for (let i = 0; i < 200_000; i++) seen.add(`msg-${i}`);

    // Act
    let maybes = 0;
    for (let i = 0; i < 200_000; i++) if (seen.mayHave(`other-${i}`)) maybes += 1;

    // Assess: about 200k × 200k / 2^32 ≈ 9 expected; each costs one read, never a wrong answer
    expect(maybes).toBeLessThan(30);
  });

  it('holds the same fingerprints whether given ids or their fingerprints (as kept on disk)', () => {
    // Prepare
    const fromIds = new FingerprintSet();
    const fromDisk = new FingerprintSet();

    // Act
    for (let i = 0; i < 1000; i++) {
      fromIds.add(`id-${i}`);
      fromDisk.addFingerprint(fingerprintOf(`id-${i}`));
    }

    // Assess
    expect(fromDisk.size).toBe(fromIds.size);
    expect(fromDisk.mayHave('id-999')).toBe(true);
    expect(fingerprintOf('')).not.toBe(0);
  });
});
