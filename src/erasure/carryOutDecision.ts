/**
 * Performs a record's decision against SQS: a dead letter is sent (and only a successful send makes the
 * record done), a retry gets its visibility backoff. Both calls are bounded by the invocation deadline;
 * an abandoned or failed dead-letter send turns into a retry, so nothing is ever lost.
 */
import type { SQSRecord } from 'aws-lambda';
import { visibilityBackoffSeconds } from './backoff.ts';
import type { BatchRun } from './batchRun.ts';
import type { RecordDecision } from './recordDecision.ts';

/** What a record finally came to, as the audit line and the metrics name it. */
export type AuditOutcome = 'erased' | 'absent' | 'dead-lettered' | 'retry';

export interface DecisionContext {
  record: SQSRecord;
  requestId: string;
  erasureId: string;
  receiveCount: number;
  run: BatchRun;
}

/**
 * @example
 * const outcome = await carryOutDecision(decideRecord(completion, 1, 5), { record, requestId, erasureId, receiveCount: 1, run });
 */
export async function carryOutDecision(
  decision: RecordDecision,
  context: DecisionContext,
): Promise<AuditOutcome> {
  const { record, run } = context;
  const { deadLetters, redelivery, log, random } = run.services;
  if (decision.outcome === 'erased' || decision.outcome === 'absent') return decision.outcome;
  if (decision.outcome === 'dead-letter') {
    try {
      await run.deadline.bound((signal) =>
        deadLetters.send(
          {
            record,
            reason: decision.reason,
            requestId: context.requestId,
            erasureId: context.erasureId,
            errorMessage: decision.errorMessage,
            ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
            failedAt: new Date(),
          },
          signal,
        ),
      );
      return 'dead-lettered';
    } catch (error) {
      // Never report a record done unless it is safely in the DLQ: it goes back and is tried again.
      log.error('dead-letter queue send failed; the record goes back for retry', {
        messageId: record.messageId,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
  }
  const seconds = visibilityBackoffSeconds(context.receiveCount, random ?? Math.random);
  await run.deadline.bound((signal) => redelivery.defer(record, seconds, signal)).catch(() => false);
  return 'retry';
}
