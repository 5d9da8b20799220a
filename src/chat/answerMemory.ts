/**
 * Bounds the memory an instance spends on Chat answers being read (DESIGN.md "Rate budget and time
 * budget": at most 64 MiB buffered at once; further reads wait). Hundreds of calls can be in flight at a
 * few seconds of latency, and one answer may be up to 8 MiB before it is refused: without a shared bound a
 * burst of large answers could exhaust a 512 MB function.
 *
 * A reader takes its answer's bytes before reading it (the declared length, or the most an answer may be)
 * and gives them back once the answer is parsed or dropped; a reader that cannot take them waits, holding
 * nothing, in line (undici leaves the answer in the socket meanwhile). Every wait is also bounded by the
 * request timeout, so it never outlives CHAT_TIMEOUT_MS.
 */

interface Waiter {
  bytes: number;
  resolve(): void;
  reject(reason: unknown): void;
}

export class AnswerMemory {
  readonly #limitBytes: number;
  #usedBytes = 0;
  readonly #waiters: Waiter[] = [];

  /**
   * @example
   * const memory = new AnswerMemory(64 * 1024 * 1024);
   * await memory.take(chunk.length, signal);
   * // ... later, once the answer is parsed:
   * memory.give(total);
   */
  constructor(limitBytes: number) {
    if (!(limitBytes > 0)) throw new RangeError('limitBytes must be positive');
    this.#limitBytes = limitBytes;
  }

  get usedBytes(): number {
    return this.#usedBytes;
  }

  /**
   * Takes `bytes` of the budget, waiting in line while they do not fit. A chunk larger than the whole budget
   * is taken once nothing else is held, so it can never wait for ever. Rejects when `signal` aborts.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.#waiters.length === 0 && this.#fits(bytes)) {
      this.#usedBytes += bytes;
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
        this.#serve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives `bytes` back and lets waiting readers go on, in order. */
  give(bytes: number): void {
    this.#usedBytes = Math.max(0, this.#usedBytes - bytes);
    this.#serve();
  }

  #fits(bytes: number): boolean {
    return this.#usedBytes + bytes <= this.#limitBytes || this.#usedBytes === 0;
  }

  #serve(): void {
    for (let head = this.#waiters[0]; head !== undefined && this.#fits(head.bytes); head = this.#waiters[0]) {
      this.#waiters.shift();
      this.#usedBytes += head.bytes;
      head.resolve();
    }
  }
}
