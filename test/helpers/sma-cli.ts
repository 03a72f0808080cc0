/** Command lines of the `sma` CLI, as a user types them, for tests and benchmarks that run it as a child process. */
import { join } from 'node:path';
import { projectRoot } from '../../src/lib/project-root';

/** `node bin/sma.js import <input> --endpoint … --checkpoint … --rejects …`, with its files in `stateDir`. */
export function smaImportArgs(input: string, endpoint: string, stateDir: string, name = 'import'): string[] {
  return [
    join(projectRoot(), 'bin', 'sma.js'),
    'import',
    input,
    '--endpoint',
    endpoint,
    '--checkpoint',
    join(stateDir, `${name}.checkpoint.json`),
    '--rejects',
    join(stateDir, `${name}.rejects.jsonl`),
  ];
}
