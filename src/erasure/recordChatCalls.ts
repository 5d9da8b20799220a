/**
 * Every Chat call made for one record goes through here, with DESIGN.md's per-call rules: the record's
 * userId is compared with the identifier the call is signed with, at send time (an admin renamed by a
 * rotation is caught too); the call starts only before the deadline; a re-sign class answer re-fetches
 * the secret and retries once (repeated: permanent); a transient or throttled answer gets one short
 * in-process retry when the deadline allows.
 */
import { AdminSubjectError } from '../errors.ts';
import { inProcessRetryDelayMs } from './backoff.ts';
import type { AdminSession, ChatApi, ChatOutcome } from './ports.ts';

/** How one call's answers are judged beyond DESIGN.md's table. */
export interface CallOptions {
  /**
   * Whether an answer that is OK has the documented fields; one that has not is "not the documented
   * JSON": transient, and so gets the short in-process retry like any other transient answer.
   */
  documented?: (answer: Readonly<Record<string, unknown>> | undefined) => boolean;
  /**
   * Codes that the same request cannot cure (the caller changes the request first, e.g. fewer groups per
   * page after 10018): the short in-process retry of the unchanged request is skipped for them.
   */
  changeRequestOn?: ReadonlySet<number>;
}

/** A call's end: its final class and, when it succeeded, the parsed answer. */
export type CallResult =
  | { started: true; outcome: ChatOutcome; answer?: Readonly<Record<string, unknown>> }
  /** The deadline left no room to start it (nothing was sent). */
  | { started: false };

export interface RecordChatCallsOptions {
  chat: ChatApi;
  session: AdminSession;
  /** The account this record erases: never the identifier a call is signed with. */
  userId: string;
  /** The latest `now()` at which a call may start. */
  latestStartMs: number;
  /**
   * Bounds the secret re-fetch of a re-sign by the invocation deadline (DESIGN.md: every AWS call is
   * abandoned 1 s before it); rejects when abandoned. Default: unbounded.
   */
  boundAwsCall?: (call: () => Promise<void>) => Promise<void>;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The clock `latestStartMs` is on (default `performance.now`). */
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The Chat calls of one record, with what they cost (for the latency metric and the call count). */
export class RecordChatCalls {
  readonly #options: RecordChatCallsOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Latency of every HTTP attempt, retries included. */
  readonly latenciesMs: number[] = [];

  /**
   * @example
   * const calls = new RecordChatCalls({ chat, session, userId: 'user_42', latestStartMs });
   * const result = await calls.call('sns', 'friend_delete_all', { From_Account: 'user_42', DeleteType: 'Delete_Type_Both' });
   */
  constructor(options: RecordChatCallsOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** HTTP attempts made so far. */
  get attempts(): number {
    return this.latenciesMs.length;
  }

  /**
   * One logical call with its recoveries. Throws AdminSubjectError (nothing sent) when the call would be
   * signed as the record's own userId; never throws for a Chat or network failure.
   */
  async call(service: string, command: string, body: object, options: CallOptions = {}): Promise<CallResult> {
    const { chat, session, userId, latestStartMs, random = Math.random } = this.#options;
    let reSigned = false;
    let retried = false;
    let last: CallResult = { started: false };
    for (;;) {
      let generation = 0;
      const attempt = await chat.post({
        service,
        command,
        body,
        latestStartMs,
        authorize: () => {
          const current = session.current();
          if (current.auth.identifier === userId) throw new AdminSubjectError();
          generation = current.generation;
          return current.auth;
        },
      });
      if (!attempt.started) return last;
      this.latenciesMs.push(attempt.latencyMs);
      const outcome =
        attempt.outcome.kind === 'done' &&
        options.documented !== undefined &&
        !options.documented(attempt.answer)
          ? {
              kind: 'transient' as const,
              detail: `unexpected answer to ${service}/${command}: not the documented fields`,
            }
          : attempt.outcome;
      last = { started: true, outcome, ...(attempt.answer === undefined ? {} : { answer: attempt.answer }) };
      switch (outcome.kind) {
        case 're-sign': {
          if (reSigned) {
            return {
              started: true,
              outcome: { ...outcome, kind: 'permanent', detail: `${outcome.detail} (after re-signing)` },
            };
          }
          reSigned = true;
          try {
            const renew = () => session.renew(generation);
            await (this.#options.boundAwsCall ? this.#options.boundAwsCall(renew) : renew());
          } catch {
            return {
              started: true,
              outcome: {
                kind: 'transient',
                ...(outcome.errorCode === undefined ? {} : { errorCode: outcome.errorCode }),
                detail: 'Secrets Manager could not be read to re-sign',
              },
            };
          }
          continue;
        }
        case 'transient':
        case 'throttled': {
          const needsChange =
            outcome.errorCode !== undefined &&
            !outcome.disagreeing &&
            options.changeRequestOn?.has(outcome.errorCode);
          if (retried || needsChange) return last;
          retried = true;
          const delayMs = inProcessRetryDelayMs(0, random);
          if (this.#now() + delayMs > latestStartMs) return last;
          await this.#sleep(delayMs);
          continue;
        }
        default:
          return last;
      }
    }
  }
}
