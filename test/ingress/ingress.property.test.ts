/**
 * Property tests: fuzzed methods, paths, headers (names in any case, repeats), content types, signatures
 * and bodies (text, bytes, base64). Whatever arrives, the ingress answers one of its documented statuses
 * and never throws; it never enqueues a request that was not validly signed; and a validly signed valid
 * event is enqueued byte for byte. First against the core with fake ports (many runs), then against the
 * BUILT bundle over HTTP with the real SDK clients (fewer runs).
 */
import { createHmac } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleIngressRequest, type IngressServices } from '../../src/ingress/handleIngressRequest.ts';
import {
  CURRENT_KEY,
  httpRequest,
  type IngressWorld,
  PREVIOUS_KEY,
  startIngressWorld,
} from './ingressWorld.ts';

const STATUSES = new Set([202, 400, 401, 404, 405, 413, 415, 500, 503]);
const KEYS = [CURRENT_KEY, PREVIOUS_KEY];

/** An independent HMAC (not the module under test): hex of HMAC-SHA256(key, "<timestamp>.<body>"). */
const hmac = (key: string, timestamp: string, body: Buffer) =>
  createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), body]))
    .digest('hex');

type Signing =
  | 'current'
  | 'previous'
  | 'both-plus-junk-scheme'
  | 'upper-hex'
  | 'wrong-key'
  | 'flipped-digit'
  | 'other-body'
  | 'stale'
  | 'future'
  | 'repeated-timestamp'
  | 'no-timestamp'
  | 'no-signature'
  | 'random';

/** Whether a request signed this way carries a valid signature (by construction, not by the code under test). */
const VALIDLY_SIGNED: ReadonlySet<Signing> = new Set([
  'current',
  'previous',
  'both-plus-junk-scheme',
  'upper-hex',
]);

interface FuzzRequest {
  method: string;
  path: string;
  /** Raw header pairs, repeats allowed, names in any case. */
  headers: [string, string][];
  body: Buffer;
  signing: Signing;
  /** The path, method, size and content type pass the checks before the signature. */
  routable: boolean;
}

const validEvent = fc
  .record(
    {
      userId: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }),
      requestId: fc.string({ maxLength: 20 }),
      occurredAt: fc.constantFrom('2026-11-25T10:00:00Z', 'nope'),
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['userId'] },
  )
  .map((event) => JSON.stringify(event));

const body = fc.oneof(
  { weight: 4, arbitrary: validEvent.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 16 * 1024 - 2, max: 16 * 1024 + 2 }).map((size) => Buffer.alloc(size, 0x20)),
  },
);

const caseOf = (name: string) => fc.mixedCase(fc.constant(name));
const headerText = fc.string({ maxLength: 40, unit: 'grapheme-ascii' });

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.oneof(
      { weight: 10, arbitrary: fc.constant('POST') },
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'),
    ),
    path: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom('/erasures', '/erasures/', '/erasures?x=1') },
      fc.constantFrom('/', '/erasure', '/erasures/x', '/ERASURES'),
    ),
    contentType: fc.oneof(
      {
        weight: 10,
        arbitrary: fc.constantFrom(
          'application/json',
          'Application/JSON; charset=UTF-8',
          'application/json; charset=iso-8859-1',
        ),
      },
      fc.constantFrom(undefined, 'text/plain', 'application/octet-stream'),
      headerText,
    ),
    body,
    signing: fc.constantFrom<Signing>(
      'current',
      'current',
      'previous',
      'both-plus-junk-scheme',
      'upper-hex',
      'wrong-key',
      'flipped-digit',
      'other-body',
      'stale',
      'future',
      'repeated-timestamp',
      'no-timestamp',
      'no-signature',
      'random',
    ),
    timestampName: caseOf('x-chat-erasure-timestamp'),
    signatureName: caseOf('x-chat-erasure-signature'),
    contentTypeName: caseOf('content-type'),
    junk: fc.array(fc.tuple(fc.constantFrom('x-other', 'accept', 'x-chat-erasure-nonce'), headerText), {
      maxLength: 3,
    }),
    randomTimestamp: headerText,
    randomSignature: headerText,
    digit: fc.nat(63),
    skew: fc.integer({ min: 301, max: 10 ** 6 }),
  })
  .map((r) => {
    const now = Math.floor(Date.now() / 1000);
    const timestamp =
      r.signing === 'stale'
        ? String(now - r.skew)
        : r.signing === 'future'
          ? String(now + r.skew)
          : String(now);
    const key =
      r.signing === 'previous' ? PREVIOUS_KEY : r.signing === 'wrong-key' ? 'not-a-key' : CURRENT_KEY;
    let digest = hmac(
      key,
      timestamp,
      r.signing === 'other-body' ? Buffer.concat([r.body, Buffer.from(' ')]) : r.body,
    );
    if (r.signing === 'flipped-digit') {
      const flipped = digest[r.digit] === '0' ? '1' : '0';
      digest = `${digest.slice(0, r.digit)}${flipped}${digest.slice(r.digit + 1)}`;
    }
    let signature = `v1=${digest}`;
    if (r.signing === 'upper-hex') signature = `v1=${digest.toUpperCase()}`;
    if (r.signing === 'both-plus-junk-scheme') {
      signature = ` v9=whatever , v1=${hmac('not-a-key', timestamp, r.body)},v1=${digest}`;
    }
    const headers: [string, string][] = [];
    if (r.contentType !== undefined) headers.push([r.contentTypeName, r.contentType]);
    if (r.signing === 'random') {
      headers.push([r.timestampName, r.randomTimestamp], [r.signatureName, r.randomSignature]);
    } else {
      if (r.signing !== 'no-timestamp') headers.push([r.timestampName, timestamp]);
      if (r.signing === 'repeated-timestamp') headers.push(['x-chat-erasure-timestamp', timestamp]);
      if (r.signing !== 'no-signature') headers.push([r.signatureName, signature]);
    }
    headers.push(...r.junk);
    const routable =
      r.method === 'POST' &&
      ['/erasures', '/erasures/', '/erasures?x=1'].includes(r.path) &&
      r.body.length <= 16 * 1024 &&
      r.contentType !== undefined &&
      r.contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
    return { method: r.method, path: r.path, headers, body: r.body, signing: r.signing, routable };
  });

/** The Function URL event for a fuzzed request (base64 exactly when the stand-in would use it). */
function toEvent(request: FuzzRequest, base64: boolean): LambdaFunctionURLEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]},${value}` : value;
  }
  const [rawPath = '', rawQueryString = ''] = request.path.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'u',
      domainName: 'u.lambda-url.us-east-1.on.aws',
      domainPrefix: 'u',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: '',
      },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    ...(request.body.length > 0 && {
      body: base64 ? request.body.toString('base64') : request.body.toString('utf8'),
    }),
    isBase64Encoded: base64,
  };
}

const isUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('ingress core, fuzzed', () => {
  it('always answers a documented status, enqueues only validly signed requests, and forwards them byte for byte', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, fc.boolean(), async (request, base64Choice) => {
        // A body that is not UTF-8 can only arrive base64-encoded.
        const base64 = base64Choice || !isUtf8(request.body);
        const sent: string[] = [];
        const services: IngressServices = {
          settings: { maxSkewSeconds: 300, logUserId: 'pseudonym' },
          signingKeys: { get: async () => KEYS },
          queue: {
            send: async (message) => {
              sent.push(message.body);
              return { messageId: `m-${sent.length}` };
            },
          },
          log: { info: () => {}, warn: () => {}, error: () => {} },
        };
        const answer = await handleIngressRequest(
          toEvent(request, base64),
          { getRemainingTimeInMillis: () => 10_000 },
          services,
        );
        expect(STATUSES.has(answer.statusCode)).toBe(true);
        seen.set(answer.statusCode, (seen.get(answer.statusCode) ?? 0) + 1);
        expect(() => JSON.parse(answer.body)).not.toThrow();
        if (sent.length > 0) {
          expect(VALIDLY_SIGNED.has(request.signing)).toBe(true);
          expect(request.routable).toBe(true);
          expect(sent).toEqual([request.body.toString('utf8')]);
          expect(Buffer.from(sent[0] as string, 'utf8').equals(request.body)).toBe(true);
          expect(answer.statusCode).toBe(202);
        } else {
          expect(answer.statusCode).not.toBe(202);
        }
        if (request.routable && !VALIDLY_SIGNED.has(request.signing)) expect(answer.statusCode).toBe(401);
        if (request.routable && VALIDLY_SIGNED.has(request.signing))
          expect([202, 400]).toContain(answer.statusCode);
      }),
      { numRuns: 400 },
    );
    // The fuzzing reached both sides of the signature check (expected ~20 and ~100 of 400).
    expect(seen.get(202) ?? 0).toBeGreaterThan(0);
    expect(seen.get(401) ?? 0).toBeGreaterThan(0);
  });
});

describe('dist/ingress.mjs over HTTP, fuzzed', () => {
  let world: IngressWorld;
  beforeAll(async () => {
    world = await startIngressWorld({ keys: KEYS });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('never fails (no 502), never enqueues an unsigned request, and queues exactly what it accepted', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const before = world.sendCalls().length;
        const answer = await httpRequest(world.server.url, {
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
        });
        expect(STATUSES.has(answer.status), `${answer.status} ${answer.text}`).toBe(true);
        const sends = world.sendCalls().length - before;
        if (!VALIDLY_SIGNED.has(request.signing) || !request.routable) expect(sends).toBe(0);
        if (answer.status === 202) {
          accepted += 1;
          expect(sends).toBe(1);
        }
      }),
      { numRuns: 60 },
    );
    const messages = await world.drainQueue();
    expect(messages).toHaveLength(accepted);
  });
});
