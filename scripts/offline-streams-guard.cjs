// Loaded into `sls offline` (node --require) by the local stack and the
// tests. serverless-offline-dynamodb-streams reads each stream through an
// SDK client; when DynamoDB Local stops, GetRecords fails and the plugin's
// unhandled stream error takes the whole process down, HTTP API included.
// AWS keeps serving through a database outage (the webhook answers 503), so
// the local stack should too: stream reads wait for DynamoDB Local to come
// back instead of failing.
'use strict';
const { dirname } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const RETRY_MS = 1000;
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function isConnectionError(e) {
  return Boolean(
    e &&
    (CONNECTION_ERRORS.has(e.code) ||
      e.name === 'TimeoutError' ||
      (e.$metadata && e.$metadata.httpStatusCode === undefined && /socket|connect/i.test(String(e.message)))),
  );
}

function guard(modulePath) {
  let sdk;
  try {
    sdk = require(modulePath);
  } catch {
    return;
  }
  const Client = sdk.DynamoDBStreamsClient;
  if (!Client || Client.prototype.__smaGuarded) return;
  const send = Client.prototype.send;
  Client.prototype.send = async function guardedSend(...args) {
    let warned = false;
    for (;;) {
      try {
        return await send.apply(this, args);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        if (!warned) {
          process.stderr.write(`sma: DynamoDB Local is unreachable (${e.code || e.name}); stream processing waits for it\n`);
          warned = true;
        }
        await sleep(RETRY_MS);
      }
    }
  };
  Client.prototype.__smaGuarded = true;
}

// The copy the plugin resolves, and the project's own, in case they differ.
try {
  const plugin = dirname(require.resolve('serverless-offline-dynamodb-streams/package.json'));
  guard(require.resolve('@aws-sdk/client-dynamodb-streams', { paths: [plugin] }));
} catch {
  // plugin not installed: nothing to guard
}
guard('@aws-sdk/client-dynamodb-streams');
