import { EarliestLinks, earliestPerPair, movesBack } from '../../../src/attribution/identity-links';

const link = (userId: string, anonymousId: string, linkedAt: string) => ({ userId, anonymousId, linkedAt });

describe('identity links keep their earliest time', () => {
  it('take a new pair, then only an earlier time for it', () => {
    const links = new EarliestLinks();
    expect(links.offer(link('u', 'a', '2026-02-01'))).toBe('new');
    expect(links.offer(link('u', 'a', '2026-03-01'))).toBeUndefined();
    expect(links.offer(link('u', 'a', '2026-02-01'))).toBeUndefined();
    expect(links.offer(link('u', 'a', '2026-01-01'))).toBe('earlier');
    expect(links.offer(link('u', 'b', '2026-03-01'))).toBe('new');
  });

  it('write over a stored pair only to move it back', () => {
    expect([undefined, '2026-02-01', '2026-01-01'].map((at) => movesBack(at, link('u', 'a', '2026-01-15')))).toEqual([true, true, false]);
  });

  it('keep one link per pair in a batch, its earliest', () => {
    const batch = [link('u', 'a', '2026-02-01'), link('u', 'b', '2026-02-02'), link('u', 'a', '2026-01-01'), link('u', 'a', '2026-03-01')];
    expect(earliestPerPair(batch)).toEqual([link('u', 'a', '2026-01-01'), link('u', 'b', '2026-02-02')]);
  });
});
