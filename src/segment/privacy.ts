/**
 * The privacy option (DROP_PERSONAL_DATA): before anything is stored, an
 * event loses its IP address and its traits (the identify traits and
 * `context.traits`). The ids stay: attribution needs nothing else. Applied to
 * the raw event, so events refused as invalid are kept without them too.
 */

/** The event without `context.ip`, `traits` and `context.traits`; anything that is not an object is returned as it is. */
export function withoutPersonalData(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const { traits: _traits, context, ...rest } = raw as Record<string, unknown>;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return context === undefined ? rest : { ...rest, context };
  const { ip: _ip, traits: _contextTraits, ...keptContext } = context as Record<string, unknown>;
  return { ...rest, context: keptContext };
}
