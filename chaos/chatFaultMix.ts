/**
 * The Chat API faults of a chaos run: every class of DESIGN.md's error table, gateway errors, answers that
 * outlast the client timeout, resets and bodies that are not the documented JSON, weighted so that the run
 * stays a realistic storm rather than an outage. Throttling answers pause a whole instance for a second,
 * so they are rarer than the rest; permanent codes dead-letter a record at once, so they are rare too.
 * Absent codes (30003, 70107) are not injected: they are a verdict, and the checks hold the simulator's
 * graph to it (an existing account reported absent is a failure).
 */
import type { Fault } from '../sim/chat-api/index.ts';
import { CHAT_ERROR_CLASSES } from '../src/erasure/errorClasses.ts';
import type { Doom } from './chaosWorkload.ts';

/** How the summary groups injected faults. */
export type FaultKind =
  | 'transient code'
  | 'throttling code'
  | 'HTTP 429'
  | 'HTTP 5xx / 408'
  | 'HTTP 4xx'
  | 'delay past timeout'
  | 'reset'
  | 'malformed body'
  | 're-sign code'
  | 'permanent code'
  | 'disagreeing answer';

const COMMAND = 'friend_delete_all';

/**
 * The fault list for `setRandomFaults`: the simulator picks uniformly from it, so weights are repeats.
 * @example
 * world.chat.setRandomFaults({ seed, probability: 0.1, faults: chatFaultMix(300) });
 */
export function chatFaultMix(chatTimeoutMs: number): Fault[] {
  const weighted: [Fault, number][] = [
    ...[...CHAT_ERROR_CLASSES.transient].map((code): [Fault, number] => [errorCode(code), 4]),
    ...[...CHAT_ERROR_CLASSES.throttled].map((code): [Fault, number] => [errorCode(code), 1]),
    [httpStatus(429), 1],
    ...[...CHAT_ERROR_CLASSES['re-sign']].map((code): [Fault, number] => [errorCode(code), 2]),
    ...[...CHAT_ERROR_CLASSES.permanent].map((code): [Fault, number] => [errorCode(code), 1]),
    [errorCode(70999), 1], // a code in no class: permanent
    [httpStatus(502), 12],
    [httpStatus(500), 4],
    [httpStatus(503), 4],
    [httpStatus(504), 4],
    [httpStatus(408), 3],
    [httpStatus(400), 1],
    [httpStatus(403), 1],
    [httpStatus(404), 1],
    [{ type: 'delay', ms: chatTimeoutMs + 150, command: COMMAND }, 10],
    [{ type: 'delay', ms: chatTimeoutMs * 3, command: COMMAND }, 6],
    [{ type: 'reset', command: COMMAND }, 12],
    [{ type: 'malformed-body', command: COMMAND }, 5],
    [{ type: 'malformed-body', body: 'OK', command: COMMAND }, 2],
    [{ type: 'malformed-body', body: '{"ActionStatus":"OK","ErrorInfo":""}', command: COMMAND }, 2],
    [errorCode(30006, 'OK'), 3],
    [errorCode(70500, 'OK'), 2],
    [errorCode(30001, 'OK'), 2],
    [errorCode(0, 'FAIL'), 2],
  ];
  return weighted.flatMap(([fault, weight]) => Array.from({ length: weight }, () => fault));
}

/**
 * The scripted fault that dooms one account: every friend_delete_all for it fails, for ever.
 * @example
 * world.chat.injectFault(doomFault('chaos-u-17', 'transient', 300));
 */
export function doomFault(userId: string, doom: Doom, chatTimeoutMs: number): Fault {
  const match = { command: COMMAND, fromAccount: userId, times: Number.POSITIVE_INFINITY };
  return doom === 'transient'
    ? { type: 'error-code', code: 30006, ...match }
    : { type: 'delay', ms: chatTimeoutMs * 2, ...match };
}

function errorCode(code: number, actionStatus?: 'OK' | 'FAIL'): Fault {
  return { type: 'error-code', code, command: COMMAND, ...(actionStatus && { actionStatus }) };
}

function httpStatus(status: number): Fault {
  return { type: 'http-status', status, command: COMMAND };
}

/**
 * The summary group of a simulator fault label (`error-code:60007`, `error-code:30006:OK`,
 * `http-status:502`, `delay:450`, `reset`, `malformed-body`).
 * @example
 * faultKindOf('error-code:70009'); // 're-sign code'
 */
export function faultKindOf(label: string): FaultKind {
  const [type, value, status] = label.split(':');
  if (type === 'error-code') {
    const code = Number(value);
    if (status === 'OK' || code === 0) return 'disagreeing answer';
    if (CHAT_ERROR_CLASSES.transient.has(code)) return 'transient code';
    if (CHAT_ERROR_CLASSES.throttled.has(code)) return 'throttling code';
    if (CHAT_ERROR_CLASSES['re-sign'].has(code)) return 're-sign code';
    return 'permanent code';
  }
  if (type === 'http-status') {
    const code = Number(value);
    if (code === 429) return 'HTTP 429';
    return code === 408 || code >= 500 ? 'HTTP 5xx / 408' : 'HTTP 4xx';
  }
  if (type === 'delay') return 'delay past timeout';
  if (type === 'reset') return 'reset';
  return 'malformed body';
}
