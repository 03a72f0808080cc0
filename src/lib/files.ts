/**
 * State files of resumable work (checkpoints, and what an import computed
 * once and must reuse when resumed): JSON, written whole or not at all, and
 * read back through a schema.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { CheckpointError } from '../errors';

/** Writes a value as JSON via a temporary file and a rename: a kill mid-write never leaves a torn file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

/**
 * The JSON file at `path` checked against `schema`: undefined when there is
 * none, a failed result when it is not what the schema says (damaged, or from
 * another version of sma).
 */
export function readJson<T>(path: string, schema: z.ZodType<T>): z.ZodSafeParseResult<T> | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    raw = undefined;
  }
  return schema.safeParse(raw);
}

/** A value computed once and kept at `path`, so that a resumed run goes on with the very same one. */
export async function keptAsJson<T>(path: string, schema: z.ZodType<T>, compute: () => Promise<T>): Promise<T> {
  const kept = readJson(path, schema);
  if (kept?.success) return kept.data;
  if (kept) throw new CheckpointError(`${path} is damaged or from another version of sma; delete the import's .spill folder to start over`);
  const value = await compute();
  writeJsonAtomic(path, value);
  return value;
}
