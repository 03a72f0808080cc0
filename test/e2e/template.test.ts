/**
 * The packaged CloudFormation template (`serverless package`, offline): the
 * tables, streams, routes, and one role per function that allows only the
 * table actions that function's code uses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/lib/project-root';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

const PACKAGE_TIMEOUT_MS = 180_000;
let resources: Record<string, Resource> = {};
let out = '';

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'sma-package-'));
  const sls = join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
  const run = spawnSync(process.execPath, [sls, 'package', '--stage', 'prod', '--package', out], {
    cwd: projectRoot(),
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', STAGE: 'prod' },
    encoding: 'utf8',
    timeout: PACKAGE_TIMEOUT_MS,
  });
  if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}\n${run.stderr}`);
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  resources = template.Resources;
}, PACKAGE_TIMEOUT_MS + 10_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);

/** The DynamoDB actions a role allows, per table logical id ("PageTable/index" for its indexes, "PageTable/stream" for its stream). */
function allowed(roleId: string): Record<string, string[]> {
  const role = resources[roleId];
  if (!role) throw new Error(`no role ${roleId}`);
  const grants: Record<string, string[]> = {};
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[];
  for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
    for (const resource of statement.Resource) {
      const text = JSON.stringify(resource);
      const table = /"(\w+Table)"/.exec(text)?.[1] ?? text;
      const key = text.includes('/index/') ? `${table}/index` : text.includes('StreamArn') ? `${table}/stream` : table;
      grants[key] = [...(grants[key] ?? []), ...statement.Action].sort();
    }
  }
  return grants;
}

describe('the packaged template', () => {
  it('has the five tables, on demand, named for the stage, with streams where a processor reads them', () => {
    // Act
    const tables = Object.fromEntries(ofType('AWS::DynamoDB::Table').map(([id, r]) => [id, r.Properties]));

    // Assess
    expect(Object.keys(tables).sort()).toEqual(['AttributionTable', 'IdentifyTable', 'PageTable', 'RollupTable', 'UserMapTable']);
    expect(tables.PageTable).toMatchObject({
      TableName: 'sma-prod-pages',
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    expect(tables.IdentifyTable).toMatchObject({ TableName: 'sma-prod-identifies', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    expect(tables.UserMapTable?.GlobalSecondaryIndexes).toEqual([expect.objectContaining({ IndexName: 'inverted' })]);
    expect(tables.UserMapTable).toMatchObject({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    expect(tables.AttributionTable).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    expect(tables.AttributionTable?.StreamSpecification).toBeUndefined();
    // Counters change constantly; no stream, so they never wake a processor.
    expect(tables.RollupTable).toMatchObject({ TableName: 'sma-prod-rollups' });
    expect(tables.RollupTable?.StreamSpecification).toBeUndefined();
  });

  it('routes every endpoint and wires the three streams with partial batch failures', () => {
    // Act
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);

    // Assess
    expect(routes).toEqual([
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
    expect(mappings).toHaveLength(3);
    for (const m of mappings)
      expect(m).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], StartingPosition: 'TRIM_HORIZON' });
  });

  it('runs every function on nodejs22.x with its own least-privilege role', () => {
    // Act
    const functions = Object.fromEntries(ofType('AWS::Lambda::Function').map(([id, r]) => [id, r.Properties]));

    // Assess
    for (const f of Object.values(functions)) expect(f.Runtime).toBe('nodejs22.x');
    expect(functions.StoreEventLambdaFunction?.Role).toEqual({ 'Fn::GetAtt': ['StoreEventRole', 'Arn'] });
    // The /segment functions read links and touches, and write nothing to DynamoDB.
    for (const id of ['IdentifyUserLambdaFunction', 'TrackUserLambdaFunction', 'TrackAnonymousLambdaFunction']) {
      expect(functions[id]?.Role).toEqual({ 'Fn::GetAtt': ['ReadViewRole', 'Arn'] });
    }
    expect(allowed('StoreEventRole')).toEqual({
      PageTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      IdentifyTable: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
      AttributionTable: ['dynamodb:BatchWriteItem'],
    });
    expect(allowed('ReadViewRole')).toEqual({
      UserMapTable: ['dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:GetItem'],
    });
    expect(allowed('ListRejectedRole')).toEqual({ AttributionTable: ['dynamodb:Query'] });
    expect(allowed('ProcessPageRole')).toEqual({
      'PageTable/index': ['dynamodb:Query'],
      AttributionTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      UserMapTable: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      RollupTable: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      'PageTable/stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
    });
    expect(allowed('ProcessIdentifyRole')).toEqual({
      UserMapTable: ['dynamodb:BatchWriteItem'],
      'IdentifyTable/stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
    });
    expect(allowed('ProcessAttributionRole')).toEqual({
      AttributionTable: ['dynamodb:GetItem'],
      RollupTable: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      UserMapTable: ['dynamodb:Query'],
      'UserMapTable/index': ['dynamodb:Query'],
      'UserMapTable/stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
    });
    expect(allowed('ReportRole')).toEqual({ RollupTable: ['dynamodb:Query'] });
    const everyAction = ofType('AWS::IAM::Role').flatMap(([id]) => Object.values(allowed(id)).flat());
    expect(everyAction.filter((a) => a.includes('*'))).toEqual([]);
  });
});
