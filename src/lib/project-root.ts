import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The sma folder (the one holding serverless.yml), found from this file's
 * location so it works from src/ (tests) and from the dist/ bundle alike.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'serverless.yml')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the sma folder (with serverless.yml) above ${from}`);
    dir = parent;
  }
}
