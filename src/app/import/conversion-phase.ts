/**
 * The conversions phase, the import's last: each converting visitor it
 * touched (see converters.ts) has its counters refreshed, then each user it
 * belongs to, so that its conversions are credited with every touch and link
 * the import brought, exactly as the stream processors credit live ones.
 *
 * Why a phase of its own rather than in the seeds: who counts a conversion
 * (its user, the first user of a shared device, or the anonymous visitor)
 * is decided in one place, refresh-counters.ts, and converting visitors are
 * few next to those with page views. It runs once the import has marked
 * itself finished, when the seeds count as the states they stand for, so
 * each refresh adds only what conversions change.
 *
 * Resumable: a chunk at a time, checkpointed. A refresh that is done finds
 * nothing left to apply, so a chunk done again after a kill changes nothing.
 */
import { mapLimit } from '../../lib/concurrency';
import { refreshUserRollup, refreshVisitorRollup, usersOfVisitor } from '../refresh-counters';
import { convertersToCredit, storedConverters } from './converters';
import type { ImportRun } from './run';
import { spillFolder } from './spill';
import type { ImportDeps } from './types';
import { importedUsers } from './user-counts';

/** Converting visitors credited per chunk (and per checkpoint). */
export const CONVERSION_CHUNK = 200;
/** Visitors, then users, refreshed at once. */
export const CONVERSION_CONCURRENCY = 16;

/** Credits one chunk of converting visitors: the visitors, then their users, each user once. */
async function creditChunk(visitorKeys: readonly string[], deps: ImportDeps): Promise<void> {
  const users = await mapLimit(visitorKeys, CONVERSION_CONCURRENCY, async (key) => {
    await refreshVisitorRollup(key, deps);
    return usersOfVisitor(key, deps.identity);
  });
  await mapLimit([...new Set(users.flat())], CONVERSION_CONCURRENCY, (userId) => refreshUserRollup(userId, deps));
}

/** The converting visitors to credit (none when conversions are off). */
async function convertersOf(run: ImportRun): Promise<string[]> {
  const { deps, spillDir } = run;
  if (!deps.conversions) return [];
  const stored = await storedConverters(spillDir, deps.conversions);
  return convertersToCredit(spillDir, stored, await importedUsers(spillFolder(spillDir), deps.identity));
}

/** Runs the conversions phase from the checkpoint's next chunk of converting visitors. */
export async function runConversionPhase(run: ImportRun): Promise<void> {
  const { checkpoint, deps, options } = run;
  const converters = await convertersOf(run);
  checkpoint.counts.converters = converters.length;
  run.report('conversions');
  const chunks = Math.ceil(converters.length / CONVERSION_CHUNK);
  for (let chunk = Math.ceil(checkpoint.convertersDone / CONVERSION_CHUNK); chunk < chunks; chunk++) {
    await creditChunk(converters.slice(chunk * CONVERSION_CHUNK, (chunk + 1) * CONVERSION_CHUNK), deps);
    options.afterConversionChunk?.(chunk + 1);
    checkpoint.convertersDone = Math.min(converters.length, (chunk + 1) * CONVERSION_CHUNK);
    run.save();
    run.report('conversions');
  }
}
