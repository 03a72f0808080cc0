/**
 * GA4's default channel groups, plus `AI Assistant` for visits from chat
 * assistants (ChatGPT, Perplexity, Gemini, Copilot, Claude …), which GA4 files
 * under Referral and marketers now want to see on their own.
 */
export const CHANNELS = [
  'Direct',
  'Organic Search',
  'Paid Search',
  'Organic Social',
  'Paid Social',
  'Email',
  'Referral',
  'Display',
  'Affiliates',
  'Organic Video',
  'Paid Video',
  'Organic Shopping',
  'Paid Shopping',
  'Paid Other',
  'Cross-network',
  'SMS',
  'Audio',
  'Mobile Push Notifications',
  'AI Assistant',
  'Unassigned',
] as const;

export type Channel = (typeof CHANNELS)[number];

/**
 * What a known referrer or source name is. `ads` is an ad server: a visit it
 * refers is a click on an ad it served (googlesyndication.com). `unknown` is
 * referer-parser's "we know the site, not the medium" (support.google.com).
 */
export type SourceCategory = 'search' | 'social' | 'email' | 'video' | 'shopping' | 'ai' | 'ads' | 'unknown';

/** The input of one classification: the landing page and its HTTP referrer. */
export interface VisitInput {
  /** The page URL, with its query string (Segment's `context.page.url`). */
  url?: string | null;
  /** The HTTP referrer (Segment's `context.page.referrer`). */
  referrer?: string | null;
}

/**
 * Where one visit came from. The field names are a public contract: they
 * become `source_first_<field>` / `source_last_<field>` traits in Segment.
 */
export interface Classification {
  /** False for internal navigation and ignored referrers; they never start a touch. */
  touch: boolean;
  channel: Channel;
  /** utm_source, the click id's network, the known network, the referrer host, or `(direct)`. */
  source: string;
  /** utm_medium, `cpc` for paid click ids, or organic / social / email / referral / (none). */
  medium: string;
  campaign: string | null;
  content: string | null;
  /** utm_term, else the search term carried in the referrer. */
  term: string | null;
  /** utm_id. */
  campaign_id: string | null;
  /** The name of the click-id parameter that decided or joined the classification. */
  click_id: string | null;
  referrer_host: string | null;
  /** The rule that decided, in words, so a user who disagrees can see why. */
  reason: string;
}

/** Site-specific settings. */
export interface ClassifierOptions {
  /**
   * Domains that are part of this site beyond the page's own registrable
   * domain (a separate checkout or docs domain). A referrer on one of them, or
   * a subdomain, is internal. Entries may carry a path prefix.
   * Default: none.
   */
  ownDomains?: readonly string[];
  /**
   * Referrers that never start a touch: payment providers and sign-in pages a
   * visitor passes through mid-session. Entries are `host` (matches
   * subdomains too) or `host/path-prefix`.
   * Default: {@link DEFAULT_IGNORED_REFERRERS}.
   */
  ignoredReferrers?: readonly string[];
}
