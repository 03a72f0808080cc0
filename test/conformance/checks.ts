/**
 * How a peer's assertion is compared with sma's result: each peer speaks its
 * own vocabulary (Snowplow's `search`, Matomo's `REFERRER_TYPE_*`, PostHog's
 * `Shopping`), mapped here onto sma's fields.
 */
import type { Classification } from '../../src/source';

/** One peer test vector, as ../shared/peers/*.jsonl holds them. */
export interface PeerCase {
  suite: string;
  id: string;
  url: string;
  referrer: string;
  expect: Record<string, unknown>;
  note?: string;
}

/** Agreement, or `n/a` when the peer's value has no counterpart in sma. */
export type Verdict = boolean | 'n/a';

export const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
export const PAID_CHANNELS: ReadonlySet<string> = new Set([
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Paid Shopping',
  'Paid Other',
  'Display',
  'Cross-network',
]);

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

/** The checks, by the peer's `expect` key. */
export const CHECKS: Readonly<Record<string, (peer: unknown, r: Classification, c: PeerCase) => Verdict>> = {
  channel: checkChannel,
  peer_medium: checkMedium,
  peer_source: checkSource,
  term: checkTerm,
};

/** sma's side of a field, for the report. */
export function smaValue(field: string, r: Classification): string {
  switch (field) {
    case 'term':
      return JSON.stringify(r.term);
    case 'channel':
      return JSON.stringify(r.channel);
    case 'peer_source':
      return JSON.stringify(r.source);
    default:
      return JSON.stringify(`${r.medium}/${r.channel}/touch=${r.touch}`);
  }
}
