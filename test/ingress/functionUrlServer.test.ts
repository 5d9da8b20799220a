/**
 * The Function URL stand-in: the payload 2.0 events it builds from real HTTP requests (headers, cookies,
 * query, base64 bodies exactly when Function URLs use them) and how it writes a handler's result back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  bodyIsBase64Encoded,
  FUNCTION_URL_MAX_REQUEST_BYTES,
  type FunctionUrlHandler,
  type FunctionUrlServer,
  functionUrlAnswer,
  functionUrlEvent,
  startFunctionUrlServer,
} from '../../sim/aws/functionUrlServer.ts';
import { httpRequest } from './ingressWorld.ts';

describe('bodyIsBase64Encoded', () => {
  const json = Buffer.from('{"userId":"José"}');
  it('passes UTF-8 text types as strings', () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=UTF-8',
      'application/json;charset="utf-8"',
      'text/plain',
      'text/csv; charset=utf-8',
      'application/xml',
      'application/javascript',
    ]) {
      expect(bodyIsBase64Encoded(type, json), type).toBe(false);
    }
  });
  it('base64-encodes everything else: other types, no type, another charset, bytes that are not UTF-8', () => {
    for (const type of [
      undefined,
      '',
      'application/octet-stream',
      'application/x-www-form-urlencoded',
      'application/vnd.api+json',
      'application/json; charset=iso-8859-1',
      'text/plain; charset=latin1',
    ]) {
      expect(bodyIsBase64Encoded(type, json), String(type)).toBe(true);
    }
    expect(bodyIsBase64Encoded('application/json', Buffer.from([0x7b, 0xff, 0x7d]))).toBe(true);
  });
});

describe('functionUrlEvent', () => {
  it('builds a payload 2.0 event: raw path and query, decoded parameters, lower-case headers joined, cookies apart', () => {
    const event = functionUrlEvent({
      method: 'POST',
      target: '/erasures/a%20b?x=1&y=two%20words&x=3&flag',
      rawHeaders: [
        'Content-Type',
        'application/json',
        'X-Chat-Erasure-Timestamp',
        '1',
        'x-chat-erasure-timestamp',
        '2',
        'Cookie',
        'a=1; b=2',
        'User-Agent',
        'curl/8',
      ],
      body: Buffer.from('{}'),
      sourceIp: '127.0.0.1',
      nowMs: Date.UTC(2026, 10, 25, 10, 0, 7),
      urlId: 'abc123',
      region: 'eu-west-1',
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/erasures/a%20b',
      rawQueryString: 'x=1&y=two%20words&x=3&flag',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,3', y: 'two words', flag: '' },
      body: '{}',
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abc123',
        domainName: 'abc123.lambda-url.eu-west-1.on.aws',
        domainPrefix: 'abc123',
        http: {
          method: 'POST',
          path: '/erasures/a%20b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        routeKey: '$default',
        stage: '$default',
        time: '25/Nov/2026:10:00:07 +0000',
        timeEpoch: Date.UTC(2026, 10, 25, 10, 0, 7),
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-chat-erasure-timestamp': '1,2',
      'user-agent': 'curl/8',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('leaves the body out when there is none, and base64-encodes a binary one', () => {
    const base = { method: 'GET', target: '/', sourceIp: '127.0.0.1' };
    const empty = functionUrlEvent({ ...base, rawHeaders: [], body: Buffer.alloc(0) });
    expect(empty).not.toHaveProperty('body');
    expect(empty.isBase64Encoded).toBe(false);
    expect(empty).not.toHaveProperty('queryStringParameters');
    expect(empty).not.toHaveProperty('cookies');
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = functionUrlEvent({
      ...base,
      rawHeaders: ['content-type', 'application/octet-stream'],
      body: bytes,
    });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });
});

describe('functionUrlAnswer', () => {
  it('writes a structured result: status, headers, cookies, base64 body; JSON by default', () => {
    expect(functionUrlAnswer({ statusCode: 202, headers: { 'Retry-After': 5 }, body: '{"a":1}' })).toEqual({
      status: 202,
      headers: { 'retry-after': '5', 'content-type': 'application/json' },
      body: Buffer.from('{"a":1}'),
    });
    expect(
      functionUrlAnswer({
        statusCode: 200,
        headers: { 'content-type': 'image/png' },
        cookies: ['s=1'],
        body: 'AAE=',
        isBase64Encoded: true,
      }),
    ).toEqual({
      status: 200,
      headers: { 'content-type': 'image/png', 'set-cookie': ['s=1'] },
      body: Buffer.from([0, 1]),
    });
  });
  it('turns anything else into a 200 JSON document', () => {
    expect(functionUrlAnswer({ ok: true })).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"ok":true}'),
    });
    expect(functionUrlAnswer('hello').body.toString()).toBe('hello');
    expect(functionUrlAnswer(undefined).body.toString()).toBe('null');
    expect(functionUrlAnswer({ statusCode: 99 }).status).toBe(502);
  });
});

describe('startFunctionUrlServer', () => {
  let server: FunctionUrlServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (handler: FunctionUrlHandler, timeoutMs?: number) => {
    server = await startFunctionUrlServer({ handler, ...(timeoutMs !== undefined && { timeoutMs }) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    return server.url;
  };

  it('calls the handler with the event and a Lambda context counting down from the timeout, and answers its result', async () => {
    let remaining = 0;
    const url = await start(async (event, context) => {
      remaining = context.getRemainingTimeInMillis();
      return {
        statusCode: 201,
        headers: { 'x-echo': event.headers['x-chat-erasure-signature'] ?? '' },
        body: JSON.stringify({ body: event.body, base64: event.isBase64Encoded }),
      };
    }, 5000);
    const answer = await httpRequest(url, {
      method: 'POST',
      path: '/erasures',
      headers: [
        ['x-chat-erasure-signature', 'v1=a'],
        ['X-Chat-Erasure-Signature', 'v1=b'],
        ['content-type', 'application/json; charset=iso-8859-1'],
      ],
      body: Buffer.from('{"a":1}'),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-echo']).toBe('v1=a,v1=b');
    expect(answer.json()).toEqual({ body: Buffer.from('{"a":1}').toString('base64'), base64: true });
    expect(remaining).toBeGreaterThan(4000);
    expect(remaining).toBeLessThanOrEqual(5000);
    expect(server?.invocations).toHaveLength(1);
    expect(server?.invocations[0]?.status).toBe(201);
  });

  it('answers 502 when the handler throws or outlives the function timeout', async () => {
    const url = await start(async (event) => {
      if (event.rawPath === '/throw') throw new Error('boom');
      return new Promise(() => {});
    }, 200);
    const request = (path: string) =>
      httpRequest(url, { method: 'POST', path, headers: [], body: Buffer.alloc(0) });
    expect((await request('/throw')).status).toBe(502);
    const started = performance.now();
    expect((await request('/hang')).status).toBe(502);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a request body over 6 MB before the handler runs', async () => {
    let calls = 0;
    const url = await start(() => {
      calls += 1;
      return { statusCode: 204 };
    });
    const answer = await httpRequest(url, {
      method: 'POST',
      path: '/erasures',
      headers: [['content-type', 'application/json']],
      body: Buffer.alloc(FUNCTION_URL_MAX_REQUEST_BYTES + 1, 0x20),
    }).catch((error: unknown) => ({ status: -1, error }));
    // The stand-in answers 413 and closes; a client still writing may see the connection reset instead.
    expect([413, -1]).toContain(answer.status);
    expect(calls).toBe(0);
    expect(
      (await httpRequest(url, { method: 'POST', path: '/', headers: [], body: Buffer.alloc(10) })).status,
    ).toBe(204);
  });
});
