/**
 * One audit line per record (DESIGN.md "Security and privacy": message `erasure`) and the outcome
 * metrics. Called once the record's outcome is final; the caller makes sure a failure here changes nothing.
 */
import type { SQSRecord } from 'aws-lambda';
import type { AccountClosureParse } from './accountClosureEvent.ts';
import type { AuditOutcome } from './carryOutDecision.ts';
import type { AuditLog, MetricSink } from './ports.ts';
import type { RecordCompletion, RecordDecision } from './recordDecision.ts';

export interface AuditFacts {
  record: SQSRecord;
  parsed: AccountClosureParse;
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
};

/**
 * Seconds from `occurredAt` (else from the SQS SentTimestamp) to now, or undefined when neither is known.
 * @example
 * lagSecondsOf(parsed, record); // 7.123
 */
export function lagSecondsOf(parsed: AccountClosureParse, record: SQSRecord): number | undefined {
  const occurredAtMs = parsed.valid ? parsed.occurredAtMs : undefined;
  const referenceMs = occurredAtMs ?? Number(record.attributes.SentTimestamp);
  return Number.isFinite(referenceMs) ? Math.max(0, (Date.now() - referenceMs) / 1000) : undefined;
}

/**
 * @example
 * auditRecord({ record, parsed, decision, outcome: 'erased', completion, receiveCount: 1, durationMs: 12, user, log, metrics });
 */
export function auditRecord(facts: AuditFacts): void {
  const { record, parsed, decision, outcome, completion, log, metrics } = facts;
  const lagSeconds = lagSecondsOf(parsed, record);
  const errorCode = decision.errorCode;
  log.info('erasure', {
    outcome,
    erasureId: record.messageId,
    requestId: parsed.requestId,
    messageId: record.messageId,
    ...(facts.user === undefined ? {} : { user: facts.user }),
    ...(errorCode === undefined ? {} : { errorCode }),
    attempts: facts.receiveCount,
    durationMs: Math.round(facts.durationMs),
    ...(lagSeconds === undefined ? {} : { lagSeconds: Math.round(lagSeconds * 1000) / 1000 }),
    ...(decision.outcome === 'dead-letter' && outcome === 'dead-lettered'
      ? { failureReason: decision.reason }
      : {}),
    ...('errorMessage' in decision ? { error: decision.errorMessage } : {}),
    ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}),
  });
  metrics.addMetric(METRIC_BY_OUTCOME[outcome], 'Count', 1);
  if (completion.type === 'erasure' && completion.result.started && !completion.shared) {
    for (const latency of completion.result.latenciesMs) {
      metrics.addMetric('ChatApiLatency', 'Milliseconds', Math.round(latency));
    }
  }
  if ((outcome === 'erased' || outcome === 'absent') && lagSeconds !== undefined) {
    metrics.addMetric('ErasureLag', 'Seconds', Math.round(lagSeconds));
  }
}
