/**
 * How long each DynamoDB client waits for a connection. An import opens
 * dozens at its start, while DynamoDB Local, on a cold JVM, may not accept
 * them for seconds; the webhook's client gives up after a second, so that
 * Segment gets its 503 in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type Config } from '../../src/config';
import { cliDeps } from '../../src/cli/import-command';
import { createDocumentClient } from '../../src/store/client';

/**
 * How long the server accepts no connection. Longer than the webhook client's
 * three attempts of a second each; shorter than the CLI's connection timeout
 * less the kernel's SYN retries (1, 2, then 4 s apart).
 */
const BUSY_MS = 5_000;
/** Requests sent at once: more than the server's accept queue holds. */
const BURST = 8;

/**
 * A server that answers ListTables as DynamoDB does, but whose accept queue
 * holds a single connection and which accepts nothing for its first BUSY_MS:
 * the kernel drops further connection attempts until it does.
 */
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/x-amz-json-1.0');
    res.end('{"TableNames":[]}');
  });
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  const until = Date.now() + ${BUSY_MS};
  while (Date.now() < until) {}
});
`;

const servers: ChildProcess[] = [];

/** Starts a busy server; its configuration as an endpoint. */
async function busyServer(): Promise<Config> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', () => reject(new Error('the busy server exited before listening')));
  });
  return parseConfig({ SERVICE_NAME: 'sma', STAGE: 'test', DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
}

const burst = (doc: DynamoDBDocumentClient): Promise<unknown[]> =>
  Promise.all(Array.from({ length: BURST }, () => doc.send(new ListTablesCommand({}))));

afterAll(() => {
  for (const child of servers) child.kill();
});

describe('DynamoDB clients against a server slow to accept connections', () => {
  it('the webhook client gives up on connecting, and says it timed out', async () => {
    // Prepare
    const doc = createDocumentClient(await busyServer());

    // Act
    const result = burst(doc);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'TimeoutError' });
    doc.destroy();
  });

  it('the CLI client waits until the server accepts, and every call succeeds', async () => {
    // Prepare
    const { doc } = cliDeps(await busyServer());

    // Act
    const results = await burst(doc);

    // Assess
    expect(results).toHaveLength(BURST);
    for (const result of results) expect(result).toMatchObject({ TableNames: [] });
    doc.destroy();
  });
});
