/**
 * Keeps the whole Chat simulator request log of a long run. The simulator keeps only its most recent
 * 10,000 entries (a long-running simulator must not grow), and a 20,000-event chaos run makes more calls
 * than that; polling copies often enough and merging them loses nothing. An entry is copied again while
 * it is unanswered, so the kept copy ends with its final status.
 */
import type { ChatApiSimulator, RequestLogEntry } from '../sim/chat-api/index.ts';

export class RequestLogRecorder {
  readonly #chat: ChatApiSimulator;
  readonly #entries = new Map<string, RequestLogEntry>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs how often to copy the log; at the simulator's limit of 2,000 calls/s the log turns
   *   over every 5 s, so anything well below that is safe.
   * @example
   * const recorder = new RequestLogRecorder(world.chat);
   * recorder.start(500);
   * // … the run …
   * const entries = recorder.stop();
   */
  constructor(chat: ChatApiSimulator) {
    this.#chat = chat;
  }

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => this.#collect(), intervalMs);
  }

  /** Stops polling, takes a last copy, and returns every entry seen, oldest first. */
  stop(): RequestLogEntry[] {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#collect();
    return [...this.#entries.values()].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  }

  #collect(): void {
    for (const entry of this.#chat.requests) this.#entries.set(entryKey(entry), entry);
  }
}

/**
 * Entries are copies without an id; the arrival time, the client's source port and the request's
 * crypto-random `random` parameter tell them apart (one connection carries one request at a time).
 */
function entryKey(entry: RequestLogEntry): string {
  return `${entry.receivedAtMs}|${entry.remotePort}|${entry.query.random ?? ''}`;
}
