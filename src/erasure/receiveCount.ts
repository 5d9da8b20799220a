import type { SQSRecord } from 'aws-lambda';

/**
 * The record's ApproximateReceiveCount as a whole number ≥ 1. SQS always sends one; anything else
 * (missing, garbled) counts as a first delivery, so the DLQ `attempts` attribute and the audit line agree.
 * @example
 * receiveCountOf(record); // 3
 */
export function receiveCountOf(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(count) && count >= 1 ? count : 1;
}
