/**
 * Dependencies for a handler factory in a test: built once from a
 * configuration, as loadDeps builds them once per Lambda container.
 */
import type { Config } from '../../src/config';
import { buildDeps, type Deps } from '../../src/handlers/deps';

/** A DepsSource over `buildDeps(config)`, the same object on every call. */
export function depsFor(config: Config): () => Promise<Deps> {
  const deps = buildDeps(config);
  return () => Promise.resolve(deps);
}
