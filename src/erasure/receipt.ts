/**
 * The receipt of one finished record (DESIGN.md "Receipts"): what the GDPR pipeline learns about how the
 * erasure ended. Pure: the detail is built from facts the record's run already has; the adapters only
 * deliver it. Never a secret, a UserSig or Tencent's `ErrorInfo`; the user only as RECEIPT_USER_ID says.
 */
import type { AccountClosureParse } from './accountClosureEvent.ts';
import type { ErasureLineage } from './continuation.ts';
import type { StepName } from './plan/erasureSteps.ts';
import type { PlanSteps } from './plan/planResult.ts';
import { residualsOf } from './plan/planResult.ts';
import type { FailureReason, Receipt } from './ports.ts';

/** A requestId longer than this is cut in the receipt (`requestIdTruncated: true`). */
const RECEIPT_REQUEST_ID_MAX_CHARS = 1024;

/** How the record ended, as far as the receipt is concerned. */
export type ReceiptEnding =
  | { outcome: 'erased' | 'absent' }
  | { outcome: 'dead-lettered'; failureReason: FailureReason; errorCode?: number; failedStep?: string };

export interface ReceiptFacts {
  ending: ReceiptEnding;
  parsed: AccountClosureParse;
  lineage: ErasureLineage;
  messageId: string;
  attempts: number;
  /** The plan's steps, where a plan ran. */
  steps?: PlanSteps;
  /** The steps of the configured plan (for the residual texts). */
  planSteps: readonly StepName[];
  /** The user as RECEIPT_USER_ID shows it; undefined: left out. */
  user?: string;
  /** Left out when the secret could not be read. */
  sdkAppId?: number;
  /** Seconds from the closure (or the first send) to now. */
  lagSeconds?: number;
  completedAt: Date;
}

/**
 * @example
 * const receipt = buildReceipt({ ending: { outcome: 'erased' }, parsed, lineage, messageId, attempts: 1,
 *   planSteps: ['friends'], completedAt: new Date() });
 * receipt.detailType; // 'Chat Erasure Completed'
 */
export function buildReceipt(facts: ReceiptFacts): Receipt {
  const { ending, parsed } = facts;
  const requestId = Array.from(parsed.requestId);
  const truncated = requestId.length > RECEIPT_REQUEST_ID_MAX_CHARS;
  const counted = Object.values(facts.steps ?? {}).flatMap((step) =>
    Object.entries(step?.residual ?? {}).map(([kind, count]) => `${kind}: ${count}`),
  );
  const detail: Record<string, unknown> = {
    version: '1',
    erasureId: facts.lineage.erasureId,
    requestId: truncated ? requestId.slice(0, RECEIPT_REQUEST_ID_MAX_CHARS).join('') : parsed.requestId,
    ...(truncated ? { requestIdTruncated: true } : {}),
    messageId: facts.messageId,
    outcome: ending.outcome,
    ...(facts.steps === undefined ? {} : { steps: facts.steps }),
    residual: [...residualsOf(facts.planSteps), ...counted],
    ...(facts.user === undefined ? {} : { user: facts.user }),
    ...(facts.sdkAppId === undefined ? {} : { sdkAppId: facts.sdkAppId }),
    ...(parsed.valid && parsed.occurredAt !== undefined ? { occurredAt: parsed.occurredAt } : {}),
    completedAt: facts.completedAt.toISOString(),
    ...(facts.lagSeconds === undefined ? {} : { lagSeconds: Math.round(facts.lagSeconds * 10) / 10 }),
    attempts: facts.attempts,
  };
  if (ending.outcome !== 'dead-lettered') {
    return { detailType: 'Chat Erasure Completed', detail, ...taskTokenOf(parsed) };
  }
  detail.failureReason = ending.failureReason;
  if (ending.errorCode !== undefined) detail.errorCode = ending.errorCode;
  if (ending.failedStep !== undefined) detail.failedStep = ending.failedStep;
  return {
    detailType: 'Chat Erasure Failed',
    detail,
    error: `ChatErasure.${ending.failureReason}`,
    ...taskTokenOf(parsed),
  };
}

const taskTokenOf = (parsed: AccountClosureParse) =>
  parsed.taskToken === undefined ? {} : { taskToken: parsed.taskToken };
