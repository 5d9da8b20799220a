/**
 * fast-check generators for whole SQS batches of account-closure messages and for what the Chat API answers.
 * Structured bodies carry what DESIGN.md says they hold (`expected`), so the properties do not have to ask
 * the parser; raw bodies (arbitrary strings, arbitrary JSON, huge texts) carry nothing and the properties
 * fall back on the parser, which has its own property tests.
 */
import fc from 'fast-check';
import type { UserIdDisplay as LogUserIdMode } from '../../src/configuration.ts';
import { parseAccountClosure } from '../../src/erasure/accountClosureEvent.ts';
import {
  type Answer,
  type AnswerClass,
  DESIGN_ERROR_CODES,
  LISTED_ERROR_CODES,
  type ModelRecord,
} from './erasureModel.ts';
import {
  ADMIN_IDENTIFIER,
  CHAT_TIMEOUT_MS,
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

const json = (cls: AnswerClass, actionStatus: 'OK' | 'FAIL', errorCode: number): Answer => ({
  via: 'json',
  cls,
  actionStatus,
  errorCode,
});
const DONE = json('done', 'OK', 0);
const listed = (cls: Exclude<AnswerClass, 'done'>) =>
  fc.constantFrom(...DESIGN_ERROR_CODES[cls]).map((code) => json(cls, 'FAIL', code));
const unlistedCode = fc
  .oneof(fc.integer({ min: 1, max: 99_999 }), fc.constantFrom(-1, 70108, 2 ** 31))
  .filter((code) => !LISTED_ERROR_CODES.has(code));
const http = (cls: AnswerClass, statuses: number[]) =>
  fc.constantFrom(...statuses).map((status): Answer => ({ via: 'http', cls, status }));
/** 200 answers that are not the documented JSON (DESIGN.md: transient). */
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

export const transientAnswer: fc.Arbitrary<Answer> = fc.oneof(
  listed('transient'),
  http('transient', [408, 500, 502, 503, 504]),
  fc
    .constantFrom('timeout', 'connection-error' as const)
    .map((failure): Answer => ({ via: 'transport', cls: 'transient', failure })),
  fc.constantFrom(...MALFORMED_BODIES).map((body): Answer => ({ via: 'malformed', cls: 'transient', body })),
  // ActionStatus and ErrorCode disagree.
  fc.oneof(unlistedCode, fc.constantFrom(...LISTED_ERROR_CODES)).map((code) => json('transient', 'OK', code)),
  fc.constant(json('transient', 'FAIL', 0)),
);
export const throttledAnswer: fc.Arbitrary<Answer> = fc.oneof(listed('throttled'), http('throttled', [429]));
export const permanentAnswer: fc.Arbitrary<Answer> = fc.oneof(
  listed('permanent'),
  unlistedCode.map((code) => json('permanent', 'FAIL', code)),
  http('permanent', [400, 401, 403, 404, 413]),
);
export const NOT_STARTED: Answer = { via: 'not-started' };
export const THROWS: Answer = { via: 'throws' };

/** Every kind of answer, weighted toward the common ones. */
export const anyAnswer: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 5, arbitrary: fc.constant(DONE) },
  { weight: 2, arbitrary: listed('absent') },
  { weight: 3, arbitrary: transientAnswer },
  { weight: 1, arbitrary: throttledAnswer },
  { weight: 2, arbitrary: listed('re-sign') },
  { weight: 2, arbitrary: permanentAnswer },
  { weight: 1, arbitrary: fc.constant(NOT_STARTED) },
  { weight: 1, arbitrary: fc.constant(THROWS) },
);

/** Answers that are all worth another delivery (DESIGN.md: transient, throttled; not started; a defect). */
export const retryableAnswer: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 4, arbitrary: transientAnswer },
  { weight: 2, arbitrary: throttledAnswer },
  { weight: 1, arbitrary: fc.constant(THROWS) },
);

// ---------------------------------------------------------------------------------------------- bodies

/** What DESIGN.md says a structured body holds. `requestId` undefined: the SQS messageId is used. */
export interface BodyExpectation {
  valid: boolean;
  userId?: string;
  requestId?: string;
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
      extra: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      padding: paddingLength,
      envelope: fc.oneof(
        { weight: 6, arbitrary: fc.constant('plain' as const) },
        { weight: 3, arbitrary: fc.constantFrom('sns' as const, 'eventbridge' as const) },
        { weight: 2, arbitrary: fc.constantFrom(...ENVELOPES) },
      ),
    })
    .map(({ userId, requestId, occurredAt, extra, padding, envelope }) => {
      const event: Record<string, unknown> = {};
      if (userId.field.present) event.userId = userId.field.value;
      if (requestId.field.present) event.requestId = requestId.field.value;
      if (occurredAt.present) event.occurredAt = occurredAt.value;
      if (extra !== undefined) event.note = extra;
      if (padding > 0) event.padding = 'p'.repeat(padding);
      const carried: BodyExpectation = {
        valid: userId.valid,
        ...(userId.userId === undefined ? {} : { userId: userId.userId }),
        ...(requestId.usable
          ? { requestId: requestId.field.present ? String(requestId.field.value) : '' }
          : {}),
      };
      // The outer object is taken as the event: no userId, no requestId.
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

export interface RecordCase {
  body: BodyCase;
  receiveCount: string;
  /** FIFO message group (index); ignored on a standard queue. */
  group: number;
  sentTimestamp?: string;
  eventSourceARN?: string;
}

export type DeadlineMode = 'tight' | 'roomy' | 'expired';
export type DeadLetterMode = 'accepts' | 'refuses' | 'flaky';

export interface Scenario {
  fifo: boolean;
  /** The userIds of each FIFO group (one pool on a standard queue): a userId never spans two groups. */
  pools: string[][];
  records: RecordCase[];
  scripts: Array<[string, Answer[]]>;
  credentialsLoad: boolean;
  renewalSucceeds: boolean;
  dlq: DeadLetterMode;
  /** flaky: which positions the DLQ refuses. */
  dlqRefusals: boolean[];
  redeliveryAccepts: boolean;
  deadline: DeadlineMode;
  remainingMs: number;
  maxReceives: number;
  logUserId: LogUserIdMode;
  random: number;
}

export interface ScenarioOptions {
  queue?: 'standard' | 'fifo' | 'either';
  bodies?: BodyMix;
  answers?: fc.Arbitrary<Answer>;
  credentialsLoad?: fc.Arbitrary<boolean>;
  renewalSucceeds?: fc.Arbitrary<boolean>;
  dlq?: fc.Arbitrary<DeadLetterMode>;
  deadline?: fc.Arbitrary<DeadlineMode>;
  /** `sqs`: positive integers as SQS sends them; `wild`: anything a broken or forged event could hold. */
  attributes?: 'sqs' | 'wild';
  /** `distinctive`: only `uid-` + 12 alphanumerics (for leak searches). */
  userIds?: 'distinctive' | 'mixed';
  logUserId?: fc.Arbitrary<LogUserIdMode>;
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
    // 1 s left; the abandonment of AWS calls at the bound is tested end to end).
    case 'expired':
      return fc.integer({ min: 1300, max: CHAT_TIMEOUT_MS });
  }
}

export function scenarioArbitrary(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  const queue = options.queue ?? 'either';
  const userId =
    options.userIds === 'distinctive'
      ? distinctiveUserId
      : fc.oneof({ weight: 4, arbitrary: distinctiveUserId }, { weight: 1, arbitrary: unusualUserId });
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
    dlqRefusals: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
    redeliveryAccepts: fc.boolean(),
    deadline:
      options.deadline ?? fc.constantFrom<DeadlineMode>('tight', 'tight', 'roomy', 'roomy', 'expired'),
    logUserId: options.logUserId ?? fc.constantFrom<LogUserIdMode>('pseudonym', 'plain', 'omit'),
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
        fc.record({
          group: fc.constant(group),
          body: bodyArbitrary(pools[group] ?? [], options.bodies ?? 'wild'),
          receiveCount:
            options.attributes === 'wild'
              ? fc.oneof(
                  fc.integer({ min: 1, max: b.maxReceives + 2 }).map(String),
                  fc.constantFrom(...WILD_COUNTS),
                )
              : fc.integer({ min: 1, max: b.maxReceives + 2 }).map(String),
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
        }),
      );
      return fc
        .record({
          records: fc.array(record, { minLength: 1, maxLength: options.maxRecords ?? 10 }),
          scripts: fc.tuple(
            ...ids.map((id) =>
              fc
                .array(options.answers ?? anyAnswer, { minLength: 1, maxLength: 4 })
                .map((script): [string, Answer[]] => [id, script]),
            ),
          ),
          remainingMs: remainingFor(b.deadline),
        })
        .map(
          ({ records, scripts, remainingMs }): Scenario => ({
            fifo: b.fifo,
            pools,
            records,
            scripts,
            credentialsLoad: b.credentialsLoad,
            renewalSucceeds: b.renewalSucceeds,
            dlq: b.dlq,
            dlqRefusals: b.dlqRefusals,
            redeliveryAccepts: b.redeliveryAccepts,
            deadline: b.deadline,
            remainingMs,
            maxReceives: b.maxReceives,
            logUserId: b.logUserId,
            random: b.random,
          }),
        );
    });
  });
}

export const groupIdOf = (group: number): string => `closures-${group}`;

export function dlqRefusesIn(scenario: Scenario): (messageId: string) => boolean {
  const refused = new Set(
    scenario.records
      .map((_, index) => messageIdAt(index))
      .filter((_, index) => scenario.dlqRefusals[index] === true),
  );
  switch (scenario.dlq) {
    case 'accepts':
      return () => false;
    case 'refuses':
      return () => true;
    case 'flaky':
      return (messageId) => refused.has(messageId);
  }
}

export function worldOf(scenario: Scenario): WorldOptions {
  const records = scenario.records.map(
    (record): RecordInput => ({
      body: record.body.body,
      receiveCount: record.receiveCount,
      ...(scenario.fifo ? { groupId: groupIdOf(record.group) } : {}),
      ...(record.sentTimestamp === undefined ? {} : { sentTimestamp: record.sentTimestamp }),
      ...(record.eventSourceARN === undefined ? {} : { eventSourceARN: record.eventSourceARN }),
    }),
  );
  return {
    fifo: scenario.fifo,
    records,
    scripts: new Map(scenario.scripts),
    credentialsLoad: scenario.credentialsLoad,
    renewalSucceeds: scenario.renewalSucceeds,
    dlqRefuses: dlqRefusesIn(scenario),
    redeliveryAccepts: scenario.redeliveryAccepts,
    remainingMs: scenario.remainingMs,
    maxReceives: scenario.maxReceives,
    logUserId: scenario.logUserId,
    random: scenario.random,
  };
}

/**
 * What a record's body holds: the generator's expectation for structured bodies, the parser's reading for
 * raw ones (`requestId` is the value the DLQ `request-id` must carry).
 */
export function bodyFacts(
  record: RecordCase,
  index: number,
): { valid: boolean; userId?: string; requestId: string } {
  const messageId = messageIdAt(index);
  const { expected } = record.body;
  if (expected !== undefined) {
    return {
      valid: expected.valid,
      ...(expected.userId === undefined ? {} : { userId: expected.userId }),
      requestId: expected.requestId ?? messageId,
    };
  }
  const parsed = parseAccountClosure(record.body.body, { messageId });
  return parsed.valid
    ? { valid: true, userId: parsed.userId, requestId: parsed.requestId }
    : { valid: false, requestId: parsed.requestId };
}

export function modelRecordsOf(scenario: Scenario): ModelRecord[] {
  return scenario.records.map((record, index) => {
    const facts = bodyFacts(record, index);
    return {
      messageId: messageIdAt(index),
      valid: facts.valid,
      ...(facts.userId === undefined ? {} : { userId: facts.userId }),
      receiveCount: Number(record.receiveCount),
      ...(scenario.fifo ? { groupId: groupIdOf(record.group) } : {}),
    };
  });
}
