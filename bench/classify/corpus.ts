/**
 * A fixed-seed corpus of realistic (url, referrer) pairs for the classifier
 * benchmark. The mix follows what a B2B/B2C site sees: mostly search, direct
 * and internal navigation, then social, campaigns, click ids, unknown sites
 * and a little junk.
 */
import { seededRandom } from '../../test/helpers/random';

export interface Pair {
  url: string;
  referrer: string;
}

const SITES = ['https://www.acme.com', 'https://shop.acme.co.uk', 'https://app.widgets.io', 'https://blog.example.org'];
const PATHS = ['/', '/pricing', '/blog/how-to-measure-attribution', '/products/42?color=red', '/signup', '/docs/getting-started#install'];
const SEARCH = [
  'https://www.google.com/',
  'https://www.google.co.uk/',
  'https://www.google.de/search?q=crm+software&hl=de',
  'https://www.bing.com/search?q=marketing+attribution&form=QBLH',
  'https://duckduckgo.com/?q=segment+webhook',
  'https://search.yahoo.com/search?p=first+touch+attribution',
  'https://yandex.ru/search/?text=analytics',
  'https://www.ecosia.org/search?q=utm+builder',
  'android-app://com.google.android.googlequicksearchbox/',
];
const SOCIAL = [
  'https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.acme.com%2F',
  'https://t.co/Abc123',
  'https://www.linkedin.com/feed/',
  'https://lnkd.in/eXyZ',
  'https://www.instagram.com/',
  'https://www.reddit.com/r/analytics/comments/1/',
  'https://news.ycombinator.com/item?id=1',
];
const OTHER = [
  'https://mail.google.com/',
  'https://www.youtube.com/watch?v=1',
  'https://chatgpt.com/',
  'https://www.amazon.com/dp/B0',
  'https://checkout.stripe.com/c/pay/cs_1',
];
const UTM = [
  'utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=acme',
  'utm_source=facebook&utm_medium=paid_social&utm_campaign=spring_sale&utm_content=video_a',
  'utm_source=newsletter&utm_medium=email&utm_campaign=weekly-2026-11-23',
  'utm_source=linkedin&utm_medium=social',
  'utm_source=partner&utm_medium=affiliate',
  'utm_source=chatgpt.com',
];
const CLICK = ['gclid=Cj0KCQiA', 'msclkid=9f8e7d', 'fbclid=IwAR0abc', 'ttclid=E.C.P.x', 'li_fat_id=abc-123', 'gbraid=0AAAAA'];
const JUNK = [
  'not a url',
  'javascript:void(0)',
  'about:blank',
  'https://',
  '%E0%A4%A',
  'android-app://',
  'http://[::1]/',
  'file:///tmp/x.html',
];

/** Generates `n` pairs from a fixed seed: the same corpus on every run. */
export function generateCorpus(n: number, seed = 42): Pair[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const site = pick(SITES);
    const page = `${site}${pick(PATHS)}`;
    const roll = random();
    const withQuery = (q: string): string => `${page}${page.includes('?') ? '&' : '?'}${q}`;
    if (roll < 0.28) pairs.push({ url: page, referrer: pick(SEARCH) });
    else if (roll < 0.4) pairs.push({ url: page, referrer: pick(SOCIAL) });
    else if (roll < 0.45) pairs.push({ url: page, referrer: pick(OTHER) });
    else if (roll < 0.58) pairs.push({ url: withQuery(pick(UTM)), referrer: random() < 0.5 ? '' : pick(SOCIAL) });
    else if (roll < 0.65) pairs.push({ url: withQuery(pick(CLICK)), referrer: random() < 0.5 ? pick(SEARCH) : '' });
    else if (roll < 0.78) pairs.push({ url: page, referrer: `${site}${pick(PATHS)}` });
    else if (roll < 0.88) pairs.push({ url: page, referrer: '' });
    else if (roll < 0.97)
      pairs.push({ url: page, referrer: `https://blog${Math.floor(random() * 5000)}.site${Math.floor(random() * 800)}.com/post/${i}` });
    else pairs.push({ url: random() < 0.5 ? page : pick(JUNK), referrer: pick(JUNK) });
  }
  return pairs;
}
