/**
 * decideRecord against DESIGN.md's outcome rules, stated here as a table ("What it does", "Error
 * classification", "Erasure plan": absent vs erased, stop at the first failure, unverified, long plans
 * continue, not-started records), not derived from the module.
 */
import { describe, expect, it } from 'vitest';
import type { PlanEnding, PlanResult } from '../../src/erasure/plan/planResult.ts';
import { decideRecord, type RecordCompletion } from '../../src/erasure/recordDecision.ts';

const MAX = 5;

function plan(ending: PlanEnding, facts: Partial<Omit<PlanResult, 'ending'>> = {}): RecordCompletion {
  return {
    type: 'erasure',
    result: { steps: {}, ending, removals: 0, started: true, latenciesMs: [], ...facts },
  };
}

const failed = (failureClass: 'transient' | 'permanent' | 'unverified', errorCode?: number): PlanEnding => ({
  type: 'failed',
  step: 'follows',
  failureClass,
  detail: `a ${failureClass} failure`,
  ...(errorCode === undefined ? {} : { errorCode }),
});

describe('decideRecord: the plan', () => {
  it.each([
    ['completed', plan({ type: 'completed' }), 1, { outcome: 'erased' }],
    ['completed at MAX_RECEIVES', plan({ type: 'completed' }), MAX, { outcome: 'erased' }],
    [
      'absent, nothing removed in this delivery',
      plan({ type: 'absent', step: 'friends', errorCode: 30003 }),
      1,
      { outcome: 'absent', errorCode: 30003 },
    ],
    [
      'absent after an earlier step of this delivery removed something',
      plan({ type: 'absent', step: 'account', errorCode: 70107 }, { removals: 3 }),
      1,
      { outcome: 'erased', errorCode: 70107 },
    ],
    [
      'a permanent failure, below MAX_RECEIVES',
      plan(failed('permanent', 71000)),
      1,
      {
        outcome: 'dead-letter',
        reason: 'permanent-error',
        errorCode: 71000,
        failedStep: 'follows',
        errorMessage: 'a permanent failure',
      },
    ],
    [
      'a transient failure below MAX_RECEIVES',
      plan(failed('transient', 30006)),
      MAX - 1,
      { outcome: 'retry', errorCode: 30006, failedStep: 'follows', errorMessage: 'a transient failure' },
    ],
    [
      'a transient failure at MAX_RECEIVES',
      plan(failed('transient', 30006)),
      MAX,
      {
        outcome: 'dead-letter',
        reason: 'retries-exhausted',
        errorCode: 30006,
        failedStep: 'follows',
        errorMessage: 'a transient failure',
      },
    ],
    [
      'unverified below MAX_RECEIVES',
      plan(failed('unverified')),
      2,
      { outcome: 'retry', failedStep: 'follows', errorMessage: 'a unverified failure' },
    ],
    [
      'unverified at MAX_RECEIVES',
      plan(failed('unverified')),
      MAX + 3,
      {
        outcome: 'dead-letter',
        reason: 'unverified',
        failedStep: 'follows',
        errorMessage: 'a unverified failure',
      },
    ],
    [
      'the admin (a call would have been signed as the userId)',
      plan({ type: 'admin' }),
      1,
      { outcome: 'dead-letter', reason: 'invalid-event', errorMessage: 'userId is the Chat admin account' },
    ],
  ] as const)('%s', (_label, completion, receiveCount, expected) => {
    expect(decideRecord(completion, receiveCount, MAX)).toEqual(expected);
  });
});

describe('decideRecord: out of time', () => {
  it('not started at all: back to the queue, even at MAX_RECEIVES', () => {
    for (const count of [1, MAX, MAX + 10]) {
      expect(
        decideRecord(plan({ type: 'out-of-time', step: 'friends' }, { started: false }), count, MAX),
      ).toMatchObject({
        outcome: 'retry',
      });
    }
  });

  it('progress made: continued, at any receive count', () => {
    for (const count of [1, MAX, MAX + 10]) {
      expect(
        decideRecord(plan({ type: 'out-of-time', step: 'follows' }, { removals: 1 }), count, MAX).outcome,
      ).toBe('continue');
    }
  });

  it('started, nothing removed: a transient failure that counts toward MAX_RECEIVES', () => {
    const stalled = plan({ type: 'out-of-time', step: 'groups' });
    expect(decideRecord(stalled, MAX - 1, MAX)).toMatchObject({ outcome: 'retry', failedStep: 'groups' });
    expect(decideRecord(stalled, MAX, MAX)).toMatchObject({
      outcome: 'dead-letter',
      reason: 'retries-exhausted',
      failedStep: 'groups',
    });
  });
});

describe('decideRecord: before any plan', () => {
  it('an invalid event is dead-lettered with its reason, whatever the receive count', () => {
    for (const count of [1, MAX]) {
      expect(decideRecord({ type: 'invalid-event', reason: 'userId is missing' }, count, MAX)).toEqual({
        outcome: 'dead-letter',
        reason: 'invalid-event',
        errorMessage: 'userId is missing',
      });
    }
  });

  it('a transient reason not to attempt (the secret) retries, and dead-letters at MAX_RECEIVES', () => {
    const completion: RecordCompletion = {
      type: 'not-attempted',
      transient: true,
      detail: 'secret unreadable',
    };
    expect(decideRecord(completion, 1, MAX)).toEqual({ outcome: 'retry', errorMessage: 'secret unreadable' });
    expect(decideRecord(completion, MAX, MAX)).toEqual({
      outcome: 'dead-letter',
      reason: 'retries-exhausted',
      errorMessage: 'secret unreadable',
    });
  });

  it('a record not reached (an earlier one of its FIFO group went back) always retries', () => {
    const completion: RecordCompletion = {
      type: 'not-attempted',
      transient: false,
      detail: 'group returned',
    };
    expect(decideRecord(completion, MAX + 1, MAX)).toEqual({
      outcome: 'retry',
      errorMessage: 'group returned',
    });
  });
});
