/**
 * Turns one HTTP attempt at the Chat REST API into a {@link ChatOutcome}, exactly per DESIGN.md's
 * "Error classification" table. Pure: no I/O, no clock. `detail` is always our own fixed text: Tencent's
 * `ErrorInfo` and `ErrorDisplay` can echo account names, so they are never read.
 */
import * as z from 'zod';
import { classifyChatErrorCode, describeChatErrorCode } from '../erasure/errorClasses.ts';
import type { ChatOutcome, ChatOutcomeKind, TransportFailure } from '../erasure/ports.ts';

// The documented envelope of every answer (API.md §2). Other fields (ErrorDisplay, ResultItem…) pass.
// z.number().int() refuses numeric strings such as "0" and anything beyond a safe integer.
const chatAnswerSchema = z.object({
  ActionStatus: z.enum(['OK', 'FAIL']),
  ErrorCode: z.number().int(),
  ErrorInfo: z.string(),
});

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
      disagreeing: true,
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
