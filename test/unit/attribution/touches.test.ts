import {
  BOT_VIEW_PREFIX,
  compareByTime,
  deriveTouches,
  INSTALL_ATTRIBUTION_WINDOW_MS,
  landingUrl,
  MAX_TOUCHES_PER_VISITOR,
  retainedTouches,
  selectTouches,
  viewTouch,
  type PageView,
} from '../../../src/attribution/touches';
import { createClassifier } from '../../../src/source';

const classify = createClassifier();
const T0 = Date.parse('2026-05-01T12:00:00Z');
let n = 0;
const view = (minutes: number, o: Partial<PageView> = {}): PageView => ({
  messageId: `m${String(n++).padStart(4, '0')}`,
  timestamp: new Date(T0 + minutes * 60_000).toISOString(),
  url: 'https://www.example.com/',
  ...o,
});
const summary = (views: PageView[]): string[] => deriveTouches(views, classify).map((t) => `${t.channel}/${t.source}/${t.rule}`);

describe('deriveTouches', () => {
  it('makes the first page view a touch even when it is direct or internal', () => {
    // Act / Assess
    expect(summary([view(0)])).toEqual(['Direct/(direct)/first-view']);
    expect(summary([view(0, { referrer: 'https://www.example.com/x' })])).toEqual(['Direct/(direct)/first-view']);
  });

  it('ignores later direct and internal views', () => {
    // Act / Assess
    expect(
      summary([view(0, { referrer: 'https://news.ycombinator.com/' }), view(100), view(200, { referrer: 'https://www.example.com/' })]),
    ).toEqual(['Organic Social/hacker-news/referrer']);
  });

  it('treats the same source within 30 minutes of the last view as a reload', () => {
    // Act / Assess
    const google = { referrer: 'https://www.google.com/' };
    expect(summary([view(0, google), view(29, google), view(58, google)])).toHaveLength(1);
    expect(summary([view(0, google), view(31, google)])).toHaveLength(2);
    expect(summary([view(0, google), view(5, { referrer: 'https://www.bing.com/' })])).toHaveLength(2);
  });

  it('does not depend on input order', () => {
    // Prepare
    const views = [
      view(0),
      view(10, { url: 'https://www.example.com/?utm_source=x&utm_medium=email' }),
      view(90, { referrer: 'https://t.co/1' }),
    ];

    // Act / Assess
    expect(deriveTouches([...views].reverse(), classify)).toEqual(deriveTouches(views, classify));
  });

  it('keeps the first and the latest touches when a visitor has too many', () => {
    // Prepare
    const views = Array.from({ length: MAX_TOUCHES_PER_VISITOR + 50 }, (_, i) =>
      view(i * 60, { url: `https://www.example.com/?utm_source=s${i}&utm_medium=email` }),
    );

    // Act
    const touches = deriveTouches(views, classify);

    // Assess
    expect(touches).toHaveLength(MAX_TOUCHES_PER_VISITOR);
    expect(touches[0]?.source).toBe('s0');
    expect(touches[touches.length - 1]?.source).toBe(`s${MAX_TOUCHES_PER_VISITOR + 49}`);
  });
});

describe('viewTouch and selectTouches', () => {
  it('classify each view alone, then choose the touches from the ordered views, as deriveTouches does', () => {
    // Prepare
    const views = [
      view(0, { referrer: 'https://www.example.com/pricing' }),
      view(3),
      view(10, { url: 'https://www.example.com/?gclid=abc' }),
      view(12, { url: 'https://www.example.com/?gclid=abc' }),
      view(90, { referrer: 'https://t.co/1' }),
    ];

    // Act
    const candidates = [...views].reverse().map((v) => viewTouch(v, classify));
    const touches = selectTouches(candidates.sort(compareByTime));

    // Assess
    // Ordered in place by the sort above: the internal view is no touch of its own.
    expect(candidates.map((c) => c.touch)).toEqual([false, true, true, true, true]);
    expect(candidates[0]).toMatchObject({ touch: false, rule: 'first-view', landing_page: 'https://www.example.com/' });
    expect(touches).toEqual(deriveTouches(views, classify));
    expect(touches.map((t) => `${t.channel}/${t.rule}`)).toEqual(['Direct/first-view', 'Paid Search/campaign', 'Organic Social/referrer']);
    expect(touches[0]?.touch).toBe(true);
    expect(touches[0]?.reason).toMatch(/^first page view; /);
  });
});

describe('touches retained from expired page views', () => {
  const views = [
    view(0, { referrer: 'https://www.google.com/' }),
    view(20, { url: 'https://www.example.com/pricing', referrer: 'https://www.example.com/' }),
    view(24 * 60, { url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' }),
    view(24 * 60 + 5, { url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' }),
  ];

  it('derive the same touches as from every view, once the first views expired', () => {
    // Prepare
    const before = deriveTouches(views, classify);
    const stored = views.slice(2);

    // Act
    const after = deriveTouches(stored, classify, retainedTouches(before, stored));

    // Assess
    expect(after).toEqual(before);
    expect(after.map((t) => t.source)).toEqual(['google', 'newsletter']);
  });

  it('keep a retained first touch first, and apply the rules to later views against it', () => {
    // Prepare: only the search visit is left of the old views; then a search reload and a new campaign
    const before = deriveTouches(views.slice(0, 1), classify);
    const later = [view(10, { referrer: 'https://www.google.com/' }), view(3 * 24 * 60, { url: 'https://www.example.com/?gclid=k1' })];

    // Act
    const touches = deriveTouches(later, classify, retainedTouches(before, later));

    // Assess
    expect(touches.map((t) => `${t.source}/${t.rule}`)).toEqual(['google/referrer', 'google/campaign']);
    expect(touches[0]).toBe(before[0]);
  });

  it('are none while every view is stored', () => {
    expect(retainedTouches(deriveTouches(views, classify), views)).toEqual([]);
  });
});

describe('landingUrl', () => {
  it('adds context.campaign only when the URL has no utm parameters', () => {
    // Act / Assess
    expect(landingUrl({ url: 'https://a.com/x', campaign: { source: 'fb', name: 'spring sale' } })).toBe(
      'https://a.com/x?utm_source=fb&utm_campaign=spring%20sale',
    );
    expect(landingUrl({ url: 'https://a.com/?utm_source=g', campaign: { source: 'fb' } })).toBe('https://a.com/?utm_source=g');
    expect(landingUrl({ url: undefined, campaign: { medium: 'email' } })).toBe('?utm_medium=email');
    expect(landingUrl({ url: 'https://a.com/?a=1', campaign: {} })).toBe('https://a.com/?a=1');
  });
});

describe('app views', () => {
  const screen = (minutes: number, url?: string, referrer?: string): PageView => view(minutes, { type: 'screen', url, referrer });
  const install = (minutes: number, campaign: PageView['campaign']): PageView => view(minutes, { type: 'track', url: undefined, campaign });
  const detail = (views: PageView[]): string[] =>
    deriveTouches(views, classify).map((t) => `${t.channel}/${t.source}/${t.medium}/${t.rule}`);

  it("classify a deep link's campaign and click id, whatever its scheme", () => {
    // Act / Assess
    expect(detail([screen(0, 'myapp://home?utm_source=google&utm_medium=cpc')])).toEqual(['Paid Search/google/cpc/campaign']);
    expect(detail([screen(0, 'acmeshop://home?utm_source=google&utm_medium=cpc')])).toEqual(['Paid Search/google/cpc/campaign']);
    expect(detail([screen(0, 'acmeshop://product/7?gclid=abc#reviews')])).toEqual(['Paid Search/google/cpc/campaign']);
    expect(deriveTouches([screen(0, 'acmeshop://product/7?gclid=abc')], classify)[0]).toMatchObject({
      click_id: 'gclid',
      landing_page: 'acmeshop://product/7?gclid=abc',
    });
  });

  it("classify the referrer a deep link was followed from, and a universal link's own host", () => {
    // Act / Assess
    expect(detail([screen(0, 'acmeshop://home', 'https://www.google.com/')])).toEqual(['Organic Search/google/organic/referrer']);
    expect(detail([screen(0, 'acmeshop://home', 'android-app://com.google.android.gm')])).toEqual(['Email/gmail/email/referrer']);
    expect(detail([screen(0, 'https://www.example.com/promo', 'https://www.example.com/')])).toEqual(['Direct/(direct)/(none)/first-view']);
    expect(detail([screen(0, 'https://www.example.com/promo?utm_source=news&utm_medium=email')])).toEqual(['Email/news/email/campaign']);
  });

  it('leave the parameters of a non-web page URL unread, as the classifier does', () => {
    // Act / Assess
    expect(landingUrl({ type: 'page', url: 'acmeshop://home?utm_source=google' })).toBe('acmeshop://home?utm_source=google');
    expect(landingUrl({ type: 'screen', url: 'acmeshop://home?utm_source=google#x' })).toBe('?utm_source=google');
    expect(landingUrl({ type: 'screen', url: 'acmeshop://home' })).toBeUndefined();
    expect(landingUrl({ type: 'screen', url: 'acmeshop://home', campaign: { source: 'sms' } })).toBe('?utm_source=sms');
  });

  it("make an install attribution the first touch in place of the app's unsourced first open", () => {
    // Prepare
    const campaign = { source: 'facebook', medium: 'paid_social', name: 'spring' };

    // Act
    const touches = deriveTouches([screen(0), install(1, campaign), screen(2)], classify);

    // Assess
    expect(touches.map((t) => `${t.channel}/${t.source}/${t.campaign}/${t.rule}`)).toEqual(['Paid Social/facebook/spring/install']);
    expect(touches[0]?.landing_page).toBeNull();
  });

  it('keep an install attribution as a later touch when the first open had a source, or was too long before', () => {
    // Prepare
    const campaign = { source: 'google', medium: 'cpc', name: 'uac' };
    const window = INSTALL_ATTRIBUTION_WINDOW_MS / 60_000;

    // Act / Assess
    expect(detail([screen(0, 'acmeshop://home?utm_source=news&utm_medium=email'), install(1, campaign)])).toEqual([
      'Email/news/email/campaign',
      'Paid Search/google/cpc/install',
    ]);
    expect(detail([screen(0), install(window + 1, campaign)])).toEqual([
      'Direct/(direct)/(none)/first-view',
      'Paid Search/google/cpc/install',
    ]);
    expect(detail([screen(0), install(window, campaign)])).toEqual(['Paid Search/google/cpc/install']);
  });

  it('take the first of two install attributions within the window in place of the first open, and the second after it', () => {
    // Act / Assess
    expect(detail([screen(0), install(1, { source: 'google', medium: 'cpc' }), install(2, { source: 'bing', medium: 'cpc' })])).toEqual([
      'Paid Search/google/cpc/install',
      'Paid Search/bing/cpc/install',
    ]);
  });
});

describe("bots' page views", () => {
  const bot = (minutes: number, o: Partial<PageView> = {}): PageView => {
    const v = view(minutes, o);
    return { ...v, messageId: `${BOT_VIEW_PREFIX}${v.messageId}` };
  };

  it('never make a touch, nor count as the first view', () => {
    // Act / Assess
    expect(summary([bot(0, { referrer: 'https://www.google.com/' }), view(5)])).toEqual(['Direct/(direct)/first-view']);
    expect(summary([view(0), bot(5, { url: 'https://www.example.com/?utm_source=x&utm_medium=email' })])).toEqual([
      'Direct/(direct)/first-view',
    ]);
    expect(summary([bot(0), bot(1, { referrer: 'https://www.bing.com/' })])).toEqual([]);
  });
});
