/**
 * What happens to one record once its erasure attempt (or its parse) is over: the pure part of DESIGN.md's
 * outcomes and error table, apart from all I/O.
 */

import type { ErasureResult } from './eraseAccount.ts';
import type { FailureReason } from './ports.ts';

export type RecordDecision =
  | { outcome: 'erased' | 'absent'; errorCode?: number }
  | { outcome: 'dead-letter'; reason: FailureReason; errorMessage: string; errorCode?: number }
  | { outcome: 'retry'; errorMessage: string; errorCode?: number };

/** How a record's processing ended, before deciding what to tell SQS. */
export type RecordCompletion =
  | { type: 'invalid-event'; reason: string }
  /** `shared`: another record of the batch with the same userId made the call. */
  | { type: 'erasure'; result: ErasureResult; shared?: boolean }
  /** Not attempted: the secret could not be read, an earlier FIFO message was returned, or a bug threw. */
  | { type: 'not-attempted'; transient: true; detail: string }
  | { type: 'not-attempted'; transient: false; detail: string };

/**
 * @param receiveCount the record's ApproximateReceiveCount.
 * @param maxReceives MAX_RECEIVES: from this delivery on, a transient failure is dead-lettered.
 * @example
 * decideRecord({ type: 'erasure', result }, 5, 5); // transient → { outcome: 'dead-letter', reason: 'retries-exhausted', … }
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
    case 'erasure': {
      const { result } = completion;
      // The deadline left no room to start: the next delivery decides, even at MAX_RECEIVES.
      if (!result.started)
        return { outcome: 'retry', errorMessage: 'not started: too little time left before the deadline' };
      const { kind, errorCode, detail } = result.outcome;
      const code = errorCode === undefined ? {} : { errorCode };
      switch (kind) {
        case 'done':
          return { outcome: 'erased' };
        case 'absent':
          return { outcome: 'absent', ...code };
        case 'permanent':
          return { outcome: 'dead-letter', reason: 'permanent-error', errorMessage: detail, ...code };
        // eraseAccount turns a repeated re-sign answer into permanent: one left here is a re-sign whose
        // second call could not start before the deadline, so it is as retryable as a transient answer.
        case 're-sign':
        case 'transient':
        case 'throttled':
          return exhausted
            ? { outcome: 'dead-letter', reason: 'retries-exhausted', errorMessage: detail, ...code }
            : { outcome: 'retry', errorMessage: detail, ...code };
      }
    }
  }
}
