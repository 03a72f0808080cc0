/**
 * Child processes of the local stack: DynamoDB Local (Java) and sls offline.
 * Each is started in its own process group so that stopping the stack stops
 * everything it started, grandchildren included.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { SetupError } from '../errors';

/** How long DynamoDB Local gets to start listening; a cold JVM on a small machine needs a few seconds. */
export const DYNAMODB_START_TIMEOUT_MS = 30_000;

/** A started child process and how to stop it. */
export interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface, preferring `preferred`. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number): Promise<number | undefined> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return (preferred > 0 ? await tryPort(preferred) : undefined) ?? (await tryPort(0)) ?? Promise.reject(new Error('no free port'));
}

/** Resolves when something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on port ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      const pid = child.pid;
      if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return resolve();
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
}

/** Checks that Java runs; throws a SetupError that says how to install it. */
export function checkJava(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new SetupError(
      'Java was not found. DynamoDB Local runs on Java 17 or newer. Install it, then run npm start again:\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        '  Windows:       winget install Microsoft.OpenJDK.17',
    );
  }
}

/** The folder of the official DynamoDB Local jar, shipped in the npm package amplify-dynamodb-simulator. */
export function dynamoDbLocalDir(): string {
  try {
    return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  } catch {
    throw new SetupError('DynamoDB Local was not found (package amplify-dynamodb-simulator). Run npm install in the sma folder.');
  }
}

/**
 * Starts DynamoDB Local on `port`: in memory, or persisting under `dbPath`.
 * `-sharedDb` keeps one database whatever credentials a client uses (the app
 * and the stream plugin use different ones).
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dbPath?: string;
  log?: (line: string) => void;
}): Promise<Started & { endpoint: string }> {
  checkJava();
  const dir = dynamoDbLocalDir();
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      ...storage,
      '-sharedDb',
      '-port',
      String(options.port),
    ],
    { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const forward = (chunk: Buffer): void => options.log?.(chunk.toString());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const stop = stopper(child);
  try {
    await waitForPort(options.port, DYNAMODB_START_TIMEOUT_MS, child);
  } catch (e: unknown) {
    await stop();
    throw e;
  }
  return { child, stop, endpoint: `http://127.0.0.1:${options.port}` };
}

/** The `serverless` command of the installed osls, to run with this Node. */
export function serverlessBin(): string {
  return join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
}

/** Starts `sls offline` with the given environment; resolves once its HTTP port answers. */
export async function startOffline(options: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  httpPort: number;
  timeoutMs: number;
  log?: (line: string) => void;
}): Promise<Started> {
  const sls = serverlessBin();
  // --localEnvironment: the functions see this process's environment, .env's secrets included, which the
  // template never carries (provider.environment lists only what is safe to deploy).
  const child = spawn(process.execPath, [sls, 'offline', 'start', '--localEnvironment'], {
    cwd: options.cwd,
    env: { ...options.env, SLS_TELEMETRY_DISABLED: '1', HTTP_PORT: String(options.httpPort) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer): void => options.log?.(chunk.toString());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const stop = stopper(child);
  try {
    await waitForPort(options.httpPort, options.timeoutMs, child);
  } catch (e: unknown) {
    await stop();
    throw e;
  }
  return { child, stop };
}
