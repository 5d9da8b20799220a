/**
 * What became of every event of a chaos run, and whether that is allowed (DESIGN.md "What it does",
 * "DLQ message", "Error classification"). Pure: it reads what the run recorded (the mapping's deletions,
 * the function's audit lines, the DLQ, the simulator's graph and request log) and judges.
 *
 * Final states of one SQS message:
 * - `erased` / `absent`: the event source mapping deleted it after the handler reported that outcome;
 * - `dead-lettered`: it is in the DLQ with our attributes and the handler reported `dead-lettered`;
 * - `backstop`: the queue's own redrive (maxReceiveCount) moved it to the DLQ, without our attributes;
 * - `in both`: the message was reported done more than once (two audit lines with a done outcome, or two
 *   deletions), or it was deleted as erased/absent and is also in the DLQ. An *account* that was erased
 *   by an attempt whose answer was lost (a timeout) and whose message was later dead-lettered as
 *   `retries-exhausted` is not "in both": the message was reported done once, as dead-lettered, and the
 *   erasure is idempotent. Such events are counted as `alreadyErased`;
 * - `lost`: none of the above: not deleted, not in the DLQ.
 */
import type { RequestLogEntry } from '../sim/chat-api/index.ts';
import { classifyChatErrorCode } from '../src/erasure/errorClasses.ts';
import { type ChaosEvent, type Doom, USER_ID_PATTERN } from './chaosWorkload.ts';

export const FINAL_STATES = ['erased', 'absent', 'dead-lettered', 'backstop', 'in both', 'lost'] as const;
export type FinalState = (typeof FINAL_STATES)[number];

/** The done outcomes of the audit log (`retry` is not one). */
const DONE_OUTCOMES = new Set(['erased', 'absent', 'dead-lettered']);

/** One `erasure` audit line of the function. */
export interface AuditLine {
  outcome: string;
  messageId: string;
  /** The invocation's awsRequestId (Powertools' `function_request_id`). */
  awsRequestId: string;
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

/** The simulator's graph, read after the run. */
export interface GraphView {
  friendsOf(id: string): string[];
  holdersOf(id: string): string[];
  hasAccount(id: string): boolean;
}

export interface EventVerdict {
  event: ChaosEvent;
  messageId: string;
  state: FinalState;
  /** `failure-reason` of its DLQ copy, when dead-lettered. */
  failureReason?: string;
  /** Dead-lettered, but its account's friendships were already deleted (a lost answer, or a duplicate). */
  alreadyErased?: boolean;
  /** An invalid event dead-lettered as retries-exhausted because the secret could not be read. */
  invalidDuringSecretsOutage?: boolean;
  /** More than one DLQ copy (each reported done once only if the others came from overrun invocations). */
  deadLetterCopies: number;
  /** Broken promises about this event; empty when all is well. */
  problems: string[];
}

export interface JudgeInput {
  events: readonly ChaosEvent[];
  /** The SQS messageId of each event, by index. */
  messageIds: readonly string[];
  oneWayHolders: ReadonlyMap<string, ReadonlySet<string>>;
  graph: GraphView;
  requests: readonly RequestLogEntry[];
  audit: readonly AuditLine[];
  invocations: readonly InvocationRecord[];
  deadLetters: readonly DeadLetterCopy[];
  maxReceives: number;
}

export interface Judgement {
  verdicts: EventVerdict[];
  /** Problems with DLQ messages that belong to no event. */
  strayDeadLetters: string[];
  /** Invocations whose DeleteMessageBatch removed fewer messages than the handler reported done. */
  deleteShortfalls: number;
}

/** Error messages a transient failure without an ErrorCode may carry (classifyChatAnswer, adminCredentials). */
const TRANSIENT_MESSAGES = [
  /^timeout$/,
  /^connection error$/,
  /^HTTP (408|429|5\d\d)$/,
  /^HTTP status out of range$/,
  /^unexpected answer: /,
  /^Secrets Manager could not be read/,
  /^the secret does not match the contract/,
];
const SECRETS_UNREADABLE = /^Secrets Manager could not be read/;
const PERMANENT_HTTP = /^HTTP (\d{3})$/;

/**
 * @example
 * const { verdicts } = judgeEvents({ events, messageIds, graph: world.chat, requests, audit, … });
 * verdicts.filter((verdict) => verdict.state === 'lost'); // must be empty
 */
export function judgeEvents(input: JudgeInput): Judgement {
  const callsByUser = groupCallsByUser(input.requests);
  const doneReports = countBy(
    input.audit.filter((line) => DONE_OUTCOMES.has(line.outcome)),
    (line) => line.messageId,
  );
  const auditByDelivery = new Map(
    input.audit.map((line) => [`${line.awsRequestId}|${line.messageId}`, line]),
  );
  const { deletions, deleteShortfalls } = collectDeletions(input.invocations, auditByDelivery);
  const eventByMessageId = new Map(input.messageIds.map((id, index) => [id, input.events[index]]));
  const eventByBody = new Map(input.events.map((event) => [event.body, event]));

  const ours = new Map<string, DeadLetterCopy[]>();
  const backstop = new Map<number, DeadLetterCopy[]>();
  const strayDeadLetters: string[] = [];
  for (const copy of input.deadLetters) {
    const source = copy.attributes['source-message-id']?.value;
    if (copy.attributes['failure-reason'] === undefined) {
      const event = eventByBody.get(copy.body);
      if (event === undefined)
        strayDeadLetters.push('a DLQ message without our attributes matches no event body');
      else append(backstop, event.index, copy);
    } else if (source === undefined || !eventByMessageId.has(source)) {
      strayDeadLetters.push(`a DLQ message names an unknown source-message-id (${String(source)})`);
    } else {
      append(ours, source, copy);
    }
  }

  const verdicts = input.events.map((event, index) => {
    const messageId = input.messageIds[index] as string;
    const copies = ours.get(messageId) ?? [];
    const deleted = deletions.get(messageId) ?? [];
    const verdict: EventVerdict = {
      event,
      messageId,
      state: finalState(deleted, copies, backstop.get(index) ?? [], doneReports.get(messageId) ?? 0),
      deadLetterCopies: copies.length,
      problems: [],
    };
    const context = { input, callsByUser, verdict };
    for (const copy of copies) checkDeadLetterCopy(copy, context);
    checkOutcome(context, copies[0]);
    return verdict;
  });
  return { verdicts, strayDeadLetters, deleteShortfalls };
}

function finalState(
  deleted: readonly string[],
  copies: readonly DeadLetterCopy[],
  backstopCopies: readonly DeadLetterCopy[],
  doneReports: number,
): FinalState {
  const deletedAsSuccess = deleted.some((outcome) => outcome === 'erased' || outcome === 'absent');
  if (doneReports > 1 || deleted.length > 1) return 'in both';
  if ((deletedAsSuccess && copies.length > 0) || (deleted.length > 0 && backstopCopies.length > 0)) {
    return 'in both';
  }
  if (copies.length > 0) return 'dead-lettered';
  if (backstopCopies.length > 0) return 'backstop';
  if (deleted[0] === 'erased' || deleted[0] === 'absent') return deleted[0];
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
): { deletions: Map<string, string[]>; deleteShortfalls: number } {
  const deletions = new Map<string, string[]>();
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
      append(deletions, messageId, line?.outcome ?? 'no audit line');
    }
  }
  return { deletions, deleteShortfalls };
}

interface CheckContext {
  input: JudgeInput;
  callsByUser: ReadonlyMap<string, RequestLogEntry[]>;
  verdict: EventVerdict;
}

/** The DLQ contract for one copy: body byte for byte, and every attribute as DESIGN.md names it. */
function checkDeadLetterCopy(copy: DeadLetterCopy, { input, verdict }: CheckContext): void {
  const problem = (text: string) => verdict.problems.push(`DLQ copy: ${text}`);
  const { event, messageId } = verdict;
  if (!Buffer.from(copy.body, 'utf8').equals(Buffer.from(event.body, 'utf8'))) {
    problem('body differs from the message sent');
  }
  const attribute = (name: string) => copy.attributes[name];
  const reason = attribute('failure-reason')?.value;
  if (!['invalid-event', 'permanent-error', 'retries-exhausted'].includes(reason ?? '')) {
    problem(`failure-reason ${String(reason)}`);
  }
  const attempts = attribute('attempts');
  if (
    attempts?.dataType !== 'Number' ||
    !(Number.isInteger(Number(attempts.value)) && Number(attempts.value) >= 1)
  ) {
    problem(`attempts is not a Number ≥ 1 (${JSON.stringify(attempts)})`);
  } else if (reason === 'retries-exhausted' && Number(attempts.value) < input.maxReceives) {
    problem(`retries-exhausted after ${attempts.value} attempts (MAX_RECEIVES ${input.maxReceives})`);
  }
  const requestId = attribute('request-id')?.value;
  if (requestId !== (event.requestId ?? messageId)) {
    problem(`request-id ${String(requestId)}, expected ${event.requestId ?? 'the messageId'}`);
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
  for (const [name, value] of Object.entries(copy.attributes)) {
    if (value.dataType !== 'String' && value.dataType !== 'Number')
      problem(`${name} has DataType ${value.dataType}`);
  }
}

/** Whether the final state fits the event, and whether the simulator agrees with what was reported. */
function checkOutcome(context: CheckContext, copy: DeadLetterCopy | undefined): void {
  const { verdict } = context;
  const { state, event } = verdict;
  if (state === 'lost' || state === 'in both') {
    verdict.problems.push(`final state: ${state}`);
  } else if (state === 'backstop') {
    // Not a broken promise of the function: the queue's own backstop did its job (a finding).
  } else if (event.expected.type === 'invalid') {
    verdict.problems.push(...invalidEventProblems(verdict, copy, event.expected.reason));
  } else {
    verdict.problems.push(...validEventProblems(context, event.expected, copy));
  }
}

function invalidEventProblems(
  verdict: EventVerdict,
  copy: DeadLetterCopy | undefined,
  expectedReason: string,
): string[] {
  if (verdict.state !== 'dead-lettered' || copy === undefined)
    return [`an invalid event ended ${verdict.state}`];
  const reason = copy.attributes['failure-reason']?.value;
  const message = copy.attributes['error-message']?.value ?? '';
  verdict.failureReason = reason;
  if (reason === 'retries-exhausted' && SECRETS_UNREADABLE.test(message)) {
    // DESIGN.md: an unreadable secret is transient for every record of the batch, invalid ones included.
    verdict.invalidDuringSecretsOutage = true;
    return [];
  }
  if (reason !== 'invalid-event') return [`an invalid event was dead-lettered as ${String(reason)}`];
  const problems: string[] = [];
  if (message !== expectedReason) problems.push(`error-message "${message}", expected "${expectedReason}"`);
  if (copy.attributes['error-code'] !== undefined) problems.push('an invalid event carries an error-code');
  return problems;
}

function validEventProblems(
  { verdict, input, callsByUser }: CheckContext,
  expected: { type: 'erasable' | 'absent'; userId: string; doom?: Doom },
  copy: DeadLetterCopy | undefined,
): string[] {
  const calls = callsByUser.get(expected.userId) ?? [];
  const answeredOk = calls.some((call) => call.errorCode === 0 && call.httpStatus === 200);
  if (verdict.state === 'erased') {
    if (expected.type === 'absent') return ['an account that never existed was reported erased'];
    if (expected.doom !== undefined)
      return [`an account whose every call fails (${expected.doom}) was reported erased`];
    return erasedProblems(input, expected.userId, answeredOk);
  }
  if (verdict.state === 'absent') {
    if (expected.type === 'erasable') return ['an existing account was reported absent'];
    const problems: string[] = [];
    if (input.graph.hasAccount(expected.userId)) problems.push('reported absent but the account exists');
    if (!calls.some((call) => call.errorCode === 30003 || call.errorCode === 70107)) {
      problems.push('reported absent without any 30003/70107 answer for it');
    }
    return problems;
  }
  // Dead-lettered: a valid event may only be refused by the Chat API or its dependencies.
  if (copy === undefined) return [];
  const reason = copy.attributes['failure-reason']?.value;
  verdict.failureReason = reason;
  const message = copy.attributes['error-message']?.value ?? '';
  const codeText = copy.attributes['error-code']?.value;
  const code = codeText === undefined ? undefined : Number(codeText);
  if (expected.type === 'erasable' && answeredOk && input.graph.friendsOf(expected.userId).length === 0) {
    verdict.alreadyErased = true;
  }
  if (expected.doom !== undefined) return doomProblems(expected.doom, reason, code, message);
  if (reason === 'permanent-error') return permanentProblems(calls, code, message);
  if (reason === 'retries-exhausted') return exhaustedProblems(calls, code, message);
  return [`a valid event was dead-lettered as ${String(reason)}`];
}

/** Erased means: nothing on its own list, no two-way partner still holds it, and the API said OK. */
function erasedProblems(input: JudgeInput, userId: string, answeredOk: boolean): string[] {
  const problems: string[] = [];
  const friends = input.graph.friendsOf(userId);
  if (friends.length > 0) problems.push(`reported erased but ${friends.length} friends remain on its list`);
  const allowed = input.oneWayHolders.get(userId) ?? new Set<string>();
  const holders = input.graph.holdersOf(userId).filter((holder) => !allowed.has(holder));
  if (holders.length > 0)
    problems.push(`reported erased but ${holders.length} two-way partners still hold it`);
  if (!answeredOk) problems.push('reported erased without any friend_delete_all answered OK for it');
  return problems;
}

/** A doomed account fails the same way on every delivery: only MAX_RECEIVES ends it. */
function doomProblems(
  doom: Doom,
  reason: string | undefined,
  code: number | undefined,
  message: string,
): string[] {
  if (reason !== 'retries-exhausted')
    return [`a ${doom}-doomed account was dead-lettered as ${String(reason)}`];
  // The Secrets Manager outage may be what the last delivery met.
  if (SECRETS_UNREADABLE.test(message)) return [];
  if (doom === 'transient' && code !== 30006)
    return [`a transient-doomed account ended with code ${String(code)}`];
  if (doom === 'timeout' && message !== 'timeout')
    return [`a timeout-doomed account ended with "${message}"`];
  return [];
}

function permanentProblems(
  calls: readonly RequestLogEntry[],
  code: number | undefined,
  message: string,
): string[] {
  if (code !== undefined) {
    const problems: string[] = [];
    const kind = classifyChatErrorCode(code);
    const repeatedReSign = kind === 're-sign' && message.endsWith('(after re-signing)');
    if (kind !== 'permanent' && !repeatedReSign) problems.push(`permanent-error with ${kind} code ${code}`);
    if (!calls.some((call) => call.errorCode === code && !call.fault?.endsWith(':OK'))) {
      problems.push(`permanent-error code ${code} was never answered for this account`);
    }
    return problems;
  }
  const status = PERMANENT_HTTP.exec(message)?.[1];
  if (status === undefined || ['408', '429'].includes(status) || Number(status) >= 500) {
    return [`permanent-error without a code and with error-message "${message}"`];
  }
  return calls.some((call) => call.httpStatus === Number(status))
    ? []
    : [`permanent-error ${message} was never answered for this account`];
}

function exhaustedProblems(
  calls: readonly RequestLogEntry[],
  code: number | undefined,
  message: string,
): string[] {
  if (code === undefined) {
    return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))
      ? []
      : [`retries-exhausted without a code and with error-message "${message}"`];
  }
  const answers = calls.filter((call) => call.errorCode === code);
  if (answers.length === 0) return [`retries-exhausted code ${code} was never answered for this account`];
  const disagreeing = answers.some((call) => call.fault?.endsWith(':OK'));
  return classifyChatErrorCode(code) === 'permanent' && !disagreeing
    ? [`retries-exhausted with permanent code ${code}`]
    : [];
}

function groupCallsByUser(requests: readonly RequestLogEntry[]): Map<string, RequestLogEntry[]> {
  const byUser = new Map<string, RequestLogEntry[]>();
  for (const request of requests) {
    if (request.command !== 'friend_delete_all') continue;
    const from = (request.body as { From_Account?: unknown } | undefined)?.From_Account;
    if (typeof from !== 'string') continue;
    append(byUser, from, request);
  }
  return byUser;
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
