/**
 * Conformance report: how sma's classifier agrees with other classifiers'
 * published test vectors (Snowplow referer-parser, segmentio/inbound, dbt-ga4,
 * PostHog, Plausible, Matomo, sourcebuster), read from ../shared/peers/.
 *
 * The peers' conventions differ from sma's and from each other's, so this is a
 * report, not a pass/fail test: it prints agreement per suite and per field,
 * and with --verbose each disagreement. docs/classifier.md ("Conformance") explains
 * every deliberate difference. The vectors are evaluation data and are never
 * copied into this repository; set SMA_PEERS_DIR to read them from elsewhere.
 *
 *   npm run conformance [-- --verbose] [-- --suite NAME]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classifySource, type Classification } from '../../src/source';

interface PeerCase {
  suite: string;
  id: string;
  url: string;
  referrer: string;
  expect: Record<string, unknown>;
  note?: string;
}

type Verdict = boolean | 'n/a';

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const PAID_CHANNELS = new Set(['Paid Search', 'Paid Social', 'Paid Video', 'Paid Shopping', 'Paid Other', 'Display', 'Cross-network']);

/** Does sma's result agree with the peer's medium/type label? */
function checkMedium(peer: unknown, r: Classification): Verdict {
  switch (peer) {
    case 'search':
    case 'Search':
    case 'REFERRER_TYPE_SEARCH_ENGINE':
      return r.medium === 'organic' || r.channel === 'Organic Search' || r.channel === 'Paid Search';
    case 'social':
    case 'Social':
    case 'REFERRER_TYPE_SOCIAL_NETWORK':
      return r.medium === 'social' || r.channel === 'Organic Social' || r.channel === 'Paid Social';
    case 'email':
      return r.channel === 'Email';
    case 'Shopping':
      return r.channel === 'Organic Shopping' || r.channel === 'Paid Shopping';
    case 'chatbot':
      return r.channel === 'AI Assistant';
    case 'paid':
    case 'ad':
      return PAID_CHANNELS.has(r.channel);
    case 'internal':
      return !r.touch;
    case 'unknown':
    case 'link':
    case 'REFERRER_TYPE_WEBSITE':
      return r.medium === 'referral' && r.channel === 'Referral';
    case 'direct':
    case '$direct':
    case '(none)':
    case null:
      return r.source === '(direct)';
    case 'REFERRER_TYPE_DIRECT_ENTRY':
      // Matomo's "direct entry" covers typed-in visits and same-site navigation.
      return r.source === '(direct)';
    case 'REFERRER_TYPE_CAMPAIGN':
      return r.campaign !== null || r.click_id !== null || r.medium !== 'referral';
    case 'cpc':
    case 'organic':
    case 'referral':
      return r.medium === peer;
    default:
      return 'n/a';
  }
}

/** Source names: "Google Images" agrees with google; a null peer source agrees with an unnamed one (the host or direct). */
function checkSource(peer: unknown, r: Classification, c: PeerCase): Verdict {
  if (peer === null)
    return r.source === '(direct)' || r.referrer_host === null || norm(r.source) === norm(r.referrer_host.replace(/^www\./, ''));
  if (typeof peer !== 'string' || peer === 'Unknown')
    return peer === 'Unknown' ? r.channel !== 'AI Assistant' && r.medium !== 'social' : 'n/a';
  const p = norm(peer);
  const ours = norm(r.source);
  if (ours === '') return false;
  return (
    p === ours ||
    p.startsWith(ours) ||
    ours.startsWith(p) ||
    (c.referrer !== '' && norm(c.referrer).includes(p) && r.referrer_host !== null && norm(r.referrer_host).includes(p))
  );
}

function checkTerm(peer: unknown, r: Classification): Verdict {
  if (peer === null) return r.term === null;
  if (typeof peer !== 'string') return 'n/a';
  return r.term !== null && r.term.trim().toLowerCase() === peer.trim().toLowerCase();
}

function checkChannel(peer: unknown, r: Classification): Verdict {
  return typeof peer === 'string' ? r.channel === peer : 'n/a';
}

const CHECKS: Record<string, (peer: unknown, r: Classification, c: PeerCase) => Verdict> = {
  channel: checkChannel,
  peer_medium: checkMedium,
  peer_source: checkSource,
  term: checkTerm,
};

function main(): void {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const only = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : undefined;
  const dir = resolve(process.env.SMA_PEERS_DIR ?? join(process.cwd(), '..', 'shared', 'peers'));
  if (!existsSync(dir)) {
    console.log(
      `conformance: skipped, no peer vectors at ${dir}. They are evaluation data kept outside this repository; set SMA_PEERS_DIR to their folder.`,
    );
    return;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  let allAgree = 0;
  let allCompared = 0;
  console.log(`conformance against ${files.length} peer suites in ${dir}\n`);
  console.log(`${'suite'.padEnd(34)} ${'cases'.padStart(5)}  ${'agree'.padStart(12)}  per field`);
  for (const file of files) {
    const suite = file.replace(/\.jsonl$/, '');
    if (only && suite !== only) continue;
    const cases = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as PeerCase);
    const perField: Record<string, { agree: number; compared: number }> = {};
    let agree = 0;
    let compared = 0;
    const misses: string[] = [];
    for (const c of cases) {
      const r = classifySource({ url: c.url, referrer: c.referrer });
      for (const [field, peer] of Object.entries(c.expect)) {
        const check = CHECKS[field];
        if (!check) continue;
        const verdict = check(peer, r, c);
        if (verdict === 'n/a') continue;
        const f = (perField[field] ??= { agree: 0, compared: 0 });
        f.compared += 1;
        compared += 1;
        if (verdict) {
          f.agree += 1;
          agree += 1;
        } else {
          misses.push(
            `  ${c.id}  ${field}: peer ${JSON.stringify(peer)}, sma ${JSON.stringify(field === 'term' ? r.term : field === 'channel' ? r.channel : field === 'peer_source' ? r.source : `${r.medium}/${r.channel}/touch=${r.touch}`)}  [${c.referrer || '-'} → ${c.url || '-'}]`,
          );
        }
      }
    }
    allAgree += agree;
    allCompared += compared;
    const pct = compared === 0 ? 'n/a' : `${((100 * agree) / compared).toFixed(1)}%`;
    const fields = Object.entries(perField)
      .map(([k, v]) => `${k.replace('peer_', '')} ${v.agree}/${v.compared}`)
      .join(', ');
    console.log(
      `${suite.padEnd(34)} ${String(cases.length).padStart(5)}  ${`${agree}/${compared}`.padStart(8)} ${pct.padStart(6)}  ${fields}`,
    );
    if (verbose && misses.length > 0) console.log(misses.join('\n'));
  }
  console.log(`\noverall: ${allAgree}/${allCompared} field checks agree (${((100 * allAgree) / Math.max(1, allCompared)).toFixed(1)}%)`);
  console.log('Differences of convention are listed in docs/classifier.md, "Conformance". Run with --verbose to see each disagreement.');
}

main();
