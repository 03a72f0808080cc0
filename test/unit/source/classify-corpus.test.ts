import { CHANNELS, createClassifier, DEFAULT_IGNORED_REFERRERS } from '../../../src/source';
import { loadCorpus } from '../../helpers/corpus';

const corpus = loadCorpus();

describe('the labelled corpus', () => {
  it('has at least 150 cases and covers every channel', () => {
    // Prepare
    const channels = new Set(corpus.map((c) => c.expect.channel));

    // Assess
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect([...CHANNELS].filter((ch) => !channels.has(ch))).toEqual([]);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // Prepare
    const classify = createClassifier({
      ownDomains: c.options?.ownDomains,
      ignoredReferrers: [...DEFAULT_IGNORED_REFERRERS, ...(c.options?.ignoredReferrers ?? [])],
    });

    // Act
    const result = classify({ url: c.url, referrer: c.referrer });

    // Assess
    expect(result).toMatchObject(c.expect);
    expect(result.reason).toMatch(/→/);
  });
});
