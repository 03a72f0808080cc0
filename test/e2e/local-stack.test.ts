/**
 * `npm start` as a user runs it: `sma local` brings up DynamoDB Local, the
 * tables, sls offline and the stream runner; a page view becomes a touch; and
 * Ctrl-C stops everything it started, leaving no process or port behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../src/cli/processes';
import { projectRoot } from '../../src/lib/project-root';
import { pageEvent } from '../helpers/events';

const START_MS = 150_000;
const STOP_MS = 20_000;

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('sma local', () => {
  it(
    'serves, turns a page view into a touch through the stream runner, and stops on Ctrl-C with nothing left behind',
    async () => {
      // Prepare
      const [httpPort, dynamodbPort] = [await freePort(), await freePort()];
      const child = spawn(
        process.execPath,
        [join(projectRoot(), 'bin', 'sma.js'), 'local', '--in-memory', '--port', String(httpPort), '--dynamodb-port', String(dynamodbPort)],
        {
          env: { ...process.env, SERVICE_NAME: `t${randomUUID().slice(0, 8)}`, POWERTOOLS_LOG_LEVEL: 'WARN' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + START_MS;
      while (!output.includes('sma is running')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sma local did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const anonymousId = `a-${randomUUID()}`;

      // Act
      const posted = await fetch(`http://127.0.0.1:${httpPort}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pageEvent({ anonymousId, url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email' })),
      });
      let touches: unknown[] = [];
      for (let i = 0; i < 80 && touches.length === 0; i++) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/anonymous/${anonymousId}`);
        if (res.status === 200) touches = ((await res.json()) as { touches: unknown[] }).touches;
        else await new Promise((r) => setTimeout(r, 250));
      }
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('still running'), STOP_MS)))]);
      clearTimeout(timer);

      // Assess
      expect(posted.status).toBe(200);
      expect(touches).toEqual([expect.objectContaining({ channel: 'Email', source: 'newsletter' })]);
      expect(code).toBe(0);
      expect(await listening(httpPort)).toBe(false);
      expect(await listening(dynamodbPort)).toBe(false);
      const leftover = spawnSync('pgrep', ['-f', `-port ${dynamodbPort}`], { encoding: 'utf8' }).stdout.trim();
      expect(leftover).toBe('');
    },
    START_MS + 60_000,
  );
});
