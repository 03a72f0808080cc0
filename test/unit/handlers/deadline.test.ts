/**
 * The HTTP deadline: under Lambda, work that outlasts the remaining time less
 * the margin answers 503 with Retry-After instead of running into the Lambda
 * timeout (which `sls offline` turns into a 200).
 */
import { DeadlineExceededError } from '../../../src/errors';
import {
  DEADLINE_MARGIN_MS,
  RETRY_AFTER_SECONDS,
  httpHandler,
  json,
  withinDeadline,
  type HttpEvent,
} from '../../../src/handlers/http/http';

const event = { headers: {} } as unknown as HttpEvent;
const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
/** Work that never finishes (a hung dependency). */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

describe('withinDeadline', () => {
  it('settles like the work when it finishes in time', async () => {
    // Act
    const value = await withinDeadline(after(5, 'done'), 200);

    // Assess
    expect(value).toBe('done');
  });

  it('rejects with a retryable DeadlineExceededError when the work is late', async () => {
    // Act
    const late = withinDeadline(never<string>(), 20);

    // Assess
    await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(late).rejects.toMatchObject({ retryable: true });
  });
});

describe('httpHandler under a Lambda context', () => {
  it('answers 503 with Retry-After when the work outlasts the remaining time less the margin', async () => {
    // Prepare: 50 ms of budget left once the margin is taken off
    const handler = httpHandler(() => never<ReturnType<typeof json>>());
    const context = { getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 50 };

    // Act
    const res = await handler(event, context);

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(JSON.parse(String(res.body))).toEqual({ error: 'no answer in time; retry later' });
  });

  it('answers as the work does when it finishes in time', async () => {
    // Prepare
    const handler = httpHandler(() => after(5, json(200, { stored: 1 })));

    // Act
    const res = await handler(event, { getRemainingTimeInMillis: () => 10_000 });

    // Assess
    expect(res.statusCode).toBe(200);
  });
});
