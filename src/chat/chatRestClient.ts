/**
 * One paced HTTP attempt against the Chat REST API: it waits for the pacer, POSTs the JSON body to the
 * signed URL over a keep-alive pool, and classifies the answer. It never throws for an HTTP or network
 * failure and never lets the signed URL or the UserSig into an error, a log line or its result.
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { CallPacer } from '../ratelimit/callPacer.ts';
import { buildChatRequestUrl, randomUint32 } from './chatHosts.ts';
import type { ChatOutcome } from './chatOutcome.ts';
import { classifyChatResponse, classifyTransportFailure } from './classifyChatAnswer.ts';

export interface ChatAuth {
  sdkAppId: number;
  identifier: string;
  userSig: string;
}

export type ChatAttempt =
  | { started: true; outcome: ChatOutcome; latencyMs: number }
  /** The pacer could not offer a turn before the caller's latest start: no request was sent. */
  | { started: false };

/** The throttled class pauses the instance for this long, counted from the answer (DESIGN.md). */
export const THROTTLE_PAUSE_MS = 1000;

/** Answers larger than this are not the documented JSON; reading stops there. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const TIMEOUT_ERROR_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface ChatRestClientOptions {
  /** `https://host[:port]`, no trailing slash. */
  baseUrl: string;
  /** Upper bound for the whole attempt: connect, headers and body. */
  timeoutMs: number;
  pacer: CallPacer;
  /** Defaults to a keep-alive pool owned by the client. */
  dispatcher?: Dispatcher;
}

export class ChatRestClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #pacer: CallPacer;
  readonly #dispatcher: Dispatcher;

  /**
   * @example
   * const client = new ChatRestClient({ baseUrl: 'https://adminapisgp.im.qcloud.com', timeoutMs: 5000,
   *   pacer: new CallPacer(100) });
   * const attempt = await client.post('sns', 'friend_delete_all', body, auth, latestStartMs);
   */
  constructor(options: ChatRestClientOptions) {
    this.#baseUrl = options.baseUrl;
    this.#timeoutMs = options.timeoutMs;
    this.#pacer = options.pacer;
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 10_000,
        connect: { timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
  }

  /**
   * Sends one request once the pacer allows it. `latestStartMs` is on the pacer's clock
   * (`performance.now()`): if the turn cannot come by then, nothing is sent.
   */
  async post(
    service: string,
    command: string,
    body: object,
    auth: ChatAuth,
    latestStartMs: number = Number.POSITIVE_INFINITY,
  ): Promise<ChatAttempt> {
    if (!(await this.#pacer.acquire(latestStartMs))) return { started: false };
    this.#pacer.markStarted();
    const startedAt = performance.now();
    const outcome = await this.#send(service, command, body, auth);
    if (outcome.kind === 'throttled') this.#pacer.pause(THROTTLE_PAUSE_MS);
    return { started: true, outcome, latencyMs: performance.now() - startedAt };
  }

  async #send(service: string, command: string, body: object, auth: ChatAuth): Promise<ChatOutcome> {
    const url = buildChatRequestUrl(this.#baseUrl, service, command, { ...auth, random: randomUint32() });
    // A timer cleared when the attempt ends: AbortSignal.timeout would leave one armed per request.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    const { signal } = deadline;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: this.#dispatcher,
        signal,
      });
      const text = await readAnswer(response.body);
      return classifyChatResponse(response.statusCode, parseJsonOrUndefined(text));
    } catch (error) {
      return classifyTransportFailure(signal.aborted || isTimeout(error) ? 'timeout' : 'connection-error');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the keep-alive pool (tests and local runs; Lambda just freezes). */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

async function readAnswer(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonOrUndefined(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_ERROR_CODES.has(code);
}
