import { boundedUtf8, truncateUtf8, utf8Bytes } from '../../../src/lib/utf8';

describe('truncateUtf8', () => {
  it('cuts by bytes, never inside a character', () => {
    // Prepare: 3-byte CJK characters and a 4-byte emoji
    const cjk = '漢'.repeat(10);
    const emoji = 'ab😀cd';

    // Act / Assess
    expect(truncateUtf8(cjk, 10)).toBe('漢'.repeat(3));
    expect(truncateUtf8(emoji, 5)).toBe('ab');
    expect(truncateUtf8(emoji, 6)).toBe('ab😀');
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});

describe('boundedUtf8', () => {
  it('keeps values that fit, and bounds the rest with a hash that keeps them apart', () => {
    // Prepare: two long values with the same first 300 bytes
    const a = `${'漢'.repeat(100)}-spring`;
    const b = `${'漢'.repeat(100)}-autumn`;

    // Act
    const [boundedA, boundedB] = [boundedUtf8(a, 200), boundedUtf8(b, 200)];

    // Assess
    expect(boundedUtf8('newsletter', 200)).toBe('newsletter');
    expect(utf8Bytes(boundedA)).toBeLessThanOrEqual(200);
    expect(boundedA).toMatch(/^漢+…[0-9a-f]{8}$/);
    expect(boundedA).not.toBe(boundedB);
    expect(boundedUtf8(a, 200)).toBe(boundedA);
  });
});
