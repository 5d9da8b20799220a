/**
 * The calls a plan step makes, in the step's terms: one logical call (with the record's call rules:
 * admin check, deadline, re-sign, short retry), its answer validated against the fields the step reads,
 * and the classes turned into how the step goes on: an answer, an item that is gone, a feature that is
 * not enabled, or a stop (the account is absent, the step failed, time ran out).
 */
import type * as z from 'zod';
import { AccountAbsentError, OutOfTimeError, StepFailedError } from '../../errors.ts';
import { classifyChatErrorCode, describeChatErrorCode } from '../errorClasses.ts';
import type { RecordChatCalls } from '../recordChatCalls.ts';
import type { ChatCommandPath } from './erasureSteps.ts';

/** Whose data a request is about: the record's user (absent stops the plan) or another account or item. */
export type Subject = 'user' | 'other';

export type Reply<T> =
  | { kind: 'ok'; answer: T }
  /**
   * The item (another account, a group, a contact group) no longer exists: done for that item.
   * `account`: it was another account's "does not exist" (not "already gone"), so a request that names
   * both an item and another account (a group and its new owner) knows which one is missing.
   */
  | { kind: 'gone'; account?: true; errorCode?: number }
  /** The app's edition lacks the feature: nothing of that kind can exist. */
  | { kind: 'not-enabled'; errorCode?: number };

export interface SendOptions {
  about: Subject;
  /**
   * A removal: an answer OK counts as progress of this delivery. A batch write whose per-item results can
   * say the user does not exist leaves this out and calls `countRemoval()` once they are checked.
   */
  removes?: boolean;
  /** Codes the unchanged request cannot cure: no short in-process retry (the step changes the request). */
  changeRequestOn?: ReadonlySet<number>;
}

/** One per-item result of a batch write (`ResultItem[].ResultCode`). */
export interface ItemResult {
  /** The item the result is about (an account, a group). */
  id: string;
  code: number;
  about: Subject;
}

export class StepCalls {
  readonly #calls: RecordChatCalls;
  /** Removal calls answered OK in this delivery. */
  removals = 0;

  /**
   * @example
   * const calls = new StepCalls(new RecordChatCalls({ chat, session, userId, latestStartMs }));
   * const reply = await calls.send('sns/friend_get', { From_Account: userId, StartIndex: 0 }, friendPage, { about: 'user' });
   */
  constructor(calls: RecordChatCalls) {
    this.#calls = calls;
  }

  /** Counts a removal whose per-item results were checked (see `SendOptions.removes`). */
  countRemoval(): void {
    this.removals++;
  }

  /** Whether any call was sent. */
  get started(): boolean {
    return this.#calls.attempts > 0;
  }

  get latenciesMs(): number[] {
    return this.#calls.latenciesMs;
  }

  /**
   * Sends one call. Throws OutOfTimeError (not started), AccountAbsentError (the user does not exist),
   * StepFailedError (transient, permanent, or an answer without the documented fields) or AdminSubjectError.
   */
  async send<T>(
    command: ChatCommandPath,
    body: object,
    schema: z.ZodType<T>,
    options: SendOptions,
  ): Promise<Reply<T>> {
    const slash = command.indexOf('/');
    const result = await this.#calls.call(command.slice(0, slash), command.slice(slash + 1), body, {
      // An OK answer without the fields the step reads is transient, with its short in-process retry.
      documented: (answer) => schema.safeParse(answer).success,
      ...(options.changeRequestOn === undefined ? {} : { changeRequestOn: options.changeRequestOn }),
    });
    if (!result.started) throw new OutOfTimeError();
    const { outcome } = result;
    const code = outcome.errorCode === undefined ? {} : { errorCode: outcome.errorCode };
    switch (outcome.kind) {
      case 'done': {
        if (options.removes) this.removals++;
        return { kind: 'ok', answer: schema.parse(result.answer) };
      }
      case 'absent':
        if (options.about === 'user') throw new AccountAbsentError(outcome.errorCode);
        return { kind: 'gone', account: true, ...code };
      case 'gone':
        return { kind: 'gone', ...code };
      case 'not-enabled':
        return { kind: 'not-enabled', ...code };
      case 'permanent':
        throw new StepFailedError('permanent', outcome.detail, outcome.errorCode);
      default:
        throw new StepFailedError('transient', outcome.detail, outcome.errorCode);
    }
  }
}

/**
 * Checks a batch write's per-item results: 0 is done; "already gone", and another account's "does not
 * exist", are done for that item (returned, so the step's read-back leaves them out: nothing more can be
 * done about them); the user's own "does not exist" stops the plan (absent); a permanent code fails the
 * step; anything transient is left for the read-back, which acts once more.
 * @example
 * checkItems([{ id: 'u1', code: 0, about: 'other' }, { id: 'u2', code: 31704, about: 'other' }]); // ['u2']
 */
export function checkItems(items: readonly ItemResult[]): string[] {
  const gone: string[] = [];
  for (const { id, code, about } of items) {
    if (code === 0) continue;
    const kind = classifyChatErrorCode(code);
    if (kind === 'absent' && about === 'user') throw new AccountAbsentError(code);
    if (kind === 'permanent') throw new StepFailedError('permanent', describeChatErrorCode(code), code);
    if (kind === 'gone' || kind === 'absent') gone.push(id);
  }
  return gone;
}

/**
 * A per-item result about the user must be 0 or "already gone": the user's "does not exist" stops the plan
 * (absent), any other code fails the step by its class (a transient one is retried, never taken as
 * "nothing left").
 * @example
 * requireItem(own.ResultCode); // throws unless 0 or already gone
 */
export function requireItem(code: number): void {
  if (code === 0) return;
  const kind = classifyChatErrorCode(code);
  if (kind === 'gone') return;
  if (kind === 'absent') throw new AccountAbsentError(code);
  throw new StepFailedError(
    kind === 'permanent' ? 'permanent' : 'transient',
    describeChatErrorCode(code),
    code,
  );
}
