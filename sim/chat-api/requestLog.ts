/**
 * What the simulator saw and answered, for test assertions: one entry per request (opened on arrival,
 * completed when answered) and running counters. Bounded, so a long-running simulator does not grow.
 */

/** One request as the simulator saw and answered it. */
export interface RequestLogEntry {
  /** Arrival time on the simulator's clock (`nowMs`). */
  receivedAtMs: number;
  /** The client's source port: equal ports on consecutive requests mean a reused keep-alive connection. */
  remotePort: number;
  method: string;
  /** `''` when the path is not `/v4/{service}/{command}`. */
  service: string;
  command: string;
  /** The query parameters (first value of each name); the `usersig` is in here: test data only. */
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The HTTP status sent; null while unanswered, and for ever when the socket was reset. */
  httpStatus: number | null;
  /** The ErrorCode of a JSON answer. */
  errorCode?: number;
  /** The injected fault, e.g. `delay:6000`, `reset`, `error-code:30006`. */
  fault?: string;
}

/** Running totals since start (or the last `clearRequests()`). */
export interface SimulatorCounters {
  received: number;
  /** Answers with ErrorCode 60007 because the per-second limit was exceeded. */
  throttled: number;
  faultsInjected: number;
  /** JSON answers by ErrorCode (0 included). */
  byErrorCode: Record<number, number>;
}

export class RequestLog {
  readonly #max: number;
  #entries: RequestLogEntry[] = [];
  #counters: SimulatorCounters = RequestLog.#zero();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** Adds an entry on arrival; the caller completes it in place when answering. */
  open(entry: RequestLogEntry): RequestLogEntry {
    this.#counters.received += 1;
    this.#entries.push(entry);
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
    return entry;
  }

  noteFault(entry: RequestLogEntry, label: string): void {
    entry.fault = label;
    this.#counters.faultsInjected += 1;
  }

  /** Records the answer of an entry (errorCode only for JSON answers). */
  complete(entry: RequestLogEntry, httpStatus: number, errorCode?: number): void {
    entry.httpStatus = httpStatus;
    if (errorCode === undefined) return;
    entry.errorCode = errorCode;
    this.#counters.byErrorCode[errorCode] = (this.#counters.byErrorCode[errorCode] ?? 0) + 1;
  }

  noteThrottled(): void {
    this.#counters.throttled += 1;
  }

  /** Copies, so callers cannot alter the log. */
  entries(): RequestLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  counters(): SimulatorCounters {
    return { ...this.#counters, byErrorCode: { ...this.#counters.byErrorCode } };
  }

  clear(): void {
    this.#entries = [];
    this.#counters = RequestLog.#zero();
  }

  static #zero(): SimulatorCounters {
    return { received: 0, throttled: 0, faultsInjected: 0, byErrorCode: {} };
  }
}
