/**
 * The debug view of an id (GET /api/user/{id}, GET /api/anonymous/{id}): its
 * linked ids and touches (src/app/visitor-view.ts), its attribution, and its
 * conversions, each with its credit under every model at its own moment.
 * Kept apart from visitor-view, which the counters and the conversion
 * crediting build on, so that neither imports the other.
 */
import type { Attribution } from '../attribution/attribute';
import {
  creditConversion,
  type Conversion,
  type ConversionCredit,
  type ConversionValue,
  type TouchShare,
} from '../attribution/conversions';
import type { ReportModel } from '../attribution/counters';
import type { ModelOptions } from '../attribution/models';
import { compareByTime } from '../attribution/touches';
import { visitorKeyOf } from '../attribution/visitor-key';
import { mapLimit } from '../lib/concurrency';
import { attributeConversion } from './attribute-conversions';
import type { ConversionStore, IdentityStore, TouchStore } from './ports';
import { userConversions, visitorsOfUser } from './refresh-counters';
import { getAnonymousView, noViews, userViewOf, withAttribution, type AnonymousView, type UserView } from './visitor-view';

/** Conversions credited at once in an anonymous visitor's view (each reads its person's touches). */
const CREDIT_CONCURRENCY = 8;

/** Whose view: a user's (with every linked anonymous id) or one anonymous visitor's. */
export type ViewKind = 'user' | 'anonymous';

/** What one touch (or Direct, with no touch) gets of a conversion under a model. */
export interface ViewCredit {
  channel: string;
  source: string;
  campaign: string | null;
  /** Between 0 and 1; a model's credits of one conversion sum to 1. */
  credit: number;
}

/** A conversion as the debug view lists it. */
export interface ViewConversion {
  event: string;
  messageId: string;
  timestamp: string;
  /** Null when the event named no value, or one that cannot be summed (see `warning`). */
  value: ConversionValue | null;
  /** Why the value the event carried was not kept. */
  warning?: string;
  /** Under each model, the touches before the conversion and their credit (Direct when there was none, as in GA4). */
  credits: Record<ReportModel, ViewCredit[]>;
}

export type DebugView = (UserView | AnonymousView) & { attribution: Attribution; conversions: ViewConversion[] };

export interface DebugViewDeps {
  identity: IdentityStore;
  touches: TouchStore;
  model: ModelOptions;
  /** Undefined when conversions are off (CONVERSION_EVENTS unset): the view lists none. */
  conversions: ConversionStore | undefined;
}

/** Shares without the touch ids, which the view's touches already show. */
const creditsOf = (shares: readonly TouchShare[]): ViewCredit[] =>
  shares.map(({ channel, source, campaign, credit }) => ({ channel, source, campaign, credit }));

/** A conversion with its credit, as listed. */
function listed(conversion: Conversion, credit: ConversionCredit): ViewConversion {
  const { first_touch, last_touch, linear, time_decay, position_based } = credit.shares;
  return {
    event: conversion.event,
    messageId: conversion.messageId,
    timestamp: conversion.timestamp,
    value: conversion.value,
    ...(conversion.warning !== undefined ? { warning: conversion.warning } : {}),
    credits: {
      first_touch: creditsOf(first_touch),
      last_touch: creditsOf(last_touch),
      linear: creditsOf(linear),
      time_decay: creditsOf(time_decay),
      position_based: creditsOf(position_based),
    },
  };
}

/**
 * A user's view: the conversions the user counts in the report (the same
 * rule, userConversions), credited with the view's touches, which are the
 * person's over every linked visitor. Both from one read of the links, so
 * that a link made meanwhile cannot show a conversion without its touches.
 */
async function userDebugView(userId: string, deps: DebugViewDeps): Promise<DebugView | undefined> {
  const links = await deps.identity.linksOf(userId);
  const linked = links.map((l) => l.anonymousId);
  const [view, conversions] = await Promise.all([
    userViewOf(userId, linked, deps.touches),
    userConversions(userId, visitorsOfUser(userId, links), deps),
  ]);
  if (!view && conversions.length === 0) return undefined;
  const found = view ?? { userId, anonymousIds: [], ...noViews() };
  const list = conversions.sort(compareByTime).map((c) => listed(c, creditConversion(found.touches, c.timestamp, deps.model)));
  return { ...withAttribution<UserView>(found, deps.model), conversions: list };
}

/**
 * An anonymous visitor's view: every conversion it made, each credited as
 * Segment is told of it (attributeConversion), with every device of the
 * person it counts for once it is linked to a user.
 */
async function anonymousDebugView(anonymousId: string, deps: DebugViewDeps): Promise<DebugView | undefined> {
  const [view, conversions] = await Promise.all([
    getAnonymousView(anonymousId, deps.identity, deps.touches),
    deps.conversions?.conversionsOf(visitorKeyOf({ anonymousId })) ?? [],
  ]);
  if (!view && conversions.length === 0) return undefined;
  const found = view ?? { anonymousId, userIds: [], ...noViews() };
  const attributed = await mapLimit([...conversions].sort(compareByTime), CREDIT_CONCURRENCY, (c) => attributeConversion(c, deps));
  return { ...withAttribution<AnonymousView>(found, deps.model), conversions: attributed.map((a) => listed(a.conversion, a.credit)) };
}

/**
 * The debug view of an id with its attribution (first, last, credits and the
 * traits identify would send) and its conversions, or undefined when sma
 * knows nothing of it.
 */
export function getVisitorView(kind: ViewKind, id: string, deps: DebugViewDeps): Promise<DebugView | undefined> {
  return kind === 'user' ? userDebugView(id, deps) : anonymousDebugView(id, deps);
}
