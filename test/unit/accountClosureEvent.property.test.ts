import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountClosureParse,
  INVALID_EVENT_REASONS,
  PARSE_WARNINGS,
  parseAccountClosure,
} from '../../src/erasure/accountClosureEvent.ts';

const PROTECTED = 'administrator';
const context = { messageId: '6f1c0a52-1d7e-4c55-9a38-0b2f8e7a9d41', protectedUserIds: new Set([PROTECTED]) };
const parse = (body: string) => parseAccountClosure(body, context);
const reasons: readonly string[] = Object.values(INVALID_EVENT_REASONS);
const warnings: readonly string[] = Object.values(PARSE_WARNINGS);
const fixedTexts = [...reasons, ...warnings];

const wrapInSns = (event: unknown) =>
  JSON.stringify({
    Type: 'Notification',
    TopicArn: 'arn:aws:sns:eu-central-1:1:t',
    Message: JSON.stringify(event),
  });
const wrapInEventBridge = (event: unknown) =>
  JSON.stringify({ version: '0', 'detail-type': 'AccountClosed', source: 'accounts', detail: event });

// Independent oracle for DESIGN.md's userId rule (written over code points, not as the parser does).
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
const hasControl = (text: string) =>
  [...text].some((char) => {
    const codePoint = char.codePointAt(0) ?? 0;
    return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
  });
const isAcceptableUserId = (text: string) =>
  text.length > 0 && text.isWellFormed() && !hasControl(text) && utf8Bytes(text) <= 32 && text !== PROTECTED;

/** One character, biased toward the edges: C0/C1 boundaries, surrogate halves, BOM, JSON specials. */
const edgyChar = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u001f',
    ' ',
    '~',
    '\u007f',
    '\u0080',
    '\u009f',
    '\u00a0',
    '\ud800',
    '\udfff',
    '\ufeff',
    '\uffff',
    '"',
    '\\',
    '😀',
    '中',
  ),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
);
const edgyText = fc.string({ unit: edgyChar, maxLength: 40 });
/** Printable text: ASCII and any Unicode grapheme (never a control character or a surrogate half). */
const printableText = (minLength: number, maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength,
    maxLength,
  });

const acceptableUserId = printableText(1, 32).filter(isAcceptableUserId);
const usableRequestId = fc.oneof(
  fc.uuid(),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
  printableText(1, 20),
  // DESIGN.md: TAB, LF and CR are carried, and length is no reason to drop a requestId.
  printableText(1, 20).map((text) => `${text}\t\n\r`),
  fc.constant('r'.repeat(4096)),
);

/** DESIGN.md "Event": the characters SQS can carry in an attribute, written out from the contract. */
const sqsCarries = (text: string) =>
  [...text].every((char) => {
    const c = char.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) return false; // a lone surrogate
    return (
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000
    );
  });
const occurredAt = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Extra fields an event may carry; the names the parser reads or that make an envelope are left out. */
const reservedKeys = new Set([
  'userId',
  'requestId',
  'occurredAt',
  'Type',
  'Message',
  'detail-type',
  'detail',
]);
const extraFields = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((key) => !reservedKeys.has(key)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);

/** Any field value a producer might send: JSON values and edge-biased strings. */
const anyFieldValue = fc.oneof(edgyText, fc.jsonValue({ maxDepth: 2 }));

/** Events with any mix of present, absent, good and bad fields. */
const anyEvent = fc
  .tuple(
    extraFields,
    fc.record(
      {
        userId: fc.oneof(acceptableUserId, edgyText, anyFieldValue, fc.constant(PROTECTED)),
        requestId: fc.oneof(usableRequestId, anyFieldValue),
        occurredAt: fc.oneof(occurredAt, anyFieldValue),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([extra, fields]) => ({ ...extra, ...fields }));

function expectWellFormedResult(result: AccountClosureParse) {
  expect(typeof result.requestId).toBe('string');
  expect(result.requestId.length).toBeGreaterThan(0);
  for (const warning of result.warnings) expect(warnings).toContain(warning);
  if (!result.valid) {
    expect(reasons).toContain(result.reason);
    expect(result.reason.length).toBeLessThanOrEqual(256);
  } else {
    expect(isAcceptableUserId(result.userId)).toBe(true);
  }
}

const withoutEnvelope = ({ envelope: _envelope, ...rest }: AccountClosureParse) => rest;

describe('parseAccountClosure (properties)', () => {
  it('never throws and always returns a well-formed result for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(edgyText, fc.string({ unit: 'binary', maxLength: 200 })), (body) => {
        expectWellFormedResult(parse(body));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and always returns a well-formed result for arbitrary JSON, in any envelope', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), anyEvent),
        fc.constantFrom(JSON.stringify, wrapInSns, wrapInEventBridge),
        (value, wrap) => {
          expectWellFormedResult(parse(wrap(value)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('returns a valid event with the same userId whenever the userId is acceptable', () => {
    fc.assert(
      fc.property(acceptableUserId, extraFields, (userId, extra) => {
        const result = parse(JSON.stringify({ ...extra, userId }));
        expect(result).toMatchObject({ valid: true, userId, envelope: 'plain' });
      }),
      { numRuns: 500 },
    );
  });

  it('accepts or refuses exactly as the userId rule says, for any userId value', () => {
    fc.assert(
      fc.property(fc.oneof(edgyText, anyFieldValue, acceptableUserId), (userId) => {
        const result = parse(JSON.stringify({ userId }));
        const acceptable = typeof userId === 'string' && isAcceptableUserId(userId);
        expect(result.valid).toBe(acceptable);
        if (result.valid) expect(result.userId).toBe(userId);
        else if (typeof userId === 'string') expect(result.rejectedUserId).toBe(userId);
        else expect(result).not.toHaveProperty('rejectedUserId');
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps any non-empty string requestId exactly when SQS can carry it, else uses the messageId', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (requestId) => {
        const result = parse(JSON.stringify({ userId: 'u1', requestId }));
        expect(result.requestId).toBe(sqsCarries(requestId) ? requestId : context.messageId);
      }),
    );
  });

  it('takes the event’s usable requestId, valid event or not; otherwise the messageId', () => {
    fc.assert(
      fc.property(anyEvent, usableRequestId, (event, requestId) => {
        expect(parse(JSON.stringify({ ...event, requestId })).requestId).toBe(requestId);
        const { requestId: _dropped, ...withoutRequestId } = event;
        expect(parse(JSON.stringify(withoutRequestId)).requestId).toBe(context.messageId);
      }),
      { numRuns: 300 },
    );
  });

  it('never puts the userId into an invalid result’s reason or its warnings', () => {
    const refusedUserId = fc.oneof(
      printableText(33, 60),
      fc
        .tuple(
          printableText(1, 10),
          fc.constantFrom('\u0000', '\u001f', '\u007f', '\u0085', '\u009f'),
          printableText(1, 10),
        )
        .map((parts) => parts.join('')),
      fc
        .tuple(printableText(1, 10), fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'))
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(refusedUserId, anyFieldValue, anyFieldValue, (userId, requestId, occurredAt) => {
        // A userId that is itself a substring of a fixed text (say "id") cannot be told apart from it.
        fc.pre(!fixedTexts.some((text) => text.includes(userId)));
        const result = parse(JSON.stringify({ userId, requestId, occurredAt }));
        if (result.valid) throw new Error('a refused userId was accepted');
        expect(result.reason).not.toContain(userId);
        for (const warning of result.warnings) expect(warning).not.toContain(userId);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result for an event plain, wrapped in SNS and wrapped in EventBridge', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const plain = parse(JSON.stringify(event));
        const viaSns = parse(wrapInSns(event));
        const viaEventBridge = parse(wrapInEventBridge(event));
        expect(plain.envelope).toBe('plain');
        expect(viaSns.envelope).toBe('sns');
        expect(viaEventBridge.envelope).toBe('eventbridge');
        expect(withoutEnvelope(viaSns)).toEqual(withoutEnvelope(plain));
        expect(withoutEnvelope(viaEventBridge)).toEqual(withoutEnvelope(plain));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result for any JSON value sent plain or as an SNS Message', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(!(typeof value === 'object' && value !== null && ('Type' in value || 'detail-type' in value)));
        expect(withoutEnvelope(parse(wrapInSns(value)))).toEqual(
          withoutEnvelope(parse(JSON.stringify(value))),
        );
      }),
      { numRuns: 500 },
    );
  });
});
