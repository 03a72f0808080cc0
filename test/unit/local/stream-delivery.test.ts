import {
  deliverBatch,
  type DeliveredRecord,
  type DeliveryPolicy,
  type Discarded,
  type InvokeOutcome,
} from '../../../src/local/stream-delivery';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const policy: DeliveryPolicy = {
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: true,
};

/** Records 1..n, created `ageSeconds` before NOW. */
function records(n: number, ageSeconds = 1): DeliveredRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(i + 1), ApproximateCreationDateTime: NOW / 1000 - ageSeconds },
  }));
}

const seqs = (batch: readonly DeliveredRecord[]): string[] => batch.map((r) => r.dynamodb.SequenceNumber);

/** Delivers with a handler, recording every batch it was given and everything set aside. */
async function run(batch: DeliveredRecord[], handler: (seen: string[]) => InvokeOutcome, over: Partial<DeliveryPolicy> = {}) {
  const invocations: string[][] = [];
  const discarded: Discarded[] = [];
  const pauses: number[] = [];
  const report = await deliverBatch(
    batch,
    { ...policy, ...over },
    {
      invoke: (given) => {
        invocations.push(seqs(given));
        return Promise.resolve(handler(seqs(given)));
      },
      discard: (d) => (discarded.push(d), Promise.resolve()),
      now: () => NOW,
      pause: (attempt) => (pauses.push(attempt), Promise.resolve()),
    },
  );
  return { invocations, discarded, pauses, report };
}

describe('deliverBatch', () => {
  it('delivers a batch once when the function succeeds', async () => {
    // Act
    const { invocations, discarded } = await run(records(3), () => ({ ok: true, batchItemFailures: [] }));

    // Assess
    expect(invocations).toEqual([['1', '2', '3']]);
    expect(discarded).toEqual([]);
  });

  it('redelivers the failed record and only those after it, then sets them aside after the retries', async () => {
    // Act: record 3 always fails
    const { invocations, discarded, pauses } = await run(records(5), (seen) => ({
      ok: true,
      batchItemFailures: seen.includes('3') ? ['3'] : [],
    }));

    // Assess: the first attempt and two retries, each from record 3
    expect(invocations).toEqual([
      ['1', '2', '3', '4', '5'],
      ['3', '4', '5'],
      ['3', '4', '5'],
    ]);
    expect(pauses).toEqual([1, 2]);
    expect(discarded).toEqual([expect.objectContaining({ condition: 'RetryAttemptsExhausted', attempts: 3 })]);
    expect(seqs(discarded[0]?.records ?? [])).toEqual(['3', '4', '5']);
  });

  it('goes on from the lowest failed record, and stops retrying once it succeeds', async () => {
    // Prepare: records 4 and 2 fail once
    let failedOnce = false;

    // Act
    const { invocations, discarded } = await run(records(5), () => {
      if (failedOnce) return { ok: true, batchItemFailures: [] };
      failedOnce = true;
      return { ok: true, batchItemFailures: ['4', '2'] };
    });

    // Assess
    expect(invocations).toEqual([
      ['1', '2', '3', '4', '5'],
      ['2', '3', '4', '5'],
    ]);
    expect(discarded).toEqual([]);
  });

  it('fails the whole batch for an identifier that is not in it', async () => {
    // Act
    const { invocations } = await run(
      records(2),
      (seen) => ({ ok: true, batchItemFailures: seen.length === 2 && seen[0] === '1' ? ['nope'] : [] }),
      {
        maximumRetryAttempts: 0,
      },
    );

    // Assess
    expect(invocations).toEqual([['1', '2']]);
  });

  it('bisects a batch whose function throws, down to the poison record, and delivers the rest', async () => {
    // Act: the function throws whenever record 6 is in the batch
    const { invocations, discarded } = await run(records(8), (seen) =>
      seen.includes('6') ? { ok: false, error: 'boom' } : { ok: true, batchItemFailures: [] },
    );

    // Assess
    const delivered = invocations.filter((b) => !b.includes('6')).flat();
    expect(delivered.sort()).toEqual(['1', '2', '3', '4', '5', '7', '8']);
    expect(invocations[0]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(invocations[1]).toEqual(['1', '2', '3', '4']);
    expect(invocations[2]).toEqual(['5', '6', '7', '8']);
    expect(discarded).toHaveLength(1);
    expect(seqs(discarded[0]?.records ?? [])).toEqual(['6']);
    expect(discarded[0]).toMatchObject({ condition: 'RetryAttemptsExhausted', error: 'boom' });
  });

  it('retries the whole batch without bisecting when bisect is off', async () => {
    // Act
    const { invocations, discarded } = await run(records(4), () => ({ ok: false, error: 'boom' }), { bisectBatchOnFunctionError: false });

    // Assess
    expect(invocations).toEqual([
      ['1', '2', '3', '4'],
      ['1', '2', '3', '4'],
      ['1', '2', '3', '4'],
    ]);
    expect(seqs(discarded[0]?.records ?? [])).toEqual(['1', '2', '3', '4']);
  });

  it('ignores reported failures when the mapping does not report batch item failures', async () => {
    // Act
    const { invocations } = await run(records(3), () => ({ ok: true, batchItemFailures: ['2'] }), { reportBatchItemFailures: false });

    // Assess
    expect(invocations).toEqual([['1', '2', '3']]);
  });

  it('sets records older than the maximum age aside without invoking', async () => {
    // Act
    const { invocations, discarded } = await run(records(3, 7_200), () => ({ ok: true, batchItemFailures: [] }), {
      maximumRecordAgeSeconds: 3_600,
    });

    // Assess
    expect(invocations).toEqual([]);
    expect(discarded).toEqual([expect.objectContaining({ condition: 'RecordAgeExceeded', attempts: 0 })]);
  });

  it('retries without end when the maximum is -1, until the record succeeds', async () => {
    // Prepare
    let calls = 0;

    // Act
    const { invocations } = await run(
      records(1),
      () => (++calls < 20 ? { ok: false, error: 'not yet' } : { ok: true, batchItemFailures: [] }),
      {
        maximumRetryAttempts: -1,
      },
    );

    // Assess
    expect(invocations).toHaveLength(20);
  });

  it('stops part-way when the runner stops, leaving the batch undone rather than set aside', async () => {
    // Prepare
    let stopping = false;
    const discarded: Discarded[] = [];

    // Act: the function fails, and the runner stops during the first invocation
    const report = await deliverBatch(records(3), policy, {
      invoke: () => {
        stopping = true;
        return Promise.resolve({ ok: false, error: 'aborted' });
      },
      discard: (d) => (discarded.push(d), Promise.resolve()),
      now: () => NOW,
      pause: () => Promise.resolve(),
      stopping: () => stopping,
    });

    // Assess
    expect(report).toEqual({ invocations: 1, discarded: 0, interrupted: true });
    expect(discarded).toEqual([]);
  });
});
