/**
 * A running `sls offline` stack for end-to-end tests: the real serverless.yml,
 * the HTTP API and the stream plugin, against tables on the shared DynamoDB
 * Local, with a local server playing Segment's API.
 */
import { randomUUID } from 'node:crypto';
import { parseConfig, type Config } from '../../src/config';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/local/processes';
import { startOfflineStack, type OfflineStack } from '../../src/local/offline-stack';
import { projectRoot } from '../../src/lib/project-root';
import { startTableStreams } from '../../src/local/local-streams';
import { startSegmentCapture, type SegmentCapture } from '../../src/local/capture-server';
import { signBody } from '../../src/segment/signature';
import { createTables, testEndpoint, testEnv } from './tables';

/** sls offline builds every function with esbuild before it listens. */
export const OFFLINE_START_MS = 120_000;
/** How long the stream processors may take (the plugin polls every 250 ms). */
export const STREAM_WAIT_MS = 20_000;

export interface Stack {
  base: string;
  /** The stack's configuration (its tables on the shared DynamoDB Local). */
  config: Config;
  apiKey: string;
  /** The webhook secret /events checks; `post` and `postRaw` sign with it. */
  webhookSecret: string;
  capture: SegmentCapture;
  post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Posts exact bytes to /events, signed unless `signature` is given (null: no signature header). */
  postRaw(
    body: Buffer,
    options?: { contentType?: string; signature?: string | null },
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Everything sls offline has logged so far (the functions' JSON logs included). */
  logs(): string;
  getJson(path: string, method?: string): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Polls `path` until `done` holds, or fails after STREAM_WAIT_MS. */
  eventually(path: string, done: (json: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const apiKey = `key-${randomUUID()}`;
  const webhookSecret = `whs-${randomUUID()}`;
  const writeKey = `wk-${randomUUID()}`;
  const capture = await startSegmentCapture(writeKey);
  const full = testEnv({
    LAMBDA_PORT: String(await freePort()),
    API_KEY: apiKey,
    WEBHOOK_SECRET: webhookSecret,
    SECRETS_SOURCE: 'env',
    ANALYTICS_WRITE_KEY: writeKey,
    SEGMENT_API_HOST: capture.url,
    ...env,
  });
  const config = parseConfig(full);
  await createTables(config);
  // As `npm start` does for new tables: stream handlers must skip the markers.
  await startTableStreams(config);
  const httpPort = await freePort();
  const logged: string[] = [];
  let offline: OfflineStack;
  try {
    offline = await startOfflineStack({
      cwd: projectRoot(),
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...full },
      httpPort,
      lambdaPort: Number(full.LAMBDA_PORT),
      dynamodbEndpoint: config.dynamodbEndpoint ?? testEndpoint(),
      region: config.region,
      stateDir: mkdtempSync(join(tmpdir(), 'sma-stack-')),
      freshTables: true,
      timeoutMs: OFFLINE_START_MS,
      log: (line) => void logged.push(line),
    });
  } catch (e: unknown) {
    await capture.close();
    throw e;
  }
  const base = `http://127.0.0.1:${httpPort}`;
  const getJson: Stack['getJson'] = async (path, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method, headers: { 'x-api-key': apiKey } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const postRaw: Stack['postRaw'] = async (body, options = {}) => {
    const signature = options.signature === undefined ? signBody(webhookSecret, body) : options.signature;
    const res = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', ...(signature === null ? {} : { 'x-signature': signature }) },
      body: new Uint8Array(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return {
    base,
    config,
    apiKey,
    webhookSecret,
    capture,
    post: (body) => postRaw(Buffer.from(JSON.stringify(body))),
    postRaw,
    logs: () => logged.join(''),
    getJson,
    async eventually(path, done) {
      const deadline = Date.now() + STREAM_WAIT_MS;
      for (;;) {
        const { status, json } = await getJson(path);
        if (status === 200 && done(json)) return json;
        if (Date.now() > deadline) throw new Error(`${path} not ready after ${STREAM_WAIT_MS} ms: ${status} ${JSON.stringify(json)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      await offline.stop();
      await capture.close();
    },
  };
}
