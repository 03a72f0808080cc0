/**
 * Dependencies for a handler factory in a test: built once from a
 * configuration, as loadDeps builds them once per Lambda container.
 */
import type { Config } from '../../src/config';
import type { SyncDeps } from '../../src/app/realtime-sync';
import { buildDeps, type Deps } from '../../src/handlers/deps';

/** A DepsSource over `buildDeps(config)`, the same object on every call. */
export function depsFor(config: Config): () => Promise<Deps> {
  const deps = buildDeps(config);
  return () => Promise.resolve(deps);
}

/** What real-time sync runs with over `deps`, sending nothing (REALTIME_SYNC off): touches, links and counters only. */
export function quietSync(deps: Deps): SyncDeps {
  return {
    ...deps,
    eventName: 'Source Identified',
    mode: 'off',
    sendConversions: false,
    conversionEventName: 'Conversion Attributed',
    setAside: async () => {},
  };
}
