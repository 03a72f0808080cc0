/**
 * Lenient URL splitting for classification.
 *
 * `new URL()` is correct but strict and, at 100k classifications a second,
 * the largest cost. Referrers in the wild are often not valid URLs at all
 * (`android-app://…`, bare hosts, truncated strings), and all the classifier
 * needs is the scheme, the host, the first path segment and the raw query. So
 * the common case is split by hand, and only a host with characters outside
 * `[a-z0-9.-_]` (IDN, percent-encoding, IPv6) goes through WHATWG `URL` to get
 * its canonical (punycode) form. Nothing here throws.
 */

/** Mixpanel truncates string property values at 255 characters; keep every field within it. */
export const MAX_FIELD_LENGTH = 255;

/** The longest scheme we accept before `://`; longer means the string is not a URL. */
const MAX_SCHEME_LENGTH = 32;

export interface UrlParts {
  /** Lowercase scheme without `:`, or `''` when the string had none. */
  scheme: string;
  /** Lowercase host without port, userinfo or trailing dot; `''` when none. */
  host: string;
  /** The path, from the first `/` after the host; may be `''`. */
  path: string;
  /** The raw query string, without `?` and without the fragment. */
  query: string;
}

const SIMPLE_HOST = /^[a-z0-9._-]+$/;
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
// A scheme-less string is taken as host-first only when its first segment looks
// like a domain ("www.example.com/x"), not like a path ("pricing?x=1").
const BARE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * Splits a URL-like string into scheme, host, path and query.
 *
 * @returns undefined for empty or non-string input.
 */
export function splitUrl(raw: unknown): UrlParts | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const s = isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(raw.length - 1)) ? raw.trim() : raw;
  if (s === '') return undefined;

  let scheme = '';
  let rest = s;
  // The common cases first, without a regular expression.
  const known = s.startsWith('https://') ? 'https' : s.startsWith('http://') ? 'http' : undefined;
  const sep = known ? known.length : s.indexOf('://');
  if (known) {
    scheme = known;
    rest = s.slice(sep + 3);
  } else if (sep > 0 && sep <= MAX_SCHEME_LENGTH) {
    const candidate = s.slice(0, sep).toLowerCase();
    if (SCHEME.test(candidate)) {
      scheme = candidate;
      rest = s.slice(sep + 3);
    }
  } else if (s.startsWith('//')) {
    rest = s.slice(2);
  } else {
    const colon = s.indexOf(':');
    // "javascript:…", "mailto:…", "about:blank": a scheme with no authority.
    if (colon > 0 && colon <= MAX_SCHEME_LENGTH && SCHEME.test(s.slice(0, colon).toLowerCase())) {
      const candidate = s.slice(0, colon).toLowerCase();
      if (!BARE_HOST.test(candidate)) {
        return { scheme: candidate, host: '', path: '', query: queryOf(s, colon + 1) };
      }
    }
    const firstSegmentEnd = endOfAuthority(s, 0);
    if (!BARE_HOST.test(s.slice(0, firstSegmentEnd).toLowerCase().split(':')[0] ?? '')) {
      // A path or fragment of a URL: no host, but its query still counts.
      return { scheme: '', host: '', path: pathOf(s, 0), query: queryOf(s, 0) };
    }
  }

  const authorityEnd = endOfAuthority(rest, 0);
  const host = normaliseHost(rest.slice(0, authorityEnd), scheme, s);
  return { scheme, host, path: pathOf(rest, authorityEnd), query: queryOf(rest, authorityEnd) };
}

function isSpace(c: number): boolean {
  return c <= 32 || c === 160 || c === 0xfeff;
}

function endOfAuthority(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // '/', '?', '#', '\' (browsers treat '\' as '/')
    if (c === 47 || c === 63 || c === 35 || c === 92) return i;
  }
  return s.length;
}

function pathOf(s: string, from: number): string {
  if (s.charCodeAt(from) === 63 || s.charCodeAt(from) === 35) return '';
  let end = s.length;
  const q = s.indexOf('?', from);
  if (q !== -1) end = q;
  const h = s.indexOf('#', from);
  if (h !== -1 && h < end) end = h;
  return s.slice(from, end);
}

function queryOf(s: string, from: number): string {
  const q = s.indexOf('?', from);
  if (q === -1) return '';
  const h = s.indexOf('#', q);
  return h === -1 ? s.slice(q + 1) : s.slice(q + 1, h);
}

/** True when `host` is already lowercase letters, digits, '.', '-' and '_' with no trailing dot. */
function isCanonicalHost(host: string): boolean {
  const n = host.length;
  if (n === 0 || host.charCodeAt(n - 1) === 46) return false;
  for (let i = 0; i < n; i++) {
    const c = host.charCodeAt(i);
    // a-z, 0-9, '.', '-', '_'
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 95)) return false;
  }
  return true;
}

function normaliseHost(authority: string, scheme: string, original: string): string {
  if (isCanonicalHost(authority)) return authority;
  let host = authority;
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  if (!host.startsWith('[')) {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  host = host.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (SIMPLE_HOST.test(host) || host === '') return host;
  // IDN, percent-encoded or IPv6 hosts: let WHATWG URL canonicalise them.
  try {
    const base = scheme === 'http' || scheme === 'https' ? original : `http://${authority}/`;
    return new URL(base).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/**
 * Calls `visit` for each `key=value` pair of a raw query string, with the key
 * lowercased and the value still encoded. Stops early when `visit` returns true.
 */
export function scanQuery(query: string, visit: (key: string, rawValue: string) => boolean | void): void {
  let start = 0;
  const n = query.length;
  while (start < n) {
    let end = query.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start) {
      const eq = query.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const key = query.slice(start, hasValue ? eq : end).toLowerCase();
      if (visit(key, hasValue ? query.slice(eq + 1, end) : '') === true) return;
    }
    start = end + 1;
  }
}

// C0 controls and DEL: they break logs, CSV exports and some destinations.
// Tabs and line breaks separate words, so they become spaces rather than
// joining "gateway\toracle" into one word.
const BREAKING_CONTROLS = /[\t\n\v\f\r]+/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;

/** A UTF-8 character is at most four bytes, so four escapes. */
const MAX_ESCAPES_PER_CHAR = 4;

/**
 * Decodes a run of `%XX` escapes that is not valid UTF-8 as a whole: each
 * character takes the longest prefix (up to four escapes) that decodes; an
 * escape that starts no valid character stays as written.
 */
function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    let out = '';
    let i = 0;
    while (i < run.length) {
      let decoded: string | undefined;
      let used = 3;
      for (let n = Math.min(MAX_ESCAPES_PER_CHAR, (run.length - i) / 3); n >= 1 && decoded === undefined; n--) {
        try {
          decoded = decodeURIComponent(run.slice(i, i + n * 3));
          used = n * 3;
        } catch {
          // try a shorter sequence
        }
      }
      out += decoded ?? run.slice(i, i + 3);
      i += used;
    }
    return out;
  }
}

/**
 * Decodes a query value (`+` is a space) without ever throwing: a malformed
 * percent sequence is kept as it was written. Tabs and line breaks become
 * spaces, other control characters are dropped, white space is trimmed, and the result is capped at {@link MAX_FIELD_LENGTH}.
 *
 * @returns null when nothing is left.
 */
export function decodeValue(raw: string): string | null {
  let value = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // Decode each run of escapes on its own; bytes that are not valid UTF-8
      // stay encoded rather than turning into U+FFFD noise.
      value = value.replace(PERCENT_RUN, decodeRun);
    }
  }
  if (HAS_CONTROL.test(value)) value = value.replace(BREAKING_CONTROLS, ' ').replace(CONTROL_CHARS, '');
  value = value.trim();
  if (value.length > MAX_FIELD_LENGTH) value = value.slice(0, MAX_FIELD_LENGTH);
  return value === '' ? null : value;
}
