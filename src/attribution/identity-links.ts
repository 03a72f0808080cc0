/**
 * A link between a user and an anonymous id keeps the earliest time it was
 * made: a later identify of the same pair changes nothing, and an earlier one
 * arriving late moves the link back, so "users identified per day" never
 * moves a user to the day of their latest identify.
 */

export interface PairLink {
  userId: string;
  anonymousId: string;
  /** ISO-8601. */
  linkedAt: string;
}

const pairKey = (l: Omit<PairLink, 'linkedAt'>): string => `${l.userId}\u0000${l.anonymousId}`;

/** Whether a link should be written over what is stored for its pair (nothing, or a later time). */
export const movesBack = (storedAt: string | undefined, l: PairLink): boolean => storedAt === undefined || storedAt > l.linkedAt;

/** The earliest time seen for each pair. */
export class EarliestLinks {
  private readonly at = new Map<string, string>();

  /** Takes a link in: `new` for a pair not seen, `earlier` when it moves a pair back, undefined when it changes nothing. */
  offer(l: PairLink): 'new' | 'earlier' | undefined {
    const key = pairKey(l);
    const before = this.at.get(key);
    if (!movesBack(before, l)) return undefined;
    this.at.set(key, l.linkedAt);
    return before === undefined ? 'new' : 'earlier';
  }
}

/** One link per pair, its earliest (a batch write may not hold a key twice). */
export function earliestPerPair<L extends PairLink>(links: readonly L[]): L[] {
  const earliest = new Map<string, L>();
  for (const l of links) {
    const seen = earliest.get(pairKey(l));
    if (!seen || movesBack(seen.linkedAt, l)) earliest.set(pairKey(l), l);
  }
  return [...earliest.values()];
}
