/**
 * The user phase: once every visitor's touches are in, the users the import
 * touched get their report counters, a chunk at a time (see user-counts.ts).
 */
import { addContribution } from '../../attribution/counters';
import type { ImportRun } from './run';
import { spillFolder } from './spill';
import { importedUsers, linksStored, linksWritten, seedUserChunk, userChunks, USER_CHUNK } from './user-counts';

/** Runs the user phase from the checkpoint's next chunk of users. */
export async function runUserPhase(run: ImportRun): Promise<void> {
  const { checkpoint, deps, options } = run;
  const spill = spillFolder(run.spillDir);
  const users = await importedUsers(spill, deps.identity);
  // Into tables that held no events, a user's links are the ones this import
  // wrote (a live one meanwhile is counted by processAttribution after it).
  const linksOf = checkpoint.freshTables ? linksWritten(spill) : linksStored(deps.identity);
  checkpoint.counts.users = users.length;
  run.report('users');
  for (let chunk = Math.ceil(checkpoint.usersDone / USER_CHUNK); chunk < userChunks(users); chunk++) {
    const counts = await seedUserChunk(spill, users, chunk, run.importTag, deps, linksOf);
    options.afterUserChunk?.(chunk + 1);
    addContribution(checkpoint.importCounts, counts);
    checkpoint.usersDone = Math.min(users.length, (chunk + 1) * USER_CHUNK);
    run.save();
    run.report('users');
  }
}
