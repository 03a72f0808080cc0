import { classifySource } from '../../../src/source';
import { CLICK_ID_RULES, findClickId } from '../../../src/source/click-ids';
import type { Channel, SourceCategory } from '../../../src/source/types';

const PAGE = 'https://www.example.com/landing';

/** Every known click id, in precedence order, with what it implies and where GA4's rules then file it. */
const EXPECTED: [param: string, source: string, medium: string, category: SourceCategory | undefined, paid: boolean, channel: Channel][] = [
  ['gclid', 'google', 'cpc', 'search', true, 'Paid Search'],
  ['gbraid', 'google', 'cpc', 'search', true, 'Paid Search'],
  ['wbraid', 'google', 'cpc', 'search', true, 'Paid Search'],
  ['dclid', 'google', 'cpm', undefined, true, 'Display'],
  ['msclkid', 'bing', 'cpc', 'search', true, 'Paid Search'],
  ['yclid', 'yandex', 'cpc', 'search', true, 'Paid Search'],
  ['ttclid', 'tiktok', 'cpc', 'social', true, 'Paid Social'],
  ['li_fat_id', 'linkedin', 'cpc', 'social', true, 'Paid Social'],
  ['twclid', 'twitter', 'cpc', 'social', true, 'Paid Social'],
  ['epik', 'pinterest', 'cpc', 'social', true, 'Paid Social'],
  ['sccid', 'snapchat', 'cpc', 'social', true, 'Paid Social'],
  ['rdt_cid', 'reddit', 'cpc', 'social', true, 'Paid Social'],
  ['qclid', 'quora', 'cpc', 'social', true, 'Paid Social'],
  ['irclickid', 'impact', 'affiliate', undefined, false, 'Affiliates'],
  ['awc', 'awin', 'affiliate', undefined, false, 'Affiliates'],
  ['fbclid', 'facebook', 'social', 'social', false, 'Organic Social'],
  ['igshid', 'instagram', 'social', 'social', false, 'Organic Social'],
  ['srsltid', 'google', 'organic', 'shopping', false, 'Organic Shopping'],
  ['mc_cid', 'mailchimp', 'email', 'email', false, 'Email'],
  ['_hsenc', 'hubspot', 'email', 'email', false, 'Email'],
];

describe('CLICK_ID_RULES', () => {
  it('lists every known click id once, lowercase, in precedence order', () => {
    // Act
    const params = CLICK_ID_RULES.map((rule) => rule.param);

    // Assess
    expect(params).toEqual(EXPECTED.map(([param]) => param));
    expect(params.every((p) => p === p.toLowerCase())).toBe(true);
  });

  it('ranks every paid click id ahead of every unpaid one', () => {
    // Act
    const lastPaid = CLICK_ID_RULES.map((rule) => rule.paid).lastIndexOf(true);
    const firstUnpaid = CLICK_ID_RULES.findIndex((rule) => !rule.paid);

    // Assess
    expect(lastPaid).toBe(12);
    expect(firstUnpaid).toBe(13);
  });

  it('describes every click id for the reason text', () => {
    // Act
    const undescribed = CLICK_ID_RULES.filter((rule) => rule.description.trim() === '').map((rule) => rule.param);

    // Assess
    expect(undescribed).toEqual([]);
  });
});

describe('findClickId', () => {
  it.each(EXPECTED.map(([param, source, medium, category, paid], rank) => ({ param, source, medium, category, paid, rank })))(
    'says $param implies source $source, medium $medium, category $category, paid $paid, at rank $rank',
    ({ param, source, medium, category, paid, rank }) => {
      // Act
      const found = findClickId(param);

      // Assess
      expect(found?.rank).toBe(rank);
      expect(found?.rule).toMatchObject({ param, source, medium, category, paid });
    },
  );

  it.each([['utm_source'], ['GCLID'], ['gclid '], [''], ['fbclid_x']])('knows no click id named %p', (param) => {
    // Act / Assess
    expect(findClickId(param)).toBeUndefined();
  });
});

describe('click ids in a classification', () => {
  it.each(EXPECTED.map(([param, source, medium, , , channel]) => ({ param, source, medium, channel })))(
    'files a landing page with only $param as $source / $medium, $channel',
    ({ param, source, medium, channel }) => {
      // Act
      const c = classifySource({ url: `${PAGE}?${param}=abc123` });

      // Assess
      expect(c).toMatchObject({ touch: true, channel, source, medium, click_id: param });
    },
  );

  it.each([
    ['fbclid=a&gclid=b', 'gclid', 'google', 'Paid Search'],
    ['msclkid=a&gclid=b', 'gclid', 'google', 'Paid Search'],
    ['wbraid=a&gbraid=b', 'gbraid', 'google', 'Paid Search'],
    ['ttclid=a&msclkid=b', 'msclkid', 'bing', 'Paid Search'],
    ['fbclid=a&awc=b', 'awc', 'awin', 'Affiliates'],
    ['igshid=a&fbclid=b', 'fbclid', 'facebook', 'Organic Social'],
    ['mc_cid=a&srsltid=b', 'srsltid', 'google', 'Organic Shopping'],
  ])('lets the higher-ranked click id decide in %s, whatever the order in the URL', (query, clickId, source, channel) => {
    // Act
    const c = classifySource({ url: `${PAGE}?${query}` });

    // Assess
    expect(c).toMatchObject({ click_id: clickId, source, channel });
  });

  it('skips a click id with an empty value', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?gclid=&msclkid=abc` });

    // Assess
    expect(c).toMatchObject({ click_id: 'msclkid', source: 'bing', medium: 'cpc', channel: 'Paid Search' });
  });

  it('reads click id names in any case', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?GCLID=abc` });

    // Assess
    expect(c).toMatchObject({ click_id: 'gclid', source: 'google', channel: 'Paid Search' });
  });

  it('names the click id and who adds it in the reason', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?msclkid=abc` });

    // Assess
    expect(c.reason).toBe(
      'msclkid is Microsoft Advertising auto-tagging: source "bing"; medium "cpc" is paid; source "bing" is a search engine → Paid Search',
    );
  });

  it('keeps utm_source and utm_medium over what the click id implies', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?utm_source=facebook&utm_medium=paid_social&fbclid=abc` });

    // Assess
    expect(c).toMatchObject({ source: 'facebook', medium: 'paid_social', channel: 'Paid Social', click_id: 'fbclid' });
  });

  it('takes the medium from a paid click id when only utm_source is given', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?utm_source=newsletter&gclid=abc` });

    // Assess
    expect(c).toMatchObject({ source: 'newsletter', medium: 'cpc', channel: 'Paid Other', click_id: 'gclid' });
  });

  it('lets a paid click id outrank a referrer from another network', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?gclid=abc`, referrer: 'https://www.bing.com/' });

    // Assess
    expect(c).toMatchObject({ source: 'google', medium: 'cpc', channel: 'Paid Search', referrer_host: 'www.bing.com' });
  });

  it('lets an unpaid click id yield to a referrer from another network', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?fbclid=abc`, referrer: 'https://l.instagram.com/' });

    // Assess
    expect(c).toMatchObject({ source: 'instagram', medium: 'social', channel: 'Organic Social', click_id: 'fbclid' });
  });

  it('keeps an unpaid click id when the referrer is its own network', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?fbclid=abc`, referrer: 'https://l.facebook.com/' });

    // Assess
    expect(c).toMatchObject({ source: 'facebook', medium: 'social', channel: 'Organic Social', click_id: 'fbclid' });
  });

  it('makes a click id a touch even when the referrer is internal', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?ttclid=abc`, referrer: 'https://www.example.com/pricing' });

    // Assess
    expect(c).toMatchObject({ touch: true, source: 'tiktok', channel: 'Paid Social' });
    expect(c.reason).toMatch(/^ttclid outrank the internal referrer; /);
  });

  // Suspected bug: a Google Ads click whose link also carries utm_medium=email is
  // reported as google / email and filed under Organic Search. That is neither
  // what the click says (GA4 lets auto-tagging win: google / cpc, Paid Search) nor
  // what the tag says (Email); the source of one is mixed with the medium of the other.
  it.failing('does not file a Google Ads click tagged utm_medium=email as Organic Search', () => {
    // Act
    const c = classifySource({ url: `${PAGE}?gclid=abc&utm_medium=email` });

    // Assess
    expect(['Paid Search', 'Email']).toContain(c.channel);
  });
});
