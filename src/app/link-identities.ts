/**
 * Identity linking: which anonymous ids belong to which user.
 */
import type { IdentityLink, IdentityStore } from './ports';

/** The fields of a stored event that can link ids. */
export interface LinkingEvent {
  messageId: string;
  type: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
}

/**
 * The links an event makes: any event with both ids links them; an alias
 * links its previousId to its userId (sma treats previousId as an anonymous
 * id: the id the visitor had before).
 */
export function linksFromEvent(event: LinkingEvent): IdentityLink[] {
  const links: IdentityLink[] = [];
  const at = { messageId: event.messageId, type: event.type, linkedAt: event.timestamp };
  if (event.userId !== undefined && event.anonymousId !== undefined)
    links.push({ userId: event.userId, anonymousId: event.anonymousId, ...at });
  if (event.type === 'alias' && event.userId !== undefined && event.previousId !== undefined && event.previousId !== event.userId) {
    links.push({ userId: event.userId, anonymousId: event.previousId, ...at });
  }
  return links;
}

/** Stores the links of a batch of events. */
export async function linkIdentities(events: readonly LinkingEvent[], store: IdentityStore): Promise<number> {
  const links = events.flatMap(linksFromEvent);
  if (links.length > 0) await store.link(links);
  return links.length;
}
