/**
 * The account-closure event (DESIGN.md, "Event: the SQS message body"): which account to erase, read from
 * an SQS message body that may arrive plain, inside an SNS notification or inside an EventBridge event.
 *
 * Pure: no clock, no I/O. Every text this module produces (an invalid event's `reason`, the warnings) comes
 * from the closed sets below and never carries the userId or any other part of the body, because those
 * texts go to logs and to the dead-letter queue's `error-message` attribute. The one field that does carry
 * a refused userId, `rejectedUserId`, is separate and labelled as personal data.
 */
import * as z from 'zod';

/** Where the event was found, for logs. */
export type Envelope = 'plain' | 'sns' | 'eventbridge';

/** Longest accepted userId, in UTF-8 bytes (the Chat UserID limit). */
const USER_ID_MAX_BYTES = 32;

/** Longest accepted Step Functions task token, in characters (the AWS API limit). */
export const TASK_TOKEN_MAX_CHARS = 2048;

/** Why an event is invalid: the only texts an invalid result's `reason` can hold (each ≤ 256 chars). */
export const INVALID_EVENT_REASONS = {
  bodyNotJson: 'body is not JSON',
  snsMessageNotJson: 'SNS Message is not JSON',
  eventNotObject: 'event is not a JSON object',
  userIdMissing: 'userId is missing',
  userIdNotString: 'userId is not a string',
  userIdEmpty: 'userId is empty',
  userIdNotUnicode: 'userId is not valid Unicode',
  userIdTooLong: `userId is longer than ${USER_ID_MAX_BYTES} bytes (UTF-8)`,
  userIdControlCharacter: 'userId contains a control character',
  userIdIsAdmin: 'userId is the Chat admin account',
  userIdIsProtected: 'userId is a protected account (PROTECTED_USER_IDS)',
} as const;

export type InvalidEventReason = (typeof INVALID_EVENT_REASONS)[keyof typeof INVALID_EVENT_REASONS];

/** Metadata problems that do not block an erasure: the only texts `warnings` can hold. */
export const PARSE_WARNINGS = {
  byteOrderMark: 'JSON text starts with a byte order mark; it was ignored',
  requestIdNotString: 'requestId is not a string; the carried or SQS message id is used instead',
  requestIdEmpty: 'requestId is empty; the carried or SQS message id is used instead',
  requestIdUncarriable:
    'requestId holds a character an SQS message attribute cannot carry; the carried or SQS message id is used instead',
  occurredAtMalformed: 'occurredAt is not an RFC 3339 date-time with a time zone; it was ignored',
  taskTokenMalformed: `taskToken is not a non-empty string of at most ${TASK_TOKEN_MAX_CHARS} characters; it was ignored`,
} as const;

export type ParseWarning = (typeof PARSE_WARNINGS)[keyof typeof PARSE_WARNINGS];

/**
 * The outcome of reading one SQS message body. Both branches carry the best `requestId` (the event's own
 * when usable, else the continuation's, else the SQS messageId) and any `taskToken`: the DLQ `request-id`
 * attribute and the receipt need them for invalid events too.
 */
export type AccountClosureParse =
  | {
      valid: true;
      userId: string;
      requestId: string;
      /** `occurredAt` as sent, when present and well-formed (for the receipt). */
      occurredAt?: string;
      /** `occurredAt` as epoch milliseconds. */
      occurredAtMs?: number;
      /** A Step Functions task token waiting for this erasure's receipt. */
      taskToken?: string;
      envelope: Envelope;
      warnings: string[];
    }
  | {
      valid: false;
      requestId: string;
      /** Short sentence for the DLQ `error-message`; one of {@link INVALID_EVENT_REASONS}. */
      reason: InvalidEventReason;
      /**
       * The refused userId exactly as sent, when the event held one as a string, so the audit log can show it
       * per `LOG_USER_ID` ("invalid events included"). Personal data of any length and content (possibly not
       * well-formed Unicode): pseudonymise or omit it, and never put it into `error-message`.
       */
      rejectedUserId?: string;
      taskToken?: string;
      /** Absent when the body is not JSON or not an object, so no envelope could be recognised. */
      envelope?: Envelope;
      warnings: string[];
    };

/** What the parser needs besides the body. */
export interface AccountClosureContext {
  /** The SQS messageId: the requestId when the event has no usable one (and no continuation carries one). */
  messageId: string;
  /** The request id a continued record carries (its `request-id` attribute), used before the messageId. */
  continuedRequestId?: string;
  /**
   * UserIDs that must never be erased (`PROTECTED_USER_IDS`). The admin the secret names is checked per call
   * instead, so that every other rule holds while Secrets Manager is unreachable.
   */
  protectedUserIds?: ReadonlySet<string>;
}

type JsonObject = { [key: string]: unknown };

// zod's ISO pattern is RFC 3339 §5.6 (seconds required, optional fraction, Z or ±hh:mm) with calendar checks
// (no 02-30, leap years honoured). Leap seconds (:60) are refused: Date.parse cannot represent them.
const rfc3339DateTimeSchema = z.iso.datetime({ offset: true });

const NO_PROTECTED_USERS: ReadonlySet<string> = new Set();

/**
 * Reads an account-closure event from an SQS message body. Never throws: every body yields a result.
 * Pure and secret-free: the erasure function and the webhook ingress share it, so both refuse the same
 * events with the same words.
 *
 * Decisions beyond DESIGN.md: one leading byte order mark (U+FEFF) is ignored with a warning, because
 * JSON.parse refuses it but RFC 8259 §8.1 lets parsers ignore it and refusing would block an erasure; a
 * userId holding a lone surrogate is invalid ("not valid Unicode": its UTF-8 form would not be the account
 * Tencent stores); `null` for an optional field counts as absent, with no warning.
 * @example
 * const parsed = parseAccountClosure(record.body, { messageId: record.messageId, protectedUserIds });
 * if (parsed.valid) await erase(parsed.userId);
 * else deadLetterAsInvalid(record, parsed.reason, parsed.requestId); // your own DLQ step
 */
export function parseAccountClosure(body: string, context: AccountClosureContext): AccountClosureParse {
  const warnings: string[] = [];
  const fallbackRequestId = context.continuedRequestId ?? context.messageId;
  const invalid = (
    reason: InvalidEventReason,
    facts: { requestId?: string; envelope?: Envelope; rejectedUserId?: string; taskToken?: string } = {},
  ): AccountClosureParse => ({
    valid: false,
    requestId: facts.requestId ?? fallbackRequestId,
    reason,
    ...(facts.rejectedUserId !== undefined && { rejectedUserId: facts.rejectedUserId }),
    ...(facts.taskToken !== undefined && { taskToken: facts.taskToken }),
    ...(facts.envelope !== undefined && { envelope: facts.envelope }),
    warnings,
  });

  const json = parseJsonText(body, warnings);
  if (!json.ok) return invalid(INVALID_EVENT_REASONS.bodyNotJson);
  if (!isJsonObject(json.value)) return invalid(INVALID_EVENT_REASONS.eventNotObject);

  const found = unwrapEnvelope(json.value, warnings);
  if (!found.ok) return invalid(found.reason, { envelope: found.envelope });
  const { event, envelope } = found;
  if (!isJsonObject(event)) return invalid(INVALID_EVENT_REASONS.eventNotObject, { envelope });

  const requestId = readRequestId(event, warnings) ?? fallbackRequestId;
  const occurred = readOccurredAt(event, warnings);
  const taskToken = readTaskToken(event, warnings);
  const userId = readUserId(event, context.protectedUserIds ?? NO_PROTECTED_USERS);
  if (!userId.ok) {
    const sent = ownField(event, 'userId');
    return invalid(userId.reason, {
      requestId,
      envelope,
      rejectedUserId: typeof sent === 'string' ? sent : undefined,
      ...(taskToken !== undefined && { taskToken }),
    });
  }
  return {
    valid: true,
    userId: userId.value,
    requestId,
    ...(occurred !== undefined && { occurredAt: occurred.text, occurredAtMs: occurred.epochMs }),
    ...(taskToken !== undefined && { taskToken }),
    envelope,
    warnings,
  };
}

function parseJsonText(text: unknown, warnings: string[]): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  let source = text;
  if (source.startsWith('\uFEFF')) {
    source = source.slice(1);
    warnings.push(PARSE_WARNINGS.byteOrderMark);
  }
  try {
    // JSON.parse is iterative in V8 (deep nesting cannot exhaust the stack) and defines `__proto__` as an
    // ordinary own key, so no prototype is ever replaced. Its error message quotes the input: never surfaced.
    return { ok: true, value: JSON.parse(source) };
  } catch {
    return { ok: false };
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An own property only: an inherited one (from a polluted `Object.prototype`) is never part of the event.
 * This is also why envelopes are recognised by hand rather than with zod, whose object schemas read
 * inherited properties.
 */
function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

type Unwrapped =
  | { ok: true; event: unknown; envelope: Envelope }
  | { ok: false; reason: InvalidEventReason; envelope: Envelope };

/** Peels exactly one envelope: an event found inside is taken as the event even if it looks like another. */
function unwrapEnvelope(outer: JsonObject, warnings: string[]): Unwrapped {
  const message = ownField(outer, 'Message');
  if (ownField(outer, 'Type') === 'Notification' && typeof message === 'string') {
    const inner = parseJsonText(message, warnings);
    if (!inner.ok) return { ok: false, reason: INVALID_EVENT_REASONS.snsMessageNotJson, envelope: 'sns' };
    return { ok: true, event: inner.value, envelope: 'sns' };
  }
  const detail = ownField(outer, 'detail');
  if (Object.hasOwn(outer, 'detail-type') && isJsonObject(detail)) {
    return { ok: true, event: detail, envelope: 'eventbridge' };
  }
  return { ok: true, event: outer, envelope: 'plain' };
}

function readUserId(
  event: JsonObject,
  protectedUserIds: ReadonlySet<string>,
): { ok: true; value: string } | { ok: false; reason: InvalidEventReason } {
  if (!Object.hasOwn(event, 'userId')) return { ok: false, reason: INVALID_EVENT_REASONS.userIdMissing };
  const userId = event.userId;
  if (typeof userId !== 'string') return { ok: false, reason: INVALID_EVENT_REASONS.userIdNotString };
  const problem = userIdProblem(userId);
  if (problem !== undefined) return { ok: false, reason: problem };
  // Exact comparison, as Tencent compares UserIDs: `Administrator` is another account than `administrator`.
  if (protectedUserIds.has(userId)) return { ok: false, reason: INVALID_EVENT_REASONS.userIdIsProtected };
  return { ok: true, value: userId };
}

/**
 * Why a string cannot be a Chat UserID to erase, or undefined when it can: DESIGN.md's userId rules apart
 * from the protected accounts. `PROTECTED_USER_IDS` entries are checked with it too.
 * @example
 * userIdProblem('user_42'); // undefined
 * userIdProblem(''); // 'userId is empty'
 */
export function userIdProblem(userId: string): InvalidEventReason | undefined {
  if (userId.length === 0) return INVALID_EVENT_REASONS.userIdEmpty;
  // Before the byte count: a lone surrogate has no UTF-8 form of its own (encoders substitute U+FFFD).
  if (!userId.isWellFormed()) return INVALID_EVENT_REASONS.userIdNotUnicode;
  if (Buffer.byteLength(userId, 'utf8') > USER_ID_MAX_BYTES) return INVALID_EVENT_REASONS.userIdTooLong;
  if (hasControlCharacter(userId)) return INVALID_EVENT_REASONS.userIdControlCharacter;
  return undefined;
}

/** C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F); all are single UTF-16 code units. */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}

/**
 * The characters SQS accepts in a String message attribute (and a message body): #x9 | #xA | #xD |
 * #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. A lone surrogate is outside them (`u` mode matches
 * only whole code points, so a well-formed pair is one character in the last range).
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * True when SQS can carry the text as a String attribute value (DESIGN.md's requestId rule; length is
 * no reason: SQS carries long values, and the DLQ falls back to fewer attributes when a message is too big).
 * @example
 * isSqsAttributeText('dsr-1\tline'); // true
 * isSqsAttributeText('r\u0000'); // false
 */
export function isSqsAttributeText(text: string): boolean {
  return !OUTSIDE_SQS_CHARACTERS.test(text);
}

/** The event's requestId, when it is a non-empty string SQS can carry as an attribute. */
function readRequestId(event: JsonObject, warnings: string[]): string | undefined {
  const requestId = ownField(event, 'requestId');
  if (requestId === undefined || requestId === null) return undefined;
  if (typeof requestId !== 'string') {
    warnings.push(PARSE_WARNINGS.requestIdNotString);
    return undefined;
  }
  if (requestId.length === 0) {
    warnings.push(PARSE_WARNINGS.requestIdEmpty);
    return undefined;
  }
  if (!isSqsAttributeText(requestId)) {
    warnings.push(PARSE_WARNINGS.requestIdUncarriable);
    return undefined;
  }
  return requestId;
}

function readTaskToken(event: JsonObject, warnings: string[]): string | undefined {
  const taskToken = ownField(event, 'taskToken');
  if (taskToken === undefined || taskToken === null) return undefined;
  if (typeof taskToken === 'string' && taskToken.length > 0 && taskToken.length <= TASK_TOKEN_MAX_CHARS) {
    return taskToken;
  }
  warnings.push(PARSE_WARNINGS.taskTokenMalformed);
  return undefined;
}

/**
 * `occurredAt` as epoch ms. RFC 3339 date-time only: a full date, `T`, a time with seconds and a zone.
 * Lower-case `t`/`z` are accepted (RFC 3339 §5.6 allows them); what Date.parse would guess at (a date
 * alone, no zone, RFC 2822, a space separator, `+0100`) is refused.
 */
function readOccurredAt(
  event: JsonObject,
  warnings: string[],
): { text: string; epochMs: number } | undefined {
  const occurredAt = ownField(event, 'occurredAt');
  if (occurredAt === undefined || occurredAt === null) return undefined;
  if (typeof occurredAt === 'string') {
    const canonical = occurredAt.replace(/^(\d{4}-\d\d-\d\d)t/, '$1T').replace(/z$/, 'Z');
    if (rfc3339DateTimeSchema.safeParse(canonical).success) {
      const epochMs = Date.parse(canonical);
      if (Number.isFinite(epochMs)) return { text: occurredAt, epochMs };
    }
  }
  warnings.push(PARSE_WARNINGS.occurredAtMalformed);
  return undefined;
}
