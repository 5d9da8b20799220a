/**
 * Turns one SQS batch into erasures and a partial batch response (DESIGN.md "Handler result"). Every
 * record ends in exactly one of erased, absent, dead-lettered or retry, and is reported done to SQS only
 * after erased, absent or a successful DLQ send. Powertools' BatchProcessor does the partial-response
 * plumbing; this module decides what each record comes to.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetterQueue } from '../aws/deadLetterQueue.ts';
import { receiveCountOf } from '../aws/receiveCount.ts';
import type { Redelivery } from '../aws/redelivery.ts';
import type { AdminSession } from '../chat/adminSession.ts';
import type { LogUserIdMode } from '../config/configuration.ts';
import { type UserReference, userReferenceFor } from '../observability/userReference.ts';
import { visibilityBackoffSeconds } from '../retry/backoff.ts';
import { type AccountClosureParse, parseAccountClosure } from './accountClosureEvent.ts';
import { type ChatPoster, type ErasureResult, eraseAccount } from './eraseAccount.ts';
import { decideRecord, type RecordCompletion, type RecordDecision } from './recordDecision.ts';

export interface ErasureServices {
  chat: ChatPoster;
  session: AdminSession;
  deadLetters: DeadLetterQueue;
  redelivery: Redelivery;
  logger: Logger;
  metrics: Metrics;
  settings: {
    maxReceives: number;
    chatTimeoutMs: number;
    logUserId: LogUserIdMode;
  };
  random?: () => number;
}

/** A record goes back to SQS: BatchProcessor reports a record as failed when its handler throws. */
class ReturnForRetry extends Error {
  override readonly name = 'ReturnForRetry';
}

/** Time kept free after a call's own timeout so that a started call always ends before the function does. */
export const DEADLINE_MARGIN_MS = 1000;

type AuditOutcome = 'erased' | 'absent' | 'dead-lettered' | 'retry';

/** State shared by the records of one invocation. */
interface BatchRun {
  services: ErasureServices;
  latestStartMs: number;
  adminIdentifier: string | undefined;
  credentialsProblem: string | undefined;
  userReference: UserReference;
  /** Standard queues: records with the same userId share one call and its outcome. */
  erasuresByUser: Map<string, Promise<ErasureResult>>;
  /** FIFO queues: the tail of each message group's chain, and whether the group has returned a record. */
  groups: Map<string, { tail: Promise<void>; returned: boolean }>;
}

/**
 * @example
 * export const handler = (event: SQSEvent, context: Context) => processErasureBatch(event, context, services);
 */
export async function processErasureBatch(
  event: SQSEvent,
  context: Context,
  services: ErasureServices,
): Promise<SQSBatchResponse> {
  const { settings, session, logger } = services;
  const latestStartMs =
    performance.now() + context.getRemainingTimeInMillis() - settings.chatTimeoutMs - DEADLINE_MARGIN_MS;
  let adminIdentifier: string | undefined;
  let secretKey: string | undefined;
  let credentialsProblem: string | undefined;
  try {
    ({ adminIdentifier, secretKey } = await session.load());
  } catch (error) {
    credentialsProblem = error instanceof Error ? error.message : 'the admin credentials could not be read';
    logger.error('admin credentials unavailable; the whole batch goes back for retry', {
      reason: credentialsProblem,
    });
  }
  const run: BatchRun = {
    services,
    latestStartMs,
    adminIdentifier,
    credentialsProblem,
    userReference: userReferenceFor(settings.logUserId, secretKey),
    erasuresByUser: new Map(),
    groups: new Map(),
  };
  try {
    return await processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, run),
      new BatchProcessor(EventType.SQS),
      {
        context,
        throwOnFullBatchFailure: false,
        processInParallel: true,
      },
    );
  } finally {
    services.metrics.publishStoredMetrics();
  }
}

async function processRecord(record: SQSRecord, run: BatchRun): Promise<void> {
  const groupId = record.attributes.MessageGroupId;
  if (groupId === undefined) return settleRecord(record, run);
  // FIFO: one record of a group at a time, in order; groups run concurrently.
  const group = run.groups.get(groupId) ?? { tail: Promise.resolve(), returned: false };
  run.groups.set(groupId, group);
  const turn = group.tail.then(() => settleRecord(record, run, group));
  group.tail = turn.catch(() => undefined);
  return turn;
}

/** Resolves when the record is done; throws ReturnForRetry when it goes back to the queue. */
async function settleRecord(record: SQSRecord, run: BatchRun, group?: { returned: boolean }): Promise<void> {
  const startedAt = performance.now();
  const receiveCount = receiveCountOf(record);
  const parsed = parseAccountClosure(record.body, {
    messageId: record.messageId,
    // Without the secret no userId can equal the admin; such records are not attempted anyway.
    adminIdentifier: run.adminIdentifier ?? '',
  });
  let completion: RecordCompletion;
  try {
    completion = await completeRecord(parsed, run, group);
  } catch (error) {
    // A bug in one record must not sink the batch: treat it as transient for this record only.
    const name = error instanceof Error ? error.name : typeof error;
    run.services.logger.error('unexpected error while processing a record', {
      messageId: record.messageId,
      errorName: name,
    });
    completion = { type: 'not-attempted', transient: true, detail: `unexpected error (${name})` };
  }
  const decision = decideRecord(completion, receiveCount, run.services.settings.maxReceives);
  const outcome = await carryOut(decision, record, parsed.requestId, receiveCount, run);
  if (outcome === 'retry' && group) group.returned = true;
  audit(record, parsed, decision, outcome, { run, receiveCount, startedAt, completion });
  if (outcome === 'retry') throw new ReturnForRetry(record.messageId);
}

async function completeRecord(
  parsed: AccountClosureParse,
  run: BatchRun,
  group: { returned: boolean } | undefined,
): Promise<RecordCompletion> {
  // FIFO first: once a record of the group went back, every later one follows it unprocessed, whatever
  // it holds, so the group's order survives into the retry (and into the DLQ).
  if (group?.returned) {
    return {
      type: 'not-attempted',
      transient: false,
      detail: 'an earlier message of its group went back for retry',
    };
  }
  if (run.credentialsProblem !== undefined) {
    return { type: 'not-attempted', transient: true, detail: run.credentialsProblem };
  }
  if (!parsed.valid) return { type: 'invalid-event', reason: parsed.reason };
  const erase = () =>
    eraseAccount(parsed.userId, {
      chat: run.services.chat,
      session: run.services.session,
      latestStartMs: run.latestStartMs,
      ...(run.services.random ? { random: run.services.random } : {}),
    });
  if (group) return { type: 'erasure', result: await erase() };
  const shared = run.erasuresByUser.get(parsed.userId);
  if (shared !== undefined) return { type: 'erasure', result: await shared, shared: true };
  const own = erase();
  run.erasuresByUser.set(parsed.userId, own);
  return { type: 'erasure', result: await own };
}

/** Performs the decision's I/O; returns what the record finally came to. */
async function carryOut(
  decision: RecordDecision,
  record: SQSRecord,
  requestId: string,
  receiveCount: number,
  run: BatchRun,
): Promise<AuditOutcome> {
  const { deadLetters, redelivery, logger } = run.services;
  if (decision.outcome === 'erased' || decision.outcome === 'absent') return decision.outcome;
  if (decision.outcome === 'dead-letter') {
    try {
      await deadLetters.send({
        record,
        reason: decision.reason,
        requestId,
        errorMessage: decision.errorMessage,
        ...(decision.errorCode === undefined ? {} : { errorCode: decision.errorCode }),
        failedAt: new Date(),
      });
      return 'dead-lettered';
    } catch (error) {
      // Never report a record done unless it is safely in the DLQ: it goes back and is tried again.
      logger.error('dead-letter queue send failed; the record goes back for retry', {
        messageId: record.messageId,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
  }
  await redelivery.defer(record, visibilityBackoffSeconds(receiveCount, run.services.random ?? Math.random));
  return 'retry';
}

function audit(
  record: SQSRecord,
  parsed: AccountClosureParse,
  decision: RecordDecision,
  outcome: AuditOutcome,
  facts: { run: BatchRun; receiveCount: number; startedAt: number; completion: RecordCompletion },
): void {
  const { run, receiveCount, startedAt, completion } = facts;
  const { logger, metrics } = run.services;
  const occurredAtMs = parsed.valid ? parsed.occurredAtMs : undefined;
  const referenceMs = occurredAtMs ?? Number(record.attributes.SentTimestamp);
  const lagSeconds = Number.isFinite(referenceMs)
    ? Math.max(0, (Date.now() - referenceMs) / 1000)
    : undefined;
  const userId = parsed.valid ? parsed.userId : parsed.rejectedUserId;
  const user = userId === undefined ? undefined : run.userReference(userId);
  const errorCode = decision.errorCode;
  logger.info('erasure', {
    outcome,
    requestId: parsed.requestId,
    messageId: record.messageId,
    ...(user === undefined ? {} : { user }),
    ...(errorCode === undefined ? {} : { errorCode }),
    attempts: receiveCount,
    durationMs: Math.round(performance.now() - startedAt),
    ...(lagSeconds === undefined ? {} : { lagSeconds: Math.round(lagSeconds * 1000) / 1000 }),
    ...(decision.outcome === 'dead-letter' && outcome === 'dead-lettered'
      ? { failureReason: decision.reason }
      : {}),
    ...('errorMessage' in decision ? { error: decision.errorMessage } : {}),
    ...(parsed.warnings.length > 0 ? { warnings: parsed.warnings } : {}),
  });
  metrics.addMetric(METRIC_BY_OUTCOME[outcome], MetricUnit.Count, 1);
  if (completion.type === 'erasure' && completion.result.started && !completion.shared) {
    for (const latency of completion.result.latenciesMs) {
      metrics.addMetric('ChatApiLatency', MetricUnit.Milliseconds, Math.round(latency));
    }
  }
  if ((outcome === 'erased' || outcome === 'absent') && lagSeconds !== undefined) {
    metrics.addMetric('ErasureLag', MetricUnit.Seconds, Math.round(lagSeconds));
  }
}

const METRIC_BY_OUTCOME: Record<AuditOutcome, string> = {
  erased: 'Erased',
  absent: 'Absent',
  'dead-lettered': 'DeadLettered',
  retry: 'Retried',
};
