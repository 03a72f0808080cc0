/**
 * Where each shard of the local stack's streams stands, kept in a file under
 * .sma-local/ so that a restarted stack goes on from there instead of
 * delivering every record again.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { readJson, writeJsonAtomic } from '../lib/files';

/** How often checkpoints are written, at most. */
const CHECKPOINT_WRITE_MS = 1_000;

const positionsSchema = z.record(z.string(), z.string());

/** The last sequence number delivered, by shard. */
export class ShardCheckpoints {
  private positions: Record<string, string> = {};
  private dirty = false;
  private lastWrite = 0;

  constructor(private readonly file: string) {}

  load(): void {
    const saved = readJson(this.file, positionsSchema);
    // A damaged file only costs records delivered again, which the functions take idempotently.
    this.positions = saved?.success ? saved.data : {};
  }

  get(key: string): string | undefined {
    return this.positions[key];
  }

  set(key: string, sequence: string, force = false): void {
    this.positions[key] = sequence;
    this.dirty = true;
    if (force || Date.now() - this.lastWrite > CHECKPOINT_WRITE_MS) this.flush();
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.lastWrite = Date.now();
    mkdirSync(dirname(this.file), { recursive: true });
    writeJsonAtomic(this.file, this.positions);
  }
}
