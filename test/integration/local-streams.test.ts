import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../src/store/client';
import { STREAM_START_KEY, startStreams } from '../../src/local/local-streams';
import { loadTableDefinitions } from '../../src/local/table-definitions';
import { readStream } from '../helpers/streams';
import { freshConfig } from '../helpers/tables';

describe('starting the streams of DynamoDB Local', () => {
  it('leaves no marker behind, and never touches an item that has its key', async () => {
    // Prepare: a real event whose messageId happens to be the marker's key
    const config = await freshConfig();
    const doc = createDocumentClient(config);
    const event = { messageId: STREAM_START_KEY, type: 'identify', userId: 'u-1', timestamp: '2021-01-01T00:00:00.000Z' };
    await doc.send(new PutCommand({ TableName: config.tables.identify, Item: event }));

    // Act
    await startStreams(doc, loadTableDefinitions(config.tables));

    // Assess
    const kept = await doc.send(new GetCommand({ TableName: config.tables.identify, Key: { messageId: STREAM_START_KEY } }));
    const page = await doc.send(new GetCommand({ TableName: config.tables.page, Key: { messageId: STREAM_START_KEY } }));
    doc.destroy();
    expect(kept.Item).toEqual(event);
    expect(page.Item).toBeUndefined();
    expect((await readStream(config.tables.identify)).Records.map((r) => r.eventName)).toEqual(['INSERT']);
    expect((await readStream(config.tables.page)).Records.map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE']);
    expect((await readStream(config.tables.userMap)).Records.map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE']);
  });
});
