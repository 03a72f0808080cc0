import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStackMarker, stackRunsOn, writeStackMarker } from '../../../src/local/stack-marker';

describe('the local stack marker', () => {
  it('tells an import whether a running stack serves its DynamoDB Local', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sma-marker-'));

    // Act
    const before = stackRunsOn(dir, 'http://localhost:8000');
    writeStackMarker(dir, 'http://127.0.0.1:8000');
    const sameBy = ['http://localhost:8000', 'http://127.0.0.1:8000'].map((e) => stackRunsOn(dir, e));
    const other = [
      stackRunsOn(dir, 'http://localhost:8001'),
      stackRunsOn(dir, undefined),
      stackRunsOn(dir, 'https://dynamodb.eu-west-1.amazonaws.com'),
    ];
    removeStackMarker(dir);
    const after = stackRunsOn(dir, 'http://localhost:8000');

    // Assess
    expect(before).toBe(false);
    expect(sameBy).toEqual([true, true]);
    expect(other).toEqual([false, false, false]);
    expect(after).toBe(false);
  });

  it('ignores the note of a stack that is no longer running', () => {
    // Prepare: a pid no process has (above the kernel's pid_max)
    const dir = mkdtempSync(join(tmpdir(), 'sma-marker-'));
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ pid: 2 ** 30, port: '8000' }));

    // Act / Assess
    expect(stackRunsOn(dir, 'http://localhost:8000')).toBe(false);
  });
});
