/**
 * sma's errors. Each says whether retrying can help; callers act on that flag,
 * never on message text. Messages are for logs and operators: handlers never
 * send an internal message to a client.
 */

import { ZodError } from 'zod';

/** The base class of every sma error. */
export class SmaError extends Error {
  override name = 'SmaError';
  /** True when the same call may succeed later (a dependency was unavailable). */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** DynamoDB could not be reached, throttled us past our retries, or failed. Retryable: Segment should retry. */
export class StorageUnavailableError extends SmaError {
  override name = 'StorageUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/**
 * A request ran out of its time budget before its work finished. Retryable:
 * whatever was written is idempotent, so the client's retry is harmless.
 */
export class DeadlineExceededError extends SmaError {
  override name = 'DeadlineExceededError';
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** Input that can never succeed. Carries the field, for a 4xx that names it. */
export class InvalidInputError extends SmaError {
  override name = 'InvalidInputError';
  constructor(
    message: string,
    readonly field: string,
    readonly status: 400 | 401 | 413 | 415 = 400,
  ) {
    super(message, { retryable: false });
  }
}

/**
 * A setting the request needs is missing on this deployment (a route's
 * secret). Retryable: the sender keeps the request and tries again, and it
 * succeeds once the operator has set it.
 */
export class NotConfiguredError extends SmaError {
  override name = 'NotConfiguredError';
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message, { retryable: true });
  }
}

/** True for a failure that retrying cannot fix: a non-retryable SmaError, or data that does not parse. */
export function isPermanent(e: unknown): boolean {
  return (e instanceof SmaError && !e.retryable) || e instanceof ZodError;
}

/** Saved state of a resumable run (a checkpoint) that cannot be used; the message says what to delete. */
export class CheckpointError extends SmaError {
  override name = 'CheckpointError';
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** Something sma needs on this machine is missing (Java, a package); the message says how to fix it. */
export class SetupError extends SmaError {
  override name = 'SetupError';
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
