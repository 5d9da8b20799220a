/**
 * The Chat accounts of a fuzzed world, as far as the `friends` step can see them: each userId has a
 * FriendNum and friend lists, and each of the step's four commands answers from its own script, in call
 * order (past the end of a script: OK, with effect). This is the environment, not the system under test:
 * the fake Chat API (erasureWorld.ts) answers from one instance, and the model (erasureModel.ts) predicts
 * from a fresh one, so both see the same answers and the same state changes in the same order.
 */
import type { TransportFailure } from '../../src/erasure/ports.ts';

/** DESIGN.md "Erasure plan", `friends`: the commands the step uses. */
export const FRIENDS_COMMANDS = [
  'sns/friend_get',
  'sns/group_get',
  'sns/friend_delete_all',
  'sns/group_delete',
] as const;
export type FriendsCommand = (typeof FRIENDS_COMMANDS)[number];
export const FRIENDS_WRITES: readonly FriendsCommand[] = ['sns/friend_delete_all', 'sns/group_delete'];

/**
 * One HTTP exchange as the wire sees it. Nothing here says what class an answer is: the model reads that
 * from DESIGN.md's tables, the fake builds the HTTP status and body and lets the real classifier read them.
 */
export type Answer =
  /** HTTP 200, OK, with the fields the command documents (reads: the account's state); a write takes effect. */
  | { via: 'ok' }
  /** Writes only: HTTP 200, OK, documented, yet nothing changes (a backend that ignores the request). */
  | { via: 'ignored' }
  /** Reads only: HTTP 200 with a valid OK envelope, but the command's own fields missing or of the wrong type. */
  | { via: 'undocumented'; fields: Record<string, unknown> }
  /** HTTP 200 with the documented envelope: an ErrorCode, or ActionStatus and ErrorCode that disagree. */
  | { via: 'json'; actionStatus: 'OK' | 'FAIL'; errorCode: number }
  /** A non-200 status; `applied`: a write the backend carried out anyway. */
  | { via: 'http'; status: number; applied?: boolean }
  /** HTTP 200 whose body is not the documented envelope (`undefined`: not JSON at all). */
  | { via: 'malformed'; body: unknown }
  /** No answer could be read; `applied`: a write the backend carried out before the connection failed. */
  | { via: 'transport'; failure: TransportFailure; applied?: boolean }
  /** The client could not start the call before the caller's latest start (the deadline). */
  | { via: 'not-started' }
  /** A defect in the client: `post` rejects. */
  | { via: 'throws' };

export type Scripts = Partial<Record<FriendsCommand, readonly Answer[]>>;

export interface AccountSetup {
  friendNum: number;
  /** Friend list names (`Tag_SNS_IM_Group`). */
  lists: readonly string[];
  scripts: Scripts;
}

export interface AccountView {
  friendNum: number;
  lists: readonly string[];
}

/** An account the scenario did not set up (a raw body that happened to name one): nothing to erase. */
export const EMPTY_ACCOUNT: AccountSetup = { friendNum: 0, lists: [], scripts: {} };

const OK: Answer = { via: 'ok' };

/** Whether the write's effect happens: an OK, or a failure the backend carried out anyway. */
function takesEffect(answer: Answer): boolean {
  return (
    answer.via === 'ok' || ((answer.via === 'http' || answer.via === 'transport') && answer.applied === true)
  );
}

export class ChatAccounts {
  readonly #setups: ReadonlyMap<string, AccountSetup>;
  readonly #state = new Map<string, { friendNum: number; lists: string[] }>();
  readonly #cursors = new Map<string, number>();

  constructor(setups: ReadonlyMap<string, AccountSetup>) {
    this.#setups = setups;
  }

  /** The account's state now. */
  view(userId: string): AccountView {
    const state = this.#stateOf(userId);
    return { friendNum: state.friendNum, lists: [...state.lists] };
  }

  /** The answer the command's next call will get, without taking it. */
  peek(userId: string, command: FriendsCommand): Answer {
    return this.#scriptOf(userId, command)[this.#cursors.get(`${command}\u0000${userId}`) ?? 0] ?? OK;
  }

  /**
   * The next answer of the command's script for this account, with a write's effect applied. `view` is the
   * state the answer reports (reads) or leaves (writes).
   */
  answer(userId: string, command: FriendsCommand, body: object): { answer: Answer; view: AccountView } {
    const answer = this.peek(userId, command);
    const key = `${command}\u0000${userId}`;
    this.#cursors.set(key, (this.#cursors.get(key) ?? 0) + 1);
    if (takesEffect(answer)) {
      const state = this.#stateOf(userId);
      if (command === 'sns/friend_delete_all') state.friendNum = 0;
      if (command === 'sns/group_delete') {
        const names = (body as { GroupName?: unknown }).GroupName;
        const removed = new Set(Array.isArray(names) ? names : []);
        state.lists = state.lists.filter((name) => !removed.has(name));
      }
    }
    return { answer, view: this.view(userId) };
  }

  #scriptOf(userId: string, command: FriendsCommand): readonly Answer[] {
    return (this.#setups.get(userId) ?? EMPTY_ACCOUNT).scripts[command] ?? [];
  }

  #stateOf(userId: string): { friendNum: number; lists: string[] } {
    let state = this.#state.get(userId);
    if (state === undefined) {
      const setup = this.#setups.get(userId) ?? EMPTY_ACCOUNT;
      state = { friendNum: setup.friendNum, lists: [...setup.lists] };
      this.#state.set(userId, state);
    }
    return state;
  }
}
