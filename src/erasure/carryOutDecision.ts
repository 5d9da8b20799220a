/**
 * Performs a record's decision against SQS and the pipeline (DESIGN.md "What it does", "Receipts"): an
 * erased or absent record is done once its receipt is delivered; a dead letter is sent (only a successful
 * send makes the record done) and then its receipt is tried once; a continuation is sent to the queue; a
 * retry gets its visibility backoff. A waiting Step Functions task hears a heartbeat for a record that is
 * not finished. Every call is bounded by the invocation deadline; nothing that failed is reported done.
 */
import type { SQSRecord } from 'aws-lambda';
import { errorName } from '../errors.ts';
import { visibilityBackoffSeconds } from './backoff.ts';
import type { BatchRun } from './batchRun.ts';
import { type ErasureLineage, nextContinuation } from './continuation.ts';
import type { Receipt, ReceiptDelivery } from './ports.ts';
import type { ReceiptEnding } from './receipt.ts';
import { receiveCountOf } from './receiveCount.ts';
import type { RecordDecision } from './recordDecision.ts';

/** What a record finally came to, as the audit line and the metrics name it. */
export type AuditOutcome = 'erased' | 'absent' | 'dead-lettered' | 'retry' | 'continued';

export interface DecisionContext {
  record: SQSRecord;
  requestId: string;
  lineage: ErasureLineage;
  /** From this delivery on, a receipt that cannot be delivered dead-letters the record. */
  exhausted: boolean;
  /** A waiting Step Functions task, when the event carries one. */
  taskToken: string | undefined;
  /** Builds the record's receipt for how it ended. */
  receiptOf(ending: ReceiptEnding): Promise<Receipt>;
  run: BatchRun;
}

/** The outcome, and the decision as it was finally carried out (a receipt failure can change it). */
export interface CarriedOut {
  outcome: AuditOutcome;
  decision: RecordDecision;
}

/**
 * @example
 * const { outcome } = await carryOutDecision(decideRecord(completion, 1, 5), context);
 */
export async function carryOutDecision(
  decision: RecordDecision,
  context: DecisionContext,
): Promise<CarriedOut> {
  const { run } = context;
  switch (decision.outcome) {
    case 'erased':
    case 'absent':
      return finish(decision, context);
    case 'dead-letter':
      if (await deadLetter(decision, context)) {
        if (decision.reason !== 'receipt-undelivered') await receiptOnce(decision, context);
        return { outcome: 'dead-lettered', decision };
      }
      return retry(decision, context);
    case 'continue':
      try {
        const attributes = nextContinuation(context.lineage, context.requestId, context.record);
        await run.deadline.bound((signal) =>
          run.services.continuations.send(context.record, attributes, signal),
        );
        await heartbeat(context);
        return { outcome: 'continued', decision };
      } catch (error) {
        // The original is reported done only once its continuation is safely on the queue.
        logFailure(context, 'continuation send failed; the record goes back for retry', error);
        return retry({ outcome: 'retry', errorMessage: 'continuation send failed' }, context);
      }
    case 'retry':
      return retry(decision, context);
  }
}

/** Erased or absent: done once the receipt is delivered (where one is needed). */
async function finish(
  decision: Extract<RecordDecision, { outcome: 'erased' | 'absent' }>,
  context: DecisionContext,
): Promise<CarriedOut> {
  const { run } = context;
  const { receipts } = run.services;
  if (!receipts.needed(context.taskToken)) return { outcome: decision.outcome, decision };
  const delivery = await deliver(context, { outcome: decision.outcome });
  if (delivery.delivered) return { outcome: decision.outcome, decision };
  const undelivered = `receipt undelivered: ${delivery.detail}`;
  if (delivery.retryable && !context.exhausted) {
    const code = decision.errorCode === undefined ? {} : { errorCode: decision.errorCode };
    return retry({ outcome: 'retry', errorMessage: undelivered, ...code }, context);
  }
  // The erasure is done; replaying the dead letter delivers the receipt.
  const deadLetterDecision: RecordDecision = {
    outcome: 'dead-letter',
    reason: 'receipt-undelivered',
    errorMessage: undelivered,
    ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
  };
  if (await deadLetter(deadLetterDecision, context))
    return { outcome: 'dead-lettered', decision: deadLetterDecision };
  return retry(deadLetterDecision, context);
}

async function deadLetter(
  decision: Extract<RecordDecision, { outcome: 'dead-letter' }>,
  context: DecisionContext,
): Promise<boolean> {
  const { record, run } = context;
  try {
    await run.deadline.bound((signal) =>
      run.services.deadLetters.send(
        {
          record,
          reason: decision.reason,
          requestId: context.requestId,
          erasureId: context.lineage.erasureId,
          errorMessage: decision.errorMessage,
          ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
          ...(decision.failedStep === undefined ? {} : { failedStep: decision.failedStep }),
          failedAt: new Date(),
        },
        signal,
      ),
    );
    return true;
  } catch (error) {
    // Never report a record done unless it is safely in the DLQ: it goes back and is tried again.
    logFailure(context, 'dead-letter queue send failed; the record goes back for retry', error);
    return false;
  }
}

/** A dead-lettered record's receipt: tried once, a failure logged and counted, never retried. */
async function receiptOnce(
  decision: Extract<RecordDecision, { outcome: 'dead-letter' }>,
  context: DecisionContext,
): Promise<void> {
  const { receipts, log, metrics } = context.run.services;
  if (!receipts.needed(context.taskToken)) return;
  const delivery = await deliver(context, {
    outcome: 'dead-lettered',
    failureReason: decision.reason,
    ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
    ...(decision.failedStep === undefined ? {} : { failedStep: decision.failedStep }),
  });
  if (!delivery.delivered) {
    log.warn('receipt of a dead-lettered record undelivered', {
      messageId: context.record.messageId,
      reason: delivery.detail,
    });
    metrics.addMetric('ReceiptsUndelivered', 'Count', 1);
  }
}

async function retry(
  decision: Extract<RecordDecision, { outcome: 'retry' | 'dead-letter' }>,
  context: DecisionContext,
): Promise<CarriedOut> {
  const { record, run } = context;
  const seconds = visibilityBackoffSeconds(receiveCountOf(record), run.services.random ?? Math.random);
  await run.deadline
    .bound((signal) => run.services.redelivery.defer(record, seconds, signal))
    .catch(() => false);
  await heartbeat(context);
  return {
    outcome: 'retry',
    decision:
      decision.outcome === 'retry'
        ? decision
        : {
            outcome: 'retry',
            errorMessage: decision.errorMessage,
            ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
            ...(decision.failedStep === undefined ? {} : { failedStep: decision.failedStep }),
          },
  };
}

/** Builds and delivers the record's receipt under the AWS-call bound; an abandoned delivery is retryable. */
async function deliver(context: DecisionContext, ending: ReceiptEnding): Promise<ReceiptDelivery> {
  const { run } = context;
  const receipt = await context.receiptOf(ending);
  const delivery = await run.deadline
    .bound((signal) => run.services.receipts.deliver(receipt, signal))
    .catch(
      (): ReceiptDelivery => ({
        delivered: false,
        retryable: true,
        detail: 'abandoned at the deadline',
        warnings: [],
      }),
    );
  warn(context, delivery.warnings);
  return delivery;
}

/** A task still waiting hears that the record is under way; a failure changes nothing. */
async function heartbeat(context: DecisionContext): Promise<void> {
  const { taskToken, run } = context;
  if (taskToken === undefined) return;
  await run.deadline
    .bound((signal) => run.services.receipts.heartbeat(taskToken, signal))
    .catch(() => undefined);
}

function warn(context: DecisionContext, warnings: readonly string[]): void {
  for (const warning of warnings)
    context.run.services.log.warn(warning, { messageId: context.record.messageId });
}

function logFailure(context: DecisionContext, message: string, error: unknown): void {
  context.run.services.log.error(message, {
    messageId: context.record.messageId,
    errorName: errorName(error),
  });
}
