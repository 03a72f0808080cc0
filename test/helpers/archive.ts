/**
 * A generated history in the layout of Segment's S3 destination (gzipped JSON
 * lines under segment-logs/<source>/<day>/), for the import benchmarks and
 * tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom } from './random';

/** Events per file, as Segment's archive files hold thousands. */
const PER_FILE = 10_000;

const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://www.bing.com/search?q=acme',
  'https://t.co/x',
  'https://www.linkedin.com/feed/',
  'https://news.example.org/a',
];
const URLS = [
  'https://www.acme.com/',
  'https://www.acme.com/pricing',
  'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=w1',
  'https://www.acme.com/?gclid=abc',
];

/**
 * Writes a Segment S3-destination-style archive of `events` generated events
 * (75% page views, identifies for a fifth of the visitors, tracks), seeded so
 * that every run writes the same one; returns its folder.
 */
export function writeSegmentArchive(dir: string, events: number): string {
  const random = seededRandom(2020);
  const anons = Math.max(1, Math.floor(events / 5));
  const users = Math.max(1, Math.floor(events / 25));
  const t0 = Date.parse('2021-01-01T00:00:00Z');
  let lines: string[] = [];
  let file = 0;
  const flush = (): void => {
    if (lines.length === 0) return;
    const day = t0 + Math.floor(file / 4) * 86_400_000;
    const folder = join(dir, 'segment-logs', 'BenchSrc', String(day));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${day}-${String(file).padStart(5, '0')}.gz`), gzipSync(`${lines.join('\n')}\n`));
    lines = [];
    file += 1;
  };
  for (let i = 0; i < events; i++) {
    const a = Math.floor(random() * anons);
    const anonymousId = `anon-${a}`;
    const userId = a % 5 === 0 ? `user-${a % users}` : undefined;
    const timestamp = new Date(t0 + Math.floor(random() * 365 * 86_400_000)).toISOString();
    const roll = random();
    let event: Record<string, unknown>;
    if (roll < 0.75) {
      const url = URLS[Math.floor(random() * URLS.length)] ?? URLS[0];
      const referrer = REFERRERS[Math.floor(random() * REFERRERS.length)] ?? '';
      event = {
        type: 'page',
        anonymousId,
        userId,
        timestamp,
        context: { page: { url, referrer, path: '/', title: 'Acme' }, library: { name: 'analytics.js', version: 'next-1.70.0' } },
      };
    } else if (roll < 0.85 && userId) {
      event = { type: 'identify', anonymousId, userId, timestamp, traits: { plan: 'pro' } };
    } else {
      event = { type: 'track', anonymousId, userId, timestamp, event: 'Clicked', properties: { button: 'signup' } };
    }
    lines.push(JSON.stringify({ ...event, messageId: `bench-${i}` }));
    if (lines.length >= PER_FILE) flush();
  }
  flush();
  return dir;
}
