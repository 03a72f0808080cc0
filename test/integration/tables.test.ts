import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../src/config';
import { createDynamoClient } from '../../src/store/client';
import { createMissingTables, loadTableDefinitions } from '../../src/local/table-definitions';
import { testEnv } from '../helpers/tables';

describe('local tables', () => {
  it('creates what is missing and turns on a stream an older local table lacks', async () => {
    // Prepare: a user map table from before it had a stream
    const config = parseConfig(testEnv());
    const client = createDynamoClient(config);
    const userMap = loadTableDefinitions(config.tables).find((d) => d.create.TableName === config.tables.userMap);
    await client.send(new CreateTableCommand({ ...userMap?.create, TableName: config.tables.userMap, StreamSpecification: undefined }));

    // Act
    const result = await createMissingTables(config);
    const table = await client.send(new DescribeTableCommand({ TableName: config.tables.userMap }));
    client.destroy();

    // Assess
    expect(result.existing).toEqual([config.tables.userMap]);
    expect(result.created).toHaveLength(Object.keys(config.tables).length - 1);
    expect(table.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
  });
});
