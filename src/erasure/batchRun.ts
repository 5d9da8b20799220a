/**
 * The state of one invocation and the way of one record through it: parse (no secret needed), erase
 * (once per userId on standard queues, in group order on FIFO queues), decide, carry the decision out,
 * audit. Every record ends in exactly one of erased, absent, dead-lettered or retry, and is reported done
 * to SQS only after erased, absent or a successful DLQ send.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import type { UserIdDisplay } from '../configuration.ts';
import { AdminSubjectError } from '../errors.ts';
import {
  type AccountClosureParse,
  INVALID_EVENT_REASONS,
  parseAccountClosure,
} from './accountClosureEvent.ts';
import { auditRecord } from './auditRecord.ts';
import { type AuditOutcome, carryOutDecision } from './carryOutDecision.ts';
import { type ErasureResult, eraseAccount } from './eraseAccount.ts';
import { InvocationDeadline } from './invocationDeadline.ts';
import { isFifoRecord, MessageGroups, type SettledAs } from './messageGroups.ts';
import type {
  AdminCredentials,
  AdminSession,
  AuditLog,
  ChatApi,
  DeadLetterQueue,
  MetricSink,
  Redelivery,
} from './ports.ts';
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
  redelivery: Redelivery;
  log: AuditLog;
  metrics: MetricSink;
  settings: {
    maxReceives: number;
    chatTimeoutMs: number;
    logUserId: UserIdDisplay;
    protectedUserIds: ReadonlySet<string>;
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
  #userReference: UserReference | undefined;
  readonly #groups = new MessageGroups();
  /** Standard queues: records with the same userId share one erasure and its outcome. */
  readonly #erasures = new Map<string, Promise<ErasureResult | AdminSubjectError>>();

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
    const parsed = parseAccountClosure(record.body, {
      messageId: record.messageId,
      protectedUserIds: this.services.settings.protectedUserIds,
    });
    let completion: RecordCompletion;
    try {
      completion = await this.#complete(record, parsed, earlierReturned);
    } catch (error) {
      // A bug in one record must not sink the batch: treat it as transient for this record only.
      const name = error instanceof Error ? error.name : typeof error;
      this.services.log.error('unexpected error while processing a record', {
        messageId: record.messageId,
        errorName: name,
      });
      completion = { type: 'not-attempted', transient: true, detail: `unexpected error (${name})` };
    }
    const decision = decideRecord(completion, receiveCount, this.services.settings.maxReceives);
    const outcome: AuditOutcome = await carryOutDecision(decision, {
      record,
      requestId: parsed.requestId,
      erasureId: record.messageId,
      receiveCount,
      run: this,
    });
    try {
      auditRecord({
        record,
        parsed,
        decision,
        outcome,
        completion,
        receiveCount,
        durationMs: performance.now() - startedAt,
        user: await this.#userReferenceOf(parsed),
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
    const result = await erasure;
    if (result instanceof AdminSubjectError)
      return { type: 'invalid-event', reason: INVALID_EVENT_REASONS.userIdIsAdmin };
    return { type: 'erasure', result, ...(shared ? { shared } : {}) };
  }

  async #erase(userId: string): Promise<ErasureResult | AdminSubjectError> {
    const calls = new RecordChatCalls({
      chat: this.services.chat,
      session: this.services.session,
      userId,
      latestStartMs: this.deadline.latestChatStartMs,
      ...(this.services.random ? { random: this.services.random } : {}),
    });
    try {
      return await eraseAccount(userId, calls);
    } catch (error) {
      if (error instanceof AdminSubjectError) return error;
      throw error;
    }
  }

  /** The user as the audit line shows it; a pseudonym needs the secret key, so it waits for the secret. */
  async #userReferenceOf(parsed: AccountClosureParse): Promise<string | undefined> {
    const userId = parsed.valid ? parsed.userId : parsed.rejectedUserId;
    if (userId === undefined) return undefined;
    if (this.#userReference === undefined) {
      const credentials = await this.#credentials;
      this.#userReference ??= userReferenceFor(this.services.settings.logUserId, credentials?.secretKey);
    }
    return this.#userReference(userId);
  }
}
