import { describe, expect, it } from 'vitest';
import {
  type AccountClosureParse,
  INVALID_EVENT_REASONS,
  isSqsAttributeText,
  PARSE_WARNINGS,
  parseAccountClosure,
  TASK_TOKEN_MAX_CHARS,
} from '../../src/erasure/accountClosureEvent.ts';

const context = {
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
  protectedUserIds: new Set(['administrator']),
};
const parse = (body: string) => parseAccountClosure(body, context);
const parseEvent = (event: unknown) => parse(JSON.stringify(event));
const sns = (message: string) =>
  JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:eu-central-1:123456789012:account-closed',
    Message: message,
    Timestamp: '2026-11-25T10:00:01.000Z',
    SignatureVersion: '1',
  });
const eventBridge = (detail: unknown) =>
  JSON.stringify({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'AccountClosed',
    source: 'com.example.accounts',
    account: '123456789012',
    time: '2026-11-25T10:00:01Z',
    region: 'eu-central-1',
    resources: [],
    detail,
  });

function expectValid(result: AccountClosureParse) {
  if (!result.valid) throw new Error(`expected a valid event, got "${result.reason}"`);
  return result;
}
function expectInvalid(result: AccountClosureParse) {
  if (result.valid) throw new Error('expected an invalid event');
  return result;
}

describe('a plain event', () => {
  it('reads the documented example', () => {
    const result = parse(
      '{ "userId": "user_42", "requestId": "dsr-2026-000123", "occurredAt": "2026-11-25T10:00:00Z" }',
    );
    expect(result).toEqual({
      valid: true,
      userId: 'user_42',
      requestId: 'dsr-2026-000123',
      occurredAt: '2026-11-25T10:00:00Z',
      occurredAtMs: Date.UTC(2026, 10, 25, 10, 0, 0),
      envelope: 'plain',
      warnings: [],
    });
  });

  it('needs only userId; requestId defaults to the SQS messageId and occurredAtMs is absent', () => {
    const result = expectValid(parse('{"userId":"user_42"}'));
    expect(result.requestId).toBe(context.messageId);
    expect(result).not.toHaveProperty('occurredAtMs');
    expect(result.warnings).toEqual([]);
  });

  it('ignores unknown fields, whatever their shape', () => {
    const result = expectValid(
      parseEvent({ userId: 'u1', reason: 'gdpr', tags: [1, { a: null }], extra: null }),
    );
    expect(result.userId).toBe('u1');
    expect(result.warnings).toEqual([]);
  });

  it('tolerates JSON whitespace around the text', () => {
    expect(expectValid(parse(' \t\r\n{"userId":"u1"}\n ')).userId).toBe('u1');
  });

  it('ignores one leading byte order mark, with a warning', () => {
    const result = expectValid(parse('\uFEFF{"userId":"u1"}'));
    expect(result.userId).toBe('u1');
    expect(result.warnings).toEqual([PARSE_WARNINGS.byteOrderMark]);
  });

  it('refuses two byte order marks (the second is not JSON whitespace)', () => {
    expect(expectInvalid(parse('\uFEFF\uFEFF{"userId":"u1"}')).reason).toBe(
      INVALID_EVENT_REASONS.bodyNotJson,
    );
  });

  it('reads userId only as an own key: a "__proto__" key neither supplies it nor pollutes prototypes', () => {
    const result = expectInvalid(parse('{"__proto__":{"userId":"victim","requestId":"r-proto"}}'));
    expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdMissing);
    expect(result.requestId).toBe(context.messageId);
    expect(({} as Record<string, unknown>).userId).toBeUndefined();
    const withProtoKey = expectValid(parse('{"userId":"u1","__proto__":{"admin":true}}'));
    expect(withProtoKey.userId).toBe('u1');
  });

  it('reads no field through a polluted Object.prototype', () => {
    const polluted = {
      userId: 'victim',
      requestId: 'r-polluted',
      occurredAt: '2026-11-25T10:00:00Z',
      Type: 'Notification',
      Message: '{"userId":"victim"}',
      'detail-type': 'x',
      detail: { userId: 'victim' },
    };
    const prototype = Object.prototype as Record<string, unknown>;
    try {
      Object.assign(prototype, polluted);
      expect(parse('{"note":"no fields of its own"}')).toEqual({
        valid: false,
        requestId: context.messageId,
        reason: INVALID_EVENT_REASONS.userIdMissing,
        envelope: 'plain',
        warnings: [],
      });
      const result = expectValid(parse('{"userId":"u1"}'));
      expect(result).not.toHaveProperty('occurredAtMs');
      expect(result.requestId).toBe(context.messageId);
    } finally {
      for (const key of Object.keys(polluted)) delete prototype[key];
    }
    expect(({} as Record<string, unknown>).userId).toBeUndefined();
  });

  it('handles a 256 KiB body', () => {
    const body = JSON.stringify({ userId: 'u1', requestId: 'r1', padding: 'x'.repeat(256 * 1024 - 50) });
    expect(body.length).toBeGreaterThan(256 * 1024 - 10);
    expect(expectValid(parse(body)).userId).toBe('u1');
  });

  it('survives very deep nesting without exhausting the stack', () => {
    const depth = 200_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(expectValid(parse(`{"userId":"u1","nested":${deep}}`)).userId).toBe('u1');
    expect(expectInvalid(parse(deep)).reason).toBe(INVALID_EVENT_REASONS.eventNotObject);
    expect(expectInvalid(parse('['.repeat(depth))).reason).toBe(INVALID_EVENT_REASONS.bodyNotJson);
  });
});

describe('a body that is not a JSON object', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', '  \n'],
    ['truncated', '{"userId":"u1"'],
    ['single quotes', "{'userId':'u1'}"],
    ['trailing garbage', '{"userId":"u1"} x'],
    ['a bare word', 'user_42'],
  ])('%s → "body is not JSON", requestId from the messageId', (_label, body) => {
    expect(parse(body)).toEqual({
      valid: false,
      requestId: context.messageId,
      reason: 'body is not JSON',
      warnings: [],
    });
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"user_42"'],
    ['a boolean', 'true'],
    ['an array', '[{"userId":"u1","requestId":"r1"}]'],
  ])('%s → "event is not a JSON object", no envelope', (_label, body) => {
    expect(parse(body)).toEqual({
      valid: false,
      requestId: context.messageId,
      reason: 'event is not a JSON object',
      warnings: [],
    });
  });

  it('is never thrown on, even when the body is not a string at run time', () => {
    const result = parseAccountClosure(undefined as unknown as string, context);
    expect(expectInvalid(result).reason).toBe(INVALID_EVENT_REASONS.bodyNotJson);
  });
});

describe('envelopes', () => {
  const event = { userId: 'u1', requestId: 'r1', occurredAt: '2026-11-25T10:00:00Z' };
  const expected = {
    valid: true,
    userId: 'u1',
    requestId: 'r1',
    occurredAt: '2026-11-25T10:00:00Z',
    occurredAtMs: Date.UTC(2026, 10, 25, 10),
    warnings: [],
  };

  it('unwraps an SNS notification: its Message is the event', () => {
    expect(parse(sns(JSON.stringify(event)))).toEqual({ ...expected, envelope: 'sns' });
  });

  it('unwraps an EventBridge event: its detail is the event', () => {
    expect(parse(eventBridge(event))).toEqual({ ...expected, envelope: 'eventbridge' });
  });

  it('tolerates a byte order mark at the start of an SNS Message', () => {
    const result = expectValid(parse(sns(`\uFEFF${JSON.stringify(event)}`)));
    expect(result.envelope).toBe('sns');
    expect(result.warnings).toEqual([PARSE_WARNINGS.byteOrderMark]);
  });

  it('an SNS Message that is not JSON → "SNS Message is not JSON", requestId from the messageId', () => {
    expect(parse(sns('userId=u1&requestId=r1'))).toEqual({
      valid: false,
      requestId: context.messageId,
      reason: 'SNS Message is not JSON',
      envelope: 'sns',
      warnings: [],
    });
  });

  it('an SNS Message that is JSON but not an object → "event is not a JSON object"', () => {
    for (const message of ['"u1"', '42', 'null', '[{"userId":"u1"}]']) {
      expect(parse(sns(message))).toEqual({
        valid: false,
        requestId: context.messageId,
        reason: 'event is not a JSON object',
        envelope: 'sns',
        warnings: [],
      });
    }
  });

  it('peels one level only: an SNS notification inside an SNS Message is the event itself', () => {
    const result = expectInvalid(parse(sns(sns(JSON.stringify(event)))));
    expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdMissing);
    expect(result.envelope).toBe('sns');
    expect(result.requestId).toBe(context.messageId);
  });

  it('peels one level only: an EventBridge event inside an SNS Message is the event itself', () => {
    const result = expectInvalid(parse(sns(eventBridge(event))));
    expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdMissing);
    expect(result.envelope).toBe('sns');
  });

  it('peels one level only: an SNS notification as EventBridge detail is the event itself', () => {
    const inner = JSON.parse(sns(JSON.stringify(event)));
    const result = expectInvalid(parse(eventBridge(inner)));
    expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdMissing);
    expect(result.envelope).toBe('eventbridge');
  });

  it.each([
    ['another SNS Type', { Type: 'SubscriptionConfirmation', Message: JSON.stringify(event) }],
    ['a Message that is not a string', { Type: 'Notification', Message: event }],
    ['a Notification without Message', { Type: 'Notification' }],
    ['detail without detail-type', { detail: event }],
    ['detail-type with an array detail', { 'detail-type': 'AccountClosed', detail: [event] }],
    ['detail-type with a string detail', { 'detail-type': 'AccountClosed', detail: JSON.stringify(event) }],
    ['detail-type with a null detail', { 'detail-type': 'AccountClosed', detail: null }],
  ])('%s is no envelope: the object is the event itself', (_label, body) => {
    const result = expectInvalid(parseEvent(body));
    expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdMissing);
    expect(result.envelope).toBe('plain');
  });

  it('a plain event that happens to carry Type or detail-type stays plain when it is no envelope', () => {
    const result = expectValid(parseEvent({ Type: 'Notification', 'detail-type': 'x', ...event }));
    expect(result.envelope).toBe('plain');
    expect(result.userId).toBe('u1');
  });

  it('takes the SNS reading first when an object looks like both envelopes', () => {
    const body = {
      Type: 'Notification',
      Message: JSON.stringify(event),
      'detail-type': 'x',
      detail: { userId: 'u2' },
    };
    const result = expectValid(parseEvent(body));
    expect(result.envelope).toBe('sns');
    expect(result.userId).toBe('u1');
  });

  it('ignores the envelope’s own userId/requestId: only the inner event counts', () => {
    const outer = {
      ...JSON.parse(sns(JSON.stringify({ userId: 'inner' }))),
      userId: 'outer',
      requestId: 'outer-r',
    };
    const result = expectValid(parseEvent(outer));
    expect(result.userId).toBe('inner');
    expect(result.requestId).toBe(context.messageId);
  });
});

describe('userId', () => {
  it.each([
    ['missing', {}, INVALID_EVENT_REASONS.userIdMissing],
    ['a number', { userId: 42 }, INVALID_EVENT_REASONS.userIdNotString],
    ['null', { userId: null }, INVALID_EVENT_REASONS.userIdNotString],
    ['a boolean', { userId: true }, INVALID_EVENT_REASONS.userIdNotString],
    ['an array', { userId: ['u1'] }, INVALID_EVENT_REASONS.userIdNotString],
    ['an object', { userId: { id: 'u1' } }, INVALID_EVENT_REASONS.userIdNotString],
    ['empty', { userId: '' }, INVALID_EVENT_REASONS.userIdEmpty],
  ])('%s → invalid', (_label, event, reason) => {
    const result = expectInvalid(parseEvent(event));
    expect(result.reason).toBe(reason);
    expect(result.envelope).toBe('plain');
  });

  describe('length is counted in UTF-8 bytes, at most 32', () => {
    it.each([
      ['32 ASCII', 'a'.repeat(32), 32],
      ['33 ASCII', 'a'.repeat(33), 33],
      ['16 two-byte characters', 'é'.repeat(16), 32],
      ['16 two-byte characters + 1 ASCII', `${'é'.repeat(16)}a`, 33],
      ['10 three-byte characters + 2 ASCII', `${'中'.repeat(10)}ab`, 32],
      ['10 three-byte characters + 3 ASCII', `${'中'.repeat(10)}abc`, 33],
      ['11 three-byte characters', '中'.repeat(11), 33],
      ['8 four-byte characters (16 UTF-16 units)', '😀'.repeat(8), 32],
      ['8 four-byte characters + 1 ASCII', `${'😀'.repeat(8)}a`, 33],
      ['7 four-byte + 1 three-byte + 1 ASCII', `${'😀'.repeat(7)}中a`, 32],
      ['7 four-byte + 2 three-byte', `${'😀'.repeat(7)}中中`, 34],
    ])('%s (%#)', (_label, userId, bytes) => {
      expect(Buffer.byteLength(userId, 'utf8')).toBe(bytes);
      const result = parseEvent({ userId });
      if (bytes <= 32) expect(expectValid(result).userId).toBe(userId);
      else expect(expectInvalid(result).reason).toBe('userId is longer than 32 bytes (UTF-8)');
    });
  });

  describe('control characters', () => {
    it.each([
      [0x00, false],
      [0x09, false],
      [0x0a, false],
      [0x1f, false],
      [0x20, true],
      [0x7e, true],
      [0x7f, false],
      [0x80, false],
      [0x85, false],
      [0x9f, false],
      [0xa0, true],
      [0xad, true],
      [0x2028, true],
      [0xfeff, true],
      [0xfffd, true],
    ])('U+%s inside a userId', (codePoint, valid) => {
      const userId = `user${String.fromCodePoint(codePoint)}42`;
      const result = parseEvent({ userId });
      if (valid) expect(expectValid(result).userId).toBe(userId);
      else expect(expectInvalid(result).reason).toBe('userId contains a control character');
    });

    it('is refused whether it arrives escaped (\\u001f) or raw in the JSON text', () => {
      expect(expectInvalid(parse('{"userId":"a\\u001fb"}')).reason).toBe(
        INVALID_EVENT_REASONS.userIdControlCharacter,
      );
      expect(expectInvalid(parse('{"userId":"a\u007fb"}')).reason).toBe(
        INVALID_EVENT_REASONS.userIdControlCharacter,
      );
      expect(expectInvalid(parse('{"userId":"a\u009fb"}')).reason).toBe(
        INVALID_EVENT_REASONS.userIdControlCharacter,
      );
    });
  });

  it('accepts any other character: spaces, punctuation, emoji, scripts', () => {
    for (const userId of [
      ' ',
      ' leading and trailing ',
      'user@example.com',
      'Ünïcødé',
      '用户_42',
      '👩‍👩‍👧',
      '"\\/',
    ]) {
      expect(expectValid(parseEvent({ userId })).userId).toBe(userId);
    }
  });

  it('is taken exactly as sent, not trimmed or normalised', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect(expectValid(parseEvent({ userId: composed })).userId).toBe(composed);
    expect(expectValid(parseEvent({ userId: decomposed })).userId).toBe(decomposed);
    expect(expectValid(parseEvent({ userId: ' u1 ' })).userId).toBe(' u1 ');
  });

  it.each([
    ['a lone high surrogate', '{"userId":"user\\ud800"}'],
    ['a lone low surrogate', '{"userId":"\\udc00user"}'],
    ['reversed surrogates', '{"userId":"\\ude00\\ud83d"}'],
  ])('%s → "userId is not valid Unicode"', (_label, body) => {
    expect(expectInvalid(parse(body)).reason).toBe('userId is not valid Unicode');
  });

  it('accepts a surrogate pair written as escapes', () => {
    expect(expectValid(parse('{"userId":"\\ud83d\\ude00"}')).userId).toBe('😀');
  });

  describe('protected accounts (PROTECTED_USER_IDS)', () => {
    it('are refused when equal', () => {
      const result = expectInvalid(parseEvent({ userId: 'administrator', requestId: 'r-admin' }));
      expect(result.reason).toBe('userId is a protected account (PROTECTED_USER_IDS)');
      expect(result.requestId).toBe('r-admin');
    });

    it('compares exactly: other case, padding or prefixes are other accounts', () => {
      for (const userId of [
        'Administrator',
        'ADMINISTRATOR',
        'administrator ',
        ' administrator',
        'administrato',
      ]) {
        expect(expectValid(parseEvent({ userId })).userId).toBe(userId);
      }
    });

    it('come from the context, not from a built-in name (the admin the secret names is checked per call)', () => {
      const other = { messageId: context.messageId, protectedUserIds: new Set(['管理员', 'ops']) };
      expect(parseAccountClosure('{"userId":"administrator"}', other).valid).toBe(true);
      expect(parseAccountClosure('{"userId":"administrator"}', { messageId: 'm' }).valid).toBe(true);
      for (const userId of ['管理员', 'ops']) {
        const result = expectInvalid(parseAccountClosure(JSON.stringify({ userId }), other));
        expect(result.reason).toBe(INVALID_EVENT_REASONS.userIdIsProtected);
        expect(result.rejectedUserId).toBe(userId);
      }
    });

    it('are refused inside every envelope', () => {
      for (const body of [sns('{"userId":"administrator"}'), eventBridge({ userId: 'administrator' })]) {
        expect(expectInvalid(parse(body)).reason).toBe(INVALID_EVENT_REASONS.userIdIsProtected);
      }
    });
  });
});

describe('rejectedUserId (for the audit log, never for error-message)', () => {
  it.each([
    ['too long', 'x'.repeat(40)],
    ['empty', ''],
    ['with a control character', 'user\u000042'],
    ['the admin', 'administrator'],
  ])('carries a refused string userId exactly as sent: %s', (_label, userId) => {
    expect(expectInvalid(parseEvent({ userId })).rejectedUserId).toBe(userId);
    expect(expectInvalid(parse(sns(JSON.stringify({ userId }))))).toHaveProperty('rejectedUserId', userId);
  });

  it('carries a lone surrogate as sent', () => {
    expect(expectInvalid(parse('{"userId":"a\\ud800"}')).rejectedUserId).toBe('a\ud800');
  });

  it.each([
    ['missing', {}],
    ['a number', { userId: 42 }],
    ['null', { userId: null }],
    ['an object', { userId: { id: 'u1' } }],
  ])('is absent when the userId is %s', (_label, event) => {
    expect(expectInvalid(parseEvent(event))).not.toHaveProperty('rejectedUserId');
  });

  it('is absent when no event could be read', () => {
    for (const body of ['{"userId":', '["u1"]', sns('userId=u1')]) {
      expect(expectInvalid(parse(body))).not.toHaveProperty('rejectedUserId');
    }
  });

  it('is never set on a valid result', () => {
    expect(expectValid(parseEvent({ userId: 'u1' }))).not.toHaveProperty('rejectedUserId');
  });
});

describe('requestId', () => {
  it('is the event’s own when it is a usable non-empty string', () => {
    expect(expectValid(parseEvent({ userId: 'u1', requestId: 'dsr-1' })).requestId).toBe('dsr-1');
    expect(expectValid(parseEvent({ userId: 'u1', requestId: ' ' })).requestId).toBe(' ');
    expect(expectValid(parseEvent({ userId: 'u1', requestId: '请求-😀' })).requestId).toBe('请求-😀');
  });

  it('defaults silently to the messageId when absent or null', () => {
    for (const event of [{ userId: 'u1' }, { userId: 'u1', requestId: null }]) {
      const result = expectValid(parseEvent(event));
      expect(result.requestId).toBe(context.messageId);
      expect(result.warnings).toEqual([]);
    }
  });

  it.each([
    ['a number', 12345, PARSE_WARNINGS.requestIdNotString],
    ['a boolean', false, PARSE_WARNINGS.requestIdNotString],
    ['an object', { id: 'r1' }, PARSE_WARNINGS.requestIdNotString],
    ['an array', ['r1'], PARSE_WARNINGS.requestIdNotString],
    ['empty', '', PARSE_WARNINGS.requestIdEmpty],
    ['with a NUL', 'r\u00001', PARSE_WARNINGS.requestIdUncarriable],
    ['with a C0 control other than TAB, LF, CR', 'r\u001f1', PARSE_WARNINGS.requestIdUncarriable],
    ['with U+FFFE', 'r\ufffe1', PARSE_WARNINGS.requestIdUncarriable],
    ['with U+FFFF (SQS refuses it)', 'r\uffff1', PARSE_WARNINGS.requestIdUncarriable],
    ['with a lone surrogate', 'r\ud8001', PARSE_WARNINGS.requestIdUncarriable],
  ])('%s → the messageId, with a warning, and the event stays valid', (_label, requestId, warning) => {
    const result = expectValid(parseEvent({ userId: 'u1', requestId }));
    expect(result.requestId).toBe(context.messageId);
    expect(result.warnings).toEqual([warning]);
  });

  it.each([
    ['TAB, LF and CR', 'r\t1\n2\r3'],
    ['DEL and C1 controls', 'r\u007f\u0085'],
    ['a character above U+FFFF', 'r-😀'],
    ['private use and the last BMP characters SQS allows', 'r\ue000\ufffd'],
    ['over 1,024 bytes', 'r'.repeat(5000)],
  ])('keeps a requestId with %s: SQS carries it (length is no reason)', (_label, requestId) => {
    expect(expectValid(parseEvent({ userId: 'u1', requestId })).requestId).toBe(requestId);
  });

  it('falls back to the continuation’s request id before the messageId', () => {
    const continued = { ...context, continuedRequestId: 'dsr-carried' };
    expect(expectValid(parseAccountClosure('{"userId":"u1"}', continued)).requestId).toBe('dsr-carried');
    expect(expectValid(parseAccountClosure('{"userId":"u1","requestId":"own"}', continued)).requestId).toBe(
      'own',
    );
    expect(expectInvalid(parseAccountClosure('not json', continued)).requestId).toBe('dsr-carried');
  });

  describe('is the event’s own even when the event is invalid (DLQ request-id)', () => {
    it.each([
      ['plain, userId missing', JSON.stringify({ requestId: 'r-inner' })],
      ['plain, userId a number', JSON.stringify({ userId: 42, requestId: 'r-inner' })],
      ['plain, userId too long', JSON.stringify({ userId: 'x'.repeat(40), requestId: 'r-inner' })],
      ['plain, userId a control character', JSON.stringify({ userId: '\u0007', requestId: 'r-inner' })],
      ['plain, userId not valid Unicode', '{"userId":"\\ud800","requestId":"r-inner"}'],
      ['SNS, userId missing', sns(JSON.stringify({ requestId: 'r-inner' }))],
      ['SNS, userId empty', sns(JSON.stringify({ userId: '', requestId: 'r-inner' }))],
      ['EventBridge, userId missing', eventBridge({ requestId: 'r-inner' })],
      ['EventBridge, admin', eventBridge({ userId: 'administrator', requestId: 'r-inner' })],
    ])('%s', (_label, body) => {
      expect(expectInvalid(parse(body)).requestId).toBe('r-inner');
    });

    it('falls back to the messageId when the invalid event’s requestId is unusable, with a warning', () => {
      const result = expectInvalid(parseEvent({ requestId: 7 }));
      expect(result.requestId).toBe(context.messageId);
      expect(result.warnings).toEqual([PARSE_WARNINGS.requestIdNotString]);
    });
  });
});

describe('occurredAt', () => {
  it.each([
    ['UTC', '2026-11-25T10:00:00Z', Date.UTC(2026, 10, 25, 10)],
    ['a positive offset', '2026-11-25T11:30:00+01:30', Date.UTC(2026, 10, 25, 10)],
    ['a negative offset', '2026-11-25T05:00:00-05:00', Date.UTC(2026, 10, 25, 10)],
    ['the unknown-offset form -00:00', '2026-11-25T10:00:00-00:00', Date.UTC(2026, 10, 25, 10)],
    ['milliseconds', '2026-11-25T10:00:00.123Z', Date.UTC(2026, 10, 25, 10, 0, 0, 123)],
    [
      'nanoseconds (truncated to ms)',
      '2026-11-25T10:00:00.123456789Z',
      Date.UTC(2026, 10, 25, 10, 0, 0, 123),
    ],
    ['lower-case t and z', '2026-11-25t10:00:00z', Date.UTC(2026, 10, 25, 10)],
    ['a leap day', '2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
  ])('accepts %s', (_label, occurredAt, epochMs) => {
    const result = expectValid(parseEvent({ userId: 'u1', occurredAt }));
    expect(result.occurredAtMs).toBe(epochMs);
    expect(result.warnings).toEqual([]);
  });

  it.each([
    ['a date alone', '2026-11-25'],
    ['no time zone', '2026-11-25T10:00:00'],
    ['no seconds', '2026-11-25T10:00Z'],
    ['an offset without colon', '2026-11-25T10:00:00+0100'],
    ['an hour-only offset', '2026-11-25T10:00:00+01'],
    ['a space separator', '2026-11-25 10:00:00Z'],
    ['RFC 2822', 'Tue, 25 Nov 2026 10:00:00 GMT'],
    ['a partial RFC 2822 date', 'Tue, 25 Nov'],
    ['a non-existent day', '2026-02-29T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['hour 24', '2026-11-25T24:00:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['a comma fraction', '2026-11-25T10:00:00,5Z'],
    ['surrounding spaces', ' 2026-11-25T10:00:00Z '],
    ['an expanded year', '+002026-11-25T10:00:00Z'],
    ['empty', ''],
    ['epoch milliseconds as a number', 1795600800000],
    ['an object', { at: '2026-11-25T10:00:00Z' }],
  ])('ignores %s with a warning; the event stays valid', (_label, occurredAt) => {
    const result = expectValid(parseEvent({ userId: 'u1', requestId: 'r1', occurredAt }));
    expect(result).not.toHaveProperty('occurredAtMs');
    expect(result.warnings).toEqual([PARSE_WARNINGS.occurredAtMalformed]);
    expect(result.requestId).toBe('r1');
  });

  it('treats null as absent', () => {
    const result = expectValid(parseEvent({ userId: 'u1', occurredAt: null }));
    expect(result).not.toHaveProperty('occurredAtMs');
    expect(result.warnings).toEqual([]);
  });

  it('reports every metadata problem, in field order, alongside a valid userId', () => {
    const result = expectValid(parseEvent({ userId: 'u1', requestId: 1, occurredAt: 'yesterday' }));
    expect(result.warnings).toEqual([PARSE_WARNINGS.requestIdNotString, PARSE_WARNINGS.occurredAtMalformed]);
  });
});

describe('texts that leave the parser', () => {
  const allReasons = Object.values(INVALID_EVENT_REASONS);
  const allWarnings = Object.values(PARSE_WARNINGS);

  it('every reason fits the DLQ error-message attribute (≤ 256 chars)', () => {
    for (const reason of allReasons) expect(reason.length).toBeLessThanOrEqual(256);
    for (const warning of allWarnings) expect(warning.length).toBeLessThanOrEqual(256);
  });

  it.each([
    ['too long', { userId: 'SecretPerson-0123456789-abcdefghijkl', requestId: 'r1' }],
    ['with a control character', { userId: 'SecretPerson\u0000', requestId: 'r1' }],
    ['the admin', { userId: 'administrator', requestId: 'r1' }],
    ['a number', { userId: 987654321, requestId: 'r1' }],
    ['with a malformed occurredAt', { userId: 'SecretPerson'.repeat(3), occurredAt: 'SecretPerson' }],
    ['with a malformed requestId', { userId: 'SecretPerson\u0085', requestId: 'SecretPerson\n' }],
  ])('never echo the userId or the body: %s', (_label, event) => {
    const body = JSON.stringify(event);
    for (const wrapped of [body, sns(body), eventBridge(event)]) {
      const result = expectInvalid(parse(wrapped));
      const texts = [result.reason, ...result.warnings];
      for (const text of texts) {
        expect(text).not.toContain('SecretPerson');
        expect(text).not.toContain(String(event.userId));
      }
      expect(allReasons).toContain(result.reason);
      for (const warning of result.warnings) expect(allWarnings).toContain(warning);
    }
  });

  it('never echo a body that is not JSON (JSON.parse’s own message would quote it)', () => {
    for (const body of ['{"userId":"SecretPerson"', sns('{"userId":"SecretPerson"')]) {
      const result = expectInvalid(parse(body));
      expect(result.reason).not.toContain('SecretPerson');
      expect(result.reason).not.toMatch(/token|position/i);
    }
  });
});

describe('taskToken', () => {
  it('is kept when a non-empty string of at most 2,048 characters, for valid and invalid events', () => {
    const token = 'A'.repeat(TASK_TOKEN_MAX_CHARS);
    expect(expectValid(parseEvent({ userId: 'u1', taskToken: token })).taskToken).toBe(token);
    expect(expectInvalid(parseEvent({ userId: 42, taskToken: 'tok' })).taskToken).toBe('tok');
    expect(expectValid(parseEvent({ userId: 'u1' }))).not.toHaveProperty('taskToken');
  });

  it.each([
    ['empty', ''],
    ['too long', 'A'.repeat(TASK_TOKEN_MAX_CHARS + 1)],
    ['a number', 7],
    ['an object', { token: 'x' }],
  ])('is ignored with a warning when %s', (_label, taskToken) => {
    const result = expectValid(parseEvent({ userId: 'u1', taskToken }));
    expect(result).not.toHaveProperty('taskToken');
    expect(result.warnings).toEqual([PARSE_WARNINGS.taskTokenMalformed]);
  });
});

describe('isSqsAttributeText', () => {
  it('accepts exactly the characters SQS accepts', () => {
    for (const text of [
      '\t',
      '\n',
      '\r',
      ' ',
      '\ud7ff',
      '\ue000',
      '\ufffd',
      '\u{10000}',
      '\u{10ffff}',
      '\u007f',
    ]) {
      expect(isSqsAttributeText(text), JSON.stringify(text)).toBe(true);
    }
    for (const text of ['\u0000', '\u0008', '\u000b', '\u001f', '\ud800', '\udfff', '\ufffe', '\uffff']) {
      expect(isSqsAttributeText(text), JSON.stringify(text)).toBe(false);
    }
  });
});
