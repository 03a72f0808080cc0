import { streamMappings } from '../../../src/local/stream-mappings';

/** The parts of a resolved serverless.yml (as `serverless print --format json` gives it) the runner reads. */
const config = {
  provider: { timeout: 10 },
  custom: { localStreams: { skipImported: ['processPage'] } },
  functions: {
    storeEvent: { name: 'sma-dev-storeEvent', events: [{ httpApi: { method: 'POST', path: '/events' } }] },
    processPage: {
      name: 'sma-dev-processPage',
      timeout: 60,
      events: [
        {
          stream: {
            type: 'dynamodb',
            arn: { 'Fn::GetAtt': ['PageTable', 'StreamArn'] },
            batchSize: 100,
            startingPosition: 'TRIM_HORIZON',
            maximumRetryAttempts: 10,
            functionResponseType: 'ReportBatchItemFailures',
            maximumRecordAgeInSeconds: 21600,
            bisectBatchOnFunctionError: true,
            destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['StreamDeadLetterQueue', 'Arn'] } } },
          },
        },
      ],
    },
    processIdentify: {
      name: 'sma-dev-processIdentify',
      events: [{ stream: { type: 'dynamodb', arn: { 'Fn::GetAtt': ['IdentifyTable', 'StreamArn'] } } }],
    },
  },
  resources: {
    Resources: {
      PageTable: { Properties: { TableName: 'sma-dev-pages' } },
      IdentifyTable: { Properties: { TableName: 'sma-dev-identifies' } },
      StreamDeadLetterQueue: { Properties: { QueueName: 'sma-dev-stream-failures' } },
    },
  },
};

describe('streamMappings', () => {
  it("reads each stream function's mapping settings, with Lambda's defaults where serverless.yml is silent", () => {
    // Act
    const mappings = streamMappings(config);

    // Assess
    expect(mappings).toEqual([
      {
        functionKey: 'processPage',
        functionName: 'sma-dev-processPage',
        timeoutMs: 60_000,
        table: 'sma-dev-pages',
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 10,
        maximumRecordAgeSeconds: 21600,
        reportBatchItemFailures: true,
        bisectBatchOnFunctionError: true,
        onFailureQueue: 'sma-dev-stream-failures',
        skipImported: true,
      },
      {
        functionKey: 'processIdentify',
        functionName: 'sma-dev-processIdentify',
        timeoutMs: 10_000,
        table: 'sma-dev-identifies',
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: -1,
        maximumRecordAgeSeconds: -1,
        reportBatchItemFailures: false,
        bisectBatchOnFunctionError: false,
        skipImported: false,
      },
    ]);
  });

  it('names a stream whose table is not among the resources', () => {
    // Act / Assess
    expect(() => streamMappings({ ...config, resources: { Resources: {} } })).toThrow(/resource PageTable has no TableName/);
  });
});
