/**
 * What happens to one record once its plan run (or its parse) is over: the pure part of DESIGN.md's
 * outcomes, error table and plan rules, apart from all I/O.
 */
import { NOT_STARTED } from '../errors.ts';
import { INVALID_EVENT_REASONS } from './accountClosureEvent.ts';
import type { PlanResult } from './plan/planResult.ts';
import type { FailureReason } from './ports.ts';

export type RecordDecision =
  | { outcome: 'erased' | 'absent'; errorCode?: number }
  | {
      outcome: 'dead-letter';
      reason: FailureReason;
      errorMessage: string;
      errorCode?: number;
      failedStep?: string;
    }
  | { outcome: 'retry'; errorMessage: string; errorCode?: number; failedStep?: string }
  /** Progress made, time ran out: send the body again as a continuation. */
  | { outcome: 'continue'; errorMessage: string };

/** How a record's processing ended, before deciding what to tell SQS. */
export type RecordCompletion =
  | { type: 'invalid-event'; reason: string }
  /** `shared`: another record of the batch with the same userId ran the plan. */
  | { type: 'erasure'; result: PlanResult; shared?: boolean }
  /** Not attempted: the secret could not be read, an earlier FIFO message was returned, or a bug threw. */
  | { type: 'not-attempted'; transient: boolean; detail: string };

const OUT_OF_TIME = 'ran out of time before the plan finished, with nothing removed in this delivery';

/**
 * @param receiveCount the record's ApproximateReceiveCount.
 * @param maxReceives MAX_RECEIVES: from this delivery on, a transient failure is dead-lettered.
 * @example
 * decideRecord({ type: 'erasure', result }, 5, 5); // a transient failure → { outcome: 'dead-letter', reason: 'retries-exhausted', … }
 */
export function decideRecord(
  completion: RecordCompletion,
  receiveCount: number,
  maxReceives: number,
): RecordDecision {
  const exhausted = receiveCount >= maxReceives;
  switch (completion.type) {
    case 'invalid-event':
      return { outcome: 'dead-letter', reason: 'invalid-event', errorMessage: completion.reason };
    case 'not-attempted':
      // Only transient causes count toward MAX_RECEIVES; a record that was merely not reached waits its turn.
      return completion.transient && exhausted
        ? { outcome: 'dead-letter', reason: 'retries-exhausted', errorMessage: completion.detail }
        : { outcome: 'retry', errorMessage: completion.detail };
    case 'erasure':
      return decidePlan(completion.result, exhausted);
  }
}

function decidePlan(result: PlanResult, exhausted: boolean): RecordDecision {
  const { ending } = result;
  switch (ending.type) {
    case 'completed':
      return { outcome: 'erased' };
    case 'absent': {
      const code = ending.errorCode === undefined ? {} : { errorCode: ending.errorCode };
      // "absent when no step of this delivery removed anything, erased otherwise"
      return { outcome: result.removals > 0 ? 'erased' : 'absent', ...code };
    }
    case 'admin':
      return {
        outcome: 'dead-letter',
        reason: 'invalid-event',
        errorMessage: INVALID_EVENT_REASONS.userIdIsAdmin,
      };
    case 'out-of-time':
      // Not started at all: the next delivery decides, even at MAX_RECEIVES.
      if (!result.started) return { outcome: 'retry', errorMessage: NOT_STARTED };
      if (result.removals > 0)
        return { outcome: 'continue', errorMessage: 'continued: the plan made progress and ran out of time' };
      return exhausted
        ? {
            outcome: 'dead-letter',
            reason: 'retries-exhausted',
            errorMessage: OUT_OF_TIME,
            failedStep: ending.step,
          }
        : { outcome: 'retry', errorMessage: OUT_OF_TIME, failedStep: ending.step };
    case 'failed': {
      const facts = {
        errorMessage: ending.detail,
        failedStep: ending.step,
        ...(ending.errorCode === undefined ? {} : { errorCode: ending.errorCode }),
      };
      if (ending.failureClass === 'permanent')
        return { outcome: 'dead-letter', reason: 'permanent-error', ...facts };
      if (!exhausted) return { outcome: 'retry', ...facts };
      return {
        outcome: 'dead-letter',
        reason: ending.failureClass === 'unverified' ? 'unverified' : 'retries-exhausted',
        ...facts,
      };
    }
  }
}
