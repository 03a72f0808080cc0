/**
 * A real moto_server (Python moto, on every machine of this kind and on CI)
 * on a free loopback port, playing the AWS services DynamoDB Local lacks
 * (SSM here). Each test file starts its own, so no state is shared.
 */
import { spawn } from 'node:child_process';
import { SSMClient } from '@aws-sdk/client-ssm';
import { freePort, waitForPort } from '../../src/local/processes';

/** moto_server starts a Flask app; a cold Python takes a few seconds on a small machine. */
const MOTO_START_TIMEOUT_MS = 30_000;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface Moto {
  endpoint: string;
  /** The environment that points an AWS SDK (or a child process) at this server. */
  env: Record<string, string>;
  ssm(): SSMClient;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new Error(`moto_server could not start (${e.message}); install it with pip install 'moto[server]'`))),
  );
  await Promise.race([waitForPort(port, MOTO_START_TIMEOUT_MS, child), failed]);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    ssm: () => new SSMClient({ region: 'us-east-1', endpoint, credentials }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
