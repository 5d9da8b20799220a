import { describe, expect, it } from 'vitest';
import type { ErasureResult } from '../../src/erasure/eraseAccount.ts';
import type { ChatOutcome } from '../../src/erasure/ports.ts';
import { decideRecord, type RecordCompletion } from '../../src/erasure/recordDecision.ts';

const MAX_RECEIVES = 5;

const erasure = (outcome: ChatOutcome): RecordCompletion => ({
  type: 'erasure',
  result: { started: true, outcome, latenciesMs: [12] },
});

describe('decideRecord: finished erasures', () => {
  it.each([1, 4, 5, 9])('done → erased (receive %d)', (receiveCount) => {
    expect(decideRecord(erasure({ kind: 'done', detail: 'OK' }), receiveCount, MAX_RECEIVES)).toEqual({
      outcome: 'erased',
    });
  });

  it.each([30003, 70107])('absent (%d) → absent, with the code', (errorCode) => {
    for (const receiveCount of [1, 5, 9]) {
      expect(
        decideRecord(
          erasure({ kind: 'absent', errorCode, detail: `ErrorCode ${errorCode}` }),
          receiveCount,
          MAX_RECEIVES,
        ),
      ).toEqual({ outcome: 'absent', errorCode });
    }
  });

  it('absent without a code → absent without a code', () => {
    expect(decideRecord(erasure({ kind: 'absent', detail: 'absent' }), 1, MAX_RECEIVES)).toEqual({
      outcome: 'absent',
    });
  });

  it.each([1, 5, 9])('permanent → dead-letter permanent-error at once (receive %d)', (receiveCount) => {
    expect(
      decideRecord(
        erasure({ kind: 'permanent', errorCode: 70402, detail: 'ErrorCode 70402' }),
        receiveCount,
        MAX_RECEIVES,
      ),
    ).toEqual({
      outcome: 'dead-letter',
      reason: 'permanent-error',
      errorMessage: 'ErrorCode 70402',
      errorCode: 70402,
    });
  });

  it('permanent from an HTTP status carries no code', () => {
    expect(decideRecord(erasure({ kind: 'permanent', detail: 'HTTP 403' }), 1, MAX_RECEIVES)).toEqual({
      outcome: 'dead-letter',
      reason: 'permanent-error',
      errorMessage: 'HTTP 403',
    });
  });
});

describe.each([
  ['transient', { kind: 'transient', errorCode: 70500, detail: 'ErrorCode 70500' }],
  ['transient without a code', { kind: 'transient', detail: 'timeout' }],
  ['throttled', { kind: 'throttled', errorCode: 60007, detail: 'ErrorCode 60007' }],
  ['throttled by HTTP', { kind: 'throttled', detail: 'HTTP 429' }],
  ['re-sign (second call could not start)', { kind: 're-sign', errorCode: 70001, detail: 'ErrorCode 70001' }],
] as const)('decideRecord: %s', (_what, outcome) => {
  const code = 'errorCode' in outcome ? { errorCode: outcome.errorCode } : {};

  it.each([1, 2, 4])('below MAX_RECEIVES (receive %d) → retry', (receiveCount) => {
    expect(decideRecord(erasure(outcome), receiveCount, MAX_RECEIVES)).toEqual({
      outcome: 'retry',
      errorMessage: outcome.detail,
      ...code,
    });
  });

  it.each([5, 6, 100])(
    'at or above MAX_RECEIVES (receive %d) → dead-letter retries-exhausted',
    (receiveCount) => {
      expect(decideRecord(erasure(outcome), receiveCount, MAX_RECEIVES)).toEqual({
        outcome: 'dead-letter',
        reason: 'retries-exhausted',
        errorMessage: outcome.detail,
        ...code,
      });
    },
  );
});

describe('decideRecord: MAX_RECEIVES is the threshold given', () => {
  const transient: ChatOutcome = { kind: 'transient', detail: 'HTTP 502' };

  it('MAX_RECEIVES=1 dead-letters on the first transient failure', () => {
    expect(decideRecord(erasure(transient), 1, 1)).toMatchObject({ outcome: 'dead-letter' });
  });

  it('MAX_RECEIVES=10 still retries at receive 9', () => {
    expect(decideRecord(erasure(transient), 9, 10)).toMatchObject({ outcome: 'retry' });
    expect(decideRecord(erasure(transient), 10, 10)).toMatchObject({
      outcome: 'dead-letter',
      reason: 'retries-exhausted',
    });
  });
});

describe('decideRecord: not started', () => {
  const notStarted: ErasureResult = { started: false };

  it.each([1, 4, 5, 6, 100])('→ retry, even at or above MAX_RECEIVES (receive %d)', (receiveCount) => {
    const decision = decideRecord({ type: 'erasure', result: notStarted }, receiveCount, MAX_RECEIVES);
    expect(decision.outcome).toBe('retry');
    expect(decision).not.toHaveProperty('errorCode');
    expect(decision.outcome === 'retry' && decision.errorMessage).toMatch(/not started/);
  });

  it('a record that shared another record’s call gets the same decision', () => {
    const shared: RecordCompletion = {
      type: 'erasure',
      result: { started: true, outcome: { kind: 'done', detail: 'OK' }, latenciesMs: [3] },
      shared: true,
    };
    expect(decideRecord(shared, 1, MAX_RECEIVES)).toEqual({ outcome: 'erased' });
  });
});

describe('decideRecord: invalid events', () => {
  it.each([1, 5, 9])('→ dead-letter invalid-event at once (receive %d)', (receiveCount) => {
    expect(
      decideRecord({ type: 'invalid-event', reason: 'userId is missing' }, receiveCount, MAX_RECEIVES),
    ).toEqual({ outcome: 'dead-letter', reason: 'invalid-event', errorMessage: 'userId is missing' });
  });
});

describe('decideRecord: not attempted', () => {
  it.each([1, 4])(
    'transient (e.g. the secret could not be read) below MAX_RECEIVES (receive %d) → retry',
    (receiveCount) => {
      expect(
        decideRecord(
          { type: 'not-attempted', transient: true, detail: 'secret unavailable' },
          receiveCount,
          MAX_RECEIVES,
        ),
      ).toEqual({ outcome: 'retry', errorMessage: 'secret unavailable' });
    },
  );

  it.each([5, 6])(
    'transient at or above MAX_RECEIVES (receive %d) → dead-letter retries-exhausted',
    (receiveCount) => {
      expect(
        decideRecord(
          { type: 'not-attempted', transient: true, detail: 'secret unavailable' },
          receiveCount,
          MAX_RECEIVES,
        ),
      ).toEqual({ outcome: 'dead-letter', reason: 'retries-exhausted', errorMessage: 'secret unavailable' });
    },
  );

  it.each([1, 5, 6, 100])(
    'not transient (e.g. an earlier FIFO message went back) → retry even at receive %d',
    (receiveCount) => {
      expect(
        decideRecord(
          {
            type: 'not-attempted',
            transient: false,
            detail: 'an earlier message of its group is being retried',
          },
          receiveCount,
          MAX_RECEIVES,
        ),
      ).toEqual({ outcome: 'retry', errorMessage: 'an earlier message of its group is being retried' });
    },
  );
});
