/**
 * The referrer database: sma's overlay (`data/overlay.yml`), by default on top
 * of referer-parser's data, compiled at build time by
 * `scripts/build-referrer-db.mjs` into `generated/referrer-db.ts`. That
 * generated module is the only place the third-party data lives, so a build
 * with `SMA_REFERRER_DB=overlay` leaves it out (docs/classifier.md).
 */
import { REFERRER_DB_JSON, REFERRER_DB_MODE } from '../../generated/referrer-db';
import type { SourceCategory } from './types';

/** The compiled database's shape, as the build script writes it. */
interface CompiledDb {
  /** [name, source, category, search-term parameters, 1 when a visit from it is an ad click] */
  networks: ([string, string, string, string[]] | [string, string, string, string[], number])[];
  /** host, `host/path-prefix`, `name.*` or `android-app:package` → index into networks */
  hosts: Record<string, number>;
  /** bare source name or alias → category */
  sources: Record<string, string>;
}

function loadCompiled(): CompiledDb {
  const parsed: unknown = JSON.parse(REFERRER_DB_JSON);
  if (typeof parsed !== 'object' || parsed === null || !('networks' in parsed) || !('hosts' in parsed) || !('sources' in parsed)) {
    throw new Error('generated/referrer-db.ts is not a referrer database; run npm run build:data');
  }
  // Written by our own build step, checked above for its shape.
  return parsed as CompiledDb;
}

/** A known referring network. */
export interface Network {
  /** Display name, as in the database ("Google Images"). */
  name: string;
  /** The lowercase `source` value sma reports ("google"). */
  source: string;
  category: SourceCategory;
  /** Query parameters that carry the search term, lowercase. */
  params: readonly string[];
  /** A visit from it is a click on an ad it served (Google's ad frames, AdSense for Search). */
  paid: boolean;
}

/** Which data the database was built from: `full` (with referer-parser's) or `overlay` (sma's alone). */
export const REFERRER_DATA: 'full' | 'overlay' = REFERRER_DB_MODE === 'overlay' ? 'overlay' : 'full';

const CATEGORIES: ReadonlySet<string> = new Set<SourceCategory>(['search', 'social', 'email', 'video', 'shopping', 'ai', 'ads', 'unknown']);

function toCategory(value: unknown): SourceCategory {
  if (typeof value === 'string' && CATEGORIES.has(value)) return value as SourceCategory;
  throw new Error(`referrer-db: unknown category ${String(value)}; run npm run build:data`);
}

interface Index {
  hosts: Map<string, Network>;
  /**
   * `host/path` entries (orange.fr/webmail, x.com/i/grok), by host, longest
   * prefix first, so that the path lookup is only tried where it can match.
   */
  pathEntries: Map<string, { prefix: string; network: Network }[]>;
  sourceCategories: Map<string, SourceCategory>;
}

let index: Index | undefined;

/**
 * Builds the lookup tables on first use rather than at import, so that
 * importing the classifier (every Lambda cold start, every CLI call) costs only
 * the module's own load; the ~2 ms of JSON parsing lands on the first lookup.
 */
function getIndex(): Index {
  if (index) return index;
  const compiled = loadCompiled();
  const networks: readonly Network[] = compiled.networks.map(([name, source, category, params, paid]) =>
    Object.freeze({ name, source, category: toCategory(category), params: Object.freeze(params), paid: paid === 1 }),
  );
  const hosts = new Map<string, Network>();
  const pathEntries = new Map<string, { prefix: string; network: Network }[]>();
  for (const [key, i] of Object.entries(compiled.hosts)) {
    const network = networks[i];
    if (!network) continue;
    const slash = key.indexOf('/');
    if (slash === -1) {
      hosts.set(key, network);
      continue;
    }
    const list = pathEntries.get(key.slice(0, slash)) ?? [];
    list.push({ prefix: key.slice(slash), network });
    pathEntries.set(key.slice(0, slash), list);
  }
  for (const list of pathEntries.values()) list.sort((a, b) => b.prefix.length - a.prefix.length);
  const sourceCategories = new Map<string, SourceCategory>(
    Object.entries(compiled.sources).map(([name, category]) => [name, toCategory(category)]),
  );
  index = { hosts, pathEntries, sourceCategories };
  return index;
}

function matchPath(pathEntries: Index['pathEntries'], host: string, path: string): Network | undefined {
  const entries = pathEntries.get(host);
  if (!entries || path.length < 2) return undefined;
  const lower = path.toLowerCase();
  for (const { prefix, network } of entries) {
    // Match whole segments: /webmail matches /webmail/x, not /webmailer.
    if (lower.startsWith(prefix) && (lower.length === prefix.length || lower[prefix.length] === '/')) return network;
  }
  return undefined;
}

/**
 * A country suffix for `name.*` entries: a two-letter country code, alone or
 * under com./co. (google.de, google.co.uk, google.com.br), or com itself.
 */
const COUNTRY_SUFFIX = /^(?:(?:com|co)\.)?[a-z]{2}$|^com$/;

/** `google.*` for google.co.uk; undefined when the host is not a name under a country suffix. */
function wildcardOf(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 && COUNTRY_SUFFIX.test(host.slice(dot + 1)) ? `${host.slice(0, dot)}.*` : undefined;
}

/**
 * Finds the network of a referrer host, as referer-parser does: first
 * `host/path-prefix`, then the host (or its `name.*` entry), then the host
 * with its leftmost label removed, and so on (so `uk.search.yahoo.com` finds
 * `search.yahoo.com`). The bare public suffix (`com`) is never looked up.
 */
export function lookupReferrer(host: string, path: string): Network | undefined {
  const { hosts, pathEntries } = getIndex();
  let h = host;
  for (;;) {
    const byPath = matchPath(pathEntries, h, path);
    if (byPath) return byPath;
    const byHost = hosts.get(h);
    if (byHost) return byHost;
    const dot = h.indexOf('.');
    if (dot === -1) return undefined;
    const wildcard = wildcardOf(h);
    const byCountry = wildcard === undefined ? undefined : hosts.get(wildcard);
    if (byCountry) return byCountry;
    if (h.indexOf('.', dot + 1) === -1) return undefined;
    h = h.slice(dot + 1);
  }
}

/** Finds an Android app referrer (`android-app://com.google.android.gm`) by package name. */
export function lookupApp(packageName: string): Network | undefined {
  return getIndex().hosts.get(`android-app:${packageName}`);
}

/**
 * The category of a source name as written in `utm_source` ("google",
 * "facebook.com", "fb", "chatgpt.com"), the way GA4 matches sources against
 * its source-category lists.
 */
export function categoriseSourceName(source: string): SourceCategory | undefined {
  const { sourceCategories } = getIndex();
  const direct = sourceCategories.get(source);
  if (direct) return direct;
  if (!source.includes('.')) return undefined;
  return lookupSourceDomain(source)?.category;
}

/** A utm_source written as a domain: lowercase host characters, at least one dot inside. */
const DOMAIN_SOURCE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * The known network a `utm_source` written as its domain names
 * ("chatgpt.com", "www.facebook.com.", "t.co"), so that a tagged link and a
 * referral from the same network report one source. Trailing dots (a fully
 * qualified name) are dropped; subdomains find their parent's entry. Sites the
 * database knows only by host (referer-parser's "unknown") and ad servers do
 * not count: a tag naming them is judged by GA4's rules alone.
 */
export function lookupSourceDomain(source: string): Network | undefined {
  const host = source.endsWith('.') ? source.replace(/\.+$/, '') : source;
  if (!DOMAIN_SOURCE.test(host)) return undefined;
  const network = lookupReferrer(host, '');
  return network && network.category !== 'unknown' && network.category !== 'ads' ? network : undefined;
}
