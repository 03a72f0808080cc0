import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvFile } from '../../src/config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { resolveSettings } = require('../../deploy/settings.cjs') as {
  resolveSettings: (input: { options: { stage?: string }; env?: Record<string, string | undefined>; envFile?: string }) => {
    service: string;
    stage: string;
  };
};

function envFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sma-env-')), '.env');
  writeFileSync(path, text);
  return path;
}

describe('one configuration for every entry point', () => {
  it('serverless.yml takes the stage from --stage, then STAGE (shell, then .env), then dev', () => {
    // Prepare
    const file = envFile('SERVICE_NAME=acme\nSTAGE=staging\n');

    // Act / Assess
    expect(resolveSettings({ options: { stage: 'prod' }, env: { STAGE: 'qa' }, envFile: file })).toEqual({
      service: 'acme',
      stage: 'prod',
    });
    expect(resolveSettings({ options: {}, env: { STAGE: 'qa' }, envFile: file })).toEqual({ service: 'acme', stage: 'qa' });
    expect(resolveSettings({ options: {}, env: {}, envFile: file })).toEqual({ service: 'acme', stage: 'staging' });
    expect(resolveSettings({ options: {}, env: { SERVICE_NAME: 'shell' }, envFile: join(tmpdir(), 'no-such-dir', '.env') })).toEqual({
      service: 'shell',
      stage: 'dev',
    });
  });

  it('every sma command reads .env, and a variable set in the shell wins', () => {
    // Prepare
    const file = envFile('SMA_TEST_FROM_FILE=file\nSMA_TEST_IN_BOTH=file\n');
    process.env.SMA_TEST_IN_BOTH = 'shell';

    // Act
    loadEnvFile(file);

    // Assess
    expect([process.env.SMA_TEST_FROM_FILE, process.env.SMA_TEST_IN_BOTH]).toEqual(['file', 'shell']);
    delete process.env.SMA_TEST_FROM_FILE;
    delete process.env.SMA_TEST_IN_BOTH;
  });
});
