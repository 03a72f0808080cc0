/**
 * The one mapping from errors to answers, and what it logs: a client never
 * sees an internal message, and the log never loses it.
 */
import { InvalidInputError, NotConfiguredError, StorageUnavailableError } from '../../../src/errors';
import { errorResponse } from '../../../src/handlers/http/http';

/** The JSON log lines written while `act` runs. */
function logged(act: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => (lines.push(String(chunk)), true);
  // Powertools writes warnings and errors to stderr, the rest to stdout.
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('errorResponse', () => {
  it("logs an unexpected error's name, message and stack, and answers a bare 500", () => {
    // Prepare
    let response: ReturnType<typeof errorResponse> | undefined;

    // Act
    const logs = logged(() => (response = errorResponse(new TypeError('items is not iterable'))));

    // Assess
    expect(response?.statusCode).toBe(500);
    expect(JSON.parse(String(response?.body))).toEqual({ error: 'internal error' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      message: 'unexpected failure',
      error: { name: 'TypeError', message: 'items is not iterable' },
    });
    expect(String((logs[0]?.error as { stack?: unknown } | undefined)?.stack)).toContain('TypeError: items is not iterable');
  });

  it('names the missing setting in the log and answers 503 with Retry-After', () => {
    // Prepare
    let response: ReturnType<typeof errorResponse> | undefined;

    // Act
    const logs = logged(() => (response = errorResponse(new NotConfiguredError('no secret', 'WEBHOOK_SECRET'))));

    // Assess
    expect(response).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' } });
    expect(logs).toEqual([expect.objectContaining({ level: 'ERROR', setting: 'WEBHOOK_SECRET' })]);
  });

  it('maps bad input to its 4xx naming the field, and storage faults to a 503', () => {
    // Act
    const bad = errorResponse(new InvalidInputError('wrong', 'x-signature', 401));
    const down = errorResponse(new StorageUnavailableError('DynamoDB down'));

    // Assess
    expect(bad.statusCode).toBe(401);
    expect(JSON.parse(String(bad.body))).toEqual({ error: 'wrong', details: { field: 'x-signature' } });
    expect(down.statusCode).toBe(503);
    expect(JSON.parse(String(down.body))).toEqual({ error: 'storage is temporarily unavailable; retry later' });
  });
});
