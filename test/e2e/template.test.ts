/**
 * The packaged CloudFormation template (`serverless package`, offline): the
 * tables, streams, routes, and one role per function that allows only the
 * table actions that function's code uses.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverlessBin } from '../../src/local/processes';
import { projectRoot } from '../../src/lib/project-root';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { startMoto, type Moto } from '../helpers/moto';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

interface Packaged {
  /** The exit status of `serverless package`, and what it printed. */
  status: number | null;
  output: string;
  dir: string;
  resources: Record<string, Resource>;
  outputs: Record<string, { Value: unknown }>;
  /** Every file the package holds, as text (bundles unzipped): what would reach the deployment bucket. */
  everything: string;
}

const PACKAGE_TIMEOUT_MS = 180_000;
/** Secret values given to the packaging environment; none may appear anywhere in a package. */
const SECRETS = { WEBHOOK_SECRET: `whs-${randomUUID()}`, API_KEY: `key-${randomUUID()}`, ANALYTICS_WRITE_KEY: `wk-${randomUUID()}` };
const dirs: string[] = [];
let moto: Moto;
let prod: Packaged;
let dev: Packaged;

/** Runs `serverless <args>` in a child process, as a user would; resolves to its status and output. */
async function serverless(args: string[], env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, [serverlessBin(), ...args], {
    cwd: projectRoot(),
    // Only what is given here: a developer's shell or .env settings must not decide the outcome.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLS_TELEMETRY_DISABLED: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { status, output };
}

/** Runs `sma secrets put --stage <stage>` against moto, with these settings in its environment. */
function putSecrets(stage: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), 'secrets', 'put', '--stage', stage], {
    env: { PATH: process.env.PATH, ...moto.env, ...env },
    encoding: 'utf8',
  });
}

/** Runs `serverless package --stage <stage>` and reads what it made. */
async function packageStage(stage: string, env: Record<string, string>): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), `sma-package-${stage}-`));
  dirs.push(dir);
  const { status, output } = await serverless(['package', '--stage', stage, '--package', dir], env);
  const templateFile = join(dir, 'cloudformation-template-update-stack.json');
  if (status !== 0 || !existsSync(templateFile)) return { status, output, dir, resources: {}, outputs: {}, everything: '' };
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, Resource>; Outputs: Packaged['outputs'] };
  const texts = readdirSync(dir).map((f) =>
    f.endsWith('.zip')
      ? execFileSync('unzip', ['-p', join(dir, f)], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1')
      : readFileSync(join(dir, f), 'latin1'),
  );
  return { status, output, dir, resources: template.Resources, outputs: template.Outputs, everything: texts.join('\n') };
}

beforeAll(async () => {
  moto = await startMoto();
  // Packaging reads no AWS account: with every secret in the environment, SSM is not asked.
  // One at a time: serverless-esbuild builds in the project's .esbuild folder.
  prod = await packageStage('prod', { ...SECRETS, STAGE: 'dev' });
  dev = await packageStage('dev', SECRETS);
  if (prod.status !== 0) throw new Error(`serverless package --stage prod failed:\n${prod.output}`);
  if (dev.status !== 0) throw new Error(`serverless package --stage dev failed:\n${dev.output}`);
}, 2 * PACKAGE_TIMEOUT_MS);

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await moto?.stop();
});

const ofType = (packaged: Packaged, type: string): [string, Resource][] =>
  Object.entries(packaged.resources).filter(([, r]) => r.Type === type);

/**
 * The actions a role allows, per resource: a table's logical id ("PageTable/index" for its indexes,
 * "PageTable/stream" for its stream), "ssm:<parameter path>" for a parameter, or a queue's logical id.
 */
function allowed(roleId: string, packaged: Packaged = prod): Record<string, string[]> {
  const role = packaged.resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const grants: Record<string, string[]> = {};
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[];
  for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
    for (const resource of statement.Resource) {
      const text = JSON.stringify(resource);
      const parameter = /:parameter(\/[^"]*)"/.exec(text)?.[1];
      const queue = /"(\w+Queue)"/.exec(text)?.[1];
      const table = /"(\w+Table)"/.exec(text)?.[1] ?? text;
      const key = parameter
        ? `ssm:${parameter}`
        : queue
          ? queue
          : text.includes('/index/')
            ? `${table}/index`
            : text.includes('StreamArn')
              ? `${table}/stream`
              : table;
      grants[key] = [...(grants[key] ?? []), ...statement.Action].sort();
    }
  }
  return grants;
}

describe('the packaged template', () => {
  it('has the six tables, on demand, named for the stage, with streams where a processor reads them', () => {
    // Act
    const tables = Object.fromEntries(ofType(prod, 'AWS::DynamoDB::Table').map(([id, r]) => [id, r.Properties]));

    // Assess
    expect(Object.keys(tables).sort()).toEqual([
      'AttributionTable',
      'ConversionTable',
      'IdentifyTable',
      'PageTable',
      'RollupTable',
      'UserMapTable',
    ]);
    expect(tables.PageTable).toMatchObject({
      TableName: 'sma-prod-pages',
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    expect(tables.IdentifyTable).toMatchObject({ TableName: 'sma-prod-identifies', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    expect(tables.UserMapTable?.GlobalSecondaryIndexes).toEqual([expect.objectContaining({ IndexName: 'inverted' })]);
    expect(tables.UserMapTable).toMatchObject({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    // Raw events expire under RETENTION_DAYS, rejected ones always.
    for (const table of [tables.PageTable, tables.IdentifyTable, tables.AttributionTable])
      expect(table).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    expect(tables.AttributionTable?.StreamSpecification).toBeUndefined();
    // Counters change constantly; no stream, so they never wake a processor.
    expect(tables.RollupTable).toMatchObject({ TableName: 'sma-prod-rollups' });
    expect(tables.RollupTable?.StreamSpecification).toBeUndefined();
    // Conversions are kept like touches (no TTL); new ones drive processConversion.
    expect(tables.ConversionTable).toMatchObject({
      TableName: 'sma-prod-conversions',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    expect(tables.ConversionTable?.TimeToLiveSpecification).toBeUndefined();
  });

  it('routes every endpoint and wires the four streams with partial batch failures', () => {
    // Act
    const routes = ofType(prod, 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    const mappings = ofType(prod, 'AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);

    // Assess
    expect(routes).toEqual([
      'DELETE /api/anonymous/{id}',
      'DELETE /api/user/{id}',
      'GET /api/anonymous/{id}',
      'GET /api/rejected',
      'GET /api/report',
      'GET /api/user/{id}',
      'GET /report',
      'GET /segment/identify/user/{id}',
      'GET /segment/track/anonymous/{id}',
      'GET /segment/track/user/{id}',
      'POST /events',
      'POST /segment/identify/user/{id}',
      'POST /segment/track/anonymous/{id}',
      'POST /segment/track/user/{id}',
    ]);
    expect(mappings).toHaveLength(4);
    for (const m of mappings)
      expect(m).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRecordAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StreamDeadLetterQueue', 'Arn'] } } },
      });
    // Expired and forgotten events (REMOVE records) never invoke the raw events' processors.
    const filters = mappings.map((m) => JSON.stringify(m.FilterCriteria ?? null));
    expect(filters.filter((f) => f.includes('INSERT') && f.includes('MODIFY') && !f.includes('REMOVE'))).toHaveLength(2);
    expect(filters.filter((f) => f.includes('INSERT') && !f.includes('MODIFY') && !f.includes('REMOVE'))).toHaveLength(1);
  });

  it('runs every function on nodejs22.x with its own least-privilege role', () => {
    // Act
    const functions = Object.fromEntries(ofType(prod, 'AWS::Lambda::Function').map(([id, r]) => [id, r.Properties]));

    // Assess
    for (const f of Object.values(functions)) expect(f.Runtime).toBe('nodejs22.x');
    expect(functions.StoreEventLambdaFunction?.Role).toEqual({ 'Fn::GetAtt': ['StoreEventRole', 'Arn'] });
    // The /segment functions read links and touches, and write nothing to DynamoDB.
    for (const id of ['IdentifyUserLambdaFunction', 'TrackUserLambdaFunction', 'TrackAnonymousLambdaFunction']) {
      expect(functions[id]?.Role).toEqual({ 'Fn::GetAtt': ['SegmentSendRole', 'Arn'] });
    }
    expect(allowed('StoreEventRole')).toEqual({
      PageTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      IdentifyTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      ConversionTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      AttributionTable: ['dynamodb:BatchWriteItem'],
      'ssm:/sma/prod/webhook-secret': ['ssm:GetParameter'],
    });
    expect(allowed('ReadViewRole')).toEqual({
      UserMapTable: ['dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:GetItem'],
      ConversionTable: ['dynamodb:Query'],
      'ssm:/sma/prod/api-key': ['ssm:GetParameter'],
    });
    expect(allowed('SegmentSendRole')).toEqual({
      UserMapTable: ['dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:GetItem'],
      'ssm:/sma/prod/api-key': ['ssm:GetParameter'],
      'ssm:/sma/prod/analytics-write-key': ['ssm:GetParameter'],
    });
    expect(allowed('ForgetRole')).toEqual({
      PageTable: ['dynamodb:BatchWriteItem'],
      'PageTable/index': ['dynamodb:Query'],
      IdentifyTable: ['dynamodb:BatchWriteItem', 'dynamodb:Scan'],
      UserMapTable: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
      ConversionTable: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:BatchWriteItem', 'dynamodb:Scan'],
      RollupTable: ['dynamodb:BatchWriteItem'],
      'ssm:/sma/prod/api-key': ['ssm:GetParameter'],
    });
    expect(allowed('ListRejectedRole')).toEqual({ AttributionTable: ['dynamodb:Query'], 'ssm:/sma/prod/api-key': ['ssm:GetParameter'] });
    expect(allowed('ProcessPageRole')).toEqual({
      'PageTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      UserMapTable: ['dynamodb:PutItem', 'dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      RollupTable: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      ConversionTable: ['dynamodb:Query'],
      'PageTable/stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      'ssm:/sma/prod/analytics-write-key': ['ssm:GetParameter'],
      StreamDeadLetterQueue: ['sqs:SendMessage'],
    });
    expect(allowed('ProcessIdentifyRole')).toEqual({
      UserMapTable: ['dynamodb:PutItem'],
      AttributionTable: ['dynamodb:BatchWriteItem'],
      'IdentifyTable/stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      StreamDeadLetterQueue: ['sqs:SendMessage'],
    });
    const processesCounters = {
      AttributionTable: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem'],
      RollupTable: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      UserMapTable: ['dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      ConversionTable: ['dynamodb:Query'],
      'ssm:/sma/prod/analytics-write-key': ['ssm:GetParameter'],
      StreamDeadLetterQueue: ['sqs:SendMessage'],
    };
    const readsStream = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
    expect(allowed('ProcessAttributionRole')).toEqual({ ...processesCounters, 'UserMapTable/stream': readsStream });
    expect(allowed('ProcessConversionRole')).toEqual({ ...processesCounters, 'ConversionTable/stream': readsStream });
    expect(allowed('ReportRole')).toEqual({ RollupTable: ['dynamodb:Query'], 'ssm:/sma/prod/api-key': ['ssm:GetParameter'] });
    const everyAction = ofType(prod, 'AWS::IAM::Role').flatMap(([id]) => Object.values(allowed(id)).flat());
    expect(everyAction.filter((a) => a.includes('*'))).toEqual([]);
  });
  it('names everything after the stage given by --stage, so two stages share nothing', () => {
    // Act
    const names = (p: Packaged) => ({
      tables: ofType(p, 'AWS::DynamoDB::Table').map(([, r]) => r.Properties.TableName),
      functions: ofType(p, 'AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName),
      queues: ofType(p, 'AWS::SQS::Queue').map(([, r]) => r.Properties.QueueName),
    });
    const env = (p: Packaged) =>
      (ofType(p, 'AWS::Lambda::Function')[0]?.[1].Properties.Environment as { Variables: Record<string, string> }).Variables;

    // Assess: STAGE=dev in the environment lost to --stage prod.
    for (const [stage, p] of [
      ['prod', prod],
      ['dev', dev],
    ] as const) {
      const { tables, functions, queues } = names(p);
      expect(tables).toHaveLength(6);
      for (const name of [...tables, ...functions, ...queues]) expect(String(name)).toMatch(new RegExp(`^sma-${stage}-`));
      expect(env(p)).toMatchObject({
        STAGE: stage,
        PAGE_TABLE: `sma-${stage}-pages`,
        SECRETS_SOURCE: 'ssm',
        SECRETS_PREFIX: `/sma/${stage}/`,
        ALLOW_UNAUTHENTICATED: 'false',
      });
    }
    const shared = names(prod).tables.filter((t) => names(dev).tables.includes(t));
    expect(shared).toEqual([]);
  });

  it('carries no secret value, in the template, the state or any bundle', () => {
    // Assess
    for (const p of [prod, dev]) {
      expect(p.everything.length).toBeGreaterThan(1_000_000);
      for (const value of Object.values(SECRETS)) expect(p.everything.includes(value)).toBe(false);
      const env = ofType(p, 'AWS::Lambda::Function').flatMap(([, r]) =>
        Object.keys((r.Properties.Environment as { Variables: Record<string, string> }).Variables),
      );
      expect(env.filter((name) => name in SECRETS)).toEqual([]);
    }
  });

  it('lets each role read only its own secrets, by exact parameter ARN', () => {
    // Act
    const ssmGrants = Object.fromEntries(
      ofType(prod, 'AWS::IAM::Role').map(([id]) => [
        id,
        Object.keys(allowed(id))
          .filter((k) => k.startsWith('ssm:'))
          .sort(),
      ]),
    );

    // Assess
    expect(ssmGrants).toEqual({
      StoreEventRole: ['ssm:/sma/prod/webhook-secret'],
      ReadViewRole: ['ssm:/sma/prod/api-key'],
      ForgetRole: ['ssm:/sma/prod/api-key'],
      SegmentSendRole: ['ssm:/sma/prod/analytics-write-key', 'ssm:/sma/prod/api-key'],
      ListRejectedRole: ['ssm:/sma/prod/api-key'],
      ProcessPageRole: ['ssm:/sma/prod/analytics-write-key'],
      ProcessIdentifyRole: [],
      ProcessAttributionRole: ['ssm:/sma/prod/analytics-write-key'],
      ProcessConversionRole: ['ssm:/sma/prod/analytics-write-key'],
      ReportRole: ['ssm:/sma/prod/api-key'],
    });
    expect(JSON.stringify(allowed('SegmentSendRole', dev))).toContain('ssm:/sma/dev/api-key');
  });

  it('keeps every table, with point-in-time recovery', () => {
    // Assess
    for (const [, table] of ofType(prod, 'AWS::DynamoDB::Table')) {
      expect(table).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
      });
    }
  });

  it('alarms on every function, every stream, the dead-letter queue and the API, into one topic', () => {
    // Prepare
    const functions = ofType(prod, 'AWS::Lambda::Function').map(([id]) => id);
    const alarms = Object.fromEntries(ofType(prod, 'AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));

    // Assess
    for (const fn of functions)
      expect(alarms[`${fn}ErrorsAlarm`]).toMatchObject({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      });
    const streamFunctions = ['ProcessPage', 'ProcessIdentify', 'ProcessAttribution', 'ProcessConversion'].map((f) => `${f}LambdaFunction`);
    for (const fn of streamFunctions)
      expect(alarms[`${fn}IteratorAgeAlarm`]).toMatchObject({ MetricName: 'IteratorAge', Statistic: 'Maximum' });
    expect(alarms.StreamDeadLetterQueueAlarm).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(alarms.Api5xxAlarm).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(Object.keys(alarms)).toHaveLength(functions.length + streamFunctions.length + 2);
    for (const alarm of Object.values(alarms)) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    // No e-mail subscription unless ALARM_EMAIL is set.
    expect(ofType(prod, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it('outputs the API, webhook and report URLs', () => {
    // Assess
    const endpoint = { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] };
    expect(prod.outputs.ApiUrl?.Value).toEqual(endpoint);
    expect(prod.outputs.WebhookUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/events']] });
    expect(prod.outputs.ReportUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/report']] });
  });
});

describe('packaging a stage without its secrets', () => {
  it(
    'stops, naming each missing setting and the command that sets it',
    async () => {
      // Act: no secret in the environment, and none in SSM
      const packaged = await packageStage('prod', moto.env);

      // Assess
      expect(packaged.status).not.toBe(0);
      expect(packaged.output).toContain('stage prod would be open');
      expect(packaged.output).toMatch(/WEBHOOK_SECRET \(guards \/events\): SSM parameter \/sma\/prod\/webhook-secret not found/);
      expect(packaged.output).toMatch(/API_KEY .*\/sma\/prod\/api-key not found/);
      expect(packaged.output).toContain('npx sma secrets put --stage prod');
    },
    PACKAGE_TIMEOUT_MS,
  );

  it(
    'stops when real-time sync is on without a write key',
    async () => {
      // Act
      const packaged = await packageStage('prod', { ...moto.env, WEBHOOK_SECRET: 'w', API_KEY: 'k', REALTIME_SYNC: 'users' });

      // Assess
      expect(packaged.status).not.toBe(0);
      expect(packaged.output).toContain('stage prod cannot send to Segment');
      expect(packaged.output).toMatch(/ANALYTICS_WRITE_KEY .*\/sma\/prod\/analytics-write-key not found/);
    },
    PACKAGE_TIMEOUT_MS,
  );

  it(
    'goes ahead once they are in SSM, and adds the alarm e-mail when asked',
    async () => {
      // Prepare
      const service = `t${randomUUID().slice(0, 8)}`;
      const stored = putSecrets('prod', { SERVICE_NAME: service, WEBHOOK_SECRET: 'w', API_KEY: 'k' });

      // Act
      const packaged = await packageStage('prod', { ...moto.env, SERVICE_NAME: service, ALARM_EMAIL: 'ops@example.com' });

      // Assess
      expect(stored.status).toBe(0);
      expect(packaged.status).toBe(0);
      expect(ofType(packaged, 'AWS::SNS::Subscription')[0]?.[1].Properties).toMatchObject({
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      });
    },
    PACKAGE_TIMEOUT_MS,
  );

  it(
    'goes ahead open only when ALLOW_UNAUTHENTICATED=true says so, and says so',
    async () => {
      // Act
      const packaged = await packageStage('demo', { ...moto.env, ALLOW_UNAUTHENTICATED: 'true' });

      // Assess
      expect(packaged.status).toBe(0);
      expect(packaged.output).toContain('routes without a secret are OPEN on stage demo');
    },
    PACKAGE_TIMEOUT_MS,
  );
});

describe('serverless deploy against moto_server', () => {
  const cloudFormation = () =>
    new CloudFormationClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });

  it(
    'stops while the stage has no secrets in SSM, even with them in .env',
    async () => {
      // Act
      const deployed = await serverless(['deploy', '--stage', 'nosecrets'], { ...moto.env, ...SECRETS });

      // Assess
      expect(deployed.status).not.toBe(0);
      expect(deployed.output).toMatch(/WEBHOOK_SECRET .*\/sma\/nosecrets\/webhook-secret not found/);
      expect(deployed.output).toContain('npx sma secrets put --stage nosecrets');
    },
    PACKAGE_TIMEOUT_MS,
  );

  it(
    'creates the whole stack once the secrets are stored',
    async () => {
      // Prepare
      const service = `t${randomUUID().slice(0, 8)}`;
      const env = { ...moto.env, SERVICE_NAME: service };
      const stored = putSecrets('moto', { SERVICE_NAME: service, ...SECRETS });

      // Act
      const deployed = await serverless(['deploy', '--stage', 'moto'], env);
      const client = cloudFormation();
      const stack = await client.send(new DescribeStacksCommand({ StackName: `${service}-moto` }));
      const summaries = (await client.send(new ListStackResourcesCommand({ StackName: `${service}-moto` }))).StackResourceSummaries ?? [];
      client.destroy();

      // Assess: moto models these types; it keeps the API Gateway v2 resources and the alarms as untyped placeholders.
      expect(stored.status).toBe(0);
      expect(deployed.status).toBe(0);
      expect(stack.Stacks?.[0]?.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
      const count = (type: string) => summaries.filter((r) => r.ResourceType === type && r.ResourceStatus === 'CREATE_COMPLETE').length;
      expect([count('AWS::DynamoDB::Table'), count('AWS::Lambda::Function'), count('AWS::Lambda::EventSourceMapping')]).toEqual([6, 15, 4]);
      expect([count('AWS::IAM::Role'), count('AWS::SQS::Queue'), count('AWS::SNS::Topic')]).toEqual([10, 1, 1]);
      expect(deployed.output).not.toContain(SECRETS.API_KEY);
    },
    2 * PACKAGE_TIMEOUT_MS,
  );
});
