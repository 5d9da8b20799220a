/**
 * Whether every finished record got the receipts it should, and nothing else did (DESIGN.md "Receipts"):
 * - erased / absent: delivered to the bus (`Chat Erasure Completed`, the outcome in the detail; the last one
 *   says how it ended) and, when the event carried a task token, to its task (SendTaskSuccess, accepted or
 *   answered "nobody waits"); never a failure receipt;
 * - dead-lettered (not `receipt-undelivered`): `Chat Erasure Failed` with its failure reason on the bus and
 *   SendTaskFailure `ChatErasure.<reason>` for a token: tried once, so a missing one must be counted in the
 *   `ReceiptsUndelivered` metric;
 * - `receipt-undelivered`: no failure receipt (the erasure is done; replaying delivers it);
 * - continued, or never finished: no receipt (a task may hear heartbeats).
 * Every receipt's detail is checked against the record: erasureId, requestId, messageId, attempts, steps.
 */
import type { ChaosEvent } from './chaosWorkload.ts';
import { USER_ID_PATTERN } from './chaosWorkload.ts';
import type { ErasureVerdict, MessageVerdict } from './messageVerdicts.ts';
import { stepsOf } from './planCatalog.ts';
import type { BusReceipt, ReceiptDetail, ReceiptLog, TaskCallback } from './receiptLog.ts';

export const COMPLETED = 'Chat Erasure Completed';
export const FAILED = 'Chat Erasure Failed';

export interface ReceiptJudgement {
  problems: string[];
  /** Dead-lettered records whose (tried once) receipt is missing somewhere. */
  deadLettersWithoutReceipt: number;
}

/**
 * @param tokens the task token each event carries (by event index)
 * @param receiptsUndelivered the sum of the function's `ReceiptsUndelivered` metric
 * @example
 * const { problems } = judgeReceipts({ erasures, receipts, tokens, receiptsUndelivered, sdkAppId });
 */
export function judgeReceipts(input: {
  erasures: readonly ErasureVerdict[];
  receipts: ReceiptLog;
  tokens: ReadonlyMap<number, string>;
  receiptsUndelivered: number;
  sdkAppId: number;
  /** The Step Functions task of a token, as it ended. */
  taskOf?: (token: string) => TaskState | undefined;
}): ReceiptJudgement {
  const problems: string[] = [];
  const known = new Set<string>();
  let deadLettersWithoutReceipt = 0;
  for (const erasure of input.erasures) {
    const token = input.tokens.get(erasure.event.index);
    const task = token === undefined ? undefined : input.taskOf?.(token);
    if (token !== undefined && task !== undefined)
      erasure.problems.push(...taskProblems(erasure, token, task, input.receipts));
    for (const message of erasure.messages) {
      known.add(message.messageId);
      const context = { erasure, message, token, receipts: input.receipts, sdkAppId: input.sdkAppId };
      const result = messageReceiptProblems(context);
      message.problems.push(...result.problems);
      if (result.missingTried) deadLettersWithoutReceipt++;
    }
  }
  if (deadLettersWithoutReceipt > input.receiptsUndelivered) {
    problems.push(
      `${deadLettersWithoutReceipt} dead-lettered records lack a receipt, but ReceiptsUndelivered counts only ${input.receiptsUndelivered}`,
    );
  }
  const strays = [...input.receipts.messageIds()].filter((id) => !known.has(id));
  if (strays.length > 0) problems.push(`${strays.length} receipts name no message of the run`);
  const tokens = new Set(input.tokens.values());
  const strayBeats = input.receipts.heartbeats.filter((beat) => !tokens.has(beat.token)).length;
  if (strayBeats > 0) problems.push(`${strayBeats} heartbeats for tokens no event carried`);
  return { problems, deadLettersWithoutReceipt };
}

/** A Step Functions task as it ended (the stand-in's view). */
export interface TaskState {
  status: string;
  error?: string;
}

/**
 * The task of a finished erasure ended as the erasure did: succeeded for erased or absent, failed with
 * `ChatErasure.<reason>` for a dead letter. A task that timed out before the run stays so; one whose callback
 * was answered "nobody waits" (delivered, per DESIGN.md) may still wait; a dead letter's task may still wait
 * (its receipt is tried once, and counted when it fails) or have succeeded (an earlier delivery finished the
 * erasure and its bus receipt was refused).
 */
function taskProblems(
  erasure: ErasureVerdict,
  token: string,
  task: TaskState,
  receipts: ReceiptLog,
): string[] {
  if (erasure.event.task?.expired)
    return task.status === 'timed-out' ? [] : [`an expired task ended ${task.status}`];
  const callbacks = receipts.taskCallbacks.filter((callback) => callback.token === token);
  const toldGone = callbacks.some((callback) => callback.answer !== 'OK' && callback.accepted);
  const state = erasure.state;
  if (state === 'erased' || state === 'absent') {
    if (task.status === 'succeeded' || (task.status === 'waiting' && toldGone)) return [];
    return [`task ${task.status} for an erasure that ended ${state}`];
  }
  if (state === 'dead-lettered' && erasure.failureReason !== 'receipt-undelivered') {
    if (task.status === 'failed') {
      return task.error === `ChatErasure.${erasure.failureReason}`
        ? []
        : [`task failed with ${String(task.error)}`];
    }
    if (task.status === 'waiting' || task.status === 'succeeded') return [];
    return [`task ${task.status} for an erasure dead-lettered as ${String(erasure.failureReason)}`];
  }
  return task.status === 'failed' && state !== 'dead-lettered'
    ? [`task failed for an erasure that ended ${state}`]
    : [];
}

interface MessageContext {
  erasure: ErasureVerdict;
  message: MessageVerdict;
  token: string | undefined;
  receipts: ReceiptLog;
  sdkAppId: number;
}

function messageReceiptProblems(context: MessageContext): { problems: string[]; missingTried: boolean } {
  const { message, token, receipts } = context;
  const bus = receipts.busFor(message.messageId);
  const callbacks = receipts.callbacksFor(message.messageId);
  const problems: string[] = [];
  for (const receipt of bus)
    problems.push(...detailProblems(receipt.detail, context, `bus ${receipt.detailType}`));
  for (const receipt of bus) problems.push(...busShapeProblems(receipt));
  for (const callback of callbacks) problems.push(...callbackProblems(callback, context));
  const details = [
    ...bus.map((receipt) => receipt.detail),
    ...callbacks.flatMap((callback): ReceiptDetail[] =>
      callback.detail === undefined ? [] : [callback.detail],
    ),
  ];
  for (const detail of details) {
    problems.push(...attributionProblems(detail, context));
  }
  const failures = bus.filter((receipt) => receipt.detailType === FAILED);
  const taskFailures = callbacks.filter((callback) => callback.operation === 'SendTaskFailure');
  const taskSuccesses = callbacks.filter((callback) => callback.operation === 'SendTaskSuccess');
  let missingTried = false;
  switch (message.state) {
    case 'erased':
    case 'absent': {
      // Done only once its receipts were delivered: the delivery that ended it sent them.
      const final = (detail: ReceiptDetail | undefined) =>
        detail !== undefined &&
        Number(detail.attempts) === message.finalReceiveCount &&
        detail.outcome === message.state;
      if (!bus.some((receipt) => receipt.detailType === COMPLETED && final(receipt.detail))) {
        problems.push(`ended ${message.state} without a receipt on the bus`);
      }
      const last = bus.at(-1);
      if (last !== undefined && (last.detailType !== COMPLETED || last.detail.outcome !== message.state)) {
        problems.push(
          `ended ${message.state}, but its last bus receipt is ${last.detailType} ${String(last.detail.outcome)}`,
        );
      }
      if (
        token !== undefined &&
        !taskSuccesses.some((callback) => callback.accepted && final(callback.detail))
      ) {
        problems.push(`ended ${message.state} without a delivered SendTaskSuccess`);
      }
      if (failures.length + taskFailures.length > 0)
        problems.push(`ended ${message.state}, yet got a failure receipt`);
      break;
    }
    case 'dead-lettered': {
      const reason = message.failureReason;
      if (reason === 'receipt-undelivered') {
        if (failures.length + taskFailures.length > 0)
          problems.push('receipt-undelivered, yet got a failure receipt');
        break;
      }
      const onBus = failures.length > 0;
      const onTask = token === undefined || taskFailures.some((callback) => callback.accepted);
      if (!onBus || !onTask) missingTried = true;
      const last = bus.at(-1);
      if (onBus && (last?.detailType !== FAILED || last.detail.failureReason !== reason)) {
        problems.push(
          `dead-lettered as ${String(reason)}, but its last bus receipt is ${String(last?.detailType)} ${String(last?.detail.failureReason)}`,
        );
      }
      for (const callback of taskFailures) {
        if (callback.error !== `ChatErasure.${reason}`)
          problems.push(`SendTaskFailure error ${String(callback.error)} for ${String(reason)}`);
      }
      break;
    }
  }
  return { problems: problems.map((problem) => `receipts: ${problem}`), missingTried };
}

/**
 * A receipt belongs to a delivery that ended the record (erased, absent, dead-lettered), or to one that tried
 * to and went back for retry because a receipt was refused: never to a record returned for retry or
 * continued for any other reason. `attempts` names the delivery (its receive count).
 */
function attributionProblems(detail: ReceiptDetail, context: MessageContext): string[] {
  const attempts = Number(detail.attempts);
  const { message, receipts } = context;
  const outcome = message.outcomeByReceiveCount.get(attempts);
  const refused = receipts.hadFailedAttemptAt(message.messageId, attempts);
  // An erasure whose receipt could not be delivered is dead-lettered as receipt-undelivered: some
  // destination may have taken the completion receipt before another refused it.
  if (outcome === 'dead-lettered' && detail.outcome !== 'dead-lettered') {
    return message.failureReason === 'receipt-undelivered' && refused
      ? []
      : [`a receipt says ${String(detail.outcome)} for a delivery that dead-lettered the record`];
  }
  if (outcome === undefined || outcome === 'erased' || outcome === 'absent' || outcome === 'dead-lettered') {
    return outcome === undefined || outcome === detail.outcome
      ? []
      : [`a receipt says ${String(detail.outcome)} for a delivery that ended ${outcome}`];
  }
  if (outcome === 'retry' && detail.outcome !== 'dead-lettered' && refused) return [];
  return [`a receipt (${String(detail.outcome)}) for a delivery that ended ${outcome}`];
}

function busShapeProblems(receipt: BusReceipt): string[] {
  const problems: string[] = [];
  if (receipt.source !== 'chat-erasure') problems.push(`bus receipt Source ${receipt.source}`);
  if (receipt.detailType !== COMPLETED && receipt.detailType !== FAILED) {
    problems.push(`bus receipt DetailType ${receipt.detailType}`);
  }
  if (receipt.detailType === COMPLETED && !['erased', 'absent'].includes(String(receipt.detail.outcome))) {
    problems.push(`a ${COMPLETED} receipt says ${String(receipt.detail.outcome)}`);
  }
  if (receipt.detailType === FAILED && receipt.detail.outcome !== 'dead-lettered') {
    problems.push(`a ${FAILED} receipt says ${String(receipt.detail.outcome)}`);
  }
  return problems;
}

function callbackProblems(callback: TaskCallback, context: MessageContext): string[] {
  const problems: string[] = [];
  if (context.token === undefined || callback.token !== context.token) {
    problems.push(`${callback.operation} to a token its event does not carry`);
  }
  if (callback.detail === undefined)
    return [...problems, `${callback.operation} detail is not a JSON object`];
  problems.push(...detailProblems(callback.detail, context, callback.operation));
  const outcome = String(callback.detail.outcome);
  if (callback.operation === 'SendTaskSuccess' && outcome !== 'erased' && outcome !== 'absent') {
    problems.push(`SendTaskSuccess says ${outcome}`);
  }
  if (
    callback.operation === 'SendTaskFailure' &&
    callback.error !== `ChatErasure.${String(callback.detail.failureReason)}`
  ) {
    problems.push(`SendTaskFailure error ${String(callback.error)} disagrees with its detail`);
  }
  return problems;
}

/** A receipt detail must describe its record (DESIGN.md "Receipts"). */
function detailProblems(detail: ReceiptDetail, context: MessageContext, where: string): string[] {
  const { erasure, message } = context;
  const event: ChaosEvent = erasure.event;
  const problems: string[] = [];
  const expectEqual = (name: string, actual: unknown, expected: unknown) => {
    if (actual !== expected)
      problems.push(`${where}: ${name} ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  expectEqual('version', detail.version, '1');
  expectEqual('erasureId', detail.erasureId, erasure.erasureId);
  expectEqual('requestId', detail.requestId, event.requestId ?? erasure.erasureId);
  expectEqual('messageId', detail.messageId, message.messageId);
  if (!message.receiveCounts.includes(Number(detail.attempts))) {
    problems.push(`${where}: attempts ${String(detail.attempts)} is none of its receive counts`);
  }
  if (detail.user !== undefined && !/^[0-9a-f]{16}$/.test(String(detail.user))) {
    problems.push(`${where}: user is not a pseudonym`);
  }
  if (detail.sdkAppId !== undefined) expectEqual('sdkAppId', detail.sdkAppId, context.sdkAppId);
  if (Number.isNaN(Date.parse(String(detail.completedAt))))
    problems.push(`${where}: completedAt is not a time`);
  if (!Array.isArray(detail.residual)) problems.push(`${where}: residual is not a list`);
  if (USER_ID_PATTERN.test(JSON.stringify(detail))) problems.push(`${where}: holds a userId in plain text`);
  if (detail.outcome === 'dead-lettered') {
    const copy = message.deadLetter;
    expectEqual('failureReason', detail.failureReason, message.failureReason ?? detail.failureReason);
    if (copy !== undefined && detail.failureReason === message.failureReason) {
      const code = copy.attributes['error-code']?.value;
      expectEqual('errorCode', detail.errorCode, code === undefined ? undefined : Number(code));
      expectEqual('failedStep', detail.failedStep, copy.attributes['failed-step']?.value);
    }
  }
  problems.push(...stepProblems(detail, context, where));
  return problems;
}

/**
 * An erased record ran every step of its plan (done or not-enabled, verified where the step reads back), or
 * stopped at a step that found the account absent; steps that did not run are left out.
 */
function stepProblems(detail: ReceiptDetail, context: MessageContext, where: string): string[] {
  const steps = detail.steps as Record<string, { result?: unknown; verified?: unknown }> | undefined;
  const profile = context.message.profileByReceiveCount.get(Number(detail.attempts));
  if (steps === undefined || profile === undefined) return [];
  const plan = stepsOf(profile);
  const names = Object.keys(steps);
  const problems: string[] = [];
  if (names.some((name, index) => plan[index] !== name)) {
    problems.push(`${where}: steps ${names.join(',')} are not a prefix of the plan ${plan.join(',')}`);
  }
  if (detail.outcome === 'absent' && steps[names.at(-1) ?? '']?.result !== 'absent') {
    problems.push(`${where}: absent, but no step found the account absent`);
  }
  if (detail.outcome === 'erased') {
    const stoppedAbsent = steps[names.at(-1) ?? '']?.result === 'absent';
    if (!stoppedAbsent && names.length !== plan.length)
      problems.push(`${where}: erased without running every step`);
    for (const name of names) {
      const step = steps[name];
      if (name === names.at(-1) && stoppedAbsent) continue;
      if (step?.result !== 'done' && step?.result !== 'not-enabled')
        problems.push(`${where}: erased with ${name} ${String(step?.result)}`);
      if (step?.result === 'done' && name !== 'kick' && step.verified !== true)
        problems.push(`${where}: erased with ${name} unverified`);
    }
  }
  return problems;
}
