/**
 * An independent model of DESIGN.md's outcome rules for one SQS batch, written from the design (the error
 * table, "one short in-process retry", the re-sign rule, MAX_RECEIVES, the deadline, the FIFO rule) and not
 * from `src/`. The property tests compare what `processErasureBatch` did against what this model predicts.
 */
import type { FailureReason, TransportFailure } from '../../src/erasure/ports.ts';
import { DESIGN_ERROR_CODES as DESIGN_TABLE } from '../support/designErrorTable.ts';

/** DESIGN.md "Error classification": the classes an answer can fall into. */
export type AnswerClass = 'done' | 'absent' | 'transient' | 'throttled' | 're-sign' | 'permanent';

/** The listed ErrorCodes of each class, as DESIGN.md gives them (a drift from `src/` fails a property). */
export const DESIGN_ERROR_CODES: Readonly<Record<Exclude<AnswerClass, 'done'>, readonly number[]>> =
  DESIGN_TABLE;

export const LISTED_ERROR_CODES: ReadonlySet<number> = new Set(Object.values(DESIGN_ERROR_CODES).flat());

/** One answer of the fake Chat API to one `friend_delete_all` call, and the class DESIGN.md gives it. */
export type Answer =
  /** HTTP 200 with the documented JSON. */
  | { via: 'json'; cls: AnswerClass; actionStatus: 'OK' | 'FAIL'; errorCode: number }
  /** A non-200 status (no documented JSON). */
  | { via: 'http'; cls: AnswerClass; status: number }
  /** HTTP 200 whose body is not the documented JSON. */
  | { via: 'malformed'; cls: 'transient'; body: unknown }
  | { via: 'transport'; cls: 'transient'; failure: TransportFailure }
  /** The client could not start the call before the caller's latest start (pacer, deadline). */
  | { via: 'not-started' }
  /** A defect in the client: `post` rejects. The handler must contain it to this record. */
  | { via: 'throws' };

/** The ErrorCode DESIGN.md says the answer carries (for `error-code` and the audit line), if any. */
export function answerErrorCode(answer: Answer): number | undefined {
  return answer.via === 'json' && answer.errorCode !== 0 ? answer.errorCode : undefined;
}

/** The k-th call for a userId gets the k-th answer of its script; past the end, the last one again. */
export function answerAt(script: readonly Answer[], index: number): Answer {
  const answer = script[Math.min(index, script.length - 1)];
  if (answer === undefined) throw new Error('an answer script must not be empty');
  return answer;
}

/** What an erasure (every in-process attempt for one account) comes to. */
export type ModelErasure =
  | { type: 'answered'; cls: AnswerClass; errorCode?: number; calls: number }
  | { type: 'not-started'; calls: number }
  | { type: 'bug'; calls: number };

export interface ErasureConditions {
  /** The deadline leaves room for the short in-process retry (160–240 ms) after a transient answer. */
  roomForRetry: boolean;
  /** The deadline had passed before the batch started: no call can start (no answer is consumed). */
  expired: boolean;
  /** A forced secret fetch (after a re-sign answer) succeeds. */
  renewalSucceeds: boolean;
}

/**
 * DESIGN.md: transient/throttled → "one short in-process retry if the deadline allows"; re-sign → "re-fetch
 * the secret, re-sign, retry once; if it repeats: permanent"; a failed re-fetch is a Secrets Manager failure
 * (transient). `next()` hands out the account's answers in call order.
 */
export function modelErasure(next: () => Answer, conditions: ErasureConditions): ModelErasure {
  if (conditions.expired) return { type: 'not-started', calls: 1 };
  let calls = 0;
  let last: { cls: AnswerClass; errorCode?: number } | undefined;
  let reSigned = false;
  let retried = false;
  const finish = (): ModelErasure =>
    last === undefined ? { type: 'not-started', calls } : { type: 'answered', ...last, calls };
  for (;;) {
    const answer = next();
    calls++;
    if (answer.via === 'throws') return { type: 'bug', calls };
    if (answer.via === 'not-started') return finish();
    const errorCode = answerErrorCode(answer);
    last = { cls: answer.cls, ...(errorCode === undefined ? {} : { errorCode }) };
    switch (answer.cls) {
      case 're-sign':
        if (reSigned) {
          last = { ...last, cls: 'permanent' };
          return finish();
        }
        reSigned = true;
        if (!conditions.renewalSucceeds) {
          last = { ...last, cls: 'transient' };
          return finish();
        }
        continue;
      case 'transient':
      case 'throttled':
        if (retried || !conditions.roomForRetry) return finish();
        retried = true;
        continue;
      default:
        return finish();
    }
  }
}

/** What DESIGN.md says a record comes to, as the audit line and SQS see it. */
export interface ModelOutcome {
  outcome: 'erased' | 'absent' | 'dead-lettered' | 'retry';
  /** dead-lettered: the reason sent; retry: the reason a failed DLQ send was for, if that is why. */
  reason?: FailureReason;
  errorCode?: number;
}

/** A record as the model sees it: what its body holds (decided by the test, not by the handler). */
export interface ModelRecord {
  messageId: string;
  valid: boolean;
  userId?: string;
  receiveCount: number;
  /** FIFO message group; undefined on a standard queue. */
  groupId?: string;
}

export interface ModelWorld extends ErasureConditions {
  fifo: boolean;
  /** The admin the secret names. */
  adminIdentifier: string;
  credentialsLoad: boolean;
  maxReceives: number;
  scripts: ReadonlyMap<string, readonly Answer[]>;
  dlqRefuses: (messageId: string) => boolean;
}

export interface ModelBatch {
  outcomes: Map<string, ModelOutcome>;
  /** Chat calls per userId. */
  callsByUser: Map<string, number>;
  /** FIFO: the userIds of the calls each group makes, in order. */
  callsByGroup: Map<string, string[]>;
}

/** The answers a userId gets when the test gave it no script (a body that happened to be a valid event). */
export const DEFAULT_SCRIPT: readonly Answer[] = [
  { via: 'json', cls: 'done', actionStatus: 'OK', errorCode: 0 },
];

/**
 * The whole batch. Standard queue: one erasure per distinct valid userId, shared by its records. FIFO: one
 * erasure per record, group by group in order; once a record of a group ends in retry, it and every later
 * record of that group go back (DESIGN.md "Standard queues… FIFO queues…"). Scripts are consumed per userId
 * in call order, so FIFO scenarios keep each userId inside one group (see the arbitraries).
 */
export function modelBatch(records: readonly ModelRecord[], world: ModelWorld): ModelBatch {
  const cursors = new Map<string, number>();
  const callsByUser = new Map<string, number>();
  const callsByGroup = new Map<string, string[]>();
  const erase = (userId: string, groupId: string | undefined): ModelErasure => {
    const script = world.scripts.get(userId) ?? DEFAULT_SCRIPT;
    const erasure = modelErasure(() => {
      const index = cursors.get(userId) ?? 0;
      cursors.set(userId, index + 1);
      return answerAt(script, index);
    }, world);
    callsByUser.set(userId, (callsByUser.get(userId) ?? 0) + erasure.calls);
    if (groupId !== undefined) {
      const calls = callsByGroup.get(groupId) ?? [];
      calls.push(...Array.from({ length: erasure.calls }, () => userId));
      callsByGroup.set(groupId, calls);
    }
    return erasure;
  };

  const shared = new Map<string, ModelErasure>();
  const returnedGroups = new Set<string>();
  const outcomes = new Map<string, ModelOutcome>();
  for (const record of records) {
    const exhausted = record.receiveCount >= world.maxReceives;
    const transientFailure = (errorCode?: number): Decision =>
      exhausted ? { deadLetter: 'retries-exhausted', errorCode } : { retry: true, errorCode };
    let decision: Decision;
    if (record.groupId !== undefined && returnedGroups.has(record.groupId)) {
      decision = { retry: true };
    } else if (!record.valid || record.userId === undefined) {
      // "Every other rule is checked before the secret is read."
      decision = { deadLetter: 'invalid-event' };
    } else if (!world.credentialsLoad) {
      decision = transientFailure();
    } else if (record.userId === world.adminIdentifier) {
      // "Equal to the admin identifier → invalid (never erase an admin)": known once the secret is read.
      decision = { deadLetter: 'invalid-event' };
    } else {
      const userId = record.userId;
      let erasure: ModelErasure;
      if (world.fifo) {
        erasure = erase(userId, record.groupId);
      } else {
        erasure = shared.get(userId) ?? erase(userId, undefined);
        shared.set(userId, erasure);
      }
      decision = decideErasure(erasure, transientFailure);
    }
    const outcome = carryOut(decision, world.dlqRefuses(record.messageId));
    outcomes.set(record.messageId, outcome);
    if (outcome.outcome === 'retry' && record.groupId !== undefined) returnedGroups.add(record.groupId);
  }
  return { outcomes, callsByUser, callsByGroup };
}

type Decision =
  | { done: 'erased' | 'absent'; errorCode?: number | undefined }
  | { deadLetter: FailureReason; errorCode?: number | undefined }
  | { retry: true; errorCode?: number | undefined };

function decideErasure(erasure: ModelErasure, transientFailure: (errorCode?: number) => Decision): Decision {
  switch (erasure.type) {
    case 'bug':
      return transientFailure();
    case 'not-started':
      // "records not started go back as batchItemFailures (even at MAX_RECEIVES)".
      return { retry: true };
    case 'answered':
      switch (erasure.cls) {
        case 'done':
          return { done: 'erased' };
        case 'absent':
          return { done: 'absent', errorCode: erasure.errorCode };
        case 'permanent':
          return { deadLetter: 'permanent-error', errorCode: erasure.errorCode };
        case 'transient':
        case 'throttled':
        case 're-sign':
          return transientFailure(erasure.errorCode);
      }
  }
}

function carryOut(decision: Decision, dlqRefuses: boolean): ModelOutcome {
  const code = decision.errorCode === undefined ? {} : { errorCode: decision.errorCode };
  if ('done' in decision) return { outcome: decision.done, ...code };
  if ('deadLetter' in decision) {
    return dlqRefuses
      ? { outcome: 'retry', reason: decision.deadLetter, ...code }
      : { outcome: 'dead-lettered', reason: decision.deadLetter, ...code };
  }
  return { outcome: 'retry', ...code };
}
