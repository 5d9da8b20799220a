/**
 * The state of one invocation and the way of one record through it: parse (no secret needed), run the
 * erasure plan (once per userId on standard queues, in group order on FIFO queues), decide, carry the
 * decision out, audit. Every record ends in exactly one of erased, absent, dead-lettered, retry or
 * continued, and is reported done to SQS only after erased, absent, a successful DLQ send or a successful
 * continuation send.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import type { UserIdDisplay } from '../configuration.ts';
import { errorName } from '../errors.ts';
import {
  type AccountClosureParse,
  INVALID_EVENT_REASONS,
  parseAccountClosure,
} from './accountClosureEvent.ts';
import { auditRecord, lagSecondsOf, stepsOf } from './auditRecord.ts';
import { carryOutDecision } from './carryOutDecision.ts';
import { lineageOf } from './continuation.ts';
import { InvocationDeadline } from './invocationDeadline.ts';
import { isFifoRecord, MessageGroups, type SettledAs } from './messageGroups.ts';
import type { PlanResult } from './plan/planResult.ts';
import { type ErasurePlan, runErasurePlan } from './plan/runErasurePlan.ts';
import type {
  AdminCredentials,
  AdminSession,
  AuditLog,
  ChatApi,
  ContinuationQueue,
  DeadLetterQueue,
  MetricSink,
  Receipts,
  Redelivery,
} from './ports.ts';
import { buildReceipt, type ReceiptEnding } from './receipt.ts';
import { receiveCountOf } from './receiveCount.ts';
import { RecordChatCalls } from './recordChatCalls.ts';
import { decideRecord, type RecordCompletion } from './recordDecision.ts';
import { type UserReference, userReferenceFor } from './userReference.ts';

/** What the erasure domain needs from the outside world, built once per instance. */
export interface ErasureServices {
  chat: ChatApi;
  /** The pacers: each invocation's first start of a command waits one spacing. */
  pacing: { beginInvocation(): void };
  session: AdminSession;
  deadLetters: DeadLetterQueue;
  continuations: ContinuationQueue;
  redelivery: Redelivery;
  receipts: Receipts;
  log: AuditLog;
  metrics: MetricSink;
  settings: {
    maxReceives: number;
    chatTimeoutMs: number;
    logUserId: UserIdDisplay;
    /** How a userId appears in receipts (RECEIPT_USER_ID). */
    receiptUserId: UserIdDisplay;
    protectedUserIds: ReadonlySet<string>;
    plan: ErasurePlan;
  };
  random?: () => number;
}

/** A record goes back to SQS: BatchProcessor reports a record as failed when its handler throws. */
export class ReturnForRetry extends Error {
  override readonly name = 'ReturnForRetry';
}

export class BatchRun {
  readonly services: ErasureServices;
  readonly deadline: InvocationDeadline;
  /** The admin credentials, read once for the batch; undefined when they could not be read. */
  readonly #credentials: Promise<AdminCredentials | undefined>;
  #credentialsProblem = 'the admin credentials could not be read';
  readonly #userReferences = new Map<UserIdDisplay, UserReference>();
  readonly #groups = new MessageGroups();
  /** Standard queues: records with the same userId share one plan run and its outcome. */
  readonly #erasures = new Map<string, Promise<PlanResult>>();

  /**
   * @example
   * const run = new BatchRun(context, services);
   * try { await run.settle(record); } finally { run.end(); }
   */
  constructor(context: Context, services: ErasureServices) {
    this.services = services;
    this.deadline = new InvocationDeadline({
      remainingMs: context.getRemainingTimeInMillis(),
      chatTimeoutMs: services.settings.chatTimeoutMs,
    });
    services.pacing.beginInvocation();
    this.#credentials = this.deadline
      .bound((signal) => services.session.load(signal))
      .catch((error: unknown) => {
        this.#credentialsProblem =
          error instanceof Error ? error.message : 'the admin credentials could not be read';
        services.log.error('admin credentials unavailable; records that need them go back for retry', {
          reason: this.#credentialsProblem,
        });
        return undefined;
      });
  }

  /** Settles one record; throws ReturnForRetry when it goes back to the queue. */
  async settle(record: SQSRecord): Promise<void> {
    const settled = isFifoRecord(record)
      ? await this.#groups.run(record, (earlierReturned) => this.#settleOne(record, earlierReturned))
      : await this.#settleOne(record, false);
    if (settled === 'retry') throw new ReturnForRetry(record.messageId);
  }

  /** The invocation is over: stop the deadline's timer and publish the metrics (never throws). */
  end(): void {
    this.deadline.end();
    try {
      this.services.metrics.publishStoredMetrics();
    } catch {
      // Metrics are best effort: the records' outcomes are final already.
    }
  }

  async #settleOne(record: SQSRecord, earlierReturned: boolean): Promise<SettledAs> {
    const startedAt = performance.now();
    const receiveCount = receiveCountOf(record);
    const lineage = lineageOf(record);
    const parsed = parseAccountClosure(record.body, {
      messageId: record.messageId,
      ...(lineage.requestId === undefined ? {} : { continuedRequestId: lineage.requestId }),
      protectedUserIds: this.services.settings.protectedUserIds,
    });
    let completion: RecordCompletion;
    try {
      completion = await this.#complete(record, parsed, earlierReturned);
    } catch (error) {
      // A bug in one record must not sink the batch: treat it as transient for this record only.
      const name = errorName(error);
      this.services.log.error('unexpected error while processing a record', {
        messageId: record.messageId,
        errorName: name,
      });
      completion = { type: 'not-attempted', transient: true, detail: `unexpected error (${name})` };
    }
    const { maxReceives, plan } = this.services.settings;
    const carried = await carryOutDecision(decideRecord(completion, receiveCount, maxReceives), {
      record,
      requestId: parsed.requestId,
      lineage,
      exhausted: receiveCount >= maxReceives,
      taskToken: parsed.taskToken,
      receiptOf: async (ending: ReceiptEnding) => {
        const credentials = await this.#credentials;
        const lagSeconds = lagSecondsOf(parsed, lineage, record);
        const steps = stepsOf(completion);
        // DESIGN.md: `user` and `sdkAppId` are left out of a receipt when the secret could not be read.
        const user =
          credentials === undefined
            ? undefined
            : await this.#userAs(this.services.settings.receiptUserId, parsed);
        return buildReceipt({
          ending,
          parsed,
          lineage,
          messageId: record.messageId,
          attempts: receiveCount,
          planSteps: plan.steps,
          completedAt: new Date(),
          ...(steps === undefined ? {} : { steps }),
          ...(user === undefined ? {} : { user }),
          ...(credentials === undefined ? {} : { sdkAppId: credentials.sdkAppId }),
          ...(lagSeconds === undefined ? {} : { lagSeconds }),
        });
      },
      run: this,
    });
    const { outcome, decision } = carried;
    try {
      auditRecord({
        record,
        parsed,
        lineage,
        decision,
        outcome,
        completion,
        receiveCount,
        durationMs: performance.now() - startedAt,
        user: await this.#userAs(this.services.settings.logUserId, parsed),
        log: this.services.log,
        metrics: this.services.metrics,
      });
    } catch {
      // Logging and metrics failing after the outcome is final never change it.
    }
    return outcome === 'retry' ? 'retry' : 'done';
  }

  async #complete(
    record: SQSRecord,
    parsed: AccountClosureParse,
    earlierReturned: boolean,
  ): Promise<RecordCompletion> {
    if (earlierReturned) {
      return {
        type: 'not-attempted',
        transient: false,
        detail: 'an earlier message of its group went back for retry',
      };
    }
    if (!parsed.valid) return { type: 'invalid-event', reason: parsed.reason };
    const credentials = await this.#credentials;
    if (credentials === undefined) {
      return { type: 'not-attempted', transient: true, detail: this.#credentialsProblem };
    }
    const { userId } = parsed;
    // The admin rule needs the secret; the same check runs again before every call (a rotation may rename
    // the admin while the record is under way).
    if (userId === credentials.adminIdentifier) {
      return { type: 'invalid-event', reason: INVALID_EVENT_REASONS.userIdIsAdmin };
    }
    let erasure = isFifoRecord(record) ? undefined : this.#erasures.get(userId);
    const shared = erasure !== undefined;
    if (erasure === undefined) {
      erasure = this.#erase(userId);
      if (!isFifoRecord(record)) this.#erasures.set(userId, erasure);
    }
    return { type: 'erasure', result: await erasure, ...(shared ? { shared } : {}) };
  }

  #erase(userId: string): Promise<PlanResult> {
    const calls = new RecordChatCalls({
      chat: this.services.chat,
      session: this.services.session,
      userId,
      latestStartMs: this.deadline.latestChatStartMs,
      boundAwsCall: (renew) => this.deadline.bound(renew),
      ...(this.services.random ? { random: this.services.random } : {}),
    });
    return runErasurePlan(userId, this.services.settings.plan, calls);
  }

  /**
   * The user as a log line or a receipt shows it (LOG_USER_ID, RECEIPT_USER_ID); a pseudonym needs the
   * secret key, so it waits for the secret (and is left out when the secret could not be read).
   */
  async #userAs(display: UserIdDisplay, parsed: AccountClosureParse): Promise<string | undefined> {
    const userId = parsed.valid ? parsed.userId : parsed.rejectedUserId;
    if (userId === undefined) return undefined;
    let reference = this.#userReferences.get(display);
    if (reference === undefined) {
      const credentials = await this.#credentials;
      reference = this.#userReferences.get(display) ?? userReferenceFor(display, credentials?.secretKey);
      this.#userReferences.set(display, reference);
    }
    return reference(userId);
  }
}
