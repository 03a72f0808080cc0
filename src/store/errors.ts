import { SmaError, StorageUnavailableError } from '../errors';

/** Errors that mean the request itself is wrong (our bug or a bad item), not that DynamoDB is unavailable. */
const PERMANENT = new Set(['ValidationException', 'SerializationException']);

/**
 * Wraps an SDK failure: a permanent one stays a non-retryable SmaError; every
 * other (network, timeout, throttling past the SDK's retries, 5xx, missing
 * table) becomes a StorageUnavailableError, so callers answer 503 or report a
 * batch item failure and the work is retried.
 */
export function toStorageError(operation: string, e: unknown): SmaError {
  if (e instanceof SmaError) return e;
  const name = e instanceof Error ? e.name : 'UnknownError';
  if (PERMANENT.has(name) || invalidTransaction(e))
    return new SmaError(`DynamoDB rejected ${operation} (${name})`, { retryable: false, cause: e });
  return new StorageUnavailableError(`DynamoDB ${operation} failed (${name})`, e);
}

/** A transaction DynamoDB cancelled because an action was invalid (a key or an item too large), which no retry changes. */
function invalidTransaction(e: unknown): boolean {
  if (!(e instanceof Error) || e.name !== 'TransactionCanceledException') return false;
  const reasons = 'CancellationReasons' in e && Array.isArray(e.CancellationReasons) ? (e.CancellationReasons as { Code?: string }[]) : [];
  return reasons.some((r) => r.Code === 'ValidationError') || /ValidationError/.test(e.message);
}

/** Runs a DynamoDB call and converts its failure. */
export async function withStorage<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e: unknown) {
    throw toStorageError(operation, e);
  }
}
