/**
 * Turns one HTTP attempt at the Chat REST API into a {@link ChatOutcome}, exactly per DESIGN.md's
 * "Error classification" table. Pure: no I/O, no clock. `detail` is always our own fixed text: Tencent's
 * `ErrorInfo` and `ErrorDisplay` can echo account names, so they are never read.
 */
import * as z from 'zod';
import type { ChatOutcome, ChatOutcomeKind, TransportFailure } from '../erasure/ports.ts';

/** The outcome classes that an `ErrorCode` can fall into (`done` only comes from code 0 with `OK`). */
export type ChatErrorClass = Exclude<ChatOutcomeKind, 'done'>;

/**
 * The listed `ErrorCode`s of each class, from DESIGN.md (60015–60017 is a range: written out here).
 * A code in none of them is permanent. Sets are exported so tests and other modules can iterate them.
 */
export const CHAT_ERROR_CLASSES: Readonly<Record<ChatErrorClass, ReadonlySet<number>>> = Object.freeze({
  absent: new Set([30003, 70107]),
  transient: new Set([30006, 30007, 30008, 60008, 60013, 60014, 70169, 70202, 70500]),
  throttled: new Set([60007, 60011, 60018, 60019, 70050]),
  're-sign': new Set([70001, 70002, 70003, 70005, 70009, 60004, 60005, 70052]),
  permanent: new Set([
    30001, 30004, 60002, 60003, 60006, 60009, 60010, 60012, 60015, 60016, 60017, 60020, 60021, 70013, 70014,
    70016, 70020, 70051, 70402, 70403,
  ]),
});

/**
 * Our own short meaning of every listed code, paraphrased from API.md §3–§4. It is the text that goes into
 * `detail` (and from there into logs and the DLQ `error-message`), so it must never come from the answer.
 */
export const CHAT_ERROR_MEANINGS: ReadonlyMap<number, string> = new Map([
  [30001, 'invalid request parameter'],
  [30003, 'account does not exist'],
  [30004, 'app admin permission required'],
  [30006, 'internal server error'],
  [30007, 'network timeout'],
  [30008, 'write conflict from concurrent writes'],
  [60002, 'HTTP parse error or bad URL format'],
  [60003, 'request JSON parse error'],
  [60004, 'UserID or UserSig is wrong'],
  [60005, 'UserID or UserSig is wrong'],
  [60006, 'invalid SDKAppID'],
  [60007, 'REST call-frequency limit exceeded'],
  [60008, 'service request timed out or malformed HTTP request'],
  [60009, 'bad request resource'],
  [60010, 'app admin permission required'],
  [60011, 'per-SDKAppID request frequency exceeded'],
  [60012, 'sdkappid missing from the URL'],
  [60013, 'response JSON parse error'],
  [60014, 'account switching timed out'],
  [60015, 'wrong account type in the request body'],
  [60016, 'SDKAppID disabled'],
  [60017, 'request disabled'],
  [60018, 'too many requests'],
  [60019, 'too many requests'],
  [60020, 'Pro edition plan expired or disabled'],
  [60021, 'source IP not allowed'],
  [70001, 'UserSig expired'],
  [70002, 'UserSig is empty'],
  [70003, 'invalid UserSig'],
  [70005, 'invalid UserSig'],
  [70009, 'UserSig signature check failed (wrong secret key?)'],
  [70013, 'UserID differs from the one in the UserSig'],
  [70014, 'SDKAppID differs from the one in the UserSig'],
  [70016, 'public key not found'],
  [70020, 'SDKAppID not found'],
  [70050, 'too many failed UserSig checks'],
  [70051, 'account is blocklisted'],
  [70052, 'UserSig no longer valid'],
  [70107, 'UserID does not exist'],
  [70169, 'server timeout'],
  [70202, 'server timeout'],
  [70402, 'invalid parameters'],
  [70403, 'app admin permission required'],
  [70500, 'internal server error'],
]);

// The documented envelope of every answer (API.md §2). Other fields (ErrorDisplay, ResultItem…) pass.
// z.number().int() refuses numeric strings such as "0" and anything beyond a safe integer.
const chatAnswerSchema = z.object({
  ActionStatus: z.enum(['OK', 'FAIL']),
  ErrorCode: z.number().int(),
  ErrorInfo: z.string(),
});

/**
 * The class of a non-zero `ErrorCode` by the table alone; any code not listed is permanent.
 * @example
 * classifyChatErrorCode(60007); // 'throttled'
 */
export function classifyChatErrorCode(errorCode: number): ChatErrorClass {
  for (const [kind, codes] of Object.entries(CHAT_ERROR_CLASSES) as [ChatErrorClass, ReadonlySet<number>][]) {
    if (codes.has(errorCode)) return kind;
  }
  return 'permanent';
}

/** `Chat ErrorCode 30006: internal server error`: the code and our meaning of it, nothing from the answer. */
export function describeChatErrorCode(errorCode: number): string {
  const meaning = CHAT_ERROR_MEANINGS.get(errorCode) ?? 'code not in the classification table';
  return `Chat ErrorCode ${errorCode}: ${meaning}`;
}

/**
 * Classifies an HTTP answer. `body` is the parsed JSON, or `undefined` when the body was not JSON.
 *
 * Status codes outside DESIGN.md's table, decided here:
 * - 3xx → permanent. The official API never redirects, so a redirect means a wrong endpoint or an
 *   intercepting proxy: configuration, not luck. Following it is not an option either (the UserSig travels
 *   in the query string and would go to the new host).
 * - 2xx other than 200 → transient, like a 200 with an undocumented body: Tencent answers 200 only.
 * - 1xx as a final status, or a status outside 100–599 → transient: a broken hop on the way, not a verdict
 *   about this request; `MAX_RECEIVES` still bounds the retries.
 * @example
 * classifyChatResponse(200, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }); // { kind: 'done', … }
 * classifyChatResponse(502, undefined); // { kind: 'transient', detail: 'HTTP 502' }
 */
export function classifyChatResponse(httpStatus: number, body: unknown): ChatOutcome {
  if (!Number.isInteger(httpStatus) || httpStatus < 100 || httpStatus > 599) {
    return { kind: 'transient', detail: 'HTTP status out of range' };
  }
  if (httpStatus !== 200) return { kind: classifyHttpStatus(httpStatus), detail: `HTTP ${httpStatus}` };

  const answer = chatAnswerSchema.safeParse(body);
  if (!answer.success) return { kind: 'transient', detail: 'unexpected answer: not the documented JSON' };
  const { ActionStatus: actionStatus, ErrorCode: errorCode } = answer.data;
  if (actionStatus === 'OK' && errorCode === 0) return { kind: 'done', detail: 'OK' };
  if (actionStatus === 'FAIL' && errorCode === 0) {
    return { kind: 'transient', detail: 'unexpected answer: ActionStatus FAIL with ErrorCode 0' };
  }
  if (actionStatus === 'OK') {
    return {
      kind: 'transient',
      errorCode,
      detail: `unexpected answer: ActionStatus OK with ErrorCode ${errorCode}`,
    };
  }
  return { kind: classifyChatErrorCode(errorCode), errorCode, detail: describeChatErrorCode(errorCode) };
}

function classifyHttpStatus(httpStatus: number): ChatOutcomeKind {
  if (httpStatus === 429) return 'throttled';
  if (httpStatus === 408 || httpStatus >= 500) return 'transient';
  if (httpStatus >= 300) return 'permanent'; // 3xx (see above) and every other 4xx
  return 'transient'; // 1xx and 2xx other than 200
}

const TRANSPORT_DETAIL: Readonly<Record<TransportFailure, string>> = {
  timeout: 'timeout',
  'connection-error': 'connection error',
};

/**
 * Classifies an attempt that ended before any answer could be read: always transient.
 * @example
 * classifyTransportFailure('timeout'); // { kind: 'transient', detail: 'timeout' }
 */
export function classifyTransportFailure(failure: TransportFailure): ChatOutcome {
  return { kind: 'transient', detail: TRANSPORT_DETAIL[failure] };
}
