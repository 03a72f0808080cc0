/**
 * `sls offline` for HTTP and the stream runner for the stream functions: the
 * service as the local stack and the end-to-end tests run it, on a DynamoDB
 * Local that is already up.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startOffline, type Started } from './processes';
import { loadStreamMappings } from './stream-mappings';
import { offlineInvoker, startStreamRunner, type StreamRunner } from './stream-runner';

export interface OfflineStack {
  runner: StreamRunner;
  offline: Started;
  stop(): Promise<void>;
}

export interface OfflineStackOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  httpPort: number;
  lambdaPort: number;
  dynamodbEndpoint: string;
  region: string;
  /** Where the runner keeps its checkpoints and the on-failure queues' files. */
  stateDir: string;
  /** True when the tables are new: old checkpoints point at streams that are gone. */
  freshTables: boolean;
  timeoutMs: number;
  log: (line: string) => void;
}

/** The file of a queue's on-failure messages in a state folder. */
export const failureFileIn = (stateDir: string) => (queue: string) => join(stateDir, `${queue}.jsonl`);

export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  const env = { ...options.env, LAMBDA_PORT: String(options.lambdaPort) };
  const checkpointFile = join(options.stateDir, 'stream-checkpoints.json');
  if (options.freshTables) rmSync(checkpointFile, { force: true });
  // The mappings resolve while sls offline builds the functions.
  const [mappings, offline] = await Promise.all([
    loadStreamMappings({ cwd: options.cwd, env }),
    startOffline({ cwd: options.cwd, env, httpPort: options.httpPort, timeoutMs: options.timeoutMs, log: options.log }),
  ]);
  try {
    const runner = await startStreamRunner({
      mappings,
      endpoint: options.dynamodbEndpoint,
      region: options.region,
      invoke: offlineInvoker(options.lambdaPort),
      checkpointFile,
      failureFile: failureFileIn(options.stateDir),
      log: (line) => options.log(`${line}\n`),
    });
    return {
      runner,
      offline,
      async stop() {
        await runner.stop();
        await offline.stop();
      },
    };
  } catch (e: unknown) {
    await offline.stop();
    throw e;
  }
}
