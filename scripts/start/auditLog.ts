/**
 * The function's audit trail as `npm start` reads it: the one `erasure` log line per record and delivery
 * (DESIGN.md "Security and privacy"). The demo takes every outcome from these lines, never from its own
 * guess, so what it prints is what the function said.
 */
import * as z from 'zod';

export const AUDIT_OUTCOMES = ['erased', 'absent', 'dead-lettered', 'retry', 'continued'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Outcomes after which the record is gone from the erasure queue for good, and accounted for. */
export const FINAL_OUTCOMES: ReadonlySet<AuditOutcome> = new Set(['erased', 'absent', 'dead-lettered']);

const auditLineSchema = z.looseObject({
  message: z.literal('erasure'),
  outcome: z.enum(AUDIT_OUTCOMES),
  requestId: z.string(),
  messageId: z.string(),
  /** The first messageId of the erasure: continuations of a long plan share it. */
  erasureId: z.string(),
  user: z.string().optional(),
  attempts: z.number().optional(),
  errorCode: z.number().optional(),
  failureReason: z.string().optional(),
  failedStep: z.string().optional(),
  error: z.string().optional(),
  /** The result per plan step. */
  steps: z
    .record(z.string(), z.looseObject({ result: z.string(), removed: z.number(), verified: z.boolean() }))
    .optional(),
  /** Metadata problems that did not block the erasure (e.g. a malformed occurredAt). */
  warnings: z.array(z.string()).optional(),
});

/** One audit line: the keys the contract names (others are kept but not used). */
export type AuditLine = z.infer<typeof auditLineSchema>;

export interface AuditTrail {
  /**
   * messageId → its audit lines, oldest first (a retried record has several), followed by those of its
   * continuations (same erasureId) when a long plan was continued.
   */
  byMessage: Map<string, AuditLine[]>;
  /** `erasure` lines that miss a contract key: a contract break the demo reports rather than hides. */
  malformed: number;
}

/**
 * Collects the audit lines from the function's parsed log lines (other lines, metrics included, are skipped).
 * @example
 * const trail = auditTrail(world.logRecords());
 * trail.byMessage.get(messageId)?.at(-1)?.outcome; // 'erased'
 */
export function auditTrail(logRecords: readonly Record<string, unknown>[]): AuditTrail {
  const byMessage = new Map<string, AuditLine[]>();
  let malformed = 0;
  for (const record of logRecords) {
    if (record.message !== 'erasure') continue;
    const parsed = auditLineSchema.safeParse(record);
    if (!parsed.success) {
      malformed += 1;
      continue;
    }
    const lines = byMessage.get(parsed.data.erasureId) ?? [];
    lines.push(parsed.data);
    byMessage.set(parsed.data.erasureId, lines);
  }
  return { byMessage, malformed };
}
