/**
 * fast-check generators for whole SQS batches of account-closure messages, the Chat accounts they name, and
 * what the Chat API answers. Structured bodies carry what DESIGN.md says they hold (`expected`), so the
 * properties do not have to ask the parser; raw bodies (arbitrary strings, arbitrary JSON, huge texts) carry
 * nothing and the properties fall back on the parser, which has its own property tests. Answers are raw wire
 * answers: which class each one is, the model reads from DESIGN.md's tables.
 */
import fc from 'fast-check';
import type { UserIdDisplay } from '../../src/configuration.ts';
import { parseAccountClosure } from '../../src/erasure/accountClosureEvent.ts';
import {
  type AccountSetup,
  type Answer,
  FRIENDS_COMMANDS,
  FRIENDS_WRITES,
  type FriendsCommand,
  type Scripts,
} from './chatAccounts.ts';
import {
  type AnswerClass,
  FRIENDS_ERROR_CODES,
  LISTED_ERROR_CODES,
  type ModelRecord,
  type ModelWorld,
  type ReceiptResult,
} from './erasureModel.ts';
import {
  ADMIN_IDENTIFIER,
  CHAT_TIMEOUT_MS,
  type LineageAttributes,
  messageIdAt,
  type RecordInput,
  type WorldOptions,
} from './erasureWorld.ts';

/** SQS's limit on a message body, in bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const alnum = (length: number) =>
  fc.string({ unit: fc.constantFrom(...ALNUM), minLength: length, maxLength: length });

/** Long and distinctive: a substring search for it in the output finds a leak, never a coincidence. */
export const distinctiveUserId = alnum(12).map((tail) => `uid-${tail}`);
/** Valid userIds beyond ASCII (each ≤ 32 UTF-8 bytes), and one that differs from the admin only in case. */
const unusualUserId = fc.oneof(
  alnum(8).map((tail) => `uid-ü-${tail}`),
  alnum(6).map((tail) => `uid-用户-${tail}`),
  alnum(6).map((tail) => `uid-🙂 ${tail}`),
  fc.constant('Administrator'),
);

// ---------------------------------------------------------------------------------------------- answers

const OK: Answer = { via: 'ok' };
const IGNORED: Answer = { via: 'ignored' };
const NOT_STARTED: Answer = { via: 'not-started' };
const THROWS: Answer = { via: 'throws' };

const fail = (errorCode: number): Answer => ({ via: 'json', actionStatus: 'FAIL', errorCode });
const coded = (cls: Exclude<AnswerClass, 'done'>) => fc.constantFrom(...FRIENDS_ERROR_CODES[cls]).map(fail);
const unlistedCode = fc
  .oneof(fc.integer({ min: 1, max: 99_999 }), fc.constantFrom(-1, 70108, 71000, 2 ** 31))
  .filter((code) => !LISTED_ERROR_CODES.has(code));
const isWrite = (command: FriendsCommand) => FRIENDS_WRITES.includes(command);
/** A write may have been carried out although its answer was lost. */
const applied = (command: FriendsCommand) => (isWrite(command) ? fc.boolean() : fc.constant(false));
const http = (command: FriendsCommand, statuses: number[]) =>
  fc
    .record({ status: fc.constantFrom(...statuses), applied: applied(command) })
    .map(
      ({ status, applied: done }): Answer => ({ via: 'http', status, ...(done ? { applied: true } : {}) }),
    );

/** 200 answers that are not the documented envelope. */
const MALFORMED_BODIES: unknown[] = [
  undefined,
  null,
  [],
  'OK',
  { ActionStatus: 'OK' },
  { ActionStatus: 'OK', ErrorCode: 0 },
  { ActionStatus: 'OK', ErrorCode: '0', ErrorInfo: '' },
  { ActionStatus: 'ok', ErrorCode: 0, ErrorInfo: '' },
  { ActionStatus: 'OK', ErrorCode: 0.5, ErrorInfo: '' },
  { ActionStatus: 'FAIL', ErrorCode: 70107 },
];

/** OK envelopes whose command fields are not the documented ones (API.md §4.2, §8.7). */
const UNDOCUMENTED_FIELDS: Readonly<Partial<Record<FriendsCommand, Record<string, unknown>[]>>> = {
  'sns/friend_get': [{}, { FriendNum: '2' }, { FriendNum: -1 }, { FriendNum: 1.5 }, { FriendNum: null }],
  'sns/group_get': [{ ResultItem: 'Friends' }, { ResultItem: [{}] }, { ResultItem: [{ GroupName: 7 }] }],
};

function transientAnswer(command: FriendsCommand): fc.Arbitrary<Answer> {
  const undocumented = UNDOCUMENTED_FIELDS[command];
  return fc.oneof(
    coded('transient'),
    http(command, [408, 500, 502, 503, 504]),
    fc
      .record({
        failure: fc.constantFrom('timeout' as const, 'connection-error' as const),
        applied: applied(command),
      })
      .map(
        ({ failure, applied: done }): Answer => ({
          via: 'transport',
          failure,
          ...(done ? { applied: true } : {}),
        }),
      ),
    fc.constantFrom(...MALFORMED_BODIES).map((body): Answer => ({ via: 'malformed', body })),
    // ActionStatus and ErrorCode disagree.
    fc
      .oneof(unlistedCode, fc.constantFrom(...Object.values(FRIENDS_ERROR_CODES).flat()))
      .map((errorCode): Answer => ({ via: 'json', actionStatus: 'OK', errorCode })),
    fc.constant<Answer>({ via: 'json', actionStatus: 'FAIL', errorCode: 0 }),
    ...(undocumented === undefined
      ? []
      : [fc.constantFrom(...undocumented).map((fields): Answer => ({ via: 'undocumented', fields }))]),
  );
}

const throttledAnswer = (command: FriendsCommand): fc.Arbitrary<Answer> =>
  fc.oneof(coded('throttled'), http(command, [429]));
const permanentAnswer = (command: FriendsCommand): fc.Arbitrary<Answer> =>
  fc.oneof(coded('permanent'), unlistedCode.map(fail), http(command, [400, 401, 403, 404, 413]));

/** Every kind of answer a command can get, weighted toward the common ones. */
export function anyAnswer(command: FriendsCommand): fc.Arbitrary<Answer> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(OK) },
    { weight: isWrite(command) ? 3 : 0, arbitrary: fc.constant(IGNORED) },
    { weight: 1, arbitrary: coded('absent') },
    { weight: 3, arbitrary: transientAnswer(command) },
    { weight: 1, arbitrary: throttledAnswer(command) },
    { weight: 2, arbitrary: coded('re-sign') },
    { weight: 1, arbitrary: permanentAnswer(command) },
    { weight: 1, arbitrary: fc.constant(NOT_STARTED) },
    { weight: 1, arbitrary: fc.constant(THROWS) },
  );
}

/** Answers that are all worth another delivery (transient, throttled; a defect). */
export function retryableAnswer(command: FriendsCommand): fc.Arbitrary<Answer> {
  return fc.oneof(
    { weight: 4, arbitrary: transientAnswer(command) },
    { weight: 2, arbitrary: throttledAnswer(command) },
    { weight: 1, arbitrary: fc.constant(THROWS) },
  );
}

/**
 * How a scenario scripts its accounts:
 * - `any`: every command may get any answer (short scripts; past the end: OK);
 * - `retryable`: `friend_get` fails with retryable answers only, more than a call's attempts;
 * - `ignoring`: reads answer OK, writes answer OK with or without effect (`unverified` or erased);
 * - `deadline`: calls often cannot start (the deadline), after OK or failed calls (continued, out of time).
 */
export type AnswerMix = 'any' | 'retryable' | 'ignoring' | 'deadline';

const scriptOf = (answer: fc.Arbitrary<Answer>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Answer[]>([]) },
    { weight: 5, arbitrary: fc.array(answer, { minLength: 1, maxLength: 3 }) },
  );

function scriptsFor(mix: AnswerMix): fc.Arbitrary<Scripts> {
  const perCommand = (answer: (command: FriendsCommand) => fc.Arbitrary<Answer>) =>
    fc.record(
      Object.fromEntries(FRIENDS_COMMANDS.map((command) => [command, scriptOf(answer(command))])) as Record<
        FriendsCommand,
        fc.Arbitrary<Answer[]>
      >,
    );
  switch (mix) {
    case 'any':
      return perCommand(anyAnswer);
    case 'retryable':
      return fc
        .array(retryableAnswer('sns/friend_get'), { minLength: 3, maxLength: 3 })
        .map((script): Scripts => ({ 'sns/friend_get': script }));
    case 'ignoring':
      return fc
        .record({
          'sns/friend_delete_all': fc.array(fc.constantFrom(OK, IGNORED, IGNORED), {
            minLength: 2,
            maxLength: 2,
          }),
          'sns/group_delete': fc.array(fc.constantFrom(OK, IGNORED, IGNORED), { minLength: 2, maxLength: 2 }),
        })
        .map((scripts): Scripts => scripts);
    case 'deadline':
      return perCommand((command) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(OK) },
          { weight: 3, arbitrary: fc.constant(NOT_STARTED) },
          { weight: 1, arbitrary: transientAnswer(command) },
          { weight: 1, arbitrary: coded('absent') },
        ),
      );
  }
}

const LIST_NAMES = ['Friends', 'Work', '家人', 'Best 🙂'];

function accountSetup(mix: AnswerMix): fc.Arbitrary<AccountSetup> {
  const friendNum = fc.oneof(
    { weight: mix === 'ignoring' ? 0 : 3, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 5 }) },
    { weight: 1, arbitrary: fc.constant(3000) },
  );
  const lists = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 2, arbitrary: fc.subarray(LIST_NAMES, { minLength: 1 }) },
  );
  return fc.record({ friendNum, lists, scripts: scriptsFor(mix) });
}

// ---------------------------------------------------------------------------------------------- bodies

/**
 * What DESIGN.md says a structured body holds. `requestId` undefined: the continuation's or the SQS
 * messageId is used; `taskToken` undefined: none (or a malformed one, which is ignored).
 */
export interface BodyExpectation {
  valid: boolean;
  userId?: string;
  requestId?: string;
  taskToken?: string;
}

export interface BodyCase {
  kind: string;
  body: string;
  expected?: BodyExpectation;
}

/** Keeps a 256 KiB body out of a counterexample report: its kind, length and start say enough. */
function bodyCase(kind: string, body: string, expected?: BodyExpectation): BodyCase {
  const value: BodyCase = { kind, body, ...(expected === undefined ? {} : { expected }) };
  if (body.length > 300) {
    Object.defineProperty(value, fc.toStringMethod, {
      value: () =>
        `{kind:${JSON.stringify(kind)},body:<${body.length} chars: ${JSON.stringify(body.slice(0, 80))}…>,expected:${fc.stringify(expected)}}`,
    });
  }
  return value;
}

type Field = { present: false } | { present: true; value: unknown };
const absent: Field = { present: false };
const present = (value: unknown): Field => ({ present: true, value });

/** A userId field: a valid one from the pool, an invalid one (often built from a pool id), or none. */
function userIdField(
  pool: readonly string[],
): fc.Arbitrary<{ field: Field; valid: boolean; userId?: string }> {
  const fromPool = fc.constantFrom(...pool);
  const invalid = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ field: present(v), valid: false }));
  return fc.oneof(
    { weight: 30, arbitrary: fromPool.map((userId) => ({ field: present(userId), valid: true, userId })) },
    // The admin is a valid event to the parser; the admin rule needs the secret (the model applies it).
    {
      weight: 1,
      arbitrary: fc.constant({ field: present(ADMIN_IDENTIFIER), valid: true, userId: ADMIN_IDENTIFIER }),
    },
    { weight: 1, arbitrary: invalid(fc.constant('')) },
    { weight: 1, arbitrary: invalid(fromPool.map((id) => `${id}-${'x'.repeat(32)}`)) },
    { weight: 1, arbitrary: invalid(fromPool.map((id) => `${id}\u0007`)) },
    { weight: 1, arbitrary: invalid(fromPool.map((id) => `${id}\u0085`)) },
    { weight: 1, arbitrary: invalid(fromPool.map((id) => `${id}\ud800`)) },
    {
      weight: 2,
      arbitrary: invalid(fc.constantFrom(42, null, true, ['uid-in-an-array'], { id: 'uid-in-an-object' })),
    },
    { weight: 1, arbitrary: fc.constant({ field: absent, valid: false }) },
  );
}

/** A requestId field and whether DESIGN.md lets it be used (else the messageId is). */
const requestIdField: fc.Arbitrary<{ field: Field; usable: boolean }> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ field: absent, usable: false }) },
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        alnum(10).map((tail) => `dsr-2026-${tail}`),
        alnum(6).map((tail) => `anfrage-ü-🙂-${tail}`),
        fc.constant('r'.repeat(1024)),
        // DESIGN.md: any requestId SQS can carry is kept, whatever its length (TAB, LF, CR, DEL included).
        fc.constant('r'.repeat(1025)),
        fc.constant('é'.repeat(513)),
        fc.constant('dsr\t1\n2\r3\u007f'),
      )
      .map((value) => ({ field: present(value), usable: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<unknown>('', 42, true, { id: 'x' }, 'dsr\u0001x', 'dsr-\ud800', 'dsr-\uffff')
      .map((value) => ({ field: present(value), usable: false })),
  },
  { weight: 1, arbitrary: fc.constant({ field: present(null), usable: false }) },
);

const occurredAtField: fc.Arbitrary<Field> = fc.oneof(
  fc.constant(absent),
  fc
    .constantFrom<unknown>(
      '2026-11-25T10:00:00Z',
      '2026-11-25t10:00:00.123+01:00',
      'yesterday',
      1795600000,
      null,
      '2026-02-30T00:00:00Z',
    )
    .map(present),
);

/** A Step Functions task token: DESIGN.md "a non-empty string of at most 2,048 characters". */
const taskTokenField: fc.Arbitrary<{ field: Field; usable: boolean }> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ field: absent, usable: false }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        alnum(24).map((tail) => `AQCEAAAAKgAAAA-${tail}`),
        fc.constant('t'.repeat(2048)),
      )
      .map((value) => ({ field: present(value), usable: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>('', 42, 't'.repeat(2049), { token: 'x' })
      .map((value) => ({ field: present(value), usable: false })),
  },
);

const paddingLength = fc.oneof(
  { weight: 12, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_BODY_BYTES - 4096 }) },
);

const ENVELOPES = [
  'plain',
  'sns',
  'eventbridge',
  'byte-order-mark',
  'sns-message-not-json',
  'sns-message-scalar',
  'sns-message-not-a-string',
  'sns-of-eventbridge',
  'eventbridge-detail-not-an-object',
  'detail-without-detail-type',
] as const;

const snsNotification = (message: unknown) => ({
  Type: 'Notification',
  MessageId: '2b6c8d7e-0f1a-4b3c-9d5e-6f7a8b9c0d1e',
  TopicArn: 'arn:aws:sns:eu-central-1:123456789012:account-closures',
  Message: message,
  Timestamp: '2026-11-25T10:00:01.000Z',
});
const eventBridgeEvent = (detail: unknown) => ({
  version: '0',
  id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
  'detail-type': 'AccountClosed',
  source: 'accounts',
  detail,
});

/** An account-closure event (valid or not) in one of the envelopes, with what it holds. */
export function eventBody(pool: readonly string[]): fc.Arbitrary<BodyCase> {
  return fc
    .record({
      userId: userIdField(pool),
      requestId: requestIdField,
      occurredAt: occurredAtField,
      taskToken: taskTokenField,
      extra: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      padding: paddingLength,
      envelope: fc.oneof(
        { weight: 6, arbitrary: fc.constant('plain' as const) },
        { weight: 3, arbitrary: fc.constantFrom('sns' as const, 'eventbridge' as const) },
        { weight: 2, arbitrary: fc.constantFrom(...ENVELOPES) },
      ),
    })
    .map(({ userId, requestId, occurredAt, taskToken, extra, padding, envelope }) => {
      const event: Record<string, unknown> = {};
      if (userId.field.present) event.userId = userId.field.value;
      if (requestId.field.present) event.requestId = requestId.field.value;
      if (occurredAt.present) event.occurredAt = occurredAt.value;
      if (taskToken.field.present) event.taskToken = taskToken.field.value;
      if (extra !== undefined) event.note = extra;
      if (padding > 0) event.padding = 'p'.repeat(padding);
      const carried: BodyExpectation = {
        valid: userId.valid,
        ...(userId.userId === undefined ? {} : { userId: userId.userId }),
        ...(requestId.usable
          ? { requestId: requestId.field.present ? String(requestId.field.value) : '' }
          : {}),
        ...(taskToken.usable && taskToken.field.present ? { taskToken: String(taskToken.field.value) } : {}),
      };
      // The outer object is taken as the event: no userId, no requestId, no task token.
      const lost: BodyExpectation = { valid: false };
      const text = JSON.stringify(event);
      const bodies: Record<(typeof ENVELOPES)[number], () => BodyCase> = {
        plain: () => bodyCase(envelope, text, carried),
        'byte-order-mark': () => bodyCase(envelope, `\ufeff${text}`, carried),
        sns: () => bodyCase(envelope, JSON.stringify(snsNotification(text)), carried),
        eventbridge: () => bodyCase(envelope, JSON.stringify(eventBridgeEvent(event)), carried),
        'sns-message-not-json': () =>
          bodyCase(envelope, JSON.stringify(snsNotification(text.slice(0, -1))), lost),
        'sns-message-scalar': () => bodyCase(envelope, JSON.stringify(snsNotification('42')), lost),
        'sns-message-not-a-string': () => bodyCase(envelope, JSON.stringify(snsNotification(event)), lost),
        'sns-of-eventbridge': () =>
          bodyCase(envelope, JSON.stringify(snsNotification(JSON.stringify(eventBridgeEvent(event)))), lost),
        'eventbridge-detail-not-an-object': () =>
          bodyCase(envelope, JSON.stringify(eventBridgeEvent(text)), lost),
        'detail-without-detail-type': () =>
          bodyCase(envelope, JSON.stringify({ source: 'accounts', detail: event }), lost),
      };
      return bodies[envelope]();
    });
}

/** One UTF-16 code unit, any of them: lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Bodies nobody designed: arbitrary text, arbitrary JSON, scalars, broken JSON, huge texts. */
export const rawBody: fc.Arbitrary<BodyCase> = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 64 }).map((body) => bodyCase('code-units', body)),
  fc.string({ unit: 'grapheme', maxLength: 64 }).map((body) => bodyCase('graphemes', body)),
  fc.json({ maxDepth: 3 }).map((body) => bodyCase('json', body)),
  fc
    .constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '42',
      '"userId"',
      'true',
      '{',
      '{"userId":}',
      '\ufeff',
      '\ufeff\ufeff{}',
      '{"userId":"\\ud800"}',
      '{"__proto__":{"userId":"uid-polluted00"}}',
    )
    .map((body) => bodyCase('literal', body)),
  fc
    .record({
      unit: fc.constantFrom('x', 'é', '\ud800', '\udc00\ud800', '[', '{"a":'),
      count: fc.integer({ min: 1, max: 87_000 }),
    })
    .map(({ unit, count }) => bodyCase('huge', unit.repeat(unit === 'x' ? count * 3 : count))),
  fc.constant(bodyCase('huge-max', 'x'.repeat(MAX_BODY_BYTES))),
);

export type BodyMix = 'wild' | 'events' | 'invalid';

function bodyArbitrary(pool: readonly string[], mix: BodyMix): fc.Arbitrary<BodyCase> {
  switch (mix) {
    case 'events':
      return eventBody(pool);
    case 'wild':
      return fc.oneof({ weight: 4, arbitrary: eventBody(pool) }, { weight: 1, arbitrary: rawBody });
    case 'invalid':
      // Raw bodies are almost never valid; the property skips the rare one that is.
      return fc.oneof(
        eventBody(pool).filter((body) => body.expected?.valid === false),
        rawBody,
      );
  }
}

// ---------------------------------------------------------------------------------------------- batches

/** Continuation attributes on a delivered record, and what DESIGN.md says they carry on. */
export interface LineageCase {
  attributes: LineageAttributes;
  /** Undefined: malformed, so the record counts as the first delivery of its erasure. */
  carried?: { erasureId: string; requestId?: string; continuation: number };
}

const lineageCase: fc.Arbitrary<LineageCase | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        erasureId: alnum(8).map((tail) => `5c0ffee0-first-${tail}`),
        requestId: fc.option(
          alnum(8).map((tail) => `dsr-carried-${tail}`),
          { nil: undefined },
        ),
        continuation: fc.integer({ min: 1, max: 3 }),
      })
      .map(
        ({ erasureId, requestId, continuation }): LineageCase => ({
          attributes: {
            erasureId,
            ...(requestId === undefined ? {} : { requestId }),
            firstSentAt: '2026-11-24T09:00:00.000Z',
            continuation: String(continuation),
          },
          carried: { erasureId, ...(requestId === undefined ? {} : { requestId }), continuation },
        }),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constant<LineageCase>({
      attributes: { erasureId: 'e-1', continuation: 'zero', firstSentAt: 'yesterday' },
    }),
  },
);

export interface RecordCase {
  body: BodyCase;
  receiveCount: string;
  /** FIFO message group (index); ignored on a standard queue. */
  group: number;
  sentTimestamp?: string;
  eventSourceARN?: string;
  lineage?: LineageCase;
}

export type DeadlineMode = 'tight' | 'roomy' | 'expired';
export type DeadLetterMode = 'accepts' | 'refuses' | 'flaky';

export interface Scenario {
  fifo: boolean;
  /** The userIds of each FIFO group (one pool on a standard queue): a userId never spans two groups. */
  pools: string[][];
  records: RecordCase[];
  accounts: Array<[string, AccountSetup]>;
  credentialsLoad: boolean;
  renewalSucceeds: boolean;
  dlq: DeadLetterMode;
  /** flaky: which positions the DLQ refuses. */
  dlqRefusals: boolean[];
  /** Which positions the continuation send fails for. */
  continuationRefusals: boolean[];
  redeliveryAccepts: boolean;
  receiptBus: boolean;
  /** How each position's receipt delivery goes. */
  receiptResults: ReceiptResult[];
  deadline: DeadlineMode;
  remainingMs: number;
  maxReceives: number;
  logUserId: UserIdDisplay;
  receiptUserId: UserIdDisplay;
  random: number;
}

export interface ScenarioOptions {
  queue?: 'standard' | 'fifo' | 'either';
  bodies?: BodyMix;
  answers?: AnswerMix;
  credentialsLoad?: fc.Arbitrary<boolean>;
  renewalSucceeds?: fc.Arbitrary<boolean>;
  dlq?: fc.Arbitrary<DeadLetterMode>;
  deadline?: fc.Arbitrary<DeadlineMode>;
  receiptBus?: fc.Arbitrary<boolean>;
  receiptResult?: fc.Arbitrary<ReceiptResult>;
  /** `sqs`: positive integers as SQS sends them; `wild`: anything a broken or forged event could hold. */
  attributes?: 'sqs' | 'wild';
  /** `distinctive`: only `uid-` + 12 alphanumerics (for leak searches). */
  userIds?: 'distinctive' | 'mixed';
  logUserId?: fc.Arbitrary<UserIdDisplay>;
  receiptUserId?: fc.Arbitrary<UserIdDisplay>;
  maxRecords?: number;
}

const WILD_COUNTS = ['0', '', 'abc', '-2', '1.5', '1e309', ' 3 ', '007', 'NaN', '99999999999999999999'];

function remainingFor(deadline: DeadlineMode): fc.Arbitrary<number> {
  switch (deadline) {
    // Less than 160 ms past the latest start: the in-process retry (160–240 ms) never fits.
    case 'tight':
      return fc.integer({ min: CHAT_TIMEOUT_MS + 1000, max: CHAT_TIMEOUT_MS + 1000 + 150 });
    case 'roomy':
      return fc.integer({ min: 60_000, max: 900_000 });
    // The latest start is in the past when the batch begins, while AWS calls still have time (more than
    // 1 s left, and the abandonment timer at 250 ms or more, so it stays a real timer).
    case 'expired':
      return fc.integer({ min: 1300, max: CHAT_TIMEOUT_MS });
  }
}

const displayMode = fc.constantFrom<UserIdDisplay>('pseudonym', 'plain', 'omit');

export function scenarioArbitrary(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  const queue = options.queue ?? 'either';
  const mix = options.answers ?? 'any';
  const userId =
    options.userIds === 'distinctive'
      ? distinctiveUserId
      : fc.oneof({ weight: 4, arbitrary: distinctiveUserId }, { weight: 1, arbitrary: unusualUserId });
  const positions = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { minLength: 10, maxLength: 10 });
  const base = fc.record({
    fifo: queue === 'either' ? fc.boolean() : fc.constant(queue === 'fifo'),
    groups: fc.integer({ min: 1, max: 3 }),
    poolSize: fc.integer({ min: 1, max: 3 }),
    maxReceives: fc.integer({ min: 1, max: 6 }),
    credentialsLoad:
      options.credentialsLoad ??
      fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    renewalSucceeds: options.renewalSucceeds ?? fc.boolean(),
    dlq: options.dlq ?? fc.constantFrom<DeadLetterMode>('accepts', 'accepts', 'accepts', 'refuses', 'flaky'),
    dlqRefusals: positions(fc.boolean()),
    continuationRefusals: positions(
      fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, fc.constant(true)),
    ),
    redeliveryAccepts: fc.boolean(),
    receiptBus:
      options.receiptBus ?? fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, fc.constant(true)),
    receiptResults: positions(
      options.receiptResult ??
        fc.constantFrom<ReceiptResult>('delivered', 'delivered', 'retryable', 'refused'),
    ),
    deadline:
      options.deadline ?? fc.constantFrom<DeadlineMode>('tight', 'tight', 'roomy', 'roomy', 'expired'),
    logUserId: options.logUserId ?? displayMode,
    receiptUserId: options.receiptUserId ?? displayMode,
    random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  });
  return base.chain((b) => {
    const poolCount = b.fifo ? b.groups : 1;
    const idCount = poolCount * b.poolSize;
    return fc.uniqueArray(userId, { minLength: idCount, maxLength: idCount }).chain((ids) => {
      const pools = Array.from({ length: poolCount }, (_, index) =>
        ids.slice(index * b.poolSize, (index + 1) * b.poolSize),
      );
      const record = fc.integer({ min: 0, max: poolCount - 1 }).chain((group) =>
        fc.record(
          {
            group: fc.constant(group),
            body: bodyArbitrary(pools[group] ?? [], options.bodies ?? 'wild'),
            receiveCount:
              options.attributes === 'wild'
                ? fc.oneof(
                    fc.integer({ min: 1, max: b.maxReceives + 2 }).map(String),
                    fc.constantFrom(...WILD_COUNTS),
                  )
                : fc.integer({ min: 1, max: b.maxReceives + 2 }).map(String),
            lineage: lineageCase,
            ...(options.attributes === 'wild'
              ? {
                  sentTimestamp: fc.constantFrom('1795600000000', '', 'soon', '-1', '1e400'),
                  eventSourceARN: fc.constantFrom(
                    'arn:aws:sqs:eu-central-1:123456789012:chat-erasure',
                    'not-an-arn',
                    '',
                  ),
                }
              : {}),
          },
          { requiredKeys: ['group', 'body', 'receiveCount'] },
        ),
      );
      return fc
        .record({
          records: fc.array(record, { minLength: 1, maxLength: options.maxRecords ?? 10 }),
          accounts: fc.tuple(
            ...ids.map((id) => accountSetup(mix).map((setup): [string, AccountSetup] => [id, setup])),
          ),
          remainingMs: remainingFor(b.deadline),
        })
        .map(
          ({ records, accounts, remainingMs }): Scenario => ({
            fifo: b.fifo,
            pools,
            records: records.map((r) => r as RecordCase),
            accounts,
            credentialsLoad: b.credentialsLoad,
            renewalSucceeds: b.renewalSucceeds,
            dlq: b.dlq,
            dlqRefusals: b.dlqRefusals,
            continuationRefusals: b.continuationRefusals,
            redeliveryAccepts: b.redeliveryAccepts,
            receiptBus: b.receiptBus,
            receiptResults: b.receiptResults,
            deadline: b.deadline,
            remainingMs,
            maxReceives: b.maxReceives,
            logUserId: b.logUserId,
            receiptUserId: b.receiptUserId,
            random: b.random,
          }),
        );
    });
  });
}

export const groupIdOf = (group: number): string => `closures-${group}`;

const byPosition =
  <T>(values: readonly T[], fallback: T) =>
  (messageId: string): T => {
    const index = Number.parseInt(messageId.slice(-12), 16);
    return values[index] ?? fallback;
  };

export function dlqRefusesIn(scenario: Scenario): (messageId: string) => boolean {
  switch (scenario.dlq) {
    case 'accepts':
      return () => false;
    case 'refuses':
      return () => true;
    case 'flaky':
      return byPosition(scenario.dlqRefusals, false);
  }
}

export const continuationRefusesIn = (scenario: Scenario) => byPosition(scenario.continuationRefusals, false);
export const receiptResultIn = (scenario: Scenario) =>
  byPosition<ReceiptResult>(scenario.receiptResults, 'delivered');

export function recordInputsOf(scenario: Scenario): RecordInput[] {
  return scenario.records.map(
    (record): RecordInput => ({
      body: record.body.body,
      receiveCount: record.receiveCount,
      ...(scenario.fifo ? { groupId: groupIdOf(record.group) } : {}),
      ...(record.sentTimestamp === undefined ? {} : { sentTimestamp: record.sentTimestamp }),
      ...(record.eventSourceARN === undefined ? {} : { eventSourceARN: record.eventSourceARN }),
      ...(record.lineage === undefined ? {} : { lineage: record.lineage.attributes }),
    }),
  );
}

export function worldOf(scenario: Scenario): WorldOptions {
  return {
    fifo: scenario.fifo,
    records: recordInputsOf(scenario),
    accounts: new Map(scenario.accounts),
    credentialsLoad: scenario.credentialsLoad,
    renewalSucceeds: scenario.renewalSucceeds,
    dlqRefuses: dlqRefusesIn(scenario),
    continuationRefuses: continuationRefusesIn(scenario),
    redeliveryAccepts: scenario.redeliveryAccepts,
    receiptBus: scenario.receiptBus,
    receiptResult: receiptResultIn(scenario),
    remainingMs: scenario.remainingMs,
    maxReceives: scenario.maxReceives,
    logUserId: scenario.logUserId,
    receiptUserId: scenario.receiptUserId,
    random: scenario.random,
  };
}

/** What a record holds, as DESIGN.md "Event" and "Long plans continue" define it. */
export interface RecordFacts {
  valid: boolean;
  userId?: string;
  /** The requestId in effect: the event's usable one, else the continuation's, else the SQS messageId. */
  requestId: string;
  taskToken?: string;
  /** The first messageId of the erasure. */
  erasureId: string;
  /** The continuation number the record carries (0: first delivery). */
  continuation: number;
}

/**
 * What a record holds: the generator's expectation for structured bodies, the parser's reading for raw ones
 * (the parser has its own properties).
 */
export function bodyFacts(record: RecordCase, index: number): RecordFacts {
  const messageId = messageIdAt(index);
  const carried = record.lineage?.carried;
  const lineage = { erasureId: carried?.erasureId ?? messageId, continuation: carried?.continuation ?? 0 };
  const { expected } = record.body;
  if (expected !== undefined) {
    return {
      valid: expected.valid,
      ...(expected.userId === undefined ? {} : { userId: expected.userId }),
      requestId: expected.requestId ?? carried?.requestId ?? messageId,
      ...(expected.taskToken === undefined ? {} : { taskToken: expected.taskToken }),
      ...lineage,
    };
  }
  const parsed = parseAccountClosure(record.body.body, {
    messageId,
    ...(carried?.requestId === undefined ? {} : { continuedRequestId: carried.requestId }),
  });
  return {
    valid: parsed.valid,
    ...(parsed.valid ? { userId: parsed.userId } : {}),
    requestId: parsed.requestId,
    ...(parsed.taskToken === undefined ? {} : { taskToken: parsed.taskToken }),
    ...lineage,
  };
}

export function modelRecordsOf(scenario: Scenario): ModelRecord[] {
  return scenario.records.map((record, index) => {
    const facts = bodyFacts(record, index);
    return {
      messageId: messageIdAt(index),
      receiveCount: Number(record.receiveCount),
      ...(scenario.fifo ? { groupId: groupIdOf(record.group) } : {}),
      ...facts,
    };
  });
}

export function modelWorldOf(scenario: Scenario): ModelWorld {
  return {
    fifo: scenario.fifo,
    adminIdentifier: ADMIN_IDENTIFIER,
    credentialsLoad: scenario.credentialsLoad,
    renewalSucceeds: scenario.renewalSucceeds,
    roomForRetry: scenario.deadline === 'roomy',
    expired: scenario.deadline === 'expired',
    maxReceives: scenario.maxReceives,
    accounts: new Map(scenario.accounts),
    dlqRefuses: dlqRefusesIn(scenario),
    continuationRefuses: continuationRefusesIn(scenario),
    receiptBus: scenario.receiptBus,
    receiptResult: receiptResultIn(scenario),
  };
}
