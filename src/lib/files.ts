import { renameSync, writeFileSync } from 'node:fs';

/** Writes a file whole or not at all: write a temporary file, then rename. A kill mid-write never leaves a torn checkpoint. */
export function writeFileAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
