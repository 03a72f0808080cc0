/**
 * The privacy option (DROP_PERSONAL_DATA): before anything is stored, an
 * event loses its IP address and its traits (the identify traits and
 * `context.traits`). The ids stay: attribution needs nothing else. Applied to
 * the raw event, so events refused as invalid are kept without them too.
 */

/** The event without `context.ip`, `traits` and `context.traits`; anything that is not an object is returned as it is. */
export function withoutPersonalData(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const event: Record<string, unknown> = { ...raw };
  delete event.traits;
  if (isPlainObject(event.context)) {
    const context: Record<string, unknown> = { ...event.context };
    delete context.ip;
    delete context.traits;
    event.context = context;
  }
  return event;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
