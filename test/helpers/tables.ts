/**
 * Per-test-file tables in the shared DynamoDB Local, created from
 * resources/tables.yml like the real ones.
 */
import { randomUUID } from 'node:crypto';
import { parseConfig, type Config } from '../../src/config';
import { createMissingTables } from '../../src/local/table-definitions';

/** The endpoint global-setup started. */
export function testEndpoint(): string {
  const endpoint = process.env.SMA_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('SMA_TEST_DYNAMODB_ENDPOINT is not set: run integration tests through jest (global-setup starts DynamoDB Local)');
  return endpoint;
}

/** A test environment: unique table names on the shared DynamoDB Local. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  return { SERVICE_NAME: prefix, STAGE: 'test', REGION: 'us-east-1', DYNAMODB_ENDPOINT: testEndpoint(), ...extra };
}

/** Creates the four tables for a configuration. */
export async function createTables(config: Config): Promise<void> {
  await createMissingTables(config);
}

/** A fresh configuration with its tables created. */
export async function freshConfig(extra: Record<string, string> = {}): Promise<Config> {
  const config = parseConfig(testEnv(extra));
  await createTables(config);
  return config;
}
