/**
 * A Lambda Function URL on loopback: a real HTTP server on 127.0.0.1 that turns each request into a
 * Function URL event (payload format 2.0), calls a handler with a Lambda context, and writes the handler's
 * result back as Function URLs do. Used by the ingress tests and `npm start`; never part of a bundle.
 *
 * What it models, as AWS documents or as observed on AWS (noted where AWS documents nothing):
 * - `rawPath` and `rawQueryString` as sent (not decoded), `queryStringParameters` decoded, repeated
 *   parameters joined with `,`; header names lower-cased, a repeated header joined with `,`; cookies moved
 *   from the `cookie` header to `cookies`.
 * - The body: absent when empty; a string when the content type is text (`text/*`, `application/json`,
 *   `application/javascript`, `application/xml`) with no charset or `charset=utf-8` and the bytes are
 *   UTF-8; otherwise base64 with `isBase64Encoded: true` (a missing content type included). AWS documents
 *   only that binary bodies are base64-encoded; this split is the one observed on HTTP APIs, which share
 *   the payload format. Handlers must decode whenever `isBase64Encoded` is true, whatever the type.
 * - Request bodies over 6 MB are refused with 413 before the handler runs (the invocation payload limit).
 * - The result: an object with `statusCode` is a structured response (`headers`, `cookies`, `body`,
 *   `isBase64Encoded`; `content-type` defaults to `application/json`); anything else is a 200 JSON
 *   document. A handler that throws, or is still running at the function timeout, gives 502.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { signatureHeaders } from '../../src/ingress/signature.ts';
import { closeHttpServer, loopbackEndpoint, RequestTooLargeError, readRequestBody } from './awsWire.ts';
import { createLambdaContext } from './lambdaContext.ts';

/** Function URLs refuse larger request payloads (6 MB, the synchronous invocation limit). */
export const FUNCTION_URL_MAX_REQUEST_BYTES = 6_291_456;

export type FunctionUrlHandler = (
  event: LambdaFunctionURLEvent,
  context: Context,
) => Promise<unknown> | unknown;

export interface FunctionUrlServerOptions {
  /** The function: e.g. the `handler` export of `dist/ingress.mjs`. */
  handler: FunctionUrlHandler;
  /** The function's name in the context and ARN (default `chat-erasure-ingress`). */
  functionName?: string;
  /** Region of the URL's domain name and the function ARN (default `us-east-1`). */
  region?: string;
  /** The function timeout: the context counts down from it; past it the request gets 502 (default 10 s). */
  timeoutMs?: number;
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** How many invocations `invocations` keeps, newest last (default 1,000). */
  invocationLogLimit?: number;
}

/** One request that reached the handler, for assertions. */
export interface FunctionUrlInvocation {
  event: LambdaFunctionURLEvent;
  /** The HTTP status written back (502 for a throw or a timeout). */
  status: number;
  durationMs: number;
}

export interface FunctionUrlServer {
  /** `http://127.0.0.1:PORT` (no trailing slash): the function URL. */
  readonly url: string;
  /** Recent invocations, oldest first. */
  readonly invocations: readonly FunctionUrlInvocation[];
  close(): Promise<void>;
}

/** Media types a Function URL passes as a string (see the module comment). */
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/javascript', 'application/xml']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Whether a Function URL would hand this body to the function base64-encoded.
 * @example
 * bodyIsBase64Encoded('application/json; charset=utf-8', Buffer.from('{}')); // false
 * bodyIsBase64Encoded('application/octet-stream', Buffer.from('{}')); // true
 * bodyIsBase64Encoded('application/json; charset=iso-8859-1', Buffer.from('{}')); // true
 */
export function bodyIsBase64Encoded(contentType: string | undefined, body: Uint8Array): boolean {
  if (contentType === undefined) return true;
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const textType = mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType);
  const charsetOk = parameters.every(
    (parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter),
  );
  if (!textType || !charsetOk) return true;
  try {
    utf8.decode(body);
    return false;
  } catch {
    return true;
  }
}

export interface FunctionUrlRequest {
  method: string;
  /** The request target as sent: path and optional query (`/erasures?x=1`). */
  target: string;
  /** Node's `rawHeaders`: names and values alternating, repeats kept. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** Request time (default now). */
  nowMs?: number;
  /** The URL id (default a random one); the domain is `<id>.lambda-url.<region>.on.aws`. */
  urlId?: string;
  region?: string;
}

/** `25/Nov/2026:10:00:07 +0000`, the `requestContext.time` format. */
function requestTime(ms: number): string {
  const date = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** A random URL id like AWS's (32 lower-case letters and digits). */
function newUrlId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(32)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The Function URL event (payload format 2.0) for one HTTP request.
 * @example
 * const event = functionUrlEvent({ method: 'POST', target: '/erasures', rawHeaders: ['Content-Type', 'application/json'], body, sourceIp: '127.0.0.1' });
 */
export function functionUrlEvent(request: FunctionUrlRequest): LambdaFunctionURLEvent {
  const nowMs = request.nowMs ?? Date.now();
  const region = request.region ?? 'us-east-1';
  const urlId = request.urlId ?? newUrlId();
  const question = request.target.indexOf('?');
  const rawPath = question < 0 ? request.target : request.target.slice(0, question);
  const rawQueryString = question < 0 ? '' : request.target.slice(question + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] as string).toLowerCase();
    const value = request.rawHeaders[index + 1] as string;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie.length > 0),
      );
      continue;
    }
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
  }
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';

  const query: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    const name = decodeQueryPart(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeQueryPart(pair.slice(equals + 1));
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  }

  const base64 = request.body.length > 0 && bodyIsBase64Encoded(headers['content-type'], request.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName: `${urlId}.lambda-url.${region}.on.aws`,
      domainPrefix: urlId,
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: requestTime(nowMs),
      timeEpoch: nowMs,
    },
    ...(request.body.length > 0 && {
      body: base64 ? request.body.toString('base64') : request.body.toString('utf8'),
    }),
    isBase64Encoded: base64,
  };
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const internalServerError = (): HttpAnswer => ({
  status: 502,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ Message: 'Internal Server Error' })),
});

/**
 * What a Function URL answers for a handler's result.
 * @example
 * functionUrlAnswer({ statusCode: 202, body: '{"ok":true}' }).status; // 202
 */
export function functionUrlAnswer(result: unknown): HttpAnswer {
  if (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { statusCode?: unknown }).statusCode === 'number'
  ) {
    const structured = result as {
      statusCode: number;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    if (
      !Number.isInteger(structured.statusCode) ||
      structured.statusCode < 100 ||
      structured.statusCode > 599
    ) {
      return internalServerError();
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    headers['content-type'] ??= 'application/json';
    if (Array.isArray(structured.cookies) && structured.cookies.length > 0) {
      headers['set-cookie'] = structured.cookies.map(String);
    }
    const text = typeof structured.body === 'string' ? structured.body : '';
    const body =
      structured.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { status: structured.statusCode, headers, body };
  }
  const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}

class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

/**
 * Starts the server on 127.0.0.1.
 * @example
 * const { handler } = await import('../../dist/ingress.mjs');
 * const server = await startFunctionUrlServer({ handler });
 * await fetch(`${server.url}/erasures`, { method: 'POST', headers, body });
 * await server.close();
 */
export async function startFunctionUrlServer(options: FunctionUrlServerOptions): Promise<FunctionUrlServer> {
  const functionName = options.functionName ?? 'chat-erasure-ingress';
  const region = options.region ?? 'us-east-1';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logLimit = options.invocationLogLimit ?? 1000;
  const urlId = newUrlId();
  const invocations: FunctionUrlInvocation[] = [];

  const invoke = async (event: LambdaFunctionURLEvent): Promise<HttpAnswer> => {
    const context = createLambdaContext({ functionName, region, timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(`${functionName} timed out`)), timeoutMs);
    });
    try {
      return functionUrlAnswer(
        await Promise.race([Promise.resolve().then(() => options.handler(event, context)), timeout]),
      );
    } catch {
      return internalServerError();
    } finally {
      clearTimeout(timer);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let body: Buffer;
    try {
      body = await readRequestBody(req, FUNCTION_URL_MAX_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        send(res, {
          status: 413,
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: Buffer.from(
            JSON.stringify({
              Message: `Request must be smaller than ${FUNCTION_URL_MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
            }),
          ),
        });
      } else {
        res.destroy();
      }
      return;
    }
    const startedAt = performance.now();
    const event = functionUrlEvent({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      urlId,
      region,
    });
    const answer = await invoke(event);
    if (invocations.length >= logLimit) invocations.splice(0, Math.ceil(logLimit / 2));
    invocations.push({ event, status: answer.status, durationMs: performance.now() - startedAt });
    send(res, answer);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, internalServerError()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: loopbackEndpoint(server),
    get invocations() {
      return invocations;
    },
    close: () => closeHttpServer(server),
  };
}

/** What `postSignedEvent` got back. */
export interface SignedPostAnswer {
  status: number;
  /** The answer's JSON body (the ingress always answers JSON), or its text when it is not JSON. */
  body: unknown;
  headers: Headers;
}

/**
 * Posts one body to a webhook ingress the way a DSR platform would: `POST <url>/erasures` with
 * `Content-Type: application/json` and the two signature headers, signed now (or at `timestamp`) with `key`.
 * @example
 * const server = await startFunctionUrlServer({ handler });
 * const answer = await postSignedEvent(server.url, '{"userId":"demo_alice"}', signingKey);
 * // answer.status 202, answer.body { requestId, messageId }
 */
export async function postSignedEvent(
  url: string,
  body: string | Uint8Array,
  key: string,
  options: { timestamp?: string; path?: string; signal?: AbortSignal } = {},
): Promise<SignedPostAnswer> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const response = await fetch(`${url.replace(/\/+$/, '')}${options.path ?? '/erasures'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signatureHeaders(key, bytes, options.timestamp) },
    body: bytes,
    signal: options.signal ?? AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (e.g. a stand-in 502): the text itself.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
