/**
 * An independent model of DESIGN.md for one SQS batch under the default plan (`friends`), written from the
 * design's tables and rules and never from `src/`: where DESIGN.md has a table, so does this file, and the
 * outcomes are derived from the tables, so that a misreading in `src/` shows up as a counterexample instead
 * of agreeing with itself. The property tests compare what `processErasureBatch` did with what this predicts.
 *
 * Readings of the design that the model has to make (each one named where it is used):
 * - "removed something" (absent vs erased, continued) = a removal call of this delivery answered OK: the
 *   function can only know what the API said.
 * - The `friends` step reads `friend_get` before `group_get` and removes friends before lists (DESIGN.md:
 *   "every friend both ways (`friend_delete_all`), then the user's friend lists"); it acts only on what the
 *   listing found; a call that fails ends the step at once ("Stop at the first failure").
 * - A defect (the client throws) is no Chat answer: a transient failure of the record, not of a step.
 */

import { DESIGN_ERROR_CODES, PLAN_ERROR_CODES } from '../support/designErrorTable.ts';
import {
  type AccountSetup,
  type AccountView,
  type Answer,
  ChatAccounts,
  type FriendsCommand,
} from './chatAccounts.ts';

// ------------------------------------------------------------------------------ "Error classification"

/** The classes of DESIGN.md's error table. */
export type AnswerClass = 'done' | 'absent' | 'transient' | 'throttled' | 're-sign' | 'permanent';

/**
 * The table's codes column: the listed ErrorCodes of each class, plus the plan commands' own "account does
 * not exist" and retry codes (PLAN_ERROR_CODES). Any other code is permanent.
 */
const classed = (cls: AnswerClass, codes: readonly number[]) =>
  codes.map((code): [number, AnswerClass] => [code, cls]);
export const CODE_CLASSES: ReadonlyMap<number, AnswerClass> = new Map([
  ...classed('absent', [...DESIGN_ERROR_CODES.absent, ...PLAN_ERROR_CODES.absent]),
  ...classed('transient', [...DESIGN_ERROR_CODES.transient, ...PLAN_ERROR_CODES.transient]),
  ...classed('throttled', DESIGN_ERROR_CODES.throttled),
  ...classed('re-sign', DESIGN_ERROR_CODES['re-sign']),
  ...classed('permanent', DESIGN_ERROR_CODES.permanent),
]);

/**
 * Codes DESIGN.md defines only per item or per feature ("already gone", "not enabled"): what they mean as
 * the whole answer to a request about the user itself is not said, so the `friends` scenarios never use them.
 */
export const PER_ITEM_OR_FEATURE_CODES: ReadonlySet<number> = new Set([
  ...PLAN_ERROR_CODES.gone,
  ...PLAN_ERROR_CODES['not-enabled'],
]);

/**
 * The codes a `friends` command may be scripted with: the table's own, plus 40003 and 50001, which the
 * Erasure plan's Absent rule names as "the account does not exist" for a request about the user. The other
 * families' codes (group 10002/10018/10019, profile 40006, conversations 50004/50005) are read per command
 * family ("each command's … code"), so their meaning on an `sns` command is not fixed by the design.
 */
export const FRIENDS_ERROR_CODES: Readonly<Record<Exclude<AnswerClass, 'done'>, readonly number[]>> = {
  absent: [...DESIGN_ERROR_CODES.absent, 40003, 50001],
  transient: DESIGN_ERROR_CODES.transient,
  throttled: DESIGN_ERROR_CODES.throttled,
  're-sign': DESIGN_ERROR_CODES['re-sign'],
  permanent: DESIGN_ERROR_CODES.permanent,
};

/** Every code either table lists: an "unknown code" (permanent) must be none of these. */
export const LISTED_ERROR_CODES: ReadonlySet<number> = new Set([
  ...CODE_CLASSES.keys(),
  ...PER_ITEM_OR_FEATURE_CODES,
]);

export function classOfCode(code: number): AnswerClass {
  if (PER_ITEM_OR_FEATURE_CODES.has(code))
    throw new Error(`code ${code} is defined per item or feature only`);
  return CODE_CLASSES.get(code) ?? 'permanent';
}

/** The table's HTTP rows ("HTTP is 200 unless the network or gateway fails"). Other statuses: not classified. */
const HTTP_CLASSES: ReadonlyArray<{ row: string; matches: (status: number) => boolean; cls: AnswerClass }> = [
  { row: 'throttled: HTTP 429', matches: (s) => s === 429, cls: 'throttled' },
  { row: 'transient: HTTP 408, 5xx', matches: (s) => s === 408 || (s >= 500 && s <= 599), cls: 'transient' },
  { row: 'permanent: HTTP 4xx other than 408/429', matches: (s) => s >= 400 && s <= 499, cls: 'permanent' },
];

export function classOfHttpStatus(status: number): AnswerClass {
  const row = HTTP_CLASSES.find((candidate) => candidate.matches(status));
  if (row === undefined) throw new Error(`DESIGN.md does not classify HTTP ${status}`);
  return row.cls;
}

/** The class DESIGN.md gives one answer. */
export function classOfAnswer(answer: Exclude<Answer, { via: 'not-started' | 'throws' }>): AnswerClass {
  switch (answer.via) {
    case 'ok':
    case 'ignored':
      return 'done';
    // "a 200 whose body is not the documented JSON"
    case 'undocumented':
    case 'malformed':
      return 'transient';
    case 'json':
      if (answer.actionStatus === 'OK' && answer.errorCode === 0) return 'done';
      // "… or whose ActionStatus and ErrorCode disagree"
      if (answer.actionStatus === 'OK' || answer.errorCode === 0) return 'transient';
      return classOfCode(answer.errorCode);
    case 'http':
      return classOfHttpStatus(answer.status);
    // "timeouts, connection errors"
    case 'transport':
      return 'transient';
  }
}

/** DLQ `error-code`: "when the last Chat answer carried a non-zero ErrorCode". */
export function errorCodeOf(answer: Answer): number | undefined {
  return answer.via === 'json' && answer.errorCode !== 0 ? answer.errorCode : undefined;
}

/** The table's action column, per call. */
export const CALL_ACTIONS: Readonly<Record<AnswerClass, 'accept' | 'stop' | 'retry-once' | 're-sign-once'>> =
  {
    done: 'accept',
    absent: 'stop',
    permanent: 'stop',
    // "one short in-process retry if the deadline allows"; throttled: "as transient"
    transient: 'retry-once',
    throttled: 'retry-once',
    // "re-fetch the secret (bypassing the cache), re-sign, retry once; if it repeats: permanent"
    're-sign': 're-sign-once',
  };

/** How a step reads a call's final class (a re-sign answer whose retry could not start is still a failure). */
export const STEP_READINGS: Readonly<Record<AnswerClass, 'ok' | 'absent' | 'transient' | 'permanent'>> = {
  done: 'ok',
  absent: 'absent',
  transient: 'transient',
  throttled: 'transient',
  're-sign': 'transient',
  permanent: 'permanent',
};

/** At most this many HTTP attempts per logical call: the first, one after re-signing, one in-process retry. */
export const ATTEMPTS_PER_CALL = 3;
/** "act once more, then read back again": at most three listings (two reads each) and two acts (two writes). */
export const LOGICAL_CALLS_PER_FRIENDS_STEP = 3 * 2 + 2 * 2;
/** The most HTTP attempts one run of the default plan may make. */
export const MAX_ATTEMPTS_PER_PLAN = LOGICAL_CALLS_PER_FRIENDS_STEP * ATTEMPTS_PER_CALL;

// ------------------------------------------------------------------------------ "Erasure plan": friends

export interface CallConditions {
  /** The deadline leaves room for the short in-process retry (160–240 ms) after a transient answer. */
  roomForRetry: boolean;
  /** The deadline had passed before the batch started: no call can start (no answer is consumed). */
  expired: boolean;
  /** A forced secret fetch (after a re-sign answer) succeeds. */
  renewalSucceeds: boolean;
}

/** Why a plan run stopped before its step was done. */
export type PlanStop =
  | { type: 'absent'; errorCode?: number }
  | { type: 'failed'; failure: 'transient' | 'permanent' | 'unverified'; errorCode?: number }
  | { type: 'out-of-time' }
  | { type: 'defect' };

class Stopped extends Error {
  readonly stop: PlanStop;
  constructor(stop: PlanStop) {
    super(stop.type);
    this.stop = stop;
  }
}

export interface ModelCall {
  command: FriendsCommand;
  /** False: the call could not start (nothing was sent). */
  started: boolean;
}

export interface ModelPlanRun {
  /** Undefined: the step is done. */
  stop?: PlanStop;
  /** Items the listings found before each removal (friends: FriendNum plus list names). */
  removed: number;
  /** A removal call of this delivery was answered OK. */
  removedSomething: boolean;
  /** A Chat call of this delivery was sent. */
  started: boolean;
  calls: ModelCall[];
}

/** One logical call with DESIGN.md's per-call rules; returns the state a read reported, or stops the plan. */
function modelCall(
  run: ModelPlanRun,
  accounts: ChatAccounts,
  userId: string,
  command: FriendsCommand,
  body: object,
  conditions: CallConditions,
): AccountView {
  if (conditions.expired) {
    run.calls.push({ command, started: false });
    throw new Stopped({ type: 'out-of-time' });
  }
  let reSigned = false;
  let retried = false;
  let last: { cls: AnswerClass; errorCode?: number; view: AccountView } | undefined;
  const finish = (final: { cls: AnswerClass; errorCode?: number; view: AccountView }): AccountView => {
    const code = final.errorCode === undefined ? {} : { errorCode: final.errorCode };
    switch (STEP_READINGS[final.cls]) {
      case 'ok':
        return final.view;
      case 'absent':
        throw new Stopped({ type: 'absent', ...code });
      case 'transient':
        throw new Stopped({ type: 'failed', failure: 'transient', ...code });
      case 'permanent':
        throw new Stopped({ type: 'failed', failure: 'permanent', ...code });
    }
  };
  for (;;) {
    const { answer, view } = accounts.answer(userId, command, body);
    if (answer.via === 'not-started') {
      run.calls.push({ command, started: false });
      if (last === undefined) throw new Stopped({ type: 'out-of-time' });
      return finish(last);
    }
    run.calls.push({ command, started: true });
    if (answer.via === 'throws') throw new Stopped({ type: 'defect' });
    run.started = true;
    const cls = classOfAnswer(answer);
    const errorCode = errorCodeOf(answer);
    last = { cls, view, ...(errorCode === undefined ? {} : { errorCode }) };
    switch (CALL_ACTIONS[cls]) {
      case 'accept':
      case 'stop':
        return finish(last);
      case 're-sign-once':
        if (reSigned) return finish({ ...last, cls: 'permanent' });
        reSigned = true;
        // A secret that cannot be re-read: "Secrets Manager unreachable … transient".
        if (!conditions.renewalSucceeds) return finish({ ...last, cls: 'transient' });
        continue;
      case 'retry-once':
        if (retried || !conditions.roomForRetry) return finish(last);
        retried = true;
        continue;
    }
  }
}

/**
 * The `friends` step: list (`friend_get`, `group_get`), remove what is left (`friend_delete_all` with
 * `Delete_Type_Both`, then `group_delete` of the listed names), read back; if anything is left act once
 * more and read back again; still not empty → `unverified`.
 */
export function modelFriendsStep(
  accounts: ChatAccounts,
  userId: string,
  conditions: CallConditions,
): ModelPlanRun {
  const run: ModelPlanRun = { removed: 0, removedSomething: false, started: false, calls: [] };
  const call = (command: FriendsCommand, body: object) =>
    modelCall(run, accounts, userId, command, body, conditions);
  const list = (): AccountView => ({
    friendNum: call('sns/friend_get', { From_Account: userId }).friendNum,
    lists: call('sns/group_get', { From_Account: userId }).lists,
  });
  try {
    let left = list();
    for (let round = 0; ; round++) {
      const count = left.friendNum + left.lists.length;
      if (count === 0) return run;
      if (round === 2) throw new Stopped({ type: 'failed', failure: 'unverified' });
      run.removed += count;
      if (left.friendNum > 0) {
        call('sns/friend_delete_all', { From_Account: userId, DeleteType: 'Delete_Type_Both' });
        run.removedSomething = true;
      }
      if (left.lists.length > 0) {
        call('sns/group_delete', { From_Account: userId, GroupName: left.lists });
        run.removedSomething = true;
      }
      left = list();
    }
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    run.stop = error.stop;
    return run;
  }
}

// ------------------------------------------------------------------------------ "What it does"

/** DESIGN.md's `failure-reason` values. */
export type FailureReason =
  | 'invalid-event'
  | 'permanent-error'
  | 'retries-exhausted'
  | 'unverified'
  | 'receipt-undelivered';

export type Outcome = 'erased' | 'absent' | 'dead-lettered' | 'retry' | 'continued';

/** How a record's processing ended, before SQS is told anything. */
export type Ending =
  | 'completed'
  | 'absent'
  | 'absent-after-removal'
  | 'permanent'
  | 'transient'
  | 'unverified'
  | 'not-started'
  | 'out-of-time'
  | 'out-of-time-after-removal'
  | 'invalid-event'
  | 'secret-unavailable'
  | 'defect'
  | 'group-returned';

type Decision =
  | { do: 'erased' | 'absent' | 'retry' | 'continue' }
  | { do: 'dead-letter'; reason: FailureReason };

const ERASED: Decision = { do: 'erased' };
const ABSENT: Decision = { do: 'absent' };
const RETRY: Decision = { do: 'retry' };
const CONTINUE: Decision = { do: 'continue' };
const deadLetter = (reason: FailureReason): Decision => ({ do: 'dead-letter', reason });
const always = (decision: Decision) => ({ belowMax: decision, atMax: decision });

/**
 * Ending → decision, below MAX_RECEIVES and at it. Sources: "What it does" (the five outcomes), the error
 * table's action column, the Erasure plan's rules (Read back, Absent, Stop at the first failure, Long plans
 * continue), the deadline rule ("records not started go back … even at MAX_RECEIVES"), the Event rules
 * (invalid → dead-lettered; the FIFO rule) and "Secrets Manager unreachable: transient".
 */
export const DECISIONS: Readonly<Record<Ending, { belowMax: Decision; atMax: Decision }>> = {
  completed: always(ERASED),
  // "absent when no step of this delivery removed anything, erased otherwise"
  absent: always(ABSENT),
  'absent-after-removal': always(ERASED),
  permanent: always(deadLetter('permanent-error')),
  transient: { belowMax: RETRY, atMax: deadLetter('retries-exhausted') },
  unverified: { belowMax: RETRY, atMax: deadLetter('unverified') },
  'not-started': always(RETRY),
  // "A record that started, removed nothing and ran out of time is a transient failure."
  'out-of-time': { belowMax: RETRY, atMax: deadLetter('retries-exhausted') },
  'out-of-time-after-removal': always(CONTINUE),
  'invalid-event': always(deadLetter('invalid-event')),
  'secret-unavailable': { belowMax: RETRY, atMax: deadLetter('retries-exhausted') },
  defect: { belowMax: RETRY, atMax: deadLetter('retries-exhausted') },
  'group-returned': always(RETRY),
};

/** Endings in which a step failed: `failed-step` ("whenever a step failed") and `failedStep` on the audit line. */
export const STEP_FAILURES: ReadonlySet<Ending> = new Set([
  'permanent',
  'transient',
  'unverified',
  'out-of-time',
]);

/** The plan's ending, from a run of its step. */
export function endingOf(run: ModelPlanRun): Ending {
  const { stop } = run;
  if (stop === undefined) return 'completed';
  switch (stop.type) {
    case 'absent':
      return run.removedSomething ? 'absent-after-removal' : 'absent';
    case 'failed':
      return stop.failure;
    case 'out-of-time':
      if (!run.started) return 'not-started';
      return run.removedSomething ? 'out-of-time-after-removal' : 'out-of-time';
    case 'defect':
      return 'defect';
  }
}

/** What DESIGN.md fixes about the `friends` entry of `steps` ("Result per step"). */
export interface ModelStepResult {
  result?: 'done' | 'absent' | 'not-enabled' | 'failed';
  removed?: number;
  verified?: boolean;
}

/**
 * "Steps that did not run are omitted"; `verified`: "true when the step's last listing came back empty …
 * false for kick and for a failed step". `undefined`: the design does not fix the entry (a defect; a plan
 * that ran out of time after removing something).
 */
function stepResultOf(run: ModelPlanRun, ending: Ending): ModelStepResult | 'omitted' | undefined {
  switch (ending) {
    case 'completed':
      return { result: 'done', removed: run.removed, verified: true };
    case 'absent':
    case 'absent-after-removal':
      return { result: 'absent' };
    case 'permanent':
    case 'transient':
    case 'unverified':
    case 'out-of-time':
      return { result: 'failed', verified: false };
    case 'not-started':
      return 'omitted';
    default:
      return undefined;
  }
}

/** A receipt the model expects the function to try (DESIGN.md "Receipts"). */
export interface ModelReceipt {
  detailType: 'Chat Erasure Completed' | 'Chat Erasure Failed';
  outcome: 'erased' | 'absent' | 'dead-lettered';
  failureReason?: FailureReason;
  errorCode?: number;
  failedStep?: string;
}

/** Why a record went back, when it did. */
export type RetryCause = 'erasure' | 'dead-letter-refused' | 'receipt' | 'continuation-refused';

export interface ModelOutcome {
  outcome: Outcome;
  ending: Ending;
  /** dead-lettered: the reason sent; retry: the reason of the dead letter the DLQ refused, if that is why. */
  reason?: FailureReason;
  /** The code of the Chat answer that ended the plan (audit `errorCode`, DLQ `error-code`). */
  errorCode?: number;
  failedStep?: string;
  /** The dead letter attempted (sent, or refused by the DLQ). */
  deadLetter?: { reason: FailureReason; errorCode?: number; failedStep?: string };
  /**
   * The record ran (or shared) a plan: its `steps` must be on the audit line and the receipt; false: it did
   * not, so no step can be reported; undefined: not fixed (a defect stopped the run).
   */
  ranPlan?: boolean;
  /** The `friends` entry: what DESIGN.md fixes of it, `omitted`, or undefined (not fixed). */
  friends?: ModelStepResult | 'omitted';
  /** The receipt tried, if any (a dead-lettered record's: tried once, whatever happens to it). */
  receipt?: ModelReceipt;
  /** A waiting task hears `SendTaskHeartbeat` (records returned for retry or continued). */
  heartbeat: boolean;
  /** The continuation send attempted. */
  continuation?: { erasureId: string; requestId: string; continuation: number };
  retryCause?: RetryCause;
}

/** A record as the model sees it: what its body and attributes hold (decided by the test, not the handler). */
export interface ModelRecord {
  messageId: string;
  valid: boolean;
  userId?: string;
  receiveCount: number;
  /** FIFO message group; undefined on a standard queue. */
  groupId?: string;
  requestId: string;
  erasureId: string;
  /** The continuation number the record carries (0: a first delivery). */
  continuation: number;
  taskToken?: string;
}

export type ReceiptResult = 'delivered' | 'retryable' | 'refused';

export interface ModelWorld extends CallConditions {
  fifo: boolean;
  /** The admin the secret names. */
  adminIdentifier: string;
  credentialsLoad: boolean;
  maxReceives: number;
  accounts: ReadonlyMap<string, AccountSetup>;
  dlqRefuses: (messageId: string) => boolean;
  continuationRefuses: (messageId: string) => boolean;
  /** `RECEIPT_EVENT_BUS` is set. */
  receiptBus: boolean;
  receiptResult: (messageId: string) => ReceiptResult;
}

export interface ModelBatch {
  outcomes: Map<string, ModelOutcome>;
  /** The calls made for each userId, in order. */
  callsByUser: Map<string, ModelCall[]>;
  /** How many plan runs each userId gets (standard queues: one, shared by its records). */
  runsByUser: Map<string, number>;
}

/**
 * The whole batch. Standard queue: one plan run per distinct valid userId, shared by its records ("records
 * of one batch with the same userId share one erasure and its outcome"); each record is then decided by its
 * own receive count. FIFO: one run per record, in order; "when a record ends in retry, it and the rest of its
 * group are returned"; dead-lettered and continued count as done.
 */
export function modelBatch(records: readonly ModelRecord[], world: ModelWorld): ModelBatch {
  const accounts = new ChatAccounts(world.accounts);
  const callsByUser = new Map<string, ModelCall[]>();
  const runsByUser = new Map<string, number>();
  const shared = new Map<string, ModelPlanRun>();
  const run = (userId: string): ModelPlanRun => {
    const planRun = modelFriendsStep(accounts, userId, world);
    callsByUser.set(userId, [...(callsByUser.get(userId) ?? []), ...planRun.calls]);
    runsByUser.set(userId, (runsByUser.get(userId) ?? 0) + 1);
    return planRun;
  };
  const returnedGroups = new Set<string>();
  const outcomes = new Map<string, ModelOutcome>();
  for (const record of records) {
    let ending: Ending;
    let planRun: ModelPlanRun | undefined;
    if (record.groupId !== undefined && returnedGroups.has(record.groupId)) ending = 'group-returned';
    // "Every other rule is checked before the secret is read."
    else if (!record.valid || record.userId === undefined) ending = 'invalid-event';
    else if (!world.credentialsLoad) ending = 'secret-unavailable';
    // "Equal to the admin identifier … → invalid": known once the secret is read.
    else if (record.userId === world.adminIdentifier) ending = 'invalid-event';
    else {
      const { userId } = record;
      planRun = world.fifo ? run(userId) : (shared.get(userId) ?? run(userId));
      if (!world.fifo) shared.set(userId, planRun);
      ending = endingOf(planRun);
    }
    const outcome = carryOut(record, ending, planRun, world);
    outcomes.set(record.messageId, outcome);
    if (outcome.outcome === 'retry' && record.groupId !== undefined) returnedGroups.add(record.groupId);
  }
  return { outcomes, callsByUser, runsByUser };
}

/** "A record is reported as done to SQS only after erased or absent (and its receipt delivered …), a successful DLQ send, or a successful continuation send." */
function carryOut(
  record: ModelRecord,
  ending: Ending,
  planRun: ModelPlanRun | undefined,
  world: ModelWorld,
): ModelOutcome {
  const exhausted = record.receiveCount >= world.maxReceives;
  const decision = exhausted ? DECISIONS[ending].atMax : DECISIONS[ending].belowMax;
  const stop = planRun?.stop;
  const errorCode = stop?.type === 'absent' || stop?.type === 'failed' ? stop.errorCode : undefined;
  const code = errorCode === undefined ? {} : { errorCode };
  const failedStep = STEP_FAILURES.has(ending) ? { failedStep: 'friends' } : {};
  const friends = planRun === undefined ? undefined : stepResultOf(planRun, ending);
  const facts = {
    ending,
    ...code,
    ...failedStep,
    ...(ending === 'defect' ? {} : { ranPlan: planRun !== undefined }),
    ...(friends === undefined ? {} : { friends }),
  };
  // "Receipts": to the bus when one is configured, to the task when the event carries a token.
  const receiptNeeded = world.receiptBus || record.taskToken !== undefined;
  const withHeartbeat = (outcome: Omit<ModelOutcome, 'heartbeat'>): ModelOutcome => ({
    ...outcome,
    heartbeat:
      record.taskToken !== undefined && (outcome.outcome === 'retry' || outcome.outcome === 'continued'),
  });
  const sendDeadLetter = (
    reason: FailureReason,
    letter: { errorCode?: number; failedStep?: string },
    receipt: boolean,
  ): ModelOutcome => {
    const attempted = { deadLetter: { reason, ...letter } };
    if (world.dlqRefuses(record.messageId)) {
      return withHeartbeat({
        ...facts,
        outcome: 'retry',
        reason,
        ...attempted,
        retryCause: 'dead-letter-refused',
      });
    }
    // "their receipt is then tried once …; a failure is logged and counted, never retried. A
    // `receipt-undelivered` dead letter sends no receipt."
    const tried =
      receipt && receiptNeeded
        ? {
            receipt: {
              detailType: 'Chat Erasure Failed' as const,
              outcome: 'dead-lettered' as const,
              failureReason: reason,
              ...letter,
            },
          }
        : {};
    return withHeartbeat({ ...facts, outcome: 'dead-lettered', reason, ...attempted, ...tried });
  };
  switch (decision.do) {
    case 'erased':
    case 'absent': {
      if (!receiptNeeded) return withHeartbeat({ ...facts, outcome: decision.do });
      const receipt: ModelReceipt = { detailType: 'Chat Erasure Completed', outcome: decision.do };
      const result = world.receiptResult(record.messageId);
      if (result === 'delivered') return withHeartbeat({ ...facts, outcome: decision.do, receipt });
      // "Throttling, 5xx, … return the record for retry …; at MAX_RECEIVES the record is dead-lettered as
      // `receipt-undelivered`. Any other refusal … dead-lettered as `receipt-undelivered` at once."
      if (result === 'retryable' && !exhausted) {
        return withHeartbeat({ ...facts, outcome: 'retry', receipt, retryCause: 'receipt' });
      }
      return { ...sendDeadLetter('receipt-undelivered', code, false), receipt };
    }
    case 'dead-letter':
      return sendDeadLetter(decision.reason, { ...code, ...failedStep }, true);
    case 'continue': {
      const continuation = {
        erasureId: record.erasureId,
        requestId: record.requestId,
        continuation: record.continuation + 1,
      };
      if (world.continuationRefuses(record.messageId)) {
        return withHeartbeat({
          ...facts,
          outcome: 'retry',
          continuation,
          retryCause: 'continuation-refused',
        });
      }
      return withHeartbeat({ ...facts, outcome: 'continued', continuation });
    }
    case 'retry':
      return withHeartbeat({ ...facts, outcome: 'retry', retryCause: 'erasure' });
  }
}
