/**
 * The report counters recomputed from scratch, from the raw page and identify
 * tables with nothing derived, and a comparison that allows for the rounding
 * of multi-touch credits.
 */
import { firstTouch, lastTouch, touchCredits, CREDIT_MODELS } from '../../src/attribution/models';
import { counterId, parseCounterId, REPORT_MODELS, USER_UNITS, type CounterKey } from '../../src/attribution/counters';
import { conversionSchema, creditConversion, type Conversion } from '../../src/attribution/conversions';
import { currencyKey, DAYS_TO_CONVERT_BUCKETS, TOUCHES_TO_CONVERT_BUCKETS, VALUE_UNITS } from '../../src/attribution/conversion-counters';
import { compareByTime, deriveTouches, type Touch } from '../../src/attribution/touches';
import type { Deps } from '../../src/handlers/deps';
import { linksFromEvent } from '../../src/app/link-identities';
import { linkingItemSchema, toPageView } from '../../src/store/items';
import { scanAll } from './snapshot';

export interface Recount {
  expected: Map<string, number>;
  /** How many rounded credits went into each counter: each may be off by one unit. */
  credits: Map<string, number>;
}

/** The users' links as the stored events make them (any event with both ids, an alias): anonymous ids, and when each was linked. */
async function linksByUser(deps: Pick<Deps, 'doc' | 'config'>) {
  const linkedAt = new Map<string, string[]>();
  const anonsOf = new Map<string, Set<string>>();
  const events = [...(await scanAll(deps, deps.config.tables.identify)), ...(await scanAll(deps, deps.config.tables.page))];
  for (const item of events) {
    for (const l of linksFromEvent(linkingItemSchema.parse(item))) {
      linkedAt.set(l.userId, [...(linkedAt.get(l.userId) ?? []), l.linkedAt]);
      anonsOf.set(l.userId, (anonsOf.get(l.userId) ?? new Set()).add(l.anonymousId));
    }
  }
  return { linkedAt, anonsOf };
}

type Add = (k: CounterKey, n: number) => void;

/** The label of the last bucket whose lower bound `n` reaches. */
const bucket = (n: number, buckets: readonly (readonly [number, string])[]): string =>
  buckets.filter(([from]) => n >= from).pop()?.[1] ?? '';

/**
 * Each stored conversion, credited at its moment with the touches of the
 * person it counts for: its own user, else the first user its anonymous id
 * is linked to, else its visitor alone.
 */
async function recountConversions(
  deps: Pick<Deps, 'doc' | 'config' | 'model'>,
  touchesOf: Map<string, Touch[]>,
  anonsOf: Map<string, Set<string>>,
  add: Add,
): Promise<void> {
  const usersOfAnon = new Map<string, string[]>();
  for (const [userId, anons] of anonsOf) for (const a of anons) usersOfAnon.set(a, [...(usersOfAnon.get(a) ?? []), userId].sort());
  const personTouches = (userId: string): Touch[] =>
    [`user#${userId}`, ...[...(anonsOf.get(userId) ?? [])].map((a) => `anon#${a}`)].flatMap((key) => touchesOf.get(key) ?? []);
  for (const item of await scanAll(deps, deps.config.tables.conversion)) {
    const c: Conversion = conversionSchema.parse(item);
    const owner = c.userId ?? usersOfAnon.get(c.anonymousId ?? '')?.[0];
    const credit = creditConversion(owner ? personTouches(owner) : (touchesOf.get(c.visitorKey) ?? []), c.timestamp, deps.model);
    const day = c.timestamp.slice(0, 10);
    const cents = c.value ? Math.round(c.value.amount * VALUE_UNITS) : 0;
    for (const model of REPORT_MODELS) {
      for (const share of credit.shares[model]) {
        const dims = { channel: share.channel, source: share.source, campaign: share.campaign ?? '(not set)' };
        add({ day, metric: `conversions:${model}`, ...dims }, share.credit * USER_UNITS);
        if (cents > 0) add({ day, metric: `value:${model}:${currencyKey(c.value?.currency ?? null)}`, ...dims }, share.credit * cents);
      }
    }
    const first = credit.shares.first_touch[0];
    const dims = { channel: first?.channel ?? 'Direct', source: first?.source ?? '(direct)', campaign: first?.campaign ?? '(not set)' };
    if (credit.noTouch) {
      add({ day, metric: 'conversions_untouched', ...dims }, 1);
      continue;
    }
    add(
      { day, metric: `convert_days:${bucket(Math.floor((credit.secondsToConvert ?? 0) / 86_400), DAYS_TO_CONVERT_BUCKETS)}`, ...dims },
      1,
    );
    add({ day, metric: `convert_touches:${bucket(credit.touches, TOUCHES_TO_CONVERT_BUCKETS)}`, ...dims }, 1);
  }
}

/** Every counter, as the raw events make it under the deps' model. */
export async function bruteForce(deps: Pick<Deps, 'doc' | 'config' | 'classify' | 'model'>): Promise<Recount> {
  const views = new Map<string, ReturnType<typeof toPageView>[]>();
  for (const item of await scanAll(deps, deps.config.tables.page)) {
    const key = String(item.visitorKey);
    views.set(key, [...(views.get(key) ?? []), toPageView(item)]);
  }
  const touchesOf = new Map([...views].map(([key, v]) => [key, deriveTouches(v, deps.classify)]));
  const { linkedAt, anonsOf } = await linksByUser(deps);
  const expected = new Map<string, number>();
  const credits = new Map<string, number>();
  const add = (k: CounterKey, n: number): void => {
    const id = counterId(k);
    expected.set(id, (expected.get(id) ?? 0) + n);
    credits.set(id, (credits.get(id) ?? 0) + 1);
  };
  const dims = (t: Touch) => ({ channel: t.channel, source: t.source, campaign: t.campaign ?? '(not set)' });
  for (const touches of touchesOf.values()) {
    const sorted = [...touches].sort(compareByTime);
    for (const t of sorted) add({ day: t.timestamp.slice(0, 10), metric: 'touches', ...dims(t) }, 1);
    if (sorted[0]) add({ day: sorted[0].timestamp.slice(0, 10), metric: 'new_visitors', ...dims(sorted[0]) }, 1);
  }
  const users = new Set([...anonsOf.keys(), ...[...touchesOf.keys()].filter((k) => k.startsWith('user#')).map((k) => k.slice(5))]);
  for (const userId of users) {
    const touches = [`user#${userId}`, ...[...(anonsOf.get(userId) ?? [])].map((a) => `anon#${a}`)]
      .flatMap((key) => touchesOf.get(key) ?? [])
      .sort(compareByTime);
    // Identified on the day of the first link; with no link, of the first touch.
    const day = ([...(linkedAt.get(userId) ?? [])].sort()[0] ?? touches[0]?.timestamp ?? '').slice(0, 10);
    const whole = (metric: CounterKey['metric'], t: Touch | undefined): void =>
      add({ day, metric, ...(t ? dims(t) : { channel: 'Unassigned', source: '(not set)', campaign: '(not set)' }) }, USER_UNITS);
    whole('users:first_touch', firstTouch(touches, deps.model));
    whole('users:last_touch', lastTouch(touches, deps.model));
    for (const m of CREDIT_MODELS) {
      const shares = touchCredits(touches, m, deps.model);
      if (shares.length === 0) whole(`users:${m}`, undefined);
      for (const { touch, credit } of shares) add({ day, metric: `users:${m}`, ...dims(touch) }, credit * USER_UNITS);
    }
  }
  if (deps.config.conversions.events.length > 0) await recountConversions(deps, touchesOf, anonsOf, add);
  return { expected, credits };
}

/** The counters that differ from the recount by more than their rounding allows, as readable lines. */
export function disagreements(actual: Map<string, number>, { expected, credits }: Recount): string[] {
  const ids = new Set([...actual.keys(), ...expected.keys()]);
  const off: string[] = [];
  for (const id of ids) {
    const a = actual.get(id) ?? 0;
    const e = expected.get(id) ?? 0;
    // Multi-touch credits are kept as whole units, rounded once per credit.
    const tolerance = /^(users|conversions|value):/.test(parseCounterId(id)?.metric ?? '') ? (credits.get(id) ?? 0) : 0;
    if (Math.abs(a - e) > tolerance) off.push(`${id}: rollup ${a}, recomputed ${e}`);
  }
  return off;
}
