/**
 * Traffic-source classification: from a landing URL and its referrer to
 * source, medium, campaign and GA4 channel, with the reason in words.
 *
 * Precedence, highest first:
 * 1. Campaign parameters (utm_*) and paid click ids, even when the referrer is
 *    internal: a tagged link is the marketer's explicit statement.
 * 2. Non-paid click ids (fbclid, srsltid …), unless an external referrer of
 *    another network says more (fbclid on an Instagram link is Instagram).
 * 3. The referrer: internal and ignored referrers are not touches; known
 *    networks by the database; any other host is a referral.
 * 4. Nothing: direct.
 */
import { decideChannel } from './channel';
import { findClickId, type ClickIdRule } from './click-ids';
import { categoriseSourceName, lookupApp, lookupReferrer, lookupSourceDomain, type Network } from './referrer-db';
import { DEFAULT_IGNORED_REFERRERS, HostList, isSameSite } from './site';
import type { Channel, Classification, ClassifierOptions, SourceCategory, VisitInput } from './types';
import { decodeValue, scanQuery, splitUrl, type UrlParts } from './url';

/** A classifier bound to one site's settings. */
export type Classifier = (input: VisitInput) => Classification;

interface Campaign {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
  id: string | null;
  clickId: ClickIdRule | undefined;
}

/** utm_* keys and the Campaign field each fills. */
const UTM_FIELDS: Readonly<Record<string, 'source' | 'medium' | 'campaign' | 'content' | 'term' | 'id'>> = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'campaign',
  utm_content: 'content',
  utm_term: 'term',
  utm_id: 'id',
};

function readCampaign(query: string): Campaign {
  const c: Campaign = { source: null, medium: null, campaign: null, content: null, term: null, id: null, clickId: undefined };
  if (query === '') return c;
  let clickRank = Number.POSITIVE_INFINITY;
  scanQuery(query, (key, raw) => {
    if (key.startsWith('utm_')) {
      const field = UTM_FIELDS[key];
      // The first non-empty occurrence wins, as in GA4.
      if (field && c[field] === null) c[field] = decodeValue(raw);
      return;
    }
    const click = findClickId(key);
    if (click && click.rank < clickRank && decodeValue(raw) !== null) {
      c.clickId = click.rule;
      clickRank = click.rank;
    }
  });
  if (c.source) c.source = c.source.toLowerCase();
  if (c.medium) c.medium = c.medium.toLowerCase();
  return c;
}

/** What the referrer turned out to be. */
type ReferrerFacts =
  | { kind: 'none'; host: null; note: string | null }
  | { kind: 'internal' | 'ignored'; host: string; note: string }
  | { kind: 'network'; host: string; network: Network; parts: UrlParts; app: boolean }
  | { kind: 'unknown'; host: string; app: boolean };

const WEB_SCHEMES = new Set(['http', 'https', '']);

function describeHost(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** A search-term value that is a web address: a redirect target (google.com/url?q=https://…), not a search. */
const URL_VALUE = /^https?:\/\//i;

/** Search engines, and shopping sites searched through their own box (PriceRunner's `q`). */
const TERM_CATEGORIES: ReadonlySet<SourceCategory> = new Set<SourceCategory>(['search', 'shopping']);

function searchTerm(network: Network, query: string): string | null {
  if (!TERM_CATEGORIES.has(network.category) || network.params.length === 0 || query === '') return null;
  let term: string | null = null;
  scanQuery(query, (key, raw) => {
    if (!network.params.includes(key)) return false;
    const value = decodeValue(raw);
    term = value !== null && URL_VALUE.test(value) ? null : value;
    return term !== null;
  });
  return term;
}

/** The site's host lists, indexed once per classifier. */
interface SiteLists {
  own: HostList;
  ignored: HostList;
}

function readReferrer(raw: unknown, pageHost: string, site: SiteLists): ReferrerFacts {
  const parts = splitUrl(raw);
  if (!parts) return { kind: 'none', host: null, note: null };
  if (parts.scheme === 'android-app') {
    if (parts.host === '') return { kind: 'none', host: null, note: 'referrer is an empty android-app URL' };
    const network = lookupApp(parts.host);
    return network ? { kind: 'network', host: parts.host, network, parts, app: true } : { kind: 'unknown', host: parts.host, app: true };
  }
  if (!WEB_SCHEMES.has(parts.scheme)) return { kind: 'none', host: null, note: `referrer scheme "${parts.scheme}:" is not a web page` };
  if (parts.host === '' || (!parts.host.includes('.') && !parts.host.includes(':') && parts.host !== 'localhost')) {
    return { kind: 'none', host: null, note: 'referrer is not a URL' };
  }
  const host = parts.host;
  if (pageHost !== '' && isSameSite(host, pageHost)) {
    return { kind: 'internal', host, note: `referrer ${host} is the same site as the page (${pageHost})` };
  }
  const ownEntry = site.own.match(host, parts.path);
  if (ownEntry) return { kind: 'internal', host, note: `referrer ${host} is an own domain (${ownEntry})` };
  const ignoredEntry = site.ignored.match(host, parts.path);
  if (ignoredEntry) return { kind: 'ignored', host, note: `referrer ${host} is ignored (${ignoredEntry})` };
  const network = lookupReferrer(host, parts.path);
  return network ? { kind: 'network', host, network, parts, app: false } : { kind: 'unknown', host, app: false };
}

/** One visit as read: its campaign tags, click id and referrer, and the notes that become the reason. */
interface Visit {
  campaign: Campaign;
  click: ClickIdRule | undefined;
  ref: ReferrerFacts;
  external: boolean;
  refNetwork: Network | undefined;
  tagged: boolean;
  /** Whether the click id decides (a non-paid one yields to an external referrer of another network). */
  clickDecides: boolean;
  notes: string[];
}

function readVisit(input: VisitInput, site: SiteLists): Visit {
  const page = splitUrl(input?.url);
  const pageIsWeb = page !== undefined && WEB_SCHEMES.has(page.scheme);
  const campaign = readCampaign(pageIsWeb ? page.query : '');
  const ref = readReferrer(input?.referrer, pageIsWeb ? page.host : '', site);
  const external = ref.kind === 'network' || ref.kind === 'unknown';
  const refNetwork = ref.kind === 'network' ? ref.network : undefined;
  const click = campaign.clickId;
  const tagged = campaign.source !== null || campaign.medium !== null || campaign.campaign !== null;
  const clickDecides = click !== undefined && (click.paid || !external || (refNetwork !== undefined && refNetwork.source === click.source));
  const notes: string[] = [];
  if (page !== undefined && !pageIsWeb) notes.push(`page URL scheme "${page.scheme}:" is not a web page; its parameters are not read`);
  return { campaign, click, ref, external, refNetwork, tagged, clickDecides, notes };
}

function finish(
  v: Visit,
  touch: boolean,
  channel: Channel,
  source: string,
  medium: string,
  term: string | null,
  why: string,
): Classification {
  return {
    touch,
    channel,
    source,
    medium,
    campaign: v.campaign.campaign,
    content: v.campaign.content,
    term,
    campaign_id: v.campaign.id,
    click_id: v.click?.param ?? null,
    referrer_host: v.ref.host,
    reason: [...v.notes, why].join('; '),
  };
}

/** A tagged visit's source: utm_source, else the click id's, else the referrer's. */
function taggedSource(v: Visit): { source: string; category: SourceCategory | undefined; paidSource: boolean } {
  const { campaign, click, refNetwork, ref } = v;
  if (campaign.source !== null) return utmSource(v, campaign.source, campaign.medium);
  if (v.clickDecides && click) {
    v.notes.push(`${click.param} is ${click.description}: source "${click.source}"`);
    return { source: click.source, category: adNetworkOf(v, click), paidSource: false };
  }
  if (refNetwork && refNetwork.category !== 'unknown') {
    v.notes.push(`no utm_source; referrer ${ref.host ?? ''} is ${refNetwork.name}`);
    return { source: refNetwork.source, category: refNetwork.category, paidSource: false };
  }
  if (v.external && ref.host !== null) {
    v.notes.push(`no utm_source; source is the referrer host`);
    return { source: describeHost(ref.host), category: undefined, paidSource: false };
  }
  v.notes.push('no utm_source and no referrer');
  return { source: '(not set)', category: undefined, paidSource: false };
}

/**
 * The source a utm_source names. A known network's domain ("chatgpt.com",
 * "www.facebook.com") reports the network's name, as a referral from it does,
 * so that one network is one source; any other value is kept as written.
 */
function utmSource(v: Visit, written: string, medium: string | null): ReturnType<typeof taggedSource> {
  const network = lookupSourceDomain(written);
  if (network) {
    v.notes.push(`utm_source "${written}" is the domain of ${network.name}: source "${network.source}"`);
    return { source: network.source, category: network.category, paidSource: false };
  }
  const ads = medium === null ? readAdsSource(written) : undefined;
  if (!ads) return { source: written, category: categoriseSourceName(written), paidSource: false };
  v.notes.push(`utm_source "${written}" names an ads product: medium "cpc"`);
  return { source: written, category: ads, paidSource: true };
}

/**
 * The category GA4's rules see for a click id. A Google Ads click says which
 * ad network showed the ad only to GA4 (its ad network type); the referrer is
 * sma's evidence of it: YouTube means a video ad (Paid Video), one of Google's
 * ad servers a display ad (Display). Otherwise the click id's own category.
 */
function adNetworkOf(v: Visit, click: ClickIdRule): SourceCategory | undefined {
  const ref = v.refNetwork;
  if (!ref || click.source !== 'google' || click.medium !== 'cpc') return click.category;
  const served =
    ref.category === 'video' && ref.source === 'youtube' ? 'video' : ref.category === 'ads' && ref.source === 'google' ? 'ads' : undefined;
  if (!served) return click.category;
  v.notes.push(`the referrer ${v.ref.host ?? ''} shows where the ad ran (${ref.name})`);
  return served;
}

/** A tagged visit's medium: utm_medium, else what an ads source or the click id implies. */
function taggedMedium(v: Visit, paidSource: boolean): { medium: string; mediumLabel: string } {
  const { campaign, click } = v;
  if (campaign.medium !== null) return { medium: campaign.medium, mediumLabel: 'utm_medium' };
  if (paidSource) return { medium: 'cpc', mediumLabel: 'medium' };
  if (v.clickDecides && click) {
    if (campaign.source !== null) v.notes.push(`${click.param} is ${click.description}: medium "${click.medium}"`);
    return { medium: click.medium, mediumLabel: 'medium' };
  }
  return { medium: '(not set)', mediumLabel: 'medium' };
}

/** A visit with campaign tags or a deciding click id: the tags speak, whatever the referrer. */
function classifyTagged(v: Visit): Classification {
  const { ref } = v;
  if (ref.kind === 'internal' || ref.kind === 'ignored')
    v.notes.push(`${v.tagged ? 'campaign parameters' : v.click?.param} outrank the ${ref.kind} referrer`);
  const { source, category, paidSource } = taggedSource(v);
  const { medium, mediumLabel } = taggedMedium(v, paidSource);
  const term = v.campaign.term ?? (v.refNetwork && ref.kind === 'network' ? searchTerm(v.refNetwork, ref.parts.query) : null);
  const decision = decideChannel({ source, medium, campaign: v.campaign.campaign, category, mediumLabel });
  return finish(v, true, decision.channel, source, medium, term, decision.why);
}

/** A visit with no tags: the referrer decides, and with none it is direct. */
function classifyByReferrer(v: Visit): Classification {
  const { ref, notes } = v;
  const term = v.campaign.term;
  const direct = (touch: boolean, why: string): Classification => finish(v, touch, 'Direct', '(direct)', '(none)', term, why);
  switch (ref.kind) {
    case 'none':
      if (ref.note) notes.push(ref.note);
      return direct(true, 'no referrer and no campaign → Direct');
    case 'internal':
    case 'ignored':
      return direct(false, `${ref.note} → not a touch`);
    case 'unknown': {
      const source = describeHost(ref.host);
      const webmail = !ref.app && WEBMAIL_HOST.test(ref.host);
      notes.push(
        webmail
          ? `referrer ${ref.host} is a webmail host`
          : ref.app
            ? `referrer is the Android app ${ref.host}`
            : `referrer ${ref.host} is an external site`,
      );
      const medium = webmail ? 'email' : 'referral';
      const decision = decideChannel({ source, medium, campaign: null, category: webmail ? 'email' : undefined });
      return finish(v, true, decision.channel, source, medium, term, decision.why);
    }
    case 'network': {
      const network = ref.network;
      // referer-parser's "unknown" networks are known sites with no medium
      // (support.google.com): report the host, as GA4 would, not "google".
      const source = network.category === 'unknown' ? describeHost(ref.host) : network.source;
      const medium = network.paid ? 'cpc' : NETWORK_MEDIUM[network.category];
      notes.push(`${ref.app ? 'Android app' : 'referrer'} ${ref.host} is ${network.name}`);
      const decision = decideChannel({ source, medium, campaign: null, category: network.category });
      return finish(v, true, decision.channel, source, medium, term ?? searchTerm(network, ref.parts.query), decision.why);
    }
  }
}

/**
 * Builds a classifier for one site's settings. Build it once and reuse it: the
 * host lists are indexed here.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const site: SiteLists = {
    own: new HostList(options.ownDomains ?? []),
    ignored: new HostList(options.ignoredReferrers ?? DEFAULT_IGNORED_REFERRERS),
  };
  return function classify(input: VisitInput): Classification {
    const visit = readVisit(input, site);
    return visit.tagged || visit.clickDecides ? classifyTagged(visit) : classifyByReferrer(visit);
  };
}

/**
 * The medium a referral from each kind of network gets: GA4 uses organic for
 * search and referral for the rest; an ad server's click is paid, as GA4
 * reports Google Ads clicks (cpc).
 */
const NETWORK_MEDIUM: Readonly<Record<SourceCategory, string>> = {
  search: 'organic',
  social: 'social',
  email: 'email',
  video: 'referral',
  shopping: 'referral',
  ai: 'referral',
  ads: 'cpc',
  unknown: 'referral',
};

/**
 * Webmail front ends are served from hosts named for mail: mail.*, webmail.*,
 * email.*, owa.* (Outlook Web Access), messagerie.*, GMX/web.de's lightmailer*.
 * The database cannot list every ISP's, so the first label decides for hosts
 * it does not know.
 */
const WEBMAIL_HOST = /^(web-?mail|e?-?mail\d*|wmail|owa|messagerie\w*|lightmailer(-\w+)?|mailbusiness|webmailer)\./;

/**
 * A utm_source that names a network's ads product with no utm_medium
 * ("facebook-ads", "google_ads", "adwords", "yt-ads"): the tag itself says paid.
 */
function readAdsSource(source: string): SourceCategory | undefined {
  if (source === 'adwords') return 'search';
  const m = /^(.+?)[-_ ]?ads?$/.exec(source);
  const base = m?.[1];
  if (!base) return undefined;
  const category = categoriseSourceName(base) ?? categoriseSourceName(ADS_SHORT_NAMES[base] ?? '');
  return category === 'unknown' || category === 'email' ? undefined : category;
}

/** Short names used in ads source tags. */
const ADS_SHORT_NAMES: Readonly<Record<string, string>> = { yt: 'youtube', fb: 'facebook', tw: 'twitter', li: 'linkedin', ig: 'instagram' };

let defaultClassifier: Classifier | undefined;

/**
 * Classifies one visit with the default settings (no own domains, the default
 * ignored referrers). Use {@link createClassifier} for site settings.
 */
export function classifySource(input: VisitInput): Classification {
  defaultClassifier ??= createClassifier();
  return defaultClassifier(input);
}
