/**
 * Which hosts belong together: the page's own site, configured own domains,
 * and ignored referrers.
 */

/**
 * Referrers ignored by default: payment pages and sign-in providers. A visitor
 * comes back from them mid-purchase or mid-login; counting them would credit
 * the sale to Stripe or to Google sign-in.
 */
export const DEFAULT_IGNORED_REFERRERS: readonly string[] = Object.freeze([
  // Payments
  'checkout.stripe.com',
  'billing.stripe.com',
  'connect.stripe.com',
  'invoice.stripe.com',
  'hooks.stripe.com',
  'paypal.com',
  'pay.google.com',
  'payments.google.com',
  'klarna.com',
  'afterpay.com',
  'clearpay.co.uk',
  'adyen.com',
  'checkout.com',
  'braintreegateway.com',
  'mollie.com',
  'paddle.com',
  'checkout.paddle.com',
  'pay.shopify.com',
  'secure.authorize.net',
  'squareup.com',
  'wise.com',
  'sofort.com',
  'acs.cardinalcommerce.com',
  'secure5.arcot.com',
  // Sign-in and SSO
  'accounts.google.com',
  'accounts.youtube.com',
  'login.microsoftonline.com',
  'login.live.com',
  'login.microsoft.com',
  'appleid.apple.com',
  'idmsa.apple.com',
  'auth0.com',
  'okta.com',
  'oktapreview.com',
  'onelogin.com',
  'github.com/login',
  'gitlab.com/users/sign_in',
  'facebook.com/dialog/oauth',
  'facebook.com/login',
  'api.twitter.com/oauth',
  'x.com/i/oauth2',
  'linkedin.com/oauth',
  'slack.com/oauth',
  'id.atlassian.com',
  'auth.services.adobe.com',
  'sso.godaddy.com',
  'amazoncognito.com',
  'clerk.accounts.dev',
  'accounts.clerk.dev',
  'kinde.com',
  'workos.com',
]);

/**
 * Matches a host (and path) against a list of `host` or `host/path-prefix`
 * entries. A host entry also matches its subdomains: `paypal.com` matches
 * `www.paypal.com`.
 */
export class HostList {
  private readonly entries = new Map<string, string[]>();

  constructor(list: readonly string[]) {
    for (const raw of list) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
        .replace(/^\*\./, '');
      if (entry === '') continue;
      const slash = entry.indexOf('/');
      const host = (slash === -1 ? entry : entry.slice(0, slash)).replace(/^www\./, '');
      const path = slash === -1 ? '' : entry.slice(slash);
      const paths = this.entries.get(host) ?? [];
      paths.push(path);
      this.entries.set(host, paths);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The matching entry, for the reason text, or undefined. */
  match(host: string, path: string): string | undefined {
    if (this.entries.size === 0 || host === '') return undefined;
    let h = host;
    for (;;) {
      const paths = this.entries.get(h);
      if (paths) {
        for (const prefix of paths) if (prefix === '' || path.toLowerCase().startsWith(prefix)) return h + prefix;
      }
      const dot = h.indexOf('.');
      if (dot === -1) return undefined;
      h = h.slice(dot + 1);
    }
  }
}

/** Bound on the registrable-domain memo, so a stream of random hosts cannot grow memory. */
const MAX_DOMAIN_CACHE = 10_000;
const domainCache = new Map<string, string | null>();
let getDomain: ((host: string) => string | null) | undefined;

/**
 * The registrable domain of a host (`shop.example.co.uk` → `example.co.uk`),
 * from the public suffix list. tldts is loaded on first use: it costs several
 * milliseconds to load, and most classifications never need it.
 */
export function registrableDomain(host: string): string | null {
  const cached = domainCache.get(host);
  if (cached !== undefined) return cached;
  if (!getDomain) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tldts = require('tldts') as typeof import('tldts');
    getDomain = (h) => tldts.getDomain(h, { allowPrivateDomains: true });
  }
  const domain = getDomain(host);
  if (domainCache.size >= MAX_DOMAIN_CACHE) domainCache.clear();
  domainCache.set(host, domain);
  return domain;
}

function lastTwoLabels(host: string): string {
  const last = host.lastIndexOf('.');
  if (last <= 0) return host;
  const secondLast = host.lastIndexOf('.', last - 1);
  return secondLast === -1 ? host : host.slice(secondLast + 1);
}

/**
 * True when two hosts are one site: equal, or with the same registrable
 * domain. A registrable domain has at least two labels, so hosts whose last two
 * labels differ cannot share one; that check spares the public-suffix lookup
 * for nearly every external referrer.
 */
export function isSameSite(a: string, b: string): boolean {
  if (a === b) return true;
  if (a === '' || b === '') return false;
  if (lastTwoLabels(a) !== lastTwoLabels(b)) return false;
  const domain = registrableDomain(a);
  return domain !== null && domain === registrableDomain(b);
}
