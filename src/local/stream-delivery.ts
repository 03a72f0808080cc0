/**
 * How a batch of stream records reaches a function, as Lambda's DynamoDB
 * event source mapping does it:
 * - With ReportBatchItemFailures, the lowest failed record and every record
 *   after it are delivered again; the records before it are done. An
 *   identifier that is not in the batch fails the whole batch.
 * - A function error (a throw or a timeout) fails the whole batch; with
 *   bisectBatchOnFunctionError the batch is split in two halves, each
 *   delivered on its own, until a single record fails alone.
 * - A failing batch is retried up to maximumRetryAttempts times (-1: until
 *   its records are too old). Then, or once its oldest record is older than
 *   maximumRecordAgeInSeconds, it goes to the on-failure destination and the
 *   shard moves on.
 */

/** A stream record as the function receives it (the Lambda event's shape). */
export interface DeliveredRecord {
  eventID?: string;
  eventName?: string;
  dynamodb: {
    SequenceNumber: string;
    /** Epoch seconds. */
    ApproximateCreationDateTime?: number;
    NewImage?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What an invocation returned. */
export type InvokeOutcome = { ok: true; batchItemFailures: string[] } | { ok: false; error: string };

export type Invoke = (records: readonly DeliveredRecord[]) => Promise<InvokeOutcome>;

/** Why records were set aside: Lambda's `requestContext.condition` values. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface Discarded {
  records: readonly DeliveredRecord[];
  condition: DiscardCondition;
  /** Invocations made for these records. */
  attempts: number;
  error?: string;
}

export interface DeliveryPolicy {
  maximumRetryAttempts: number;
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
}

export interface DeliveryDeps {
  invoke: Invoke;
  discard: (discarded: Discarded) => Promise<void>;
  now: () => number;
  /** Waits before a retry; attempt 1 is the first retry. */
  pause: (attempt: number) => Promise<void>;
  /** True once the runner is stopping: the batch is left for the next start, as Lambda leaves it to the next poller. */
  stopping?: () => boolean;
}

/** Invocations made and records set aside while delivering one batch. */
export interface DeliveryReport {
  invocations: number;
  discarded: number;
  /** True when delivery stopped part-way because the runner is stopping: the batch is not done. */
  interrupted: boolean;
}

/** The index of the lowest reported failure, -1 for none, or 0 when an identifier is not in the batch. */
function firstFailure(records: readonly DeliveredRecord[], failures: readonly string[]): number {
  if (failures.length === 0) return -1;
  const indexes = failures.map((id) => records.findIndex((r) => r.dynamodb.SequenceNumber === id));
  return indexes.includes(-1) ? 0 : Math.min(...indexes);
}

function oldestAgeSeconds(records: readonly DeliveredRecord[], now: number): number {
  const created = records[0]?.dynamodb.ApproximateCreationDateTime;
  return created === undefined ? 0 : now / 1000 - created;
}

/** Delivers one batch until every record in it is done or set aside. */
export async function deliverBatch(
  records: readonly DeliveredRecord[],
  policy: DeliveryPolicy,
  deps: DeliveryDeps,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { invocations: 0, discarded: 0, interrupted: false };
  // Segments still to deliver, in order, each with the invocations it has had.
  const pending: { records: readonly DeliveredRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
  const setAside = async (segment: readonly DeliveredRecord[], condition: DiscardCondition, attempts: number, error?: string) => {
    report.discarded += segment.length;
    await deps.discard({ records: segment, condition, attempts, ...(error === undefined ? {} : { error }) });
  };
  const retryOrSetAside = async (segment: readonly DeliveredRecord[], attempts: number, error: string) => {
    const retries = attempts - 1;
    if (policy.maximumRetryAttempts >= 0 && retries >= policy.maximumRetryAttempts)
      return setAside(segment, 'RetryAttemptsExhausted', attempts, error);
    await deps.pause(attempts);
    pending.unshift({ records: segment, attempts });
  };
  while (pending.length > 0) {
    if (deps.stopping?.()) {
      report.interrupted = true;
      return report;
    }
    const segment = pending.shift();
    if (!segment || segment.records.length === 0) continue;
    if (policy.maximumRecordAgeSeconds >= 0 && oldestAgeSeconds(segment.records, deps.now()) > policy.maximumRecordAgeSeconds) {
      await setAside(segment.records, 'RecordAgeExceeded', segment.attempts);
      continue;
    }
    const outcome = await deps.invoke(segment.records);
    report.invocations++;
    if (!outcome.ok && deps.stopping?.()) {
      report.interrupted = true;
      return report;
    }
    const attempts = segment.attempts + 1;
    if (outcome.ok) {
      const failed = policy.reportBatchItemFailures ? firstFailure(segment.records, outcome.batchItemFailures) : -1;
      if (failed >= 0) await retryOrSetAside(segment.records.slice(failed), attempts, 'the function reported failed records');
    } else if (policy.bisectBatchOnFunctionError && segment.records.length > 1) {
      const half = Math.ceil(segment.records.length / 2);
      pending.unshift({ records: segment.records.slice(0, half), attempts }, { records: segment.records.slice(half), attempts });
    } else {
      await retryOrSetAside(segment.records, attempts, outcome.error);
    }
  }
  return report;
}
