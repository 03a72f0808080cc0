import { backoffMs } from '../../../src/lib/backoff';

describe('backoffMs', () => {
  const policy = { baseMs: 100, capMs: 1_000 };

  it('doubles the longest wait with each attempt, up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((attempt) => backoffMs(policy, attempt, () => 0.999_999))).toEqual(
      [200, 400, 800, 1_000, 1_000].map((ms) => ms * 0.999_999),
    );
  });

  it('draws the wait uniformly below it (full jitter)', () => {
    expect(backoffMs(policy, 2, () => 0)).toBe(0);
    expect(backoffMs(policy, 2, () => 0.5)).toBe(200);
  });
});
