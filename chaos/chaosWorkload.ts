/**
 * The chaos run's traffic: a seeded mix of account-closure events (valid ones for users seeded with personal
 * data of every kind, users the Chat app never had, envelopes, duplicates, doomed accounts, and invalid
 * bodies of every kind the parser knows), some carrying a Step Functions task token, and the simulator seed
 * the run starts from. Pure: the same seed and count give the same workload. Every body is unique (it
 * carries its index), so a message found anywhere (a continuation, the DLQ) maps back to its event.
 */
import { INVALID_EVENT_REASONS } from '../src/erasure/accountClosureEvent.ts';
import { SeededRandom } from './seededRandom.ts';
import { type SeededData, UserDataSeed } from './userDataSeed.ts';

/** Prefixes of every userId the run makes up: a plain-text one in a log line or receipt is a privacy leak. */
export const USER_ID_PATTERN = /chaos-[ugb]-/;

export const CHAOS_EVENT_KINDS = [
  'valid',
  'valid-sns',
  'valid-eventbridge',
  'duplicate',
  'doomed-transient',
  'doomed-timeout',
  'doomed-unverified',
  'receipt-throttled',
  'unknown-user',
  'invalid-not-json',
  'invalid-not-object',
  'invalid-missing-user-id',
  'invalid-user-id-type',
  'invalid-empty-user-id',
  'invalid-too-long',
  'invalid-control-character',
  'invalid-lone-surrogate',
  'invalid-admin',
  'invalid-sns-message',
  'invalid-in-envelope',
] as const;

export type ChaosEventKind = (typeof CHAOS_EVENT_KINDS)[number];

/**
 * A doomed account's every delivery fails the same way (scripted simulator faults for its `From_Account`):
 * `transient` friend_get answers 30006; `timeout` friend_get answers only after the client timeout;
 * `unverified` friend_delete_all answers OK and removes nothing, so the `friends` read-back never empties.
 */
export type Doom = 'transient' | 'timeout' | 'unverified';

/** What must become of an event. */
export type ExpectedOutcome =
  /** The account exists in the simulator: erased, or dead-lettered for a Chat, receipt or dependency failure. */
  | { type: 'erasable'; userId: string; doom?: Doom }
  /** The account never existed: absent, or dead-lettered for a Chat, receipt or dependency failure. */
  | { type: 'absent'; userId: string }
  /** Dead-lettered as `invalid-event` with exactly this `error-message`. */
  | { type: 'invalid'; reason: string; admin?: boolean };

export interface ChaosEvent {
  index: number;
  kind: ChaosEventKind;
  /** The SQS message body, exactly as sent (a task token in place of {@link taskTokenPlaceholder}). */
  body: string;
  expected: ExpectedOutcome;
  /** The DLQ and receipt `request-id` this event must get; undefined: the SQS messageId. */
  requestId?: string;
  /** The event carries a task token; `expired`: its task times out before the run. */
  task?: { expired: boolean };
  /** Every receipt of this erasure is refused by EventBridge as throttled (retryable), for ever. */
  receiptThrottled?: boolean;
}

export interface ChaosWorkload {
  events: ChaosEvent[];
  data: SeededData;
  /** The admin's own friend: the admin is never erased, so this friendship must survive the run. */
  adminFriend: string;
  /** Accounts whose every delivery fails (inject the matching scripted faults before the run). */
  doomed: ReadonlyMap<string, Doom>;
}

/** Relative weights of the event kinds (invalid ones share about 15 %). */
const KIND_WEIGHTS: Record<ChaosEventKind, number> = {
  valid: 44,
  'valid-sns': 5,
  'valid-eventbridge': 5,
  duplicate: 9,
  'doomed-transient': 0.8,
  'doomed-timeout': 0.8,
  'doomed-unverified': 2,
  'receipt-throttled': 3,
  'unknown-user': 7,
  'invalid-not-json': 1.4,
  'invalid-not-object': 1.4,
  'invalid-missing-user-id': 1.4,
  'invalid-user-id-type': 1.4,
  'invalid-empty-user-id': 1.4,
  'invalid-too-long': 1.4,
  'invalid-control-character': 1.4,
  'invalid-lone-surrogate': 1.4,
  'invalid-admin': 1.4,
  'invalid-sns-message': 1.4,
  'invalid-in-envelope': 1.4,
};

/** Share of JSON-object events that carry a task token, and of those whose task times out before the run. */
const TASK_SHARE = { valid: 0.3, invalid: 0.2, expired: 0.1 };

/** Non-ASCII tails for some userIds: any character is accepted, and each is at most 32 bytes in UTF-8. */
const UNICODE_TAILS = ['ü', '用户', 'ñ', 'Ω', '🙂'];

const OCCURRED_AT = '2026-11-25T10:00:00Z';

/**
 * The text an event's body holds where its task token goes; the run puts a real token there.
 * @example
 * body.replace(taskTokenPlaceholder(17), world.stepFunctions.createTaskToken());
 */
export function taskTokenPlaceholder(index: number): string {
  return `task-token-of-event-${index}`;
}

/**
 * @example
 * const workload = buildChaosWorkload({ seed: 7, events: 2000, adminIdentifier: 'administrator' });
 * world.chat.seed(workload.data.seed);
 */
export function buildChaosWorkload(options: {
  seed: number;
  events: number;
  adminIdentifier: string;
}): ChaosWorkload {
  const random = new SeededRandom(options.seed, 1);
  const data = new UserDataSeed(new SeededRandom(options.seed, 5));
  const validUsers: string[] = [];
  const doomed = new Map<string, Doom>();
  const events: ChaosEvent[] = [];

  const newUser = (index: number, doom?: Doom): string => {
    const tail = random.chance(0.05) ? `-${random.pick(UNICODE_TAILS)}` : '';
    const userId = `chaos-u-${index}${tail}`;
    data.addUser(userId, validUsers, doom !== undefined);
    validUsers.push(userId);
    if (doom !== undefined) doomed.set(userId, doom);
    return userId;
  };

  for (let index = 0; index < options.events; index++) {
    let kind = random.weighted(KIND_WEIGHTS);
    if (kind === 'duplicate' && validUsers.length === 0) kind = 'valid';
    const made = EVENT_MAKERS[kind]({
      index,
      seed: options.seed,
      random,
      newUser,
      validUsers,
      doomed,
      admin: options.adminIdentifier,
    });
    events.push({ index, kind, ...made, body: escapeBeyondBmp(made.body) });
  }

  const adminFriend = data.bystander(0);
  const seeded = data.result();
  seeded.seed.friendships.push([options.adminIdentifier, adminFriend, 'both']);
  return { events, data: seeded, adminFriend, doomed };
}

/**
 * Writes characters beyond U+FFFF as JSON `\uXXXX` surrogate pairs (the same JSON text to any parser). SQS
 * accepts them raw, but the fauxqs stand-in refuses them (InvalidMessageContents); a producer may send
 * either form, so nothing is lost by sending this one.
 */
function escapeBeyondBmp(body: string): string {
  return body.replaceAll(/[\u{10000}-\u{10FFFF}]/gu, (character) =>
    Array.from({ length: 2 }, (_, i) => `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`).join(
      '',
    ),
  );
}

interface MakerInput {
  index: number;
  seed: number;
  random: SeededRandom;
  newUser(index: number, doom?: Doom): string;
  validUsers: readonly string[];
  doomed: ReadonlyMap<string, Doom>;
  admin: string;
}

type MadeEvent = Omit<ChaosEvent, 'index' | 'kind'>;

/**
 * A valid event object, with the metadata variations DESIGN.md allows (missing, malformed, extra fields), and
 * sometimes a task token.
 */
function eventFields(
  input: MakerInput,
  userId: unknown,
  taskShare: number,
): { fields: Record<string, unknown>; requestId?: string; task?: { expired: boolean } } {
  const { random, index, seed } = input;
  const fields: Record<string, unknown> = { userId };
  let requestId: string | undefined;
  const requestIdForm = random.weighted({ good: 80, missing: 10, empty: 5, number: 5 });
  if (requestIdForm === 'good') {
    requestId = `dsr-${seed}-${index}`;
    fields.requestId = requestId;
  } else if (requestIdForm === 'empty') fields.requestId = '';
  else if (requestIdForm === 'number') fields.requestId = index;
  const occurredAtForm = random.weighted({ good: 70, missing: 20, malformed: 10 });
  if (occurredAtForm === 'good') fields.occurredAt = OCCURRED_AT;
  else if (occurredAtForm === 'malformed') fields.occurredAt = 'yesterday';
  if (random.chance(0.1)) fields.reason = 'account-closed';
  let task: { expired: boolean } | undefined;
  if (random.chance(taskShare)) {
    fields.taskToken = taskTokenPlaceholder(index);
    task = { expired: random.chance(TASK_SHARE.expired) };
  }
  // Unknown fields are ignored: this one makes every body unique.
  fields.chaosSeq = index;
  return {
    fields,
    ...(requestId === undefined ? {} : { requestId }),
    ...(task === undefined ? {} : { task }),
  };
}

function plain(input: MakerInput, userId: string, expected: ExpectedOutcome): MadeEvent {
  const { fields, ...rest } = eventFields(input, userId, TASK_SHARE.valid);
  return { body: JSON.stringify(fields), expected, ...rest };
}

function snsEnvelope(index: number, message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:account-closed',
    Message: message,
    Timestamp: OCCURRED_AT,
  });
}

function eventBridgeEnvelope(index: number, detail: unknown): string {
  return JSON.stringify({
    version: '0',
    id: `chaos-${index}`,
    'detail-type': 'AccountClosed',
    source: 'accounts',
    detail,
  });
}

/** An invalid event: its requestId is still used for the DLQ when it is a non-empty string. */
function invalid(input: MakerInput, userId: unknown, reason: string): MadeEvent {
  const { fields, ...rest } = eventFields(input, userId, TASK_SHARE.invalid);
  if (userId === undefined) delete fields.userId;
  return { body: JSON.stringify(fields), expected: { type: 'invalid', reason }, ...rest };
}

function doomedEvent(input: MakerInput, doom: Doom): MadeEvent {
  const userId = input.newUser(input.index, doom);
  return plain(input, userId, { type: 'erasable', userId, doom });
}

const EVENT_MAKERS: Record<ChaosEventKind, (input: MakerInput) => MadeEvent> = {
  valid: (input) => {
    const userId = input.newUser(input.index);
    return plain(input, userId, { type: 'erasable', userId });
  },
  'valid-sns': (input) => {
    const userId = input.newUser(input.index);
    const inner = plain(input, userId, { type: 'erasable', userId });
    return { ...inner, body: snsEnvelope(input.index, inner.body) };
  },
  'valid-eventbridge': (input) => {
    const userId = input.newUser(input.index);
    const inner = plain(input, userId, { type: 'erasable', userId });
    return { ...inner, body: eventBridgeEnvelope(input.index, JSON.parse(inner.body)) };
  },
  duplicate: (input) => {
    // Half right after the original (likely the same batch: one shared erasure), half anywhere later.
    const { validUsers, random, doomed } = input;
    const userId = random.chance(0.5) ? (validUsers.at(-1) as string) : random.pick(validUsers);
    const doom = doomed.get(userId);
    return plain(input, userId, { type: 'erasable', userId, ...(doom && { doom }) });
  },
  'doomed-transient': (input) => doomedEvent(input, 'transient'),
  'doomed-timeout': (input) => doomedEvent(input, 'timeout'),
  'doomed-unverified': (input) => doomedEvent(input, 'unverified'),
  'receipt-throttled': (input) => {
    const userId = input.newUser(input.index);
    return { ...plain(input, userId, { type: 'erasable', userId }), receiptThrottled: true };
  },
  'unknown-user': (input) => {
    const userId = `chaos-g-${input.index}`;
    return plain(input, userId, { type: 'absent', userId });
  },
  'invalid-not-json': ({ index }) => ({
    body: `account ${index} closed (not JSON)`,
    expected: { type: 'invalid', reason: INVALID_EVENT_REASONS.bodyNotJson },
  }),
  'invalid-not-object': ({ index, random }) => ({
    body: random.chance(0.5) ? `["chaos", ${index}]` : JSON.stringify(`chaos event ${index}`),
    expected: { type: 'invalid', reason: INVALID_EVENT_REASONS.eventNotObject },
  }),
  'invalid-missing-user-id': (input) => invalid(input, undefined, INVALID_EVENT_REASONS.userIdMissing),
  'invalid-user-id-type': (input) =>
    invalid(
      input,
      input.random.pick([input.index, null, true, { id: input.index }]),
      INVALID_EVENT_REASONS.userIdNotString,
    ),
  'invalid-empty-user-id': (input) => invalid(input, '', INVALID_EVENT_REASONS.userIdEmpty),
  'invalid-too-long': (input) =>
    invalid(input, `chaos-u-${input.index}-`.padEnd(40, 'x'), INVALID_EVENT_REASONS.userIdTooLong),
  'invalid-control-character': (input) =>
    invalid(input, `chaos-u-${input.index}\u0007`, INVALID_EVENT_REASONS.userIdControlCharacter),
  'invalid-lone-surrogate': (input) =>
    invalid(input, `chaos-u-${input.index}\ud800`, INVALID_EVENT_REASONS.userIdNotUnicode),
  'invalid-admin': (input) => {
    const made = invalid(input, input.admin, INVALID_EVENT_REASONS.userIdIsAdmin);
    return {
      ...made,
      expected: { type: 'invalid', reason: INVALID_EVENT_REASONS.userIdIsAdmin, admin: true },
    };
  },
  'invalid-sns-message': ({ index }) => ({
    body: snsEnvelope(index, `account ${index} closed (not JSON)`),
    expected: { type: 'invalid', reason: INVALID_EVENT_REASONS.snsMessageNotJson },
  }),
  'invalid-in-envelope': (input) => {
    // A valid-looking envelope around an event without a usable userId: the inner requestId still counts.
    const missing = input.random.chance(0.5);
    const inner = invalid(input, missing ? undefined : input.index, '');
    const reason = missing ? INVALID_EVENT_REASONS.userIdMissing : INVALID_EVENT_REASONS.userIdNotString;
    const body = input.random.chance(0.5)
      ? snsEnvelope(input.index, inner.body)
      : eventBridgeEnvelope(input.index, JSON.parse(inner.body));
    // The envelope is unwrapped first: the inner event's task token counts.
    return { ...inner, body, expected: { type: 'invalid', reason } };
  },
};
