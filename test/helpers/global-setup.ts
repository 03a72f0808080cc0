/**
 * Starts one real DynamoDB Local (in memory, on a free port) for every
 * integration and end-to-end test. Test files create their own tables with
 * unique names, so they never see each other's data.
 */
import { freePort, startDynamoDbLocal } from '../../src/local/processes';

declare global {
  var __SMA_DYNAMODB_STOP__: (() => Promise<void>) | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const port = await freePort();
  const dynamo = await startDynamoDbLocal({ port });
  globalThis.__SMA_DYNAMODB_STOP__ = () => dynamo.stop();
  // Inherited by the test workers, which start after this.
  process.env.SMA_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
}
