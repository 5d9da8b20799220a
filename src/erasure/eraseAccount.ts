/**
 * Erases one account's friendships: `friend_delete_all` with `Delete_Type_Both`, plus the two bounded
 * in-process recoveries of DESIGN.md: one re-sign (fresh secret and UserSig) after a re-sign class answer,
 * and one short retry after a transient or throttled answer when the deadline allows.
 */
import type { AdminSession } from '../chat/adminSession.ts';
import type { ChatOutcome } from '../chat/chatOutcome.ts';
import type { ChatAttempt, ChatAuth } from '../chat/chatRestClient.ts';
import { inProcessRetryDelayMs } from '../retry/backoff.ts';

export interface ChatPoster {
  post(
    service: string,
    command: string,
    body: object,
    auth: ChatAuth,
    latestStartMs?: number,
  ): Promise<ChatAttempt>;
}

export interface EraseAccountDependencies {
  chat: ChatPoster;
  session: AdminSession;
  /** The latest `performance.now()` at which a call may still start (deadline guard). */
  latestStartMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The clock `latestStartMs` is on. */
  now?: () => number;
}

export type ErasureResult =
  | { started: true; outcome: ChatOutcome; httpAttempts: number; latenciesMs: number[] }
  /** The deadline left no room for even one call. */
  | { started: false };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const result = await eraseAccount('user_42', { chat, session, latestStartMs });
 * if (result.started && result.outcome.kind === 'done') console.log('erased');
 */
export async function eraseAccount(userId: string, deps: EraseAccountDependencies): Promise<ErasureResult> {
  const { chat, session, latestStartMs, random = Math.random, sleep = defaultSleep } = deps;
  const now = deps.now ?? (() => performance.now());
  const body = { From_Account: userId, DeleteType: 'Delete_Type_Both' };
  const latenciesMs: number[] = [];
  let lastOutcome: ChatOutcome | undefined;
  let reSigned = false;
  let retried = false;

  const finish = (): ErasureResult =>
    lastOutcome === undefined
      ? { started: false }
      : { started: true, outcome: lastOutcome, httpAttempts: latenciesMs.length, latenciesMs };

  for (;;) {
    const { auth, generation } = session.current();
    const attempt = await chat.post('sns', 'friend_delete_all', body, auth, latestStartMs);
    if (!attempt.started) return finish();
    latenciesMs.push(attempt.latencyMs);
    lastOutcome = attempt.outcome;

    switch (attempt.outcome.kind) {
      case 're-sign': {
        if (reSigned) {
          lastOutcome = {
            ...attempt.outcome,
            kind: 'permanent',
            detail: `${attempt.outcome.detail} (after re-signing)`,
          };
          return finish();
        }
        reSigned = true;
        try {
          await session.renew(generation);
        } catch {
          lastOutcome = {
            kind: 'transient',
            ...(attempt.outcome.errorCode === undefined ? {} : { errorCode: attempt.outcome.errorCode }),
            detail: 'Secrets Manager could not be read to re-sign',
          };
          return finish();
        }
        continue;
      }
      case 'transient':
      case 'throttled': {
        if (retried) return finish();
        retried = true;
        const delayMs = inProcessRetryDelayMs(0, random);
        if (now() + delayMs > latestStartMs) return finish();
        await sleep(delayMs);
        continue;
      }
      default:
        return finish();
    }
  }
}
