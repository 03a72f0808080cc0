/**
 * The tables as resources/tables.yml defines them, for creating them outside
 * CloudFormation (DynamoDB Local, tests). serverless.yml includes the same
 * file, and the build compiles it (generated/tables.ts), so local tables
 * never drift from AWS.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { Config } from '../config';
import { TABLES_RESOURCES } from '../../generated/tables';
import { CLI_CLIENT_OPTIONS, createDynamoClient } from '../store/client';

/** The resource logical ids and the configuration key naming each table. */
export const TABLE_RESOURCES = {
  PageTable: 'page',
  IdentifyTable: 'identify',
  UserMapTable: 'userMap',
  AttributionTable: 'attribution',
  RollupTable: 'rollup',
  ConversionTable: 'conversion',
} as const satisfies Record<string, keyof Config['tables']>;

const keyElement = z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) });
const tableResource = z.object({
  Type: z.literal('AWS::DynamoDB::Table'),
  Properties: z.object({
    BillingMode: z.literal('PAY_PER_REQUEST'),
    AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })),
    KeySchema: z.array(keyElement),
    GlobalSecondaryIndexes: z
      .array(
        z.object({
          IndexName: z.string(),
          KeySchema: z.array(keyElement),
          Projection: z.object({
            ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
            NonKeyAttributes: z.array(z.string()).optional(),
          }),
        }),
      )
      .optional(),
    StreamSpecification: z.object({ StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']) }).optional(),
    TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
  }),
});

export interface TableDefinition {
  create: CreateTableCommandInput;
  ttlAttribute: string | undefined;
}

/** The tables of resources/tables.yml, each named from the configuration. */
export function loadTableDefinitions(tables: Config['tables']): TableDefinition[] {
  const resources = z.record(z.string(), z.unknown()).parse(TABLES_RESOURCES);
  return Object.entries(TABLE_RESOURCES).map(([logicalId, key]) => {
    const { Properties: p } = tableResource.parse(resources[logicalId]);
    return {
      create: {
        TableName: tables[key],
        BillingMode: p.BillingMode,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
        StreamSpecification: p.StreamSpecification
          ? { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType }
          : undefined,
      },
      ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
    };
  });
}

/**
 * Creates the tables that do not exist yet, and turns on a stream the
 * definition has but an existing table lacks (local data kept in .dynamodb/
 * from an older sma, before that table's stream existed).
 */
export async function ensureTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
): Promise<{ created: string[]; existing: string[] }> {
  const created: string[] = [];
  const existing: string[] = [];
  for (const def of definitions) {
    const name = def.create.TableName ?? '';
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      if (def.create.StreamSpecification && !Table?.StreamSpecification?.StreamEnabled) {
        await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: def.create.StreamSpecification }));
      }
      existing.push(name);
      continue;
    } catch (e: unknown) {
      if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) throw e;
    }
    await client.send(new CreateTableCommand(def.create));
    if (def.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }),
      );
    }
    created.push(name);
  }
  return { created, existing };
}

/**
 * Creates the configuration's tables that do not exist yet (DynamoDB Local,
 * tests), with the CLI's patient timeouts: `npm start` sends these first
 * calls to a JVM that has just started, which may answer nothing for its
 * first seconds (test/integration/dynamo-client).
 */
export async function createMissingTables(
  config: Pick<Config, 'region' | 'dynamodbEndpoint' | 'tables'>,
): Promise<{ created: string[]; existing: string[] }> {
  const client = createDynamoClient(config, CLI_CLIENT_OPTIONS);
  try {
    return await ensureTables(client, loadTableDefinitions(config.tables));
  } finally {
    client.destroy();
  }
}
