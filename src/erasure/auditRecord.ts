/**
 * One audit line per record (DESIGN.md "Security and privacy": message `erasure`) and the metrics.
 * Called once the record's outcome is final; the caller makes sure a failure here changes nothing.
 */
import type { SQSRecord } from 'aws-lambda';
import type { AccountClosureParse } from './accountClosureEvent.ts';
import type { AuditOutcome } from './carryOutDecision.ts';
import type { ErasureLineage } from './continuation.ts';
import type { StepName } from './plan/erasureSteps.ts';
import type { PlanSteps } from './plan/planResult.ts';
import type { AuditLog, MetricSink } from './ports.ts';
import type { RecordCompletion, RecordDecision } from './recordDecision.ts';

export interface AuditFacts {
  record: SQSRecord;
  parsed: AccountClosureParse;
  lineage: ErasureLineage;
  decision: RecordDecision;
  outcome: AuditOutcome;
  completion: RecordCompletion;
  receiveCount: number;
  durationMs: number;
  /** The userId as LOG_USER_ID shows it (undefined: left out). */
  user: string | undefined;
  log: AuditLog;
  metrics: MetricSink;
}

const METRIC_BY_OUTCOME: Record<AuditOutcome, string> = {
  erased: 'Erased',
  absent: 'Absent',
  'dead-lettered': 'DeadLettered',
  retry: 'Retried',
  continued: 'Continued',
};

/** One metric per step (a bounded set of names): what the step's listings found and removed. */
const STEP_REMOVED_METRIC: Readonly<Record<StepName, string>> = {
  kick: 'KickDone',
  friends: 'FriendsRemoved',
  blocklist: 'BlocklistRemoved',
  follows: 'FollowsRemoved',
  conversations: 'ConversationsRemoved',
  groups: 'GroupsRemoved',
  profile: 'ProfileFieldsRemoved',
  account: 'AccountsRemoved',
};

/**
 * Seconds from `occurredAt`, else from the erasure's first send (a continuation carries it), else from
 * the SQS SentTimestamp, to now; undefined when none is known.
 * @example
 * lagSecondsOf(parsed, lineage, record); // 7.123
 */
export function lagSecondsOf(
  parsed: AccountClosureParse,
  lineage: ErasureLineage,
  record: SQSRecord,
): number | undefined {
  const occurredAtMs = parsed.valid ? parsed.occurredAtMs : undefined;
  const referenceMs = occurredAtMs ?? lineage.firstSentAtMs ?? Number(record.attributes.SentTimestamp);
  return Number.isFinite(referenceMs) ? Math.max(0, (Date.now() - referenceMs) / 1000) : undefined;
}

/** The plan's step results, when the record ran (or shared) a plan. */
export function stepsOf(completion: RecordCompletion): PlanSteps | undefined {
  return completion.type === 'erasure' ? completion.result.steps : undefined;
}

/**
 * @example
 * auditRecord({ record, parsed, lineage, decision, outcome: 'erased', completion, receiveCount: 1, durationMs: 12, user, log, metrics });
 */
export function auditRecord(facts: AuditFacts): void {
  const { record, parsed, lineage, decision, outcome, completion, log, metrics } = facts;
  const lagSeconds = lagSecondsOf(parsed, lineage, record);
  const errorCode = 'errorCode' in decision ? decision.errorCode : undefined;
  const steps = stepsOf(completion);
  const deadLettered = decision.outcome === 'dead-letter' && outcome === 'dead-lettered';
  const warnings = [...parsed.warnings, ...lineage.warnings];
  log.info('erasure', {
    outcome,
    erasureId: lineage.erasureId,
    requestId: parsed.requestId,
    messageId: record.messageId,
    ...(facts.user === undefined ? {} : { user: facts.user }),
    ...(errorCode === undefined ? {} : { errorCode }),
    attempts: facts.receiveCount,
    durationMs: Math.round(facts.durationMs),
    ...(lagSeconds === undefined ? {} : { lagSeconds: Math.round(lagSeconds * 1000) / 1000 }),
    ...(steps === undefined ? {} : { steps }),
    ...(deadLettered ? { failureReason: decision.reason } : {}),
    ...('failedStep' in decision && decision.failedStep !== undefined
      ? { failedStep: decision.failedStep }
      : {}),
    ...(lineage.continuation > 0 ? { continuation: lineage.continuation } : {}),
    ...('errorMessage' in decision ? { error: decision.errorMessage } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  });
  metrics.addMetric(METRIC_BY_OUTCOME[outcome], 'Count', 1);
  if (completion.type === 'erasure' && !completion.shared) {
    for (const latency of completion.result.latenciesMs) {
      metrics.addMetric('ChatApiLatency', 'Milliseconds', Math.round(latency));
    }
    for (const [step, result] of Object.entries(completion.result.steps) as [
      StepName,
      { result: string; removed: number },
    ][]) {
      // kick removes nothing it could count: its metric counts the kicks that were done.
      const count = step === 'kick' ? Number(result.result === 'done') : result.removed;
      metrics.addMetric(STEP_REMOVED_METRIC[step], 'Count', count);
    }
  }
  if ((outcome === 'erased' || outcome === 'absent') && lagSeconds !== undefined) {
    metrics.addMetric('ErasureLag', 'Seconds', Math.round(lagSeconds));
  }
}
