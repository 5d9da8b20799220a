/**
 * Did the run lose anything? DESIGN.md: every record ends erased, absent or dead-lettered, and a record
 * counts as dead-lettered only once it is safely in the DLQ. The demo checks both from what it observed.
 */
import { FINAL_OUTCOMES } from './auditLog.ts';
import type { DemoRecord, QueueRunReport } from './queueRun.ts';

/** The records of one run that did not end as the contract promises, by kind. */
export interface RunVerdict {
  /** No audit line: never processed (still queued or in flight when the drain stopped). */
  unprocessed: DemoRecord[];
  /** Last audit line `retry`: back on the queue for another delivery when the drain stopped. */
  awaitingRetry: DemoRecord[];
  /** Logged as dead-lettered, yet not in the DLQ. */
  missingFromDlq: DemoRecord[];
  /** `erasure` log lines missing a key the audit contract names. */
  malformedAuditLines: number;
}

/**
 * @example
 * const verdict = judgeRun(report);
 * nothingLost(verdict); // true when every record ended erased, absent or dead-lettered (and is in the DLQ)
 */
export function judgeRun(report: QueueRunReport): RunVerdict {
  const inDlq = new Set(report.deadLetters.map((letter) => letter.attributes['source-message-id']));
  const verdict: RunVerdict = {
    unprocessed: [],
    awaitingRetry: [],
    missingFromDlq: [],
    malformedAuditLines: report.malformedAuditLines,
  };
  for (const record of report.records) {
    const last = record.audit.at(-1);
    if (last === undefined) verdict.unprocessed.push(record);
    else if (!FINAL_OUTCOMES.has(last.outcome)) verdict.awaitingRetry.push(record);
    else if (last.outcome === 'dead-lettered' && !inDlq.has(record.messageId))
      verdict.missingFromDlq.push(record);
  }
  return verdict;
}

/** Every record reached a final outcome and every dead-lettered one is in the DLQ. */
export function nothingLost(verdict: RunVerdict): boolean {
  return (
    verdict.unprocessed.length === 0 &&
    verdict.awaitingRetry.length === 0 &&
    verdict.missingFromDlq.length === 0 &&
    verdict.malformedAuditLines === 0
  );
}
