/**
 * Ad-platform click identifiers: a parameter an ad network appends to the
 * landing URL. Each says which network the visit came from and whether the
 * click was paid. Listed in precedence order: when a URL carries several, the
 * first one here decides.
 */
import type { SourceCategory } from './types';

export interface ClickIdRule {
  /** Lowercase parameter name. */
  param: string;
  /** The `source` the click id implies. */
  source: string;
  /** The `medium` when utm_medium is absent. */
  medium: string;
  /** The category GA4's rules should see for that source. */
  category: SourceCategory | undefined;
  /** A paid ad click, as opposed to a tracking id on organic links. */
  paid: boolean;
  /** Who adds it, for the reason text and docs/classifier.md. */
  description: string;
}

export const CLICK_ID_RULES: readonly ClickIdRule[] = [
  { param: 'gclid', source: 'google', medium: 'cpc', category: 'search', paid: true, description: 'Google Ads auto-tagging' },
  { param: 'gbraid', source: 'google', medium: 'cpc', category: 'search', paid: true, description: 'Google Ads on iOS, app to web' },
  { param: 'wbraid', source: 'google', medium: 'cpc', category: 'search', paid: true, description: 'Google Ads on iOS, web to app' },
  // Campaign Manager 360 / Display & Video 360. GA4 reports these as cpm, so
  // they land in Display rather than Paid Search.
  {
    param: 'dclid',
    source: 'google',
    medium: 'cpm',
    category: undefined,
    paid: true,
    description: 'Google Display & Video 360 / Campaign Manager',
  },
  { param: 'msclkid', source: 'bing', medium: 'cpc', category: 'search', paid: true, description: 'Microsoft Advertising auto-tagging' },
  { param: 'yclid', source: 'yandex', medium: 'cpc', category: 'search', paid: true, description: 'Yandex Direct' },
  { param: 'ttclid', source: 'tiktok', medium: 'cpc', category: 'social', paid: true, description: 'TikTok Ads' },
  { param: 'li_fat_id', source: 'linkedin', medium: 'cpc', category: 'social', paid: true, description: 'LinkedIn Ads' },
  { param: 'twclid', source: 'twitter', medium: 'cpc', category: 'social', paid: true, description: 'X Ads' },
  { param: 'epik', source: 'pinterest', medium: 'cpc', category: 'social', paid: true, description: 'Pinterest Ads' },
  { param: 'sccid', source: 'snapchat', medium: 'cpc', category: 'social', paid: true, description: 'Snapchat Ads' },
  { param: 'rdt_cid', source: 'reddit', medium: 'cpc', category: 'social', paid: true, description: 'Reddit Ads' },
  { param: 'qclid', source: 'quora', medium: 'cpc', category: 'social', paid: true, description: 'Quora Ads' },
  // Affiliate networks: the click is paid by commission, so Affiliates, not cpc.
  {
    param: 'irclickid',
    source: 'impact',
    medium: 'affiliate',
    category: undefined,
    paid: false,
    description: 'impact.com affiliate click',
  },
  { param: 'awc', source: 'awin', medium: 'affiliate', category: undefined, paid: false, description: 'Awin affiliate click' },
  // Meta adds fbclid to organic and paid links alike, so it marks the network
  // only; a paid Meta click is known from its utm_medium.
  {
    param: 'fbclid',
    source: 'facebook',
    medium: 'social',
    category: 'social',
    paid: false,
    description: 'Meta link decoration, on organic and paid links',
  },
  { param: 'igshid', source: 'instagram', medium: 'social', category: 'social', paid: false, description: 'Instagram share link' },
  // Google adds srsltid to free (organic) product listings from Merchant Center.
  {
    param: 'srsltid',
    source: 'google',
    medium: 'organic',
    category: 'shopping',
    paid: false,
    description: 'Google Merchant Center free listing',
  },
  { param: 'mc_cid', source: 'mailchimp', medium: 'email', category: 'email', paid: false, description: 'Mailchimp campaign link' },
  { param: '_hsenc', source: 'hubspot', medium: 'email', category: 'email', paid: false, description: 'HubSpot email link' },
];

const BY_PARAM = new Map(CLICK_ID_RULES.map((rule, i) => [rule.param, { rule, rank: i }]));

/** The rule for a lowercase parameter name, with its precedence rank. */
export function findClickId(param: string): { rule: ClickIdRule; rank: number } | undefined {
  return BY_PARAM.get(param);
}
