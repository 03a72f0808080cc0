/**
 * Deployed secrets: `sma secrets put` stores them in SSM Parameter Store as
 * SecureString, and the functions read them at cold start with Powertools
 * Parameters (src/secrets.ts), against a real moto_server.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { parseConfig } from '../../src/config';
import { buildDeps } from '../../src/handlers/deps';
import { createStoreEventHandler } from '../../src/handlers/http/store-event';
import type { HttpEvent } from '../../src/handlers/http/http';
import { projectRoot } from '../../src/lib/project-root';
import { resolveSecrets } from '../../src/secrets';
import { signBody } from '../../src/segment/signature';
import { pageEvent } from '../helpers/events';
import { startMoto, type Moto } from '../helpers/moto';
import { createTables, testEnv } from '../helpers/tables';

let moto: Moto;
const secrets = { WEBHOOK_SECRET: `whs-${randomUUID()}`, API_KEY: `key-${randomUUID()}`, ANALYTICS_WRITE_KEY: `wk-${randomUUID()}` };

beforeAll(async () => {
  moto = await startMoto();
}, 40_000);

afterAll(async () => {
  await moto?.stop();
});

function sma(args: string[], env: Record<string, string>) {
  // No .env of the developer's may leak in: the child reads the sma folder's, so every setting is given here.
  return spawnSync(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), ...args], {
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...moto.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const provider = (): SSMProvider => new SSMProvider({ awsSdkV3Client: moto.ssm() });

const request = (body: string, signature?: string): HttpEvent =>
  ({
    body,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) },
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

describe('secrets in SSM Parameter Store', () => {
  it('are stored as SecureString by sma secrets put, which never prints a value', async () => {
    // Prepare
    const service = `t${randomUUID().slice(0, 8)}`;

    // Act
    const out = sma(['secrets', 'put', '--stage', 'prod'], { SERVICE_NAME: service, ...secrets });
    const stored = await moto.ssm().send(new GetParameterCommand({ Name: `/${service}/prod/api-key`, WithDecryption: true }));

    // Assess
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`/${service}/prod/webhook-secret`);
    for (const value of Object.values(secrets)) expect(out.stdout + out.stderr).not.toContain(value);
    expect(stored.Parameter).toMatchObject({ Type: 'SecureString', Value: secrets.API_KEY });
  });

  it('says what is missing and fails when a required secret is neither set nor stored', () => {
    // Act
    const out = sma(['secrets', 'put', '--stage', 'prod'], { SERVICE_NAME: `t${randomUUID().slice(0, 8)}`, API_KEY: 'k' });

    // Assess
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/WEBHOOK_SECRET\s+not set here and not in .*REQUIRED/);
    expect(out.stderr).toContain('set WEBHOOK_SECRET in .env');
  });

  it('are read at cold start: the webhook checks signatures with the stored secret', async () => {
    // Prepare
    const service = `t${randomUUID().slice(0, 8)}`;
    expect(sma(['secrets', 'put', '--stage', 'test'], { SERVICE_NAME: service, ...secrets }).status).toBe(0);
    const config = parseConfig({ ...testEnv({ SERVICE_NAME: service, SECRETS_SOURCE: 'ssm' }), ...secrets });
    await createTables(config);
    const resolved = await resolveSecrets(config, ['webhookSecret', 'apiKey', 'writeKey'], provider());
    const handler = createStoreEventHandler(() => Promise.resolve(buildDeps(resolved)));
    const body = JSON.stringify(pageEvent());

    // Act
    const signed = await handler(request(body, signBody(secrets.WEBHOOK_SECRET, body)));
    const unsigned = await handler(request(body));

    // Assess: the environment's copies were ignored (SECRETS_SOURCE=ssm), SSM's were read.
    expect(config.webhookSecret).toBeUndefined();
    expect([resolved.webhookSecret, resolved.apiKey, resolved.segment.writeKey]).toEqual([
      secrets.WEBHOOK_SECRET,
      secrets.API_KEY,
      secrets.ANALYTICS_WRITE_KEY,
    ]);
    expect([signed.statusCode, unsigned.statusCode]).toEqual([200, 401]);
  });

  it('reads only the secrets a function needs, and keeps a route closed when its parameter is missing', async () => {
    // Prepare: a stage whose parameters were never stored
    const config = parseConfig(testEnv({ SECRETS_SOURCE: 'ssm' }));
    await createTables(config);

    // Act
    const resolved = await resolveSecrets(config, ['webhookSecret'], provider());
    const response = await createStoreEventHandler(() => Promise.resolve(buildDeps(resolved)))(request(JSON.stringify(pageEvent())));

    // Assess: Segment keeps the event and retries until the operator has stored the secret.
    expect(resolved.webhookSecret).toBeUndefined();
    expect(response.statusCode).toBe(503);
  });

  it('answers 503, to be retried, when SSM cannot be reached', async () => {
    // Prepare: nothing listens on port 9 of the loopback interface
    const config = parseConfig(testEnv({ SECRETS_SOURCE: 'ssm' }));
    const unreachable = new SSMProvider({
      awsSdkV3Client: new SSMClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
    });

    // Act
    const response = await createStoreEventHandler(async () => buildDeps(await resolveSecrets(config, ['webhookSecret'], unreachable)))(
      request(JSON.stringify(pageEvent())),
    );

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
  });
});
