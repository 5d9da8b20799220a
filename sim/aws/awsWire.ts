/**
 * The few pieces of the AWS JSON protocols (1.0 for SQS and Step Functions, 1.1 for Secrets Manager and
 * EventBridge) that the loopback stand-ins share: reading a bounded request body, answering JSON with a
 * request id, AWS error answers, scripted faults, a bounded call log, and the fake account and
 * credentials the real SDK clients sign with (nothing verifies the signature here).
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** The account every stand-in resource lives in (fauxqs hard-codes the same one). */
export const STAND_IN_ACCOUNT_ID = '000000000000';

/**
 * Static credentials for SDK clients pointed at a stand-in; they sign requests nobody verifies. Pass a
 * copy (`{ ...STAND_IN_CREDENTIALS }`): the SDK writes bookkeeping fields into the object it is given.
 */
export const STAND_IN_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string } = {
  accessKeyId: 'AKIASTANDIN000000000',
  secretAccessKey: 'stand-in-secret-access-key',
};

/** A request body larger than this is refused (SQS messages are at most 1 MiB, batches a little more). */
export const MAX_REQUEST_BYTES = 12 * 1024 * 1024;

export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

/** Reads the whole body; rejects with RequestTooLargeError past `limit` bytes. */
export async function readRequestBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      throw new RequestTooLargeError(`request body exceeds ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the whole body of an AWS JSON request, or answers the `ValidationException` AWS gives for one past
 * `limit` bytes (then `undefined`: the request is answered).
 */
export async function readAwsJsonBody(
  req: IncomingMessage,
  refuse: (failure: AwsJsonError) => void,
  limit = MAX_REQUEST_BYTES,
): Promise<Buffer | undefined> {
  try {
    return await readRequestBody(req, limit);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) throw error;
    refuse(new AwsJsonError('ValidationException', error.message));
    return undefined;
  }
}

/** Answers a JSON document the way AWS JSON services do (content type, length, request id). */
export function sendAwsJson(
  res: ServerResponse,
  status: number,
  contentType: string,
  document: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(document));
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(body.length),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(body);
}

/** `http://127.0.0.1:PORT` of a listening loopback server. */
export function loopbackEndpoint(server: Server): string {
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** Resolves once the server listens on 127.0.0.1 on a free port. */
export function listenOnLoopback(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes a node:http server, cutting idle keep-alive connections so close() cannot hang. */
export function closeHttpServer(server: HttpServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** An AWS-side refusal, answered as `{"__type": code, "message": …}`. */
export class AwsJsonError extends Error {
  override readonly name = 'AwsJsonError';
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * Scripted faults, first in first out. Each serves `times` requests (default 1); a fault that does not fit
 * a request is skipped for it and keeps its place.
 * @example
 * const faults = new ScriptedFaults<{ type: string; times?: number }>();
 * faults.push({ type: 'throttle', times: 2 });
 * faults.take(() => true); // { type: 'throttle', times: 2 }
 */
export class ScriptedFaults<F extends { times?: number | undefined }> {
  #entries: { fault: F; remaining: number }[] = [];

  push(fault: F): void {
    this.#entries.push({ fault, remaining: fault.times ?? 1 });
  }

  take(fits: (fault: F) => boolean): F | undefined {
    const index = this.#entries.findIndex((entry) => fits(entry.fault));
    const entry = this.#entries[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#entries.splice(index, 1);
    return entry.fault;
  }

  pending(): { fault: F; remaining: number }[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries = [];
  }
}

/** Appends, dropping the older half at once past the limit (amortised O(1), unlike one shift per push). */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  if (list.length >= limit) {
    list.splice(0, Math.ceil(limit / 2));
  }
  list.push(item);
}
