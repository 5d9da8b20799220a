/**
 * The Chat API faults of a chaos run, per command: every class of DESIGN.md's error table (transient,
 * throttled, re-sign, permanent, absent), gateway errors, answers that outlast the client timeout, resets,
 * bodies that are not the documented JSON and answers whose ActionStatus and ErrorCode disagree on any
 * command; each command family's own codes (its retry, "does not exist", "already gone" and "not enabled"
 * codes, 71000 on account_delete) on that family's commands; and, at low rates, the quiet faults an eraser
 * must survive (a write that changes nothing, a cursor that never advances, a batch write failing items).
 * Weighted so the run stays a storm rather than an outage: a full plan makes ~40 calls per delivery, so
 * permanent codes (a dead letter at once) are rare.
 */
import type { Fault } from '../sim/chat-api/index.ts';
import { DESIGN_ERROR_CODES } from '../test/support/designErrorTable.ts';
import type { Doom } from './chaosWorkload.ts';
import { COMMAND_CODES, codeClass, PLAN_COMMANDS } from './planCatalog.ts';

/** How the summary groups injected faults. */
export const FAULT_KINDS = [
  'transient code',
  'throttling code',
  'HTTP 429',
  'HTTP 5xx / 408',
  'HTTP 4xx',
  'delay past timeout',
  'reset',
  'malformed body',
  're-sign code',
  'permanent code',
  'disagreeing answer',
  'absent code',
  'gone code',
  'not-enabled code',
  'ignore',
  'stale-cursor',
  'item-error',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * The fault list for `setRandomFaults`: the simulator picks uniformly from it (weights are repeats) and a
 * pick that does not fit the request (another command's code, a quiet fault of another kind) is no fault.
 * About half the list fits any one command, so a request meets a fault with about half the probability.
 * @example
 * world.chat.setRandomFaults({ seed, probability: 0.06, faults: chatFaultMix(1000) });
 */
export function chatFaultMix(chatTimeoutMs: number): Fault[] {
  const weighted: [Fault, number][] = [
    ...DESIGN_ERROR_CODES.transient.map((code): [Fault, number] => [errorCode(code), 8]),
    ...DESIGN_ERROR_CODES.throttled.map((code): [Fault, number] => [errorCode(code), 2]),
    [httpStatus(429), 2],
    ...DESIGN_ERROR_CODES['re-sign'].map((code): [Fault, number] => [errorCode(code), 2]),
    ...DESIGN_ERROR_CODES.permanent.map((code): [Fault, number] => [errorCode(code), 1]),
    [errorCode(70999), 1], // a code in no class: permanent
    [httpStatus(502), 16],
    [httpStatus(500), 8],
    [httpStatus(503), 8],
    [httpStatus(504), 8],
    [httpStatus(408), 6],
    [httpStatus(400), 1],
    [httpStatus(403), 1],
    [httpStatus(404), 1],
    [{ type: 'delay', ms: chatTimeoutMs + 150 }, 12],
    [{ type: 'delay', ms: chatTimeoutMs * 3 }, 6],
    [{ type: 'reset' }, 20],
    [{ type: 'malformed-body' }, 8],
    [{ type: 'malformed-body', body: 'OK' }, 3],
    [{ type: 'malformed-body', body: '{"ActionStatus":"OK","ErrorInfo":""}' }, 3],
    [errorCode(30006, 'OK'), 4],
    [errorCode(70500, 'OK'), 3],
    [errorCode(30001, 'OK'), 3],
    [errorCode(0, 'FAIL'), 3],
    // Quiet faults (each only fits its kind of command): a list that does not shrink, a page that repeats,
    // items that fail (transient codes the read-back cures, rarely a permanent one; "not on the list" is
    // scheduled where it fits).
    [{ type: 'ignore' }, 12],
    [{ type: 'stale-cursor' }, 10],
    [{ type: 'item-error', code: 30006 }, 6],
    [{ type: 'item-error', code: 30008 }, 3],
    [{ type: 'item-error', code: 30001 }, 1],
    // Each command's family retry, "gone" and refusal codes, on that command only, for volume. Every family
    // code (the "does not exist" and "not enabled" ones too, which are lies about accounts that exist) is
    // also scheduled once a round: chatFaultSchedule.ts.
    ...PLAN_COMMANDS.flatMap((command) =>
      (COMMAND_CODES[command] ?? []).map((code): [Fault, number] => [
        errorCode(code, undefined, command),
        FAMILY_CODE_WEIGHTS[codeClass(code)] ?? 1,
      ]),
    ),
  ];
  return weighted.flatMap(([fault, weight]) => Array.from({ length: weight }, () => fault));
}

/**
 * The scripted fault that dooms one account: every delivery of its erasure fails the same way, for ever.
 * @example
 * world.chat.injectFault(doomFault('chaos-u-17', 'transient', 1000));
 */
export function doomFault(userId: string, doom: Doom, chatTimeoutMs: number): Fault {
  const times = Number.POSITIVE_INFINITY;
  switch (doom) {
    case 'transient':
      return { type: 'error-code', code: 30006, command: 'sns/friend_get', fromAccount: userId, times };
    case 'timeout':
      return { type: 'delay', ms: chatTimeoutMs * 2, command: 'sns/friend_get', fromAccount: userId, times };
    case 'unverified':
      return { type: 'ignore', command: 'sns/friend_delete_all', fromAccount: userId, times };
  }
}

/** Weights of the family codes in the random mix, by class (absent and not-enabled: scheduled only). */
const FAMILY_CODE_WEIGHTS: Record<ReturnType<typeof codeClass>, number> = {
  transient: 4,
  gone: 2,
  permanent: 1,
  absent: 0,
  'not-enabled': 0,
  throttled: 0,
  're-sign': 0,
};

function errorCode(code: number, actionStatus?: 'OK' | 'FAIL', command?: string): Fault {
  return {
    type: 'error-code',
    code,
    ...(actionStatus && { actionStatus }),
    ...(command !== undefined && { command }),
  };
}

function httpStatus(status: number): Fault {
  return { type: 'http-status', status };
}

/**
 * The summary group of a simulator fault label (`error-code:60007`, `error-code:30006:OK`,
 * `http-status:502`, `delay:450`, `reset`, `malformed-body`, `ignore`, `stale-cursor`, `item-error:30006`).
 * @example
 * faultKindOf('error-code:70009'); // 're-sign code'
 */
export function faultKindOf(label: string): FaultKind {
  const [type, value, status] = label.split(':');
  switch (type) {
    case 'error-code': {
      const code = Number(value);
      if (status === 'OK' || code === 0) return 'disagreeing answer';
      return CODE_KINDS[codeClass(code)];
    }
    case 'http-status': {
      const code = Number(value);
      if (code === 429) return 'HTTP 429';
      return code === 408 || code >= 500 ? 'HTTP 5xx / 408' : 'HTTP 4xx';
    }
    case 'delay':
      return 'delay past timeout';
    case 'reset':
      return 'reset';
    case 'ignore':
      return 'ignore';
    case 'stale-cursor':
      return 'stale-cursor';
    case 'item-error':
      return 'item-error';
    default:
      return 'malformed body';
  }
}

const CODE_KINDS: Record<ReturnType<typeof codeClass>, FaultKind> = {
  transient: 'transient code',
  throttled: 'throttling code',
  're-sign': 're-sign code',
  permanent: 'permanent code',
  absent: 'absent code',
  gone: 'gone code',
  'not-enabled': 'not-enabled code',
};

/**
 * Whether an injected fault may have made the function stop or skip work on the API's false word: an absent,
 * gone or not-enabled code (top level or per item), or a write that answered OK and changed nothing.
 * @example
 * isLyingFault('error-code:40003'); // true
 */
export function isLyingFault(label: string): boolean {
  const kind = faultKindOf(label);
  return kind === 'absent code' || kind === 'gone code' || kind === 'not-enabled code' || kind === 'ignore';
}
