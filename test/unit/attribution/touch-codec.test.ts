import type { Touch } from '../../../src/attribution/touches';
import { compactTouch, decodeTouches, encodeTouches, fullTouch } from '../../../src/attribution/touch-codec';

const campaignTouch: Touch = {
  touch: true,
  channel: 'Paid Search',
  source: 'google',
  medium: 'cpc',
  campaign: null,
  content: null,
  term: 'acme',
  campaign_id: null,
  click_id: 'gclid',
  referrer_host: 'www.bing.com',
  reason: 'gclid is Google Ads auto-tagging: source "google"; medium "cpc" is paid → Paid Search',
  messageId: 'm1',
  timestamp: '2021-02-28T10:05:54.581Z',
  landing_page: 'https://www.acme.com/?gclid=abc',
  referrer: 'https://www.bing.com/search?q=acme',
  rule: 'campaign',
};

const directTouch: Touch = {
  touch: true,
  channel: 'Direct',
  source: '(direct)',
  medium: '(none)',
  campaign: null,
  content: null,
  term: null,
  campaign_id: null,
  click_id: null,
  referrer_host: null,
  reason: 'first page view; no referrer',
  messageId: 'm0',
  timestamp: '2021-01-01T00:00:00.000Z',
  landing_page: null,
  referrer: null,
  rule: 'first-view',
};

describe('stored touches', () => {
  it('leave out null fields and `touch`, and read back equal, fields in the order the API shows', () => {
    // Prepare
    const touches = [directTouch, campaignTouch];

    // Act
    const text = encodeTouches(touches);
    const read = decodeTouches(text);

    // Assess
    expect(text).not.toContain('null');
    expect(text).not.toContain('"touch"');
    expect(text.length).toBeLessThan(JSON.stringify(touches).length * 0.8);
    expect(read).toEqual(touches);
    expect(read.map((t) => Object.keys(t))).toEqual(touches.map((t) => Object.keys(t)));
  });

  it('keep every field that is set, in the order the API shows', () => {
    // Prepare: a touch with no null field
    const everyField: Touch = {
      ...campaignTouch,
      campaign: 'spring',
      content: 'banner',
      campaign_id: 'c-42',
    };

    // Act
    const compact = compactTouch(everyField);

    // Assess: all but `touch`, which is true, as written
    expect(Object.keys(JSON.parse(JSON.stringify(compact)) as object)).toEqual(Object.keys(everyField).filter((k) => k !== 'touch'));
    expect(fullTouch(compact)).toEqual(everyField);
  });

  it('written in full, as before they were compacted, read back the same', () => {
    // Prepare
    const legacy = JSON.stringify([campaignTouch, directTouch]);

    // Act
    const read = decodeTouches(legacy);

    // Assess
    expect(read).toEqual([campaignTouch, directTouch]);
  });

  it('keep `touch` when it is false (a page view that is no touch of its own, as the import spills it)', () => {
    // Prepare
    const internal: Touch = { ...directTouch, touch: false, reason: 'internal referrer' };

    // Act
    const compact = compactTouch(internal);

    // Assess
    expect(compact.touch).toBe(false);
    expect(fullTouch(JSON.parse(JSON.stringify(compact)) as typeof compact)).toEqual(internal);
    expect(fullTouch(compactTouch(directTouch))).toEqual(directTouch);
  });

  it("read back an install attribution's touch with its rule", () => {
    // Prepare: an install attribution has a campaign and no landing page
    const install: Touch = { ...campaignTouch, click_id: null, referrer_host: null, landing_page: null, referrer: null, rule: 'install' };

    // Act / Assess
    expect(decodeTouches(encodeTouches([install]))).toEqual([install]);
  });
});
