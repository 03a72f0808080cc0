/**
 * GA4's default channel group, as Google documents it ("[GA4] Default channel
 * group", Analytics Help): each rule in order, the first that matches wins.
 * sma adds one rule, `AI Assistant`, after the paid rules: a chat assistant is
 * a referrer GA4 would file under Referral.
 */
import type { Channel, SourceCategory } from './types';

export interface ChannelInput {
  source: string;
  medium: string;
  campaign: string | null;
  /** The category of the source (from the referrer database or the source-name lists). */
  category: SourceCategory | undefined;
  /** How the medium is named in the reason: `utm_medium` when it came from the URL. Default `medium`. */
  mediumLabel?: string;
}

export interface ChannelDecision {
  channel: Channel;
  /** Why, in words: `utm_medium "cpc" is paid; source "facebook" is social → Paid Social`. */
  why: string;
}

// GA4's regular expressions and value lists, verbatim where GA4 gives them.
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/i;
const SHOPPING_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/i;
const VIDEO_MEDIUM = /^(.*video.*)$/i;
const DISPLAY_MEDIUMS = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const SOCIAL_MEDIUMS = new Set(['social', 'social-network', 'social-media', 'sm', 'social network', 'social media']);
const REFERRAL_MEDIUMS = new Set(['referral', 'app', 'link']);
const EMAIL_NAMES = new Set(['email', 'e-mail', 'e_mail', 'e mail']);
const NO_MEDIUM = new Set(['(none)', '(not set)']);
// sma's addition to GA4's email names: a source naming a newsletter
// (utm_source=newsletter, weekly-newsletter, Newsletter-UK) is an email send.
const NEWSLETTER_SOURCE = /(^|[^a-z])newsletters?([^a-z]|$)/;

const CATEGORY_WORD: Record<SourceCategory, string> = {
  search: 'a search engine',
  social: 'social',
  email: 'webmail',
  video: 'a video site',
  shopping: 'a shopping site',
  ai: 'an AI assistant',
  ads: 'an ad server',
  unknown: 'a known site',
};

function isCategory(input: ChannelInput, category: SourceCategory): boolean {
  return input.category === category;
}

/** Applies GA4's default channel rules, in GA4's order. */
export function decideChannel(input: ChannelInput): ChannelDecision {
  const { source, medium, campaign } = input;
  const m = `${input.mediumLabel ?? 'medium'} "${medium}"`;
  const src = `source "${source}"`;
  const cat = input.category ? `${src} is ${CATEGORY_WORD[input.category]}` : '';
  const paid = PAID_MEDIUM.test(medium);
  const shoppingCampaign = campaign !== null && SHOPPING_CAMPAIGN.test(campaign);

  if (source === '(direct)' && NO_MEDIUM.has(medium)) return { channel: 'Direct', why: 'no referrer and no campaign → Direct' };
  if (campaign !== null && campaign.toLowerCase().includes('cross-network')) {
    return { channel: 'Cross-network', why: `campaign "${campaign}" contains "cross-network" → Cross-network` };
  }
  if (paid) {
    if (isCategory(input, 'shopping') || shoppingCampaign) {
      const what = shoppingCampaign ? `campaign "${campaign}" is shopping` : cat;
      return { channel: 'Paid Shopping', why: `${m} is paid; ${what} → Paid Shopping` };
    }
    if (isCategory(input, 'search')) return { channel: 'Paid Search', why: `${m} is paid; ${cat} → Paid Search` };
    if (isCategory(input, 'social')) return { channel: 'Paid Social', why: `${m} is paid; ${cat} → Paid Social` };
    if (isCategory(input, 'video')) return { channel: 'Paid Video', why: `${m} is paid; ${cat} → Paid Video` };
    // GA4 files Google Ads clicks from its display network under Display; an
    // ad server as the referrer is sma's evidence of the same.
    if (isCategory(input, 'ads')) return { channel: 'Display', why: `${m} is paid; ${cat} → Display` };
  }
  if (DISPLAY_MEDIUMS.has(medium)) return { channel: 'Display', why: `${m} is display → Display` };
  if (paid) return { channel: 'Paid Other', why: `${m} is paid; ${src} is in no source list → Paid Other` };
  if (isCategory(input, 'ai')) return { channel: 'AI Assistant', why: `${cat} → AI Assistant` };
  if (isCategory(input, 'shopping') || shoppingCampaign) {
    return { channel: 'Organic Shopping', why: `${shoppingCampaign ? `campaign "${campaign}" is shopping` : cat} → Organic Shopping` };
  }
  if (isCategory(input, 'social')) return { channel: 'Organic Social', why: `${cat} → Organic Social` };
  if (SOCIAL_MEDIUMS.has(medium)) return { channel: 'Organic Social', why: `${m} is social → Organic Social` };
  if (isCategory(input, 'video')) return { channel: 'Organic Video', why: `${cat} → Organic Video` };
  if (VIDEO_MEDIUM.test(medium)) return { channel: 'Organic Video', why: `${m} contains "video" → Organic Video` };
  if (isCategory(input, 'search')) return { channel: 'Organic Search', why: `${cat} → Organic Search` };
  if (medium === 'organic') return { channel: 'Organic Search', why: `${m} → Organic Search` };
  if (REFERRAL_MEDIUMS.has(medium)) return { channel: 'Referral', why: `${m} → Referral` };
  // GA4 matches only the words "email"; sma also counts webmail sources
  // (utm_source=gmail), which GA4 would leave Unassigned.
  if (EMAIL_NAMES.has(source) || EMAIL_NAMES.has(medium))
    return { channel: 'Email', why: `${EMAIL_NAMES.has(medium) ? m : src} is email → Email` };
  if (isCategory(input, 'email')) return { channel: 'Email', why: `${cat} → Email` };
  if (NEWSLETTER_SOURCE.test(source)) return { channel: 'Email', why: `${src} names a newsletter → Email` };
  if (medium === 'affiliate') return { channel: 'Affiliates', why: `${m} → Affiliates` };
  if (medium === 'audio') return { channel: 'Audio', why: `${m} → Audio` };
  if (source === 'sms' || medium === 'sms') return { channel: 'SMS', why: `${medium === 'sms' ? m : src} → SMS` };
  if (medium.endsWith('push') || medium.includes('mobile') || medium.includes('notification') || source === 'firebase') {
    return { channel: 'Mobile Push Notifications', why: `${source === 'firebase' ? src : m} is push → Mobile Push Notifications` };
  }
  return { channel: 'Unassigned', why: `${src} and ${m} match no channel rule → Unassigned` };
}
