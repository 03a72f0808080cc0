import { isBotUserAgent, MAX_USER_AGENT_LENGTH, userAgentOf } from '../../../src/segment/user-agent';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('isBotUserAgent', () => {
  it.each([
    ['Googlebot', GOOGLEBOT],
    [
      'Bingbot rendering with Chrome',
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
    ],
    ['headless Chrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36'],
    ['an SEO crawler', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
  ])('knows %s', (_name, userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(true);
  });

  it.each([
    ['desktop Chrome', CHROME_MAC],
    [
      'Safari on an iPhone',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    ],
    ["Segment's Android library (the system's http.agent)", 'Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230901.001)'],
    [
      "Facebook's in-app browser",
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0]',
    ],
  ])('lets %s through', (_name, userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['not a string', 42],
    ['an object', { name: 'Googlebot' }],
    ['10 KB long, even of a crawler', `${GOOGLEBOT} `.repeat(Math.ceil(10_240 / (GOOGLEBOT.length + 1)))],
    ['one character over the limit', 'x'.repeat(MAX_USER_AGENT_LENGTH + 1)],
    ['a crawler name with a NUL', 'Googlebot/2.1\u0000'],
    ['a crawler name with a header injected', 'Googlebot/2.1\r\nX-Forwarded-For: 1.2.3.4'],
    ['a crawler name with DEL', 'Googlebot\u007f/2.1'],
  ])('takes a user agent that is %s as no bot', (_name, userAgent: unknown) => {
    // Act / Assess
    expect(isBotUserAgent(userAgent)).toBe(false);
  });

  it('still reads a user agent right at the limit', () => {
    // Prepare: a crawler's user agent padded to exactly the limit
    const padded = `${GOOGLEBOT}${' '.repeat(MAX_USER_AGENT_LENGTH - GOOGLEBOT.length)}`;

    // Act / Assess
    expect(padded).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(isBotUserAgent(padded)).toBe(true);
  });
});

describe('userAgentOf', () => {
  it('reads context.userAgent of any raw value without throwing', () => {
    // Act / Assess
    expect(userAgentOf({ type: 'page', context: { userAgent: CHROME_MAC } })).toBe(CHROME_MAC);
    expect(userAgentOf({ type: 'page', context: { userAgent: 7 } })).toBe(7);
    expect(userAgentOf({ type: 'page' })).toBeUndefined();
    expect(userAgentOf({ type: 'page', context: 'mobile' })).toBeUndefined();
    expect(userAgentOf({ type: 'page', context: [CHROME_MAC] })).toBeUndefined();
    expect(userAgentOf(null)).toBeUndefined();
    expect(userAgentOf('page')).toBeUndefined();
  });
});
