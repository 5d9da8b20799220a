/**
 * DESIGN.md's error classification by `ErrorCode`, and our own words for each code. Pure domain data: the
 * Chat client classifies whole answers with it, the plan's steps classify per-item results with it.
 * `detail` texts are always ours: Tencent's `ErrorInfo` can echo account names, so it is never read.
 */
import type { ChatOutcomeKind } from './ports.ts';

/** The outcome classes that an `ErrorCode` can fall into (`done` only comes from code 0 with `OK`). */
export type ChatErrorClass = Exclude<ChatOutcomeKind, 'done'>;

/** The classes of DESIGN.md's own error table. */
export type DesignErrorClass = Exclude<ChatErrorClass, 'gone' | 'not-enabled'>;

/**
 * The listed `ErrorCode`s of each class, from DESIGN.md (60015–60017 is a range: written out here).
 * A code in none of them is permanent. Sets are exported so tests and other modules can iterate them.
 */
export const CHAT_ERROR_CLASSES: Readonly<Record<DesignErrorClass, ReadonlySet<number>>> = Object.freeze({
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
 * The erasure plan's commands add their own codes (DESIGN.md "Error classification", API.md §4 and §8):
 * each family's "account does not exist" (sns and follow 30003, profile 40003, recent contacts 50001,
 * groups 10019, accounts 70107: the plan decides whether it is about the user or another account), its
 * documented retry codes, its "feature not enabled" codes, and the per-item "already gone" codes.
 */
export const PLAN_ERROR_CLASSES: Readonly<Partial<Record<ChatErrorClass, ReadonlySet<number>>>> =
  Object.freeze({
    absent: new Set([40003, 50001, 10019]),
    // 10018: a group list answer over 1 MB (the groups step lowers its Limit first).
    transient: new Set([10002, 10018, 40006, 50004, 50005]),
    gone: new Set([10010, 10015, 31704, 51009]),
    'not-enabled': new Set([30005, 51013]),
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
  [71000, 'account deletion is not allowed by the app plan (enable it in the console)'],
  [10002, 'group service internal error'],
  [10004, 'invalid group request parameter'],
  [10007, 'no permission for this group operation'],
  [10010, 'group does not exist or was destroyed'],
  [10015, 'invalid group id'],
  [10018, 'group list answer too large'],
  [10019, 'account does not exist (groups)'],
  [30005, 'follow feature not enabled'],
  [31704, 'not on the list'],
  [40003, 'account does not exist (profile)'],
  [40006, 'profile service internal error'],
  [40009, 'unknown profile tag (configure custom tags in the console)'],
  [50001, 'account does not exist (recent contacts)'],
  [50004, 'recent contacts internal error'],
  [50005, 'recent contacts internal error'],
  [51009, 'contact group does not exist'],
  [51013, 'conversation groups need the Ultimate edition'],
]);

/**
 * The class of a non-zero `ErrorCode` by the table alone; any code not listed is permanent.
 * @example
 * classifyChatErrorCode(60007); // 'throttled'
 */
export function classifyChatErrorCode(errorCode: number): ChatErrorClass {
  for (const table of [CHAT_ERROR_CLASSES, PLAN_ERROR_CLASSES]) {
    for (const [kind, codes] of Object.entries(table) as [ChatErrorClass, ReadonlySet<number>][]) {
      if (codes.has(errorCode)) return kind;
    }
  }
  return 'permanent';
}

/** `Chat ErrorCode 30006: internal server error`: the code and our meaning of it, nothing from the answer. */
export function describeChatErrorCode(errorCode: number): string {
  const meaning = CHAT_ERROR_MEANINGS.get(errorCode) ?? 'code not in the classification table';
  return `Chat ErrorCode ${errorCode}: ${meaning}`;
}
