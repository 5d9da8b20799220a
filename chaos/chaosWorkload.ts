/**
 * The chaos run's traffic: a seeded mix of account-closure events (valid ones for users with friends,
 * users the Chat app never had, envelopes, duplicates, and invalid bodies of every kind the parser knows)
 * and the friend graph the simulator starts from. Pure: the same seed and count give the same workload.
 * Every body is unique (it carries its index), so a message found in the DLQ maps back to its event even
 * without our attributes (a redrive-backstop move).
 */
import type { SeedFriendship } from '../sim/chat-api/index.ts';
import { INVALID_EVENT_REASONS } from '../src/erasure/accountClosureEvent.ts';
import { SeededRandom } from './seededRandom.ts';

/** Prefixes of every userId the run makes up: a plain-text one in a log line is a privacy leak. */
export const USER_ID_PATTERN = /chaos-[ugb]-/;

export const CHAOS_EVENT_KINDS = [
  'valid',
  'valid-sns',
  'valid-eventbridge',
  'duplicate',
  'doomed-transient',
  'doomed-timeout',
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
 * A doomed account's every friend_delete_all fails the same way (a scripted simulator fault for its
 * From_Account): `transient` answers 30006, `timeout` answers (and erases) only after the client timeout.
 * Its events must end dead-lettered as `retries-exhausted` after MAX_RECEIVES deliveries.
 */
export type Doom = 'transient' | 'timeout';

/** What must become of an event. */
export type ExpectedOutcome =
  /** The account exists in the simulator: erased, or dead-lettered for a Chat or dependency failure. */
  | { type: 'erasable'; userId: string; doom?: Doom }
  /** The account never existed: absent, or dead-lettered for a Chat or dependency failure. */
  | { type: 'absent'; userId: string }
  /** Dead-lettered as `invalid-event` with exactly this `error-message`. */
  | { type: 'invalid'; reason: string };

export interface ChaosEvent {
  index: number;
  kind: ChaosEventKind;
  /** The SQS message body, exactly as sent. */
  body: string;
  expected: ExpectedOutcome;
  /** The DLQ `request-id` this event must get; undefined: the SQS messageId. */
  requestId?: string;
}

export interface ChaosWorkload {
  events: ChaosEvent[];
  /** Accounts to import into the simulator (the admin is there already). */
  accounts: string[];
  friendships: SeedFriendship[];
  /** For each user: the accounts that hold it one-way (`holder -> user` only), which an erasure leaves. */
  oneWayHolders: ReadonlyMap<string, ReadonlySet<string>>;
  /** The admin's own friend: the admin is never erased, so this friendship must survive the run. */
  adminFriend: string;
  /** Accounts whose every call fails (inject the matching scripted faults before the run). */
  doomed: ReadonlyMap<string, Doom>;
}

/** Relative weights of the event kinds (invalid ones share about 18 %). */
const KIND_WEIGHTS: Record<ChaosEventKind, number> = {
  valid: 47,
  'valid-sns': 6,
  'valid-eventbridge': 6,
  duplicate: 10,
  'doomed-transient': 0.8,
  'doomed-timeout': 0.8,
  'unknown-user': 8,
  'invalid-not-json': 1.6,
  'invalid-not-object': 1.6,
  'invalid-missing-user-id': 1.6,
  'invalid-user-id-type': 1.6,
  'invalid-empty-user-id': 1.6,
  'invalid-too-long': 1.6,
  'invalid-control-character': 1.6,
  'invalid-lone-surrogate': 1.6,
  'invalid-admin': 1.6,
  'invalid-sns-message': 1.6,
  'invalid-in-envelope': 1.6,
};

/** Non-ASCII tails for some userIds: any character is accepted, and each is at most 32 bytes in UTF-8. */
const UNICODE_TAILS = ['ü', '用户', 'ñ', 'Ω', '🙂'];

const OCCURRED_AT = '2026-11-25T10:00:00Z';

/**
 * @example
 * const workload = buildChaosWorkload({ seed: 7, events: 2000, adminIdentifier: 'administrator' });
 * world.chat.seed({ accounts: workload.accounts, friendships: workload.friendships });
 * await world.enqueue(workload.events.map((event) => event.body));
 */
export function buildChaosWorkload(options: {
  seed: number;
  events: number;
  adminIdentifier: string;
}): ChaosWorkload {
  const random = new SeededRandom(options.seed, 1);
  const graph = new SeedGraph(random);
  const validUsers: string[] = [];
  const doomed = new Map<string, Doom>();
  const events: ChaosEvent[] = [];

  const newUser = (index: number): string => {
    const tail = random.chance(0.05) ? `-${random.pick(UNICODE_TAILS)}` : '';
    const userId = `chaos-u-${index}${tail}`;
    graph.addUser(userId, validUsers);
    validUsers.push(userId);
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

  const adminFriend = graph.bystander(0);
  graph.link(options.adminIdentifier, adminFriend, 'both');
  return {
    events,
    accounts: [...validUsers, ...graph.bystanders],
    friendships: graph.friendships,
    oneWayHolders: graph.oneWayHolders,
    adminFriend,
    doomed,
  };
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
  newUser(index: number): string;
  validUsers: readonly string[];
  doomed: Map<string, Doom>;
  admin: string;
}

type MadeEvent = Omit<ChaosEvent, 'index' | 'kind'>;

/** A valid event object, with the metadata variations DESIGN.md allows (missing, malformed, extra fields). */
function eventFields(
  input: MakerInput,
  userId: unknown,
): { fields: Record<string, unknown>; requestId?: string } {
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
  // Unknown fields are ignored: this one makes every body unique.
  fields.chaosSeq = index;
  return requestId === undefined ? { fields } : { fields, requestId };
}

function plain(input: MakerInput, userId: string, expected: ExpectedOutcome): MadeEvent {
  const { fields, requestId } = eventFields(input, userId);
  return { body: JSON.stringify(fields), expected, ...(requestId === undefined ? {} : { requestId }) };
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
  const { fields, requestId } = eventFields(input, userId);
  if (userId === undefined) delete fields.userId;
  return {
    body: JSON.stringify(fields),
    expected: { type: 'invalid', reason },
    ...(requestId === undefined ? {} : { requestId }),
  };
}

function doomedEvent(input: MakerInput, doom: Doom): MadeEvent {
  const userId = input.newUser(input.index);
  input.doomed.set(userId, doom);
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
    // Half right after the original (likely the same batch: one shared call), half anywhere later.
    const { validUsers, random, doomed } = input;
    const userId = random.chance(0.5) ? (validUsers.at(-1) as string) : random.pick(validUsers);
    const doom = doomed.get(userId);
    return plain(input, userId, { type: 'erasable', userId, ...(doom && { doom }) });
  },
  'doomed-transient': (input) => doomedEvent(input, 'transient'),
  'doomed-timeout': (input) => doomedEvent(input, 'timeout'),
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
  'invalid-admin': (input) => invalid(input, input.admin, INVALID_EVENT_REASONS.userIdIsAdmin),
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
    return { ...inner, body, expected: { type: 'invalid', reason } };
  },
};

/** The friend graph under construction: each new user gets 0–4 friendships, mostly two-way. */
class SeedGraph {
  readonly bystanders: string[] = [];
  readonly friendships: SeedFriendship[] = [];
  readonly oneWayHolders = new Map<string, Set<string>>();
  readonly #random: SeededRandom;
  readonly #pairs = new Set<string>();

  constructor(random: SeededRandom) {
    this.#random = random;
  }

  /** Bystanders are never erased; one exists for every five users (at least ten). */
  bystander(index: number): string {
    while (this.bystanders.length <= index) this.bystanders.push(`chaos-b-${this.bystanders.length}`);
    return this.bystanders[index] as string;
  }

  addUser(userId: string, earlierUsers: readonly string[]): void {
    const wanted = Math.max(10, Math.ceil((earlierUsers.length + 1) / 5));
    while (this.bystanders.length < wanted) this.bystander(this.bystanders.length);
    const count = this.#random.int(0, 4);
    for (let i = 0; i < count; i++) {
      const target =
        earlierUsers.length > 0 && this.#random.chance(0.4)
          ? this.#random.pick(earlierUsers)
          : this.#random.pick(this.bystanders);
      const direction = this.#random.weighted({ both: 70, outgoing: 15, incoming: 15 });
      if (direction === 'both') this.link(userId, target, 'both');
      else if (direction === 'outgoing') this.link(userId, target, 'single');
      else this.link(target, userId, 'single');
    }
  }

  link(a: string, b: string, kind: 'both' | 'single'): void {
    const pair = a < b ? `${a}\n${b}` : `${b}\n${a}`;
    if (a === b || this.#pairs.has(pair)) return;
    this.#pairs.add(pair);
    this.friendships.push([a, b, kind]);
    if (kind === 'single') {
      const holders = this.oneWayHolders.get(b) ?? new Set<string>();
      holders.add(a);
      this.oneWayHolders.set(b, holders);
    }
  }
}
