/**
 * How Lambda's SQS event source mapping (with ReportBatchItemFailures) reads a handler's answer, per the
 * Lambda developer guide ("Reporting batch item failures"):
 * - complete success: `null`/`undefined`, `{}`, or `batchItemFailures` null or empty;
 * - partial: `batchItemFailures` naming message ids of this batch (only those stay on the queue);
 * - complete failure (nothing deleted): anything else, e.g. an `itemIdentifier` that is empty, null,
 *   under another key, or not a message id of the batch; or a response that is not an object.
 */
import * as z from 'zod';

export type BatchVerdict =
  | { kind: 'success' }
  | { kind: 'partial'; failedMessageIds: string[] }
  | { kind: 'failure'; reason: string };

const batchResponseSchema = z.union([
  z.null(),
  z.undefined(),
  z.object({
    batchItemFailures: z.array(z.object({ itemIdentifier: z.string().min(1) })).nullish(),
  }),
]);

/**
 * @example
 * judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m1', 'm2']);
 * // → { kind: 'partial', failedMessageIds: ['m2'] }
 */
export function judgeBatchResponse(response: unknown, messageIds: readonly string[]): BatchVerdict {
  const parsed = batchResponseSchema.safeParse(response);
  if (!parsed.success) {
    return { kind: 'failure', reason: `malformed batch response: ${z.prettifyError(parsed.error)}` };
  }
  const failures = parsed.data?.batchItemFailures ?? [];
  if (failures.length === 0) {
    return { kind: 'success' };
  }
  const inBatch = new Set(messageIds);
  const failedMessageIds = [...new Set(failures.map((failure) => failure.itemIdentifier))];
  const stranger = failedMessageIds.find((id) => !inBatch.has(id));
  if (stranger !== undefined) {
    return { kind: 'failure', reason: `batch response names ${stranger}, which is not in the batch` };
  }
  return { kind: 'partial', failedMessageIds };
}
