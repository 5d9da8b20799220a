/**
 * Long plans continue (DESIGN.md "Erasure plan"): a record that made progress but ran out of invocation
 * time is sent again to its queue with message attributes that carry the erasure on: `erasure-id` (the
 * first messageId of the erasure), `request-id`, `first-sent-at` and `continuation` (1 for the first).
 * This module reads those attributes from a delivered record (a boundary: validated, a malformed one is
 * ignored with a warning) and computes the next continuation's.
 */
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { isSqsAttributeText } from './accountClosureEvent.ts';

/** What a delivered record says about the erasure it belongs to. */
export interface ErasureLineage {
  /** The first messageId of the erasure: the record's own unless it is a continuation. */
  erasureId: string;
  /** The request id a continuation carries (used when the event has no usable one). */
  requestId?: string;
  /** When the erasure's first message was sent, epoch ms. */
  firstSentAtMs?: number;
  /** 0 for a first delivery, n for the n-th continuation. */
  continuation: number;
  /** Attribute problems, for the audit line (never the attribute values). */
  warnings: string[];
}

/** The attributes a continuation is sent with. */
export interface ContinuationAttributes {
  erasureId: string;
  requestId: string;
  firstSentAt: string;
  continuation: number;
}

export const CONTINUATION_WARNING =
  'continuation attributes are malformed; the record is taken as the first delivery of its erasure';

const attributeText = z
  .string()
  .min(1)
  .refine((text) => isSqsAttributeText(text));

// A DLQ message replayed by SQS's redrive keeps its attributes: `erasure-id` and `request-id` without
// `first-sent-at` or `continuation`. Each attribute is used when present (DESIGN.md), so a replay
// finishes, and is receipted as, the erasure it came from.
const continuationSchema = z.object({
  erasureId: attributeText,
  requestId: attributeText.optional(),
  firstSentAt: z.iso.datetime({ offset: true }).optional(),
  continuation: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const stringValueOf = (record: SQSRecord, name: string): string | undefined =>
  record.messageAttributes?.[name]?.stringValue;

/**
 * @example
 * const lineage = lineageOf(record); // { erasureId: record.messageId, continuation: 0, warnings: [] } for a first delivery
 */
export function lineageOf(record: SQSRecord): ErasureLineage {
  const raw = {
    erasureId: stringValueOf(record, 'erasure-id'),
    requestId: stringValueOf(record, 'request-id'),
    firstSentAt: stringValueOf(record, 'first-sent-at'),
    continuation: stringValueOf(record, 'continuation'),
  };
  if (raw.erasureId === undefined && raw.continuation === undefined) {
    return { erasureId: record.messageId, continuation: 0, warnings: [] };
  }
  const parsed = continuationSchema.safeParse(raw);
  if (!parsed.success) {
    return { erasureId: record.messageId, continuation: 0, warnings: [CONTINUATION_WARNING] };
  }
  const { erasureId, requestId, firstSentAt, continuation = 0 } = parsed.data;
  return {
    erasureId,
    ...(requestId === undefined ? {} : { requestId }),
    ...(firstSentAt === undefined ? {} : { firstSentAtMs: Date.parse(firstSentAt) }),
    continuation,
    warnings: [],
  };
}

/**
 * The attributes of the record's next continuation.
 * @example
 * nextContinuation(lineage, 'dsr-1', record); // { erasureId, requestId: 'dsr-1', firstSentAt: '…', continuation: 1 }
 */
export function nextContinuation(
  lineage: ErasureLineage,
  requestId: string,
  record: SQSRecord,
): ContinuationAttributes {
  const sentMs = lineage.firstSentAtMs ?? Number(record.attributes?.SentTimestamp);
  return {
    erasureId: lineage.erasureId,
    requestId,
    firstSentAt: new Date(Number.isFinite(sentMs) ? sentMs : Date.now()).toISOString(),
    continuation: lineage.continuation + 1,
  };
}
