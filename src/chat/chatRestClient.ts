/**
 * One paced HTTP attempt against the Chat REST API: it waits for the command's pacer, reads the auth at
 * send time, POSTs the JSON body to the signed URL over a keep-alive pool, and classifies the answer. It
 * never throws for an HTTP or network failure and never lets the signed URL or the UserSig into an error,
 * a log line or its result.
 */
import type { Dispatcher } from 'undici';
import type { ChatApi, ChatAttempt, ChatOutcome, ChatRequest } from '../erasure/ports.ts';
import { AnswerMemory } from './answerMemory.ts';
import { buildChatRequestPath, randomUint32 } from './chatRequestUrl.ts';
import { classifyChatResponse, classifyTransportFailure } from './classifyChatAnswer.ts';
import type { CommandPacers } from './commandPacers.ts';
import { dispatchRequest, Pool } from './undiciParts.ts';

/** The throttled class pauses the command (60011: every command) for this long, counted from the answer. */
const THROTTLE_PAUSE_MS = 1000;

/** The per-app limit: its throttle pauses every command, not only the one that got it. */
const APP_WIDE_THROTTLE_CODE = 60011;

/** Answers larger than this are not the documented JSON: reading stops there (transient). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** What an instance buffers of Chat answers at once (further reads wait). */
const MAX_BUFFERED_ANSWER_BYTES = 64 * 1024 * 1024;

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
  pacers: CommandPacers;
  /** Defaults to a keep-alive pool owned by the client. */
  dispatcher?: Dispatcher;
  /** Defaults to MAX_BUFFERED_ANSWER_BYTES. */
  answerMemory?: AnswerMemory;
}

class AnswerTooLarge extends Error {}

export class ChatRestClient implements ChatApi {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #pacers: CommandPacers;
  readonly #dispatcher: Dispatcher;
  readonly #memory: AnswerMemory;

  /**
   * @example
   * const client = new ChatRestClient({ baseUrl: 'https://adminapisgp.im.qcloud.com', timeoutMs: 5000,
   *   pacers: new CommandPacers(() => 100) });
   * const attempt = await client.post({ service: 'sns', command: 'friend_get', body, latestStartMs,
   *   authorize: () => session.current().auth });
   */
  constructor(options: ChatRestClientOptions) {
    this.#baseUrl = options.baseUrl;
    this.#timeoutMs = options.timeoutMs;
    this.#pacers = options.pacers;
    this.#memory = options.answerMemory ?? new AnswerMemory(MAX_BUFFERED_ANSWER_BYTES);
    // One origin (the configured host): a Pool, not an Agent that manages pools per origin.
    this.#dispatcher =
      options.dispatcher ??
      new Pool(options.baseUrl, {
        keepAliveTimeout: 10_000,
        connect: { timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
  }

  /** The pacers, so an invocation can begin on them. */
  get pacers(): CommandPacers {
    return this.#pacers;
  }

  /**
   * Sends one request once the command's pacer allows it (`latestStartMs` is on the pacer's clock,
   * `performance.now()`): if the turn cannot come by then, nothing is sent. `authorize` runs after the
   * wait; if it throws, nothing is sent and the error propagates.
   */
  async post(chatRequest: ChatRequest): Promise<ChatAttempt> {
    const { service, command } = chatRequest;
    const pacer = this.#pacers.pacerFor(`${service}/${command}`);
    if (!(await pacer.acquire(chatRequest.latestStartMs))) return { started: false };
    const auth = chatRequest.authorize();
    pacer.markStarted();
    const startedAt = performance.now();
    const { outcome, answer } = await this.#send(chatRequest, auth);
    if (outcome.kind === 'throttled') {
      if (outcome.errorCode === APP_WIDE_THROTTLE_CODE) this.#pacers.pauseAll(THROTTLE_PAUSE_MS);
      else pacer.pause(THROTTLE_PAUSE_MS);
    }
    return {
      started: true,
      outcome,
      ...(answer === undefined ? {} : { answer }),
      latencyMs: performance.now() - startedAt,
    };
  }

  async #send(
    chatRequest: ChatRequest,
    auth: ReturnType<ChatRequest['authorize']>,
  ): Promise<{ outcome: ChatOutcome; answer?: Record<string, unknown> }> {
    const path = buildChatRequestPath(chatRequest.service, chatRequest.command, {
      ...auth,
      random: randomUint32(),
    });
    // A timer cleared when the attempt ends: AbortSignal.timeout would leave one armed per request.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    const { signal } = deadline;
    let heldBytes = 0;
    try {
      const response = await dispatchRequest.call(this.#dispatcher, {
        origin: this.#baseUrl,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatRequest.body),
        signal,
      });
      // Reserve the answer's memory before reading it, all at once: the declared length, or the most an
      // answer may be when none is declared. A reader that held some bytes while waiting for more could
      // deadlock with others doing the same; one that waits holding nothing cannot.
      const declared = Number(response.headers['content-length']);
      const reserve = Number.isSafeInteger(declared) && declared >= 0 ? declared : MAX_ANSWER_BYTES;
      if (reserve > MAX_ANSWER_BYTES) {
        response.body.destroy();
        throw new AnswerTooLarge();
      }
      await this.#memory.take(reserve, signal);
      heldBytes = reserve;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        // Never more than was reserved: at most 8 MiB, and HTTP framing ends a body at its declared length.
        if (size > heldBytes) {
          response.body.destroy();
          throw new AnswerTooLarge();
        }
        chunks.push(buffer);
      }
      const body = parseJsonOrUndefined(Buffer.concat(chunks).toString('utf8'));
      const outcome = classifyChatResponse(response.statusCode, body);
      return isJsonObject(body) ? { outcome, answer: body } : { outcome };
    } catch (error) {
      if (error instanceof AnswerTooLarge) {
        return { outcome: { kind: 'transient', detail: 'unexpected answer: larger than 8 MiB' } };
      }
      return {
        outcome: classifyTransportFailure(
          signal.aborted || isTimeout(error) ? 'timeout' : 'connection-error',
        ),
      };
    } finally {
      clearTimeout(timer);
      this.#memory.give(heldBytes);
    }
  }

  /** Closes the keep-alive pool (tests and local runs; Lambda just freezes). */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_ERROR_CODES.has(code);
}
