/**
 * Why sma disagrees with a peer, case by case. Each rule recognises one kind
 * of difference from sma's own result and the shape of the input (never from
 * a list of the peers' values, which stay outside this repository) and states
 * the reason. The report prints every difference under its reason, and any
 * difference no rule explains under "unexplained".
 */
import { DEFAULT_IGNORED_REFERRERS, type Classification } from '../../src/source';
import { norm, PAID_CHANNELS, type PeerCase } from './checks';

/** One field on which sma and a peer disagree. */
export interface Difference {
  c: PeerCase;
  field: string;
  peer: unknown;
  r: Classification;
}

export interface DifferenceRule {
  id: string;
  /** Shown once above the cases it explains. */
  reason: string;
  /** A case where GA4's categories and Snowplow's disagree, and sma follows GA4. */
  ga4OverSnowplow?: boolean;
  applies: (d: Difference) => boolean;
}

// GA4's paid-medium pattern ("[GA4] Default channel group").
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/i;
const SHOPPING_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/i;
const PEER_SEARCH = new Set(['search', 'Search', 'REFERRER_TYPE_SEARCH_ENGINE']);
const PEER_REFERRER_TYPES = new Set(['search', 'social', 'email', 'link', 'direct', 'unknown']);

function params(url: string): URLSearchParams {
  const q = url.indexOf('?');
  if (q === -1) return new URLSearchParams();
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
}

function tagged(url: string): boolean {
  const p = params(url);
  return ['utm_source', 'utm_medium', 'utm_campaign'].some((k) => (p.get(k) ?? '') !== '');
}

const isChannelField = (d: Difference): boolean => d.field === 'channel' || d.field === 'peer_medium';
const peerText = (d: Difference): string => (typeof d.peer === 'string' ? d.peer : '');
/** sma knows the referrer's network (its reason names it), rather than only its host. */
const knownReferrer = (r: Classification): boolean => / is (?!an external site|a webmail host|the same site|ignored)/.test(r.reason);

function ignoredDomain(host: string | null): boolean {
  if (host === null) return false;
  const bare = host.replace(/^www\./, '');
  return DEFAULT_IGNORED_REFERRERS.some((entry) => entry.split('/')[0]?.endsWith(`.${bare}`));
}

/** The rules, most specific first: the first that applies explains the difference. */
export const DIFFERENCE_RULES: readonly DifferenceRule[] = [
  {
    id: 'ga4-shopping',
    reason:
      'GA4 and Snowplow disagree: Snowplow lists this comparison-shopping site as a search engine, GA4 files comparison sites (Shopzilla) as shopping, and GA4 wins.',
    ga4OverSnowplow: true,
    applies: (d) => PEER_SEARCH.has(peerText(d)) && (d.r.channel === 'Organic Shopping' || d.r.channel === 'Paid Shopping'),
  },
  {
    id: 'ai-assistant',
    reason: 'sma reports chat assistants as their own channel, AI Assistant (DESIGN); the peer files them under search or referral.',
    applies: (d) => isChannelField(d) && d.r.channel === 'AI Assistant',
  },
  {
    id: 'google-ads-network',
    reason:
      'A Google Ads click whose referrer shows where the ad ran: GA4 files Google Ads clicks by ad network (YouTube: Paid Video, display network: Display), and sma reads that from the referrer.',
    applies: (d) =>
      d.field === 'channel' && d.r.click_id !== null && d.r.source === 'google' && ['Display', 'Paid Video'].includes(d.r.channel),
  },
  {
    id: 'click-id-outranks',
    reason: 'A click id outranks the referrer (DESIGN): an ad platform added it, whatever page the visitor came through.',
    applies: (d) => d.field === 'channel' && d.r.click_id !== null && PAID_CHANNELS.has(d.r.channel) && !tagged(d.c.url),
  },
  {
    id: 'utm-source-as-written',
    reason: "An abbreviation in utm_source is reported as written, lowercased (DESIGN); only a network's domain is mapped to its name.",
    applies: (d) =>
      d.field === 'peer_source' && d.c.referrer === '' && d.r.source === (params(d.c.url).get('utm_source') ?? '').toLowerCase(),
  },
  {
    id: 'campaign-outranks',
    reason: 'Campaign parameters outrank the referrer (DESIGN); the peer reads the referrer alone.',
    applies: (d) => tagged(d.c.url) && (d.field === 'peer_source' || (d.field === 'peer_medium' && PEER_REFERRER_TYPES.has(peerText(d)))),
  },
  {
    id: 'utm-term-outranks',
    reason: "utm_term outranks the referrer's search term (DESIGN).",
    applies: (d) => d.field === 'term' && d.r.term !== null && d.r.term === (params(d.c.url).get('utm_term') ?? '').trim(),
  },
  {
    id: 'paid-needs-paid-medium',
    reason: 'GA4 calls a visit paid only when its medium matches ^(.*cp.*|ppc|retargeting|paid.*)$; this one has no such medium.',
    applies: (d) =>
      d.field === 'channel' && PAID_CHANNELS.has(peerText(d)) && !PAID_CHANNELS.has(d.r.channel) && !PAID_MEDIUM.test(d.r.medium),
  },
  {
    id: 'ga4-shopping-campaign',
    reason: "GA4's rule order: a campaign named for shopping with a paid medium is Paid Shopping, which GA4 tests before Paid Search.",
    applies: (d) => d.field === 'channel' && d.r.channel === 'Paid Shopping' && SHOPPING_CAMPAIGN.test(d.r.campaign ?? ''),
  },
  {
    id: 'ga4-affiliates',
    reason: "GA4's Affiliates channel needs utm_medium affiliate; other mediums that match no rule are Unassigned.",
    applies: (d) => d.field === 'channel' && d.peer === 'Affiliates' && d.r.channel === 'Unassigned',
  },
  {
    id: 'ga4-unassigned',
    reason: 'GA4: Direct means no source and no medium; campaign tags that match no rule are Unassigned.',
    applies: (d) => d.field === 'channel' && d.peer === 'Direct' && d.r.channel === 'Unassigned',
  },
  {
    id: 'link-in-bio',
    reason:
      "Link-in-bio pages are social in sma: their visitors come from a social profile. GA4's source list does not name them; the peer says Referral.",
    applies: (d) =>
      d.field === 'channel' && d.peer === 'Referral' && d.r.channel === 'Organic Social' && ['linktree', 'lnk.bio'].includes(d.r.source),
  },
  {
    id: 'internal',
    reason: 'Internal navigation: the referrer and the page share a registrable domain (public suffix list), so sma records no touch.',
    applies: (d) => !d.r.touch && d.r.reason.includes('same site'),
  },
  {
    id: 'not-a-url',
    reason: 'A referrer that is not a URL counts as none (direct).',
    applies: (d) => d.c.referrer !== '' && d.r.referrer_host === null,
  },
  {
    id: 'ad-server',
    reason: "An ad server's referral is a paid display click in sma, as in Snowplow's current data; this peer names no network for it.",
    applies: (d) => d.r.channel === 'Display' && d.r.click_id === null && !tagged(d.c.url),
  },
  {
    id: 'payment-site',
    reason: "A payment provider's site: sma ignores its checkout pages as referrers instead of calling the provider a shopping site.",
    applies: (d) => d.peer === 'Shopping' && ignoredDomain(d.r.referrer_host),
  },
  {
    id: 'known-not-search',
    reason:
      "A known site that is not search: sma's data lists it with no medium, as Snowplow's full database does (this suite ran a reduced database).",
    applies: (d) => PEER_SEARCH.has(peerText(d)) && d.r.channel === 'Referral' && knownReferrer(d.r),
  },
  ...nameAndTermRules(),
];

/** Differences in how a network is named, and in the search term read from the referrer. */
function nameAndTermRules(): DifferenceRule[] {
  return [
    {
      id: 'vendor-prefix',
      reason: "sma's source names the product without its vendor (gemini, copilot).",
      applies: (d) => d.field === 'peer_source' && norm(peerText(d)).endsWith(norm(d.r.source)) && d.r.source.length > 2,
    },
    {
      id: 'outlook-brand',
      reason: "sma names Microsoft's webmail outlook, its name since 2013.",
      applies: (d) => d.field === 'peer_source' && d.r.source === 'outlook',
    },
    {
      id: 'url-not-a-term',
      reason: 'A web address in the search parameter is a redirect target (google.com/url?q=https://…), not a search term.',
      applies: (d) => d.field === 'term' && /^https?:\/\//i.test(peerText(d)),
    },
    {
      id: 'tab-spacing',
      reason: 'A tab in the term: the peer turns it into four spaces, sma into one.',
      applies: (d) => d.field === 'term' && d.r.term !== null && peerText(d).replace(/\s+/g, ' ').trim() === d.r.term,
    },
    {
      id: 'legacy-charset',
      reason:
        'The term is in a legacy charset (GB2312, Windows-1251, EUC-KR): sma decodes UTF-8 only and keeps other bytes percent-encoded.',
      applies: (d) => d.field === 'term' && d.r.term !== null && /%[0-9A-F]{2}/i.test(d.r.term),
    },
    {
      id: 'empty-term',
      reason: 'An empty search parameter is no term.',
      applies: (d) => d.field === 'term' && d.peer === '' && d.r.term === null,
    },
    {
      id: 'cache-prefix',
      reason: "Google's cache pages put the cached address before the term; sma keeps the parameter whole.",
      applies: (d) => d.field === 'term' && (d.r.term ?? '').startsWith('cache:'),
    },
    {
      id: 'term-not-in-parameter',
      reason:
        "The engine is known, but the term is not in a query parameter sma reads for it (a #fragment, advanced-search fields, an image result's prev=, or the path).",
      applies: (d) => d.field === 'term' && d.r.term === null && knownReferrer(d.r),
    },
    {
      id: 'engine-not-listed',
      reason:
        "A site sma's data does not list as a search engine or network (closed, regional, or a portal's own search box); it is a referral by host.",
      applies: (d) => d.r.referrer_host !== null && !knownReferrer(d.r) && d.r.click_id === null && !tagged(d.c.url),
    },
    {
      id: 'host-not-path',
      reason: 'sma matches search engines by host, so a Google page that is not search is still Google; the peer also matches by path.',
      applies: (d) => d.field === 'peer_source' && d.peer === null && d.r.channel === 'Organic Search',
    },
  ];
}

/** The rule that explains a difference, if any. */
export function explain(d: Difference): DifferenceRule | undefined {
  return DIFFERENCE_RULES.find((rule) => rule.applies(d));
}
