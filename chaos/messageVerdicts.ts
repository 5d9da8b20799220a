/**
 * What became of every message and every erasure of a chaos run, and whether that is allowed (DESIGN.md
 * "What it does", "Event", "DLQ message", "Erasure plan", "Error classification"). Pure: it reads what the
 * run recorded (the deliveries, the mapping's deletions, the function's audit lines, the DLQ, the Chat
 * requests, the receipts) and judges.
 *
 * Final states of one SQS message (an event's own, or a continuation the function sent):
 * - `erased` / `absent` / `continued`: the event source mapping deleted it after the handler reported that;
 * - `dead-lettered`: it is in the DLQ with our attributes;
 * - `backstop`: the queue's own redrive (maxReceiveCount) moved it to the DLQ, without our attributes;
 * - `in both`: it was reported done more than once, or deleted as erased/absent/continued and also in the DLQ;
 * - `lost`: none of the above.
 * An erasure (one event, followed by its `erasure-id` across continuations) ends as its last message ends; an
 * erasure whose last message was continued but whose continuation never arrived is lost.
 */
import type { RequestLogEntry } from '../sim/chat-api/index.ts';
import type { ChaosEvent } from './chaosWorkload.ts';
import { USER_ID_PATTERN } from './chaosWorkload.ts';
import type { DeliveredRecord, DeliveryLog } from './deliveryLog.ts';
import { codeClass, PLAN_STEPS, type PlanProfile } from './planCatalog.ts';
import type { ReceiptLog } from './receiptLog.ts';
import type { ChatCallIndex } from './requestSubjects.ts';

export const MESSAGE_STATES = [
  'erased',
  'absent',
  'dead-lettered',
  'continued',
  'backstop',
  'in both',
  'lost',
] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export const ERASURE_STATES = ['erased', 'absent', 'dead-lettered', 'backstop', 'in both', 'lost'] as const;
export type ErasureState = (typeof ERASURE_STATES)[number];

export const FAILURE_REASONS = [
  'invalid-event',
  'permanent-error',
  'retries-exhausted',
  'unverified',
  'receipt-undelivered',
] as const;

/** The outcomes the audit log reports a record done with (`retry` is the one that is not). */
const DONE_OUTCOMES = new Set(['erased', 'absent', 'dead-lettered', 'continued']);

/** One step's result, as audit lines and receipts report it. */
export interface StepResult {
  result: string;
  removed?: number;
  verified?: boolean;
  transferred?: number;
  destroyed?: number;
  residual?: Record<string, number>;
  notEnabled?: string[];
}

/** One `erasure` audit line of the function. */
export interface AuditLine {
  outcome: string;
  messageId: string;
  /** The invocation's awsRequestId (Powertools' `function_request_id`). */
  awsRequestId: string;
  steps?: Record<string, StepResult>;
}

/** One invocation as the event source mapping saw it. */
export interface InvocationRecord {
  awsRequestId: string;
  messageIds: string[];
  returnedMessageIds: string[];
  outcome: 'success' | 'partial' | 'failure';
  deletedCount: number;
}

/** A DLQ message: its body and its message attributes (`DataType` and string value). */
export interface DeadLetterCopy {
  body: string;
  attributes: Record<string, { dataType: string; value: string }>;
}

export interface MessageVerdict {
  messageId: string;
  /** 0 for the event's own message, n for its n-th continuation. */
  continuation: number;
  state: MessageState;
  /** `failure-reason` of its DLQ copy, when dead-lettered. */
  failureReason?: string;
  deadLetter?: DeadLetterCopy;
  /** Every DLQ copy (more than one: the record was dead-lettered again after a lost deletion). */
  deadLetters: DeadLetterCopy[];
  /** The audit line of the delivery that ended it. */
  finalAudit?: AuditLine;
  /** The plan of the warm instance that ended it, and the receive count of that delivery. */
  finalProfile?: PlanProfile;
  finalReceiveCount?: number;
  /** ApproximateReceiveCount of each of its deliveries. */
  receiveCounts: number[];
  /** The plan of the warm instance that ran its delivery with this receive count. */
  profileByReceiveCount: Map<number, PlanProfile>;
  /** The audit outcome of its delivery with this receive count (none: the invocation was cut). */
  outcomeByReceiveCount: Map<number, string>;
  problems: string[];
}

export interface ErasureVerdict {
  event: ChaosEvent;
  /** The event's own messageId: the erasure's `erasure-id`. */
  erasureId: string;
  /** Its messages, the event's own first, then the continuations in order. */
  messages: MessageVerdict[];
  state: ErasureState;
  failureReason?: string;
  /** Messages of this erasure that ended continued. */
  continued: number;
  /** Messages that ended it (more than one when a continuation was sent twice). */
  ends: number;
  /** The plans of the deliveries that finished it with nothing left (erased, absent, receipt-undelivered). */
  finishedBy: PlanProfile[];
  problems: string[];
}

export interface JudgeInput {
  events: readonly ChaosEvent[];
  /** The SQS messageId of each event, by index. */
  messageIds: readonly string[];
  deliveries: DeliveryLog;
  audit: readonly AuditLine[];
  invocations: readonly InvocationRecord[];
  deadLetters: readonly DeadLetterCopy[];
  calls: ChatCallIndex;
  receipts: ReceiptLog;
  /** The plan of a warm instance. */
  profileOf(instance: number): PlanProfile;
  hasAccount(id: string): boolean;
  maxReceives: number;
}

export interface Judgement {
  erasures: ErasureVerdict[];
  messages: Map<string, MessageVerdict>;
  /** Problems that belong to no event: DLQ messages or deliveries nobody sent. */
  strays: string[];
  /** Invocations whose DeleteMessageBatch removed fewer messages than the handler reported done. */
  deleteShortfalls: number;
}

/**
 * @example
 * const { erasures } = judgeMessages({ events, messageIds, deliveries, audit, invocations, … });
 * erasures.filter((erasure) => erasure.state === 'lost'); // must be empty
 */
export function judgeMessages(input: JudgeInput): Judgement {
  const strays: string[] = [];
  const eventByBody = new Map(input.events.map((event) => [event.body, event]));
  const eventOfMessage = new Map<string, ChaosEvent>(
    input.messageIds.map((id, index) => [id, input.events[index] as ChaosEvent]),
  );
  const continuationOf = new Map<string, DeliveredRecord>();
  for (const delivery of input.deliveries.deliveries) {
    for (const record of delivery.records) {
      if (eventOfMessage.has(record.messageId)) continue;
      const event = eventByBody.get(record.body);
      if (event === undefined) {
        strays.push(`a delivered message (${record.messageId}) matches no event body`);
        continue;
      }
      eventOfMessage.set(record.messageId, event);
      continuationOf.set(record.messageId, record);
    }
  }

  const doneReports = new Map<string, number>();
  for (const line of input.audit) {
    if (DONE_OUTCOMES.has(line.outcome))
      doneReports.set(line.messageId, (doneReports.get(line.messageId) ?? 0) + 1);
  }
  const auditByDelivery = new Map(
    input.audit.map((line) => [`${line.awsRequestId}|${line.messageId}`, line]),
  );
  const { deletions, deleteShortfalls } = collectDeletions(input.invocations, auditByDelivery);

  const ours = new Map<string, DeadLetterCopy[]>();
  const backstop = new Map<number, DeadLetterCopy[]>();
  for (const copy of input.deadLetters) {
    const source = copy.attributes['source-message-id']?.value;
    if (copy.attributes['failure-reason'] === undefined) {
      const event = eventByBody.get(copy.body);
      if (event === undefined) strays.push('a DLQ message without our attributes matches no event body');
      else append(backstop, event.index, copy);
    } else if (source === undefined || !eventOfMessage.has(source)) {
      strays.push(`a DLQ message names an unknown source-message-id (${String(source)})`);
    } else {
      append(ours, source, copy);
    }
  }

  const messagesByEvent = new Map<number, MessageVerdict[]>();
  const messages = new Map<string, MessageVerdict>();
  for (const [messageId, event] of eventOfMessage) {
    const record = continuationOf.get(messageId);
    const continuation = record === undefined ? 0 : Number(record.attributes.continuation);
    const deleted = deletions.get(messageId) ?? [];
    const copies = ours.get(messageId) ?? [];
    const finalCopy = latestCopy(copies);
    const deliveries = input.deliveries.recordsOf(messageId);
    const verdict: MessageVerdict = {
      messageId,
      continuation: Number.isInteger(continuation) ? continuation : Number.NaN,
      state: messageState(deleted, copies, doneReports.get(messageId) ?? 0),
      deadLetters: copies,
      receiveCounts: deliveries.map(({ record: delivered }) => delivered.receiveCount),
      profileByReceiveCount: new Map(
        deliveries.map(({ delivery, record: delivered }) => [
          delivered.receiveCount,
          input.profileOf(delivery.instance),
        ]),
      ),
      outcomeByReceiveCount: new Map(
        deliveries.flatMap(({ delivery, record: delivered }) => {
          const line = auditByDelivery.get(`${delivery.awsRequestId}|${messageId}`);
          return line === undefined ? [] : [[delivered.receiveCount, line.outcome] as const];
        }),
      ),
      problems: [],
      ...(finalCopy === undefined
        ? {}
        : { deadLetter: finalCopy, failureReason: finalCopy.attributes['failure-reason']?.value }),
    };
    const finalAudit =
      deleted[0]?.line ??
      input.audit.findLast((line) => line.messageId === messageId && line.outcome === 'dead-lettered');
    if (finalAudit !== undefined) {
      verdict.finalAudit = finalAudit;
      const delivery = input.deliveries.byRequestId(finalAudit.awsRequestId);
      if (delivery !== undefined) {
        verdict.finalProfile = input.profileOf(delivery.instance);
        const record = delivery.records.find((delivered) => delivered.messageId === messageId);
        if (record !== undefined) verdict.finalReceiveCount = record.receiveCount;
      }
    }
    messages.set(messageId, verdict);
    append(messagesByEvent, event.index, verdict);
  }

  const erasures = input.events.map((event, index) => {
    const erasureId = input.messageIds[index] as string;
    const chain = (messagesByEvent.get(index) ?? []).sort((a, b) => a.continuation - b.continuation);
    return judgeErasure(input, event, erasureId, chain, continuationOf, backstop.get(index) ?? []);
  });
  return { erasures, messages, strays, deleteShortfalls };
}

/**
 * The DLQ copy of the delivery that ended the record. A message has several copies when a DLQ send
 * succeeded after the function gave up on it and returned the record: a later delivery then dead-lettered
 * it again, maybe for another reason, and that later copy is the one its receipt describes.
 */
export function latestCopy(copies: readonly DeadLetterCopy[]): DeadLetterCopy | undefined {
  const attemptsOf = (copy: DeadLetterCopy) => Number(copy.attributes.attempts?.value ?? 0);
  return copies.reduce<DeadLetterCopy | undefined>(
    (latest, copy) => (latest === undefined || attemptsOf(copy) >= attemptsOf(latest) ? copy : latest),
    undefined,
  );
}

function messageState(
  deleted: readonly { outcome: string }[],
  copies: readonly DeadLetterCopy[],
  doneReports: number,
): MessageState {
  const outcome = deleted[0]?.outcome;
  if (doneReports > 1 || deleted.length > 1) return 'in both';
  if (copies.length > 0 && outcome !== undefined && outcome !== 'dead-lettered') return 'in both';
  if (copies.length > 0) return 'dead-lettered';
  if (outcome === 'erased' || outcome === 'absent' || outcome === 'continued') return outcome;
  return 'lost';
}

/**
 * Per message, the outcomes the handler reported in the invocations whose records the mapping deleted.
 * When a DeleteMessageBatch removed fewer than asked, the run cannot tell which: that invocation counts as
 * a shortfall and its records are not counted as deleted (they come back and are judged again).
 */
function collectDeletions(
  invocations: readonly InvocationRecord[],
  auditByDelivery: ReadonlyMap<string, AuditLine>,
): { deletions: Map<string, { outcome: string; line?: AuditLine }[]>; deleteShortfalls: number } {
  const deletions = new Map<string, { outcome: string; line?: AuditLine }[]>();
  let deleteShortfalls = 0;
  for (const invocation of invocations) {
    if (invocation.outcome === 'failure') continue;
    const returned = new Set(invocation.returnedMessageIds);
    const done = invocation.messageIds.filter((id) => !returned.has(id));
    if (invocation.deletedCount !== done.length) {
      deleteShortfalls++;
      continue;
    }
    for (const messageId of done) {
      const line = auditByDelivery.get(`${invocation.awsRequestId}|${messageId}`);
      append(
        deletions,
        messageId,
        line === undefined ? { outcome: 'no audit line' } : { outcome: line.outcome, line },
      );
    }
  }
  return { deletions, deleteShortfalls };
}

function judgeErasure(
  input: JudgeInput,
  event: ChaosEvent,
  erasureId: string,
  chain: MessageVerdict[],
  continuationOf: ReadonlyMap<string, DeliveredRecord>,
  backstopCopies: readonly DeadLetterCopy[],
): ErasureVerdict {
  const problems: string[] = [];
  const requestId = event.requestId ?? erasureId;
  const original = input.deliveries.recordsOf(erasureId)[0]?.record;
  for (const message of chain) {
    for (const copy of message.deadLetters) {
      checkDeadLetterCopy(copy, message, { event, erasureId, requestId, maxReceives: input.maxReceives });
    }
    const record = continuationOf.get(message.messageId);
    if (record !== undefined) checkContinuation(record, message, { erasureId, requestId, original });
    if (message.state === 'lost' || message.state === 'in both')
      message.problems.push(`final state: ${message.state}`);
  }
  // The chain: every continuation follows a message of the erasure with the number before it, and every
  // continued message has a successor on the queue.
  const numbers = new Set(chain.map((message) => message.continuation));
  for (const message of chain) {
    if (message.continuation >= 1 && !numbers.has(message.continuation - 1)) {
      message.problems.push(`continuation ${message.continuation} has no predecessor in its erasure`);
    }
    if (message.state === 'continued' && !numbers.has(message.continuation + 1)) {
      message.problems.push('continued, but its continuation never reached the function');
    }
  }
  let ends = chain.filter((message) => message.state !== 'continued');
  // A message the queue's redrive moved without our attributes: the erasure ends in the backstop.
  const unaccounted = ends.filter((message) => message.state === 'lost');
  for (const message of unaccounted.slice(0, backstopCopies.length)) {
    message.state = 'backstop';
    message.problems = message.problems.filter((problem) => problem !== 'final state: lost');
  }
  ends = ends.length === 0 ? chain.slice(-1) : ends;
  const last = ends.at(-1);
  const state: ErasureState =
    last === undefined || last.state === 'continued' ? 'lost' : (last.state as ErasureState);
  const finishedBy: PlanProfile[] = [];
  for (const message of ends) {
    if (message.state === 'continued') continue;
    message.problems.push(...outcomeProblems(input, event, message));
    const done =
      message.state === 'erased' ||
      message.state === 'absent' ||
      (message.state === 'dead-lettered' && message.failureReason === 'receipt-undelivered');
    if (done && message.finalProfile !== undefined) finishedBy.push(message.finalProfile);
  }
  return {
    event,
    erasureId,
    messages: chain,
    state,
    ...(last?.failureReason === undefined ? {} : { failureReason: last.failureReason }),
    continued: chain.filter((message) => message.state === 'continued').length,
    ends: ends.length,
    finishedBy,
    problems,
  };
}

interface CopyContext {
  event: ChaosEvent;
  erasureId: string;
  requestId: string;
  maxReceives: number;
}

/** The DLQ contract for one copy: body byte for byte, and every attribute as DESIGN.md names it. */
function checkDeadLetterCopy(copy: DeadLetterCopy, message: MessageVerdict, context: CopyContext): void {
  const problem = (text: string) => message.problems.push(`DLQ copy: ${text}`);
  if (!Buffer.from(copy.body, 'utf8').equals(Buffer.from(context.event.body, 'utf8'))) {
    problem('body differs from the message sent');
  }
  const attribute = (name: string) => copy.attributes[name];
  const reason = attribute('failure-reason')?.value ?? '';
  if (!(FAILURE_REASONS as readonly string[]).includes(reason)) problem(`failure-reason ${reason}`);
  const attempts = attribute('attempts');
  const attemptCount = Number(attempts?.value);
  if (attempts?.dataType !== 'Number' || !(Number.isInteger(attemptCount) && attemptCount >= 1)) {
    problem(`attempts is not a Number ≥ 1 (${JSON.stringify(attempts)})`);
  } else {
    if (!message.receiveCounts.includes(attemptCount)) {
      problem(`attempts ${attemptCount} is none of its receive counts (${message.receiveCounts.join(', ')})`);
    }
    if ((reason === 'retries-exhausted' || reason === 'unverified') && attemptCount < context.maxReceives) {
      problem(`${reason} after ${attemptCount} attempts (MAX_RECEIVES ${context.maxReceives})`);
    }
  }
  if (attribute('source-message-id')?.value !== message.messageId)
    problem('source-message-id is not its messageId');
  if (attribute('erasure-id')?.value !== context.erasureId) {
    problem(
      `erasure-id ${String(attribute('erasure-id')?.value)}, expected the first messageId of the erasure`,
    );
  }
  const requestId = attribute('request-id')?.value;
  if (requestId !== context.requestId) {
    problem(`request-id ${String(requestId)}, expected ${context.event.requestId ?? 'the erasure-id'}`);
  }
  const failedAt = attribute('failed-at')?.value ?? '';
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(failedAt) || Number.isNaN(Date.parse(failedAt))) {
    problem(`failed-at is not ISO-8601 (${failedAt})`);
  }
  const errorMessage = attribute('error-message')?.value;
  if (errorMessage === undefined || errorMessage.length === 0 || Array.from(errorMessage).length > 256) {
    problem('error-message missing, empty or longer than 256 characters');
  } else if (USER_ID_PATTERN.test(errorMessage)) {
    problem('error-message holds a userId');
  }
  const errorCode = attribute('error-code');
  if (errorCode !== undefined && (errorCode.dataType !== 'Number' || !/^-?\d+$/.test(errorCode.value))) {
    problem(`error-code is not a Number (${JSON.stringify(errorCode)})`);
  }
  const failedStep = attribute('failed-step')?.value;
  if (failedStep !== undefined && !(PLAN_STEPS as readonly string[]).includes(failedStep)) {
    problem(`failed-step ${failedStep} is no step of the plan`);
  }
  if (reason === 'unverified' && failedStep === undefined)
    problem('an unverified dead letter has no failed-step');
  for (const [name, value] of Object.entries(copy.attributes)) {
    if (value.dataType !== 'String' && value.dataType !== 'Number')
      problem(`${name} has DataType ${value.dataType}`);
  }
}

/** A continuation carries its erasure on: same body (how it was found), erasure-id, request-id, first-sent-at. */
function checkContinuation(
  record: DeliveredRecord,
  message: MessageVerdict,
  context: { erasureId: string; requestId: string; original: DeliveredRecord | undefined },
): void {
  const problem = (text: string) => message.problems.push(`continuation: ${text}`);
  const { attributes } = record;
  if (!(Number.isInteger(message.continuation) && message.continuation >= 1)) {
    problem(`continuation attribute ${String(attributes.continuation)} is not a number ≥ 1`);
  }
  if (attributes['erasure-id'] !== context.erasureId)
    problem('erasure-id is not the first messageId of the erasure');
  if (attributes['request-id'] !== context.requestId)
    problem(`request-id ${String(attributes['request-id'])}`);
  const firstSentAt = Date.parse(attributes['first-sent-at'] ?? '');
  if (Number.isNaN(firstSentAt)) problem('first-sent-at is not ISO-8601');
  else if (
    context.original !== undefined &&
    Math.abs(firstSentAt - context.original.sentTimestampMs) > 1000
  ) {
    problem('first-sent-at is not when the erasure was first sent');
  }
}

/** Whether the way a message ended fits its event and what the Chat API, the receipts and SQS did. */
function outcomeProblems(input: JudgeInput, event: ChaosEvent, message: MessageVerdict): string[] {
  const { expected } = event;
  const { state } = message;
  if (state === 'lost' || state === 'in both' || state === 'backstop' || state === 'continued') return [];
  if (expected.type === 'invalid') {
    if (state !== 'dead-lettered') return [`an invalid event ended ${state}`];
    return invalidEventProblems(message, expected);
  }
  const calls = input.calls.about(expected.userId);
  const doomed = expected.type === 'erasable' && expected.doom !== undefined;
  // An injected "does not exist" about the user stops its plan: absent, or erased after a removal.
  const lied = calls.some((call) => injectedCodeClass(call) === 'absent');
  if (state === 'erased' || state === 'absent') {
    if (event.receiptThrottled)
      return [`ended ${state} although EventBridge refused every receipt of its erasure`];
    if (doomed && state === 'erased' && !lied) {
      return [`an account whose every delivery fails (${expected.doom}) ended erased`];
    }
  }
  if (state === 'erased') {
    return expected.type === 'absent' ? ['an account that never existed was reported erased'] : [];
  }
  if (state === 'absent') {
    // DESIGN.md: absent = the API says the account does not exist.
    return input.hasAccount(expected.userId) && !lied
      ? ['reported absent, but the account exists and no answer said otherwise']
      : [];
  }
  return deadLetterProblems(input, message, calls);
}

/** The class of an error code injected on a request (not a disagreeing answer), if any. */
function injectedCodeClass(call: RequestLogEntry): string | undefined {
  const match = /^error-code:(\d+)$/.exec(call.fault ?? '');
  return match === null ? undefined : codeClass(Number(match[1]));
}

function invalidEventProblems(
  message: MessageVerdict,
  expected: { reason: string; admin?: boolean },
): string[] {
  const copy = message.deadLetter;
  if (copy === undefined) return [];
  const reason = copy.attributes['failure-reason']?.value;
  const errorMessage = copy.attributes['error-message']?.value ?? '';
  // Only the admin rule needs the secret: an admin event may wait out a Secrets Manager outage (DESIGN.md).
  if (reason === 'retries-exhausted' && expected.admin) return [];
  if (reason !== 'invalid-event') return [`an invalid event was dead-lettered as ${String(reason)}`];
  const problems: string[] = [];
  if (errorMessage !== expected.reason)
    problems.push(`error-message "${errorMessage}", expected "${expected.reason}"`);
  if (copy.attributes['error-code'] !== undefined) problems.push('an invalid event carries an error-code');
  return problems;
}

/** A valid event's dead letter, justified by what the Chat API answered for its user, or by its receipts. */
function deadLetterProblems(
  input: JudgeInput,
  message: MessageVerdict,
  calls: readonly RequestLogEntry[],
): string[] {
  const copy = message.deadLetter;
  if (copy === undefined) return [];
  const errorMessage = copy.attributes['error-message']?.value ?? '';
  const problems = deadLetterReasonProblems(input, message, calls, copy);
  const step = copy.attributes['failed-step']?.value;
  const where = `${step === undefined ? '' : `failed-step ${step}, `}error-message "${errorMessage}"`;
  return problems.map((problem) => `${problem} (${where})`);
}

function deadLetterReasonProblems(
  input: JudgeInput,
  message: MessageVerdict,
  calls: readonly RequestLogEntry[],
  copy: DeadLetterCopy,
): string[] {
  const reason = copy.attributes['failure-reason']?.value;
  const errorMessage = copy.attributes['error-message']?.value ?? '';
  const codeText = copy.attributes['error-code']?.value;
  const code = codeText === undefined ? undefined : Number(codeText);
  const answered = (value: number) =>
    calls.some((call) => call.errorCode === value || call.fault === `item-error:${value}`);
  const disagreeing = (value: number) => calls.some((call) => call.fault === `error-code:${value}:OK`);
  const status = /^HTTP (\d{3})$/.exec(errorMessage)?.[1];
  const permanentStatus = status !== undefined && !['408', '429'].includes(status) && Number(status) < 500;
  switch (reason) {
    case 'permanent-error': {
      if (code !== undefined) {
        const kind = codeClass(code);
        const problems: string[] = [];
        if (kind !== 'permanent' && kind !== 're-sign')
          problems.push(`permanent-error with ${kind} code ${code}`);
        if (!answered(code))
          problems.push(`permanent-error code ${code} was never answered for this account`);
        return problems;
      }
      if (!permanentStatus)
        return [`permanent-error without a code and with error-message "${errorMessage}"`];
      return calls.some((call) => call.httpStatus === Number(status))
        ? []
        : [`permanent-error ${errorMessage} was never answered for this account`];
    }
    case 'retries-exhausted': {
      if (code === undefined) return permanentStatus ? [`retries-exhausted with ${errorMessage}`] : [];
      const kind = codeClass(code);
      const problems: string[] = [];
      if (!['transient', 'throttled', 're-sign'].includes(kind) && !disagreeing(code)) {
        problems.push(`retries-exhausted with ${kind} code ${code}`);
      }
      if (!answered(code) && !disagreeing(code)) {
        problems.push(`retries-exhausted code ${code} was never answered for this account`);
      }
      return problems;
    }
    case 'unverified':
      // A list that does not shrink: a write that answered OK and changed nothing, or failed items.
      return calls.some(
        (call) =>
          call.fault !== undefined &&
          /^(ignore|item-error|error-code:(10010|10015|31704|51009))/.test(call.fault),
      )
        ? []
        : ['unverified, but no write for this account was ignored or failed by item'];
    case 'receipt-undelivered': {
      const attempts = Number(copy.attributes.attempts?.value);
      return attempts >= input.maxReceives || input.receipts.hadFailedAttempt(message.messageId)
        ? []
        : ['receipt-undelivered before MAX_RECEIVES without any refused receipt'];
    }
    default:
      return [`a valid event was dead-lettered as ${String(reason)}`];
  }
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
