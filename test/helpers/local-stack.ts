/**
 * `sma local` run as a user runs `npm start`, in a child process, for the
 * end-to-end tests and the local import benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../src/local/processes';
import { projectRoot } from '../../src/lib/project-root';

/** sls offline builds every function before it listens; a small machine needs a while. */
export const LOCAL_START_MS = 150_000;

export interface LocalStack {
  child: ChildProcess;
  httpPort: number;
  dynamodbPort: number;
  base: string;
  dynamodbEndpoint: string;
  serviceName: string;
  output(): string;
  /** Ctrl-C, as a user stops it; resolves to the exit code, or 'still running' after `ms`. */
  interrupt(ms: number): Promise<number | null | 'still running'>;
}

/** Starts `sma local` in memory, or with its data in `dataDir`. */
export async function startLocalStack(env: Record<string, string> = {}, dataDir?: string): Promise<LocalStack> {
  const [httpPort, dynamodbPort] = [await freePort(), await freePort()];
  const serviceName = `t${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    [
      join(projectRoot(), 'bin', 'sma.js'),
      'local',
      ...(dataDir ? ['--data-dir', dataDir] : ['--in-memory']),
      '--port',
      String(httpPort),
      '--dynamodb-port',
      String(dynamodbPort),
    ],
    { env: { ...process.env, SERVICE_NAME: serviceName, POWERTOOLS_LOG_LEVEL: 'WARN', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + LOCAL_START_MS;
  while (!output.includes('sma is running')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGINT');
      throw new Error(`sma local did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    httpPort,
    dynamodbPort,
    base: `http://127.0.0.1:${httpPort}`,
    dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
    serviceName,
    output: () => output,
    async interrupt(ms) {
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), ms)))]);
      clearTimeout(timer);
      return code;
    },
  };
}
