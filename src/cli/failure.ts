/**
 * How a CLI command reports that it failed: the error in a line, and when the
 * database could not be reached, what to do next.
 */
import { StorageUnavailableError } from '../errors';

/** Writes `sma <command>: <message>` and the next step; resolves to the exit code. */
export function reportFailure(command: string, e: unknown, stderr: NodeJS.WritableStream, again: string): number {
  stderr.write(`sma ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof StorageUnavailableError)
    stderr.write(`Is the local stack running (npm start)? For AWS tables pass --aws (and --stage, --region).${again ? ` ${again}` : ''}\n`);
  return 1;
}
