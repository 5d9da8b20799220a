import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyChatResponse, classifyTransportFailure } from '../../src/chat/classifyChatAnswer.ts';
import {
  CHAT_ERROR_CLASSES,
  CHAT_ERROR_MEANINGS,
  type DesignErrorClass as ChatErrorClass,
  classifyChatErrorCode,
  PLAN_ERROR_CLASSES,
} from '../../src/erasure/errorClasses.ts';
import type { ChatOutcome } from '../../src/erasure/ports.ts';
import { DESIGN_ERROR_CODES, PLAN_ERROR_CODES } from '../support/designErrorTable.ts';

const fail = (code: number, extra: Record<string, unknown> = {}) => ({
  ActionStatus: 'FAIL',
  ErrorCode: code,
  ErrorInfo: 'some text',
  ErrorDisplay: '',
  ...extra,
});

// DESIGN.md's table, typed by hand a second time, so that a typo in the module's lists fails a test.
const FROM_DESIGN: Record<ChatErrorClass, readonly number[]> = DESIGN_ERROR_CODES;

describe('the plan commands’ own codes (API.md §4, §8)', () => {
  it('equal the hand-typed table exactly', () => {
    const listed = Object.fromEntries(
      Object.entries(PLAN_ERROR_CLASSES).map(([kind, codes]) => [kind, [...(codes ?? [])].sort()]),
    );
    const expected = Object.fromEntries(
      Object.entries(PLAN_ERROR_CODES).map(([kind, codes]) => [kind, [...codes].sort()]),
    );
    expect(listed).toEqual(expected);
  });

  it.each(
    Object.entries(PLAN_ERROR_CODES).flatMap(([kind, codes]) => codes.map((code) => [kind, code] as const)),
  )('%s for ErrorCode %i, through the whole answer too', (kind, code) => {
    expect(classifyChatErrorCode(code)).toBe(kind);
    expect(classifyChatResponse(200, fail(code))).toMatchObject({ kind, errorCode: code });
  });

  it('never overlaps DESIGN.md’s own table', () => {
    const design = new Set(Object.values(DESIGN_ERROR_CODES).flat() as number[]);
    for (const codes of Object.values(PLAN_ERROR_CODES))
      for (const code of codes) expect(design.has(code)).toBe(false);
  });
});

describe('the code lists', () => {
  it('equal DESIGN.md exactly', () => {
    for (const [kind, codes] of Object.entries(FROM_DESIGN)) {
      expect([...(CHAT_ERROR_CLASSES[kind as ChatErrorClass] ?? [])].sort()).toEqual([...codes].sort());
    }
    expect(Object.keys(CHAT_ERROR_CLASSES).sort()).toEqual(Object.keys(FROM_DESIGN).sort());
  });

  it('are disjoint', () => {
    const all = Object.values(CHAT_ERROR_CLASSES).flatMap((codes) => [...codes]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('give every listed code a meaning of our own', () => {
    for (const codes of Object.values(CHAT_ERROR_CLASSES)) {
      for (const code of codes) expect(CHAT_ERROR_MEANINGS.get(code), String(code)).toMatch(/^[ -~]{3,80}$/);
    }
  });
});

describe('ErrorCode classes', () => {
  for (const [kind, codes] of Object.entries(CHAT_ERROR_CLASSES)) {
    it(`every ${kind} code lands in ${kind}, with the code and our meaning`, () => {
      for (const code of codes) {
        expect(classifyChatErrorCode(code)).toBe(kind);
        expect(classifyChatResponse(200, fail(code))).toEqual({
          kind,
          errorCode: code,
          detail: `Chat ErrorCode ${code}: ${CHAT_ERROR_MEANINGS.get(code)}`,
        });
      }
    });
  }

  it.each<[number, ChatOutcome['kind']]>([
    [30003, 'absent'],
    [70107, 'absent'],
    [30006, 'transient'],
    [30008, 'transient'],
    [60008, 'transient'],
    [70500, 'transient'],
    [60007, 'throttled'],
    [70050, 'throttled'],
    [70001, 're-sign'],
    [70009, 're-sign'],
    [70052, 're-sign'],
    [60004, 're-sign'],
    [30001, 'permanent'],
    [60010, 'permanent'],
    [70013, 'permanent'],
    [70403, 'permanent'],
  ])('spot check: %d is %s', (code, kind) => {
    expect(classifyChatResponse(200, fail(code)).kind).toBe(kind);
  });

  it.each<[number, ChatOutcome['kind']]>([
    [60013, 'transient'],
    [60014, 'transient'],
    [60015, 'permanent'],
    [60016, 'permanent'],
    [60017, 'permanent'],
    [60018, 'throttled'],
    [60019, 'throttled'],
    [60020, 'permanent'],
  ])('range bounds around 60015–60017: %d is %s', (code, kind) => {
    expect(classifyChatResponse(200, fail(code)).kind).toBe(kind);
  });

  it.each([71000, 10004, 10007, 40009])('plan code %d is permanent, with our own meaning', (code) => {
    const outcome = classifyChatResponse(200, fail(code));
    expect(outcome).toMatchObject({ kind: 'permanent', errorCode: code });
    expect(outcome.detail).toBe(`Chat ErrorCode ${code}: ${CHAT_ERROR_MEANINGS.get(code)}`);
  });

  it.each([99999, 1, 70004, 70114, 20004, -70052, 2 ** 40])('unknown code %d is permanent', (code) => {
    expect(classifyChatResponse(200, fail(code))).toEqual({
      kind: 'permanent',
      errorCode: code,
      detail: `Chat ErrorCode ${code}: code not in the classification table`,
    });
  });

  it('uses the documented detail text', () => {
    expect(classifyChatResponse(200, fail(30006)).detail).toBe('Chat ErrorCode 30006: internal server error');
  });
});

describe('HTTP 200 bodies', () => {
  it('OK with ErrorCode 0 is done, without an errorCode', () => {
    expect(classifyChatResponse(200, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' })).toEqual({
      kind: 'done',
      detail: 'OK',
    });
  });

  it('accepts the documented extra fields (ErrorDisplay, ResultItem, ErrorInfo "0")', () => {
    const body = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '0', ErrorDisplay: '', ResultItem: [] };
    expect(classifyChatResponse(200, body).kind).toBe('done');
  });

  it.each<[string, unknown]>([
    ['undefined (not JSON)', undefined],
    ['null', null],
    ['an array', [{ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }]],
    ['a string', 'OK'],
    ['a number', 0],
    ['an empty object', {}],
    ['missing ActionStatus', { ErrorCode: 0, ErrorInfo: '' }],
    ['missing ErrorCode', { ActionStatus: 'OK', ErrorInfo: '' }],
    ['missing ErrorInfo', { ActionStatus: 'OK', ErrorCode: 0 }],
    ['ErrorCode as string "0"', { ActionStatus: 'OK', ErrorCode: '0', ErrorInfo: '' }],
    ['ErrorCode as string "70107"', { ActionStatus: 'FAIL', ErrorCode: '70107', ErrorInfo: '' }],
    ['ErrorCode fractional', { ActionStatus: 'FAIL', ErrorCode: 70107.5, ErrorInfo: '' }],
    ['ErrorCode null', { ActionStatus: 'OK', ErrorCode: null, ErrorInfo: '' }],
    ['ErrorCode NaN', { ActionStatus: 'FAIL', ErrorCode: Number.NaN, ErrorInfo: '' }],
    ['ErrorCode unsafe integer', { ActionStatus: 'FAIL', ErrorCode: 2 ** 60, ErrorInfo: '' }],
    ['ActionStatus lowercase', { ActionStatus: 'ok', ErrorCode: 0, ErrorInfo: '' }],
    ['ActionStatus unknown', { ActionStatus: 'PARTIAL', ErrorCode: 0, ErrorInfo: '' }],
    ['ActionStatus boolean', { ActionStatus: true, ErrorCode: 0, ErrorInfo: '' }],
    ['ErrorInfo a number', { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: 0 }],
  ])('a body that is %s is transient, without an errorCode', (_name, body) => {
    expect(classifyChatResponse(200, body)).toEqual({
      kind: 'transient',
      detail: 'unexpected answer: not the documented JSON',
    });
  });

  it('OK with a non-zero code disagrees: transient, keeps the code, and says it disagreed', () => {
    for (const code of [70107, 30003, 60007, 70001, 30001, 99999, 10018]) {
      expect(classifyChatResponse(200, { ActionStatus: 'OK', ErrorCode: code, ErrorInfo: '' })).toEqual({
        kind: 'transient',
        errorCode: code,
        detail: `unexpected answer: ActionStatus OK with ErrorCode ${code}`,
        disagreeing: true,
      });
    }
    // A FAIL answer agrees with its code: not marked.
    expect(classifyChatResponse(200, fail(10018))).not.toHaveProperty('disagreeing');
  });

  it('FAIL with code 0 disagrees: transient, no errorCode', () => {
    expect(classifyChatResponse(200, { ActionStatus: 'FAIL', ErrorCode: 0, ErrorInfo: 'x' })).toEqual({
      kind: 'transient',
      detail: 'unexpected answer: ActionStatus FAIL with ErrorCode 0',
    });
  });
});

describe('HTTP status families', () => {
  it.each([408, 500, 502, 503, 504, 599])('%d is transient', (status) => {
    expect(classifyChatResponse(status, undefined)).toEqual({ kind: 'transient', detail: `HTTP ${status}` });
  });

  it('429 is throttled', () => {
    expect(classifyChatResponse(429, undefined)).toEqual({ kind: 'throttled', detail: 'HTTP 429' });
  });

  it.each([400, 401, 403, 404, 405, 409, 413, 414, 451, 499])('%d is permanent', (status) => {
    expect(classifyChatResponse(status, undefined)).toEqual({ kind: 'permanent', detail: `HTTP ${status}` });
  });

  it.each([300, 301, 302, 303, 307, 308])('redirect %d is permanent (misconfiguration)', (status) => {
    expect(classifyChatResponse(status, undefined)).toEqual({ kind: 'permanent', detail: `HTTP ${status}` });
  });

  it.each([100, 101, 199, 201, 202, 204, 206, 299])('%d is transient', (status) => {
    expect(classifyChatResponse(status, undefined)).toEqual({ kind: 'transient', detail: `HTTP ${status}` });
  });

  it.each([0, 99, 600, 999, -200, 200.5, Number.NaN])('an impossible status %d is transient', (status) => {
    expect(classifyChatResponse(status, undefined)).toEqual({
      kind: 'transient',
      detail: 'HTTP status out of range',
    });
  });

  it('ignores the body of a non-200 answer, even a well-formed one', () => {
    const looksDone = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' };
    expect(classifyChatResponse(502, looksDone)).toEqual({ kind: 'transient', detail: 'HTTP 502' });
    expect(classifyChatResponse(204, looksDone).kind).toBe('transient');
    expect(classifyChatResponse(403, fail(70107)).kind).toBe('permanent');
  });
});

describe('transport failures', () => {
  it('are transient with a fixed detail', () => {
    expect(classifyTransportFailure('timeout')).toEqual({ kind: 'transient', detail: 'timeout' });
    expect(classifyTransportFailure('connection-error')).toEqual({
      kind: 'transient',
      detail: 'connection error',
    });
  });
});

describe('detail safety (property)', () => {
  // The answer's free text is wrapped in a marker our fixed texts never contain, so "not contained" is exact.
  const answerText = fc.string({ maxLength: 300 }).map((text) => `«${text}»`);
  const code = fc.oneof(
    fc.constantFrom(0, ...Object.values(CHAT_ERROR_CLASSES).flatMap((codes) => [...codes])),
    fc.integer(),
  );
  const body = fc.record(
    {
      ActionStatus: fc.oneof(fc.constantFrom('OK', 'FAIL'), fc.string()),
      ErrorCode: fc.oneof(code, code.map(String), fc.double()),
      ErrorInfo: answerText,
      ErrorDisplay: answerText,
      Extra: fc.anything(),
    },
    { requiredKeys: ['ErrorInfo', 'ErrorDisplay'] },
  );
  const status = fc.oneof(fc.constant(200), fc.integer({ min: -1, max: 700 }));

  it('never carries ErrorInfo or ErrorDisplay text, and stays short and printable', () => {
    fc.assert(
      fc.property(status, body, (httpStatus, answer) => {
        const outcome = classifyChatResponse(httpStatus, answer);
        expect(outcome.detail).not.toContain('«');
        expect(outcome.detail).not.toContain(answer.ErrorInfo);
        expect(outcome.detail).not.toContain(answer.ErrorDisplay);
        expect(outcome.detail.length).toBeLessThanOrEqual(256);
        expect(outcome.detail).toMatch(/^[ -~]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('sets errorCode exactly when a well-formed answer carried a non-zero ErrorCode', () => {
    fc.assert(
      fc.property(fc.constantFrom('OK', 'FAIL'), code, answerText, (actionStatus, errorCode, info) => {
        const outcome = classifyChatResponse(200, {
          ActionStatus: actionStatus,
          ErrorCode: errorCode,
          ErrorInfo: info,
        });
        expect(outcome.errorCode).toBe(errorCode === 0 ? undefined : errorCode);
      }),
      { numRuns: 1000 },
    );
  });
});
