/**
 * The ingress core with fake ports: the order of the checks, each status and its body, what is sent to the
 * queue, how SQS and Secrets Manager failures are classified, the deadline bound, and the log line.
 */
import { createHash } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { INVALID_EVENT_REASONS } from '../../src/erasure/accountClosureEvent.ts';
import { AwsCallAbandonedError } from '../../src/errors.ts';
import { RETRY_AFTER_SECONDS } from '../../src/ingress/answers.ts';
import { sendMessageInput } from '../../src/ingress/erasureQueue.ts';
import { SigningKeysUnavailableError } from '../../src/ingress/errors.ts';
import {
  BODY_NOT_SQS_TEXT,
  handleIngressRequest,
  type IngressLogLine,
  type IngressServices,
} from '../../src/ingress/handleIngressRequest.ts';
import { signatureHeaders } from '../../src/ingress/signature.ts';
import { parseSigningKeys } from '../../src/ingress/signingKeys.ts';

const KEY = 'current-signing-key';
const OLD_KEY = 'previous-signing-key';
const VALID = JSON.stringify({ userId: 'user_42', requestId: 'dsr-2026-000123' });

interface Recorded {
  sent: { body: string; userId: string }[];
  lines: { level: string; line: IngressLogLine }[];
  keyReads: number;
}

function fakes(overrides: Partial<IngressServices> = {}): { services: IngressServices; recorded: Recorded } {
  const recorded: Recorded = { sent: [], lines: [], keyReads: 0 };
  const log = (level: string) => (_message: string, line: IngressLogLine) => {
    expect(_message).toBe('ingress');
    recorded.lines.push({ level, line });
  };
  const services: IngressServices = {
    settings: { maxSkewSeconds: 300, logUserId: 'plain' },
    signingKeys: {
      get: async () => {
        recorded.keyReads += 1;
        return [KEY, OLD_KEY];
      },
    },
    queue: {
      send: async (message) => {
        recorded.sent.push(message);
        return { messageId: `m-${recorded.sent.length}` };
      },
    },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    ...overrides,
  };
  return { services, recorded };
}

interface EventOptions {
  method?: string;
  rawPath?: string;
  headers?: Record<string, string>;
  base64?: boolean;
  key?: string;
  timestamp?: string;
  contentType?: string | undefined;
}

function event(body: string | Buffer, options: EventOptions = {}): LambdaFunctionURLEvent {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const signed = signatureHeaders(options.key ?? KEY, bytes, options.timestamp);
  const contentType = 'contentType' in options ? options.contentType : 'application/json';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.rawPath ?? '/erasures',
    rawQueryString: '',
    headers: {
      ...(contentType !== undefined && { 'content-type': contentType }),
      ...signed,
      ...options.headers,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'url',
      domainName: 'url.lambda-url.us-east-1.on.aws',
      domainPrefix: 'url',
      http: {
        method: options.method ?? 'POST',
        path: '/erasures',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 't',
      },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    ...(bytes.length > 0 && { body: options.base64 ? bytes.toString('base64') : bytes.toString('utf8') }),
    isBase64Encoded: options.base64 ?? false,
  };
}

const context = (remainingMs = 10_000) => {
  const deadline = performance.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()) };
};

async function answer(
  body: string | Buffer,
  options: EventOptions = {},
  overrides: Partial<IngressServices> = {},
) {
  const { services, recorded } = fakes(overrides);
  const result = await handleIngressRequest(event(body, options), context(), services);
  return { ...result, json: JSON.parse(result.body) as Record<string, unknown>, recorded };
}

describe('checks, in DESIGN order', () => {
  it('404 for another path first, whatever else is wrong; a trailing / and a query are tolerated', async () => {
    for (const rawPath of ['/', '/erasure', '/erasures//', '/Erasures', '/erasures/x', '/v1/erasures', '']) {
      const result = await answer('x'.repeat(20_000), {
        rawPath,
        method: 'GET',
        contentType: 'text/plain',
        key: 'bad',
      });
      expect(result.statusCode, rawPath).toBe(404);
      expect(result.json).toEqual({ error: 'not-found', message: 'only POST /erasures is served' });
      expect(result.recorded.keyReads).toBe(0);
    }
    expect((await answer(VALID, { rawPath: '/erasures/' })).statusCode).toBe(202);
    expect((await answer(VALID, { rawPath: '/erasures?dry=1' })).statusCode).toBe(202);
  });

  it('405 with Allow for another method, before the size, type and signature checks', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'post']) {
      const result = await answer('x'.repeat(20_000), { method, contentType: 'text/plain', key: 'bad' });
      expect(result.statusCode, method).toBe(405);
      expect(result.headers.allow).toBe('POST');
      expect(result.recorded.keyReads).toBe(0);
    }
  });

  it('413 above 16 KiB after base64 decoding, before the type and signature checks', async () => {
    const limit = 16 * 1024;
    const padded = (size: number) => `${VALID}${' '.repeat(size - VALID.length)}`;
    expect((await answer(padded(limit))).statusCode).toBe(202);
    expect((await answer(padded(limit), { base64: true })).statusCode).toBe(202);
    for (const base64 of [false, true]) {
      const result = await answer(padded(limit + 1), { base64, contentType: 'text/plain', key: 'bad' });
      expect(result.statusCode).toBe(413);
      expect(result.recorded.keyReads).toBe(0);
    }
    // Multi-byte characters count as their UTF-8 bytes.
    expect((await answer(`{"userId":"u","x":"${'é'.repeat(8200)}"}`)).statusCode).toBe(413);
  });

  it('415 unless the media type is application/json (parameters and any letter case allowed)', async () => {
    for (const contentType of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'APPLICATION/JSON;CHARSET=UTF-8',
      ' application/json ; foo=bar',
    ]) {
      expect((await answer(VALID, { contentType })).statusCode, contentType).toBe(202);
    }
    for (const contentType of [
      undefined,
      '',
      'text/plain',
      'application/jsonp',
      'application/vnd.api+json',
      'text/json',
      'application/json, text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const result = await answer(VALID, { contentType, key: 'bad' });
      expect(result.statusCode, String(contentType)).toBe(415);
      expect(result.recorded.keyReads).toBe(0);
    }
    // Header names match in any case.
    const { services } = fakes();
    const upper = event(VALID, { contentType: undefined, headers: { 'Content-Type': 'application/json' } });
    expect((await handleIngressRequest(upper, context(), services)).statusCode).toBe(202);
  });

  it('503 with Retry-After when the keys cannot be read or are malformed, before the signature check', async () => {
    const failing = (error: Error) => ({ signingKeys: { get: () => Promise.reject(error) } });
    for (const error of [
      new SigningKeysUnavailableError('Secrets Manager could not be read (InternalServiceError)'),
      new SigningKeysUnavailableError('the signing secret does not match the contract: check signingKeys'),
    ]) {
      const result = await answer(VALID, { key: 'bad' }, failing(error));
      expect(result.statusCode).toBe(503);
      expect(result.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(result.recorded.sent).toEqual([]);
      expect(result.recorded.lines).toEqual([
        {
          level: 'warn',
          line: { status: 503, error: 'SigningKeysUnavailableError', durationMs: expect.any(Number) },
        },
      ]);
    }
  });

  it('401 for any signature problem, with one fixed answer, before the event is read', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, LambdaFunctionURLEvent][] = [
      ['wrong key', event(VALID, { key: 'other' })],
      [
        'no timestamp',
        event(VALID, { headers: { 'x-chat-erasure-timestamp': undefined as unknown as string } }),
      ],
      [
        'no signature',
        event(VALID, { headers: { 'x-chat-erasure-signature': undefined as unknown as string } }),
      ],
      ['stale', event(VALID, { timestamp: String(now - 400) })],
      ['future', event(VALID, { timestamp: String(now + 400) })],
      ['malformed', event(VALID, { headers: { 'x-chat-erasure-signature': 'v1=zz' } })],
      ['repeated timestamp', event(VALID, { headers: { 'x-chat-erasure-timestamp': `${now},${now}` } })],
      ['invalid event, bad signature', event('not json', { key: 'other' })],
    ];
    const bodies = new Set<string>();
    for (const [what, request] of cases) {
      const { services, recorded } = fakes();
      const result = await handleIngressRequest(request, context(), services);
      expect(result.statusCode, what).toBe(401);
      bodies.add(result.body);
      expect(recorded.sent).toEqual([]);
      expect(recorded.lines[0]?.line.signatureFailure, what).toBeDefined();
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ error: 'unauthorized', message: 'the request signature is not valid' }),
    ]);
  });

  it('a repeated timestamp header delivered under names of different case is joined, so refused', async () => {
    const now = String(Math.floor(Date.now() / 1000));
    const request = event(VALID, { timestamp: now, headers: { 'X-Chat-Erasure-Timestamp': now } });
    const { services } = fakes();
    expect((await handleIngressRequest(request, context(), services)).statusCode).toBe(401);
  });

  it('accepts the previous key during a rotation, and headers named in any case', async () => {
    expect((await answer(VALID, { key: OLD_KEY })).statusCode).toBe(202);
    const signed = signatureHeaders(KEY, VALID);
    const request = event(VALID, {
      headers: {
        'x-chat-erasure-timestamp': undefined as unknown as string,
        'x-chat-erasure-signature': undefined as unknown as string,
        'X-Chat-Erasure-Timestamp': signed['x-chat-erasure-timestamp'],
        'X-CHAT-ERASURE-SIGNATURE': signed['x-chat-erasure-signature'],
      },
    });
    const { services } = fakes();
    expect((await handleIngressRequest(request, context(), services)).statusCode).toBe(202);
  });
});

describe('400 invalid event: the erasure function parser, its reasons word for word', () => {
  const cases: [string, string][] = [
    ['', INVALID_EVENT_REASONS.bodyNotJson],
    ['not json', INVALID_EVENT_REASONS.bodyNotJson],
    ['{"userId":"a"', INVALID_EVENT_REASONS.bodyNotJson],
    [JSON.stringify({ Type: 'Notification', Message: 'not json' }), INVALID_EVENT_REASONS.snsMessageNotJson],
    ['[]', INVALID_EVENT_REASONS.eventNotObject],
    ['"user_42"', INVALID_EVENT_REASONS.eventNotObject],
    ['null', INVALID_EVENT_REASONS.eventNotObject],
    [
      JSON.stringify({ 'detail-type': 'Account Closed', detail: { requestId: 'r' } }),
      INVALID_EVENT_REASONS.userIdMissing,
    ],
    [JSON.stringify({ requestId: 'r' }), INVALID_EVENT_REASONS.userIdMissing],
    [JSON.stringify({ userId: 42 }), INVALID_EVENT_REASONS.userIdNotString],
    [JSON.stringify({ userId: '' }), INVALID_EVENT_REASONS.userIdEmpty],
    ['{"userId":"\\ud800"}', INVALID_EVENT_REASONS.userIdNotUnicode],
    [JSON.stringify({ userId: 'é'.repeat(17) }), INVALID_EVENT_REASONS.userIdTooLong],
    [JSON.stringify({ userId: 'user\u001b42' }), INVALID_EVENT_REASONS.userIdControlCharacter],
  ];
  it.each(cases)('%s → %s', async (body, reason) => {
    const result = await answer(body);
    expect(result.statusCode).toBe(400);
    expect(result.json).toEqual({ error: 'invalid-event', message: reason });
    expect(result.recorded.sent).toEqual([]);
  });

  it('a body whose bytes are not UTF-8 is not JSON; one SQS cannot carry is refused too', async () => {
    const latin1 = Buffer.from('{"userId":"Jos\xe9"}', 'latin1');
    const notUtf8 = await answer(latin1, { base64: true });
    expect(notUtf8.json).toEqual({ error: 'invalid-event', message: INVALID_EVENT_REASONS.bodyNotJson });
    const noncharacter = await answer(JSON.stringify({ userId: 'user_42', note: '\uffff' }));
    expect(noncharacter.statusCode).toBe(400);
    expect(noncharacter.json).toEqual({ error: 'invalid-event', message: BODY_NOT_SQS_TEXT });
    expect(noncharacter.recorded.sent).toEqual([]);
  });

  it('the admin rules are the erasure function’s: any other account, e.g. "administrator", is accepted', async () => {
    expect((await answer(JSON.stringify({ userId: 'administrator' }))).statusCode).toBe(202);
  });
});

describe('202: SQS accepted the body, byte for byte', () => {
  it('forwards the exact text (envelope, spacing, BOM, unknown fields) and answers the ids', async () => {
    const bodies = [
      VALID,
      ` {"userId" : "José 🙂",\n "occurredAt":"bad", "extra":[1,2]}\r\n`,
      `\uFEFF${VALID}`,
      JSON.stringify({
        Type: 'Notification',
        Message: JSON.stringify({ userId: 'sns_user', requestId: 'sns-1' }),
      }),
      JSON.stringify({ 'detail-type': 'Account Closed', detail: { userId: 'eb_user' } }),
    ];
    for (const body of bodies) {
      for (const base64 of [false, true]) {
        const result = await answer(body, { base64 });
        expect(result.statusCode, body).toBe(202);
        expect(result.recorded.sent.map((m) => m.body)).toEqual([body]);
      }
    }
    const sns = await answer(bodies[3] as string);
    expect(sns.recorded.sent[0]?.userId).toBe('sns_user');
    expect(sns.json).toEqual({ requestId: 'sns-1', messageId: 'm-1' });
  });

  it('answers the event’s requestId, or the messageId the erasure function will use in its place', async () => {
    expect((await answer(VALID)).json).toEqual({ requestId: 'dsr-2026-000123', messageId: 'm-1' });
    for (const body of [
      JSON.stringify({ userId: 'u' }),
      JSON.stringify({ userId: 'u', requestId: '' }),
      JSON.stringify({ userId: 'u', requestId: 7 }),
      JSON.stringify({ userId: 'u', requestId: 'bad\u0000' }),
    ]) {
      expect((await answer(body)).json, body).toEqual({ requestId: 'm-1', messageId: 'm-1' });
    }
  });

  it('sends FIFO group = SHA-256 hex of the userId and dedup id = SHA-256 hex of the body, only to a .fifo queue', () => {
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const message = { body: VALID, userId: 'user_42' };
    expect(sendMessageInput('https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo', message)).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo',
      MessageBody: VALID,
      MessageGroupId: sha('user_42'),
      MessageDeduplicationId: sha(VALID),
    });
    expect(sendMessageInput('https://sqs.us-east-1.amazonaws.com/000000000000/q', message)).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/q',
      MessageBody: VALID,
    });
  });
});

describe('SQS failures', () => {
  const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('service words'), {
      name,
      ...(status !== undefined && { $metadata: { httpStatusCode: status } }),
      ...extra,
    });
  const failingQueue = (error: unknown) => ({ queue: { send: () => Promise.reject(error) } });

  it('503 with Retry-After while SQS is unavailable: throttling, 5xx, network, timeout, abandoned', async () => {
    for (const error of [
      sdkError('ThrottlingException', 400),
      sdkError('RequestThrottled', 403, { $retryable: { throttling: true } }),
      // As the SQS client really throws them: no $retryable, a 4xx status.
      sdkError('RequestThrottled', 403),
      sdkError('KmsThrottled', 400),
      sdkError('InternalError', 500),
      sdkError('ServiceUnavailable', 503),
      sdkError('ECONNRESET'),
      sdkError('TimeoutError'),
      new AwsCallAbandonedError(),
    ]) {
      const result = await answer(VALID, {}, failingQueue(error));
      expect(result.statusCode, (error as Error).name).toBe(503);
      expect(result.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(result.json).toEqual({
        error: 'unavailable',
        message: 'the erasure queue is unavailable; retry later',
      });
      expect(result.recorded.lines[0]).toMatchObject({
        level: 'warn',
        line: { status: 503, requestId: 'dsr-2026-000123' },
      });
    }
  });

  it('500 for other refusals (access denied, KMS, a bad queue)', async () => {
    for (const error of [
      sdkError('AccessDenied', 403),
      sdkError('KmsAccessDenied', 400),
      sdkError('KmsDisabled', 400),
      sdkError('QueueDoesNotExist', 400),
    ]) {
      const result = await answer(VALID, {}, failingQueue(error));
      expect(result.statusCode, (error as Error).name).toBe(500);
      expect(result.headers['retry-after']).toBeUndefined();
      expect(result.recorded.lines[0]).toMatchObject({
        level: 'error',
        line: { status: 500, error: (error as Error).name },
      });
    }
  });
});

describe('deadline', () => {
  it('answers 503 before the invocation deadline when Secrets Manager or SQS never answers', async () => {
    const never = () => new Promise<never>(() => {});
    for (const overrides of [
      { signingKeys: { get: never } },
      { queue: { send: never } },
    ] as Partial<IngressServices>[]) {
      const { services } = fakes(overrides);
      const started = performance.now();
      const result = await handleIngressRequest(event(VALID), context(1300), services);
      const took = performance.now() - started;
      expect(result.statusCode).toBe(503);
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1300);
    }
  });

  it('passes the abandon signal to the SQS call', async () => {
    let seen: AbortSignal | undefined;
    const { services } = fakes({
      queue: {
        send: (_message, signal) => {
          seen = signal;
          return Promise.resolve({ messageId: 'm' });
        },
      },
    });
    await handleIngressRequest(event(VALID), context(), services);
    expect(seen).toBeInstanceOf(AbortSignal);
  });
});

describe('the log line', () => {
  it('is one line per request, with status, requestId, user and ids; never the signature, a key or the body', async () => {
    const body = JSON.stringify({ userId: 'secret_user_7', requestId: 'dsr-9', note: 'BODY-MARKER' });
    const request = event(body);
    const signature = request.headers['x-chat-erasure-signature'] as string;
    const { services, recorded } = fakes({ settings: { maxSkewSeconds: 300, logUserId: 'pseudonym' } });
    await handleIngressRequest(request, context(), services);
    await handleIngressRequest(event(body, { key: 'nope' }), context(), services);
    await handleIngressRequest(event('{"userId":""}'), context(), services);
    expect(recorded.lines.map((l) => l.line.status)).toEqual([202, 401, 400]);
    expect(recorded.lines[0]?.line).toEqual({
      status: 202,
      requestId: 'dsr-9',
      user: expect.stringMatching(/^[0-9a-f]{16}$/),
      messageId: 'm-1',
      durationMs: expect.any(Number),
    });
    expect(recorded.lines[1]?.line).toEqual({
      status: 401,
      signatureFailure: 'no-match',
      durationMs: expect.any(Number),
    });
    expect(recorded.lines[2]?.line).toMatchObject({ status: 400, reason: INVALID_EVENT_REASONS.userIdEmpty });
    const text = JSON.stringify(recorded.lines);
    for (const secret of [KEY, OLD_KEY, signature.slice(3), 'BODY-MARKER', 'secret_user_7']) {
      expect(text).not.toContain(secret);
    }
  });

  it('the pseudonym is keyed from the current signing key, so it changes when the key rotates', async () => {
    const pseudonymOf = async (keys: string[]) => {
      const { services, recorded } = fakes({
        settings: { maxSkewSeconds: 300, logUserId: 'pseudonym' },
        signingKeys: { get: async () => keys },
      });
      await handleIngressRequest(event(VALID, { key: keys[1] ?? keys[0] }), context(), services);
      return recorded.lines[0]?.line.user;
    };
    const before = await pseudonymOf([KEY]);
    expect(await pseudonymOf([KEY, 'older'])).toBe(before);
    expect(await pseudonymOf(['new-key', KEY])).not.toBe(before);
  });

  it('omit leaves the user out; plain shows it', async () => {
    for (const [mode, user] of [
      ['omit', undefined],
      ['plain', 'user_42'],
    ] as const) {
      const { services, recorded } = fakes({ settings: { maxSkewSeconds: 300, logUserId: mode } });
      await handleIngressRequest(event(VALID), context(), services);
      expect(recorded.lines[0]?.line.user).toBe(user);
    }
  });

  it('a failing logger or a broken event never makes the ingress throw', async () => {
    const boom = () => {
      throw new Error('log sink down');
    };
    const { services } = fakes({ log: { info: boom, warn: boom, error: boom } });
    expect((await handleIngressRequest(event(VALID), context(), services)).statusCode).toBe(202);
    for (const broken of [
      undefined,
      null,
      42,
      'x',
      [],
      {},
      { rawPath: '/erasures', requestContext: { http: { method: 'POST' } }, headers: null, body: 7 },
    ]) {
      const result = await handleIngressRequest(broken, context(), services);
      expect([404, 405, 415]).toContain(result.statusCode);
    }
    const throwingContext = {
      getRemainingTimeInMillis: () => {
        throw new Error('no context');
      },
    };
    // No deadline can be read: AWS calls are abandoned at once (a race with the fake's instant answer).
    expect([202, 503]).toContain(
      (await handleIngressRequest(event(VALID), throwingContext, services)).statusCode,
    );
  });
});

describe('parseSigningKeys', () => {
  it('reads a non-empty array of non-empty strings, extra fields ignored', () => {
    expect(parseSigningKeys('{"signingKeys":["a","b"],"note":1}')).toEqual(['a', 'b']);
  });
  it('refuses anything else, naming no value', () => {
    for (const text of [
      undefined,
      'not json',
      '{}',
      '{"signingKeys":[]}',
      '{"signingKeys":[""]}',
      '{"signingKeys":"abc"}',
      '{"signingKeys":[1]}',
      '[]',
    ]) {
      expect(() => parseSigningKeys(text), String(text)).toThrow(SigningKeysUnavailableError);
    }
    expect(() => parseSigningKeys('{"signingKeys":"top-secret"}')).toThrow(/check signingKeys/);
    try {
      parseSigningKeys('{"signingKeys":"top-secret"}');
    } catch (error) {
      expect(String(error)).not.toContain('top-secret');
    }
  });
});
