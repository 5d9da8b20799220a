/**
 * The deadline rule of DESIGN.md "Rate budget and time budget", in one place: a Chat call starts only
 * while more than its timeout plus a 1 s margin remains, and every AWS call of the invocation is abandoned
 * when it could not finish 1 s before the deadline. Together they make the handler return before Lambda
 * stops it, whatever a dependency does: a timed-out invocation would hand the whole batch back to SQS,
 * records already dead-lettered included.
 */
import { AwsCallAbandonedError } from '../errors.ts';

/** Time kept free before the deadline: started calls end, and the handler answers, inside it. */
export const DEADLINE_MARGIN_MS = 1000;

export interface InvocationDeadlineOptions {
  /** `context.getRemainingTimeInMillis()` when the invocation began. */
  remainingMs: number;
  chatTimeoutMs: number;
  /** Monotonic clock (default `performance.now`). */
  now?: () => number;
}

export class InvocationDeadline {
  readonly #now: () => number;
  /** When the invocation began, on the monotonic clock. */
  readonly startedAtMs: number;
  /** The latest moment a Chat call may start. */
  readonly latestChatStartMs: number;
  /** The moment every pending AWS call is abandoned. */
  readonly awsCallsEndMs: number;
  readonly #abandon = new AbortController();
  readonly #timer: NodeJS.Timeout;

  /**
   * @example
   * const deadline = new InvocationDeadline({ remainingMs: context.getRemainingTimeInMillis(), chatTimeoutMs: 5000 });
   * try { await deadline.bound((signal) => sqs.send(command, { abortSignal: signal })); } finally { deadline.end(); }
   */
  constructor(options: InvocationDeadlineOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.startedAtMs = this.#now();
    const endMs = this.startedAtMs + options.remainingMs;
    this.latestChatStartMs = endMs - options.chatTimeoutMs - DEADLINE_MARGIN_MS;
    this.awsCallsEndMs = endMs - DEADLINE_MARGIN_MS;
    const abandonIn = Math.max(0, this.awsCallsEndMs - this.startedAtMs);
    this.#timer = setTimeout(() => this.#abandon.abort(new AwsCallAbandonedError()), abandonIn);
    // A pending abandon timer must not keep a local process (tests, npm start) alive on its own.
    this.#timer.unref();
  }

  /**
   * Runs an AWS call under the bound: the call gets the abandon signal (SDK clients stop their request on
   * it), and the returned promise rejects with AwsCallAbandonedError at the bound even if the callee does
   * not honour the signal (Powertools' secret cache takes none).
   */
  bound<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { signal } = this.#abandon;
    if (signal.aborted) return Promise.reject(new AwsCallAbandonedError());
    return new Promise<T>((resolve, reject) => {
      const onAbandon = () => reject(new AwsCallAbandonedError());
      signal.addEventListener('abort', onAbandon, { once: true });
      call(signal).then(
        (value) => {
          signal.removeEventListener('abort', onAbandon);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbandon);
          reject(signal.aborted ? new AwsCallAbandonedError() : error);
        },
      );
    });
  }

  /** Clears the timer (the invocation is over). */
  end(): void {
    clearTimeout(this.#timer);
  }
}
