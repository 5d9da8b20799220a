/**
 * Blocklists (`black_list_*`): each user's own list of blocked accounts with the time each was added,
 * at most 1,000 entries (usage limits). Pure and synchronous. `friend_delete_all` does not touch them
 * (documented only as clearing friend data, so the conservative reading keeps blocklists).
 */
import type { ItemResult } from './friendGraph.ts';

/** Tencent's per-user blocklist limit. */
export const MAX_BLOCKLIST_ENTRIES = 1000;

/**
 * The per-item code the simulator gives `black_list_delete` for an account that is not on the list.
 * Tencent documents none; 31704 is friend_delete's "not your friend", the closest documented relative.
 */
export const NOT_IN_BLOCKLIST = { code: 31704, info: 'Err_SNS_BlackListDelete_Not_In_BlackList' } as const;

/** Thrown by the seeding helper when a list would exceed 1,000 entries. */
export class BlocklistFullError extends Error {
  override readonly name = 'BlocklistFullError';
}

/** One page of `black_list_get`. */
export interface BlocklistPage {
  items: { toAccount: string; addedAtSeconds: number }[];
  /** The next StartIndex; 0 when the list is done (as documented). */
  nextStartIndex: number;
  sequence: number;
}

interface BlocklistState {
  /** owner -> (blocked -> AddBlackTimeStamp), in the order entries were added. */
  lists: Map<string, Map<string, number>>;
  sequences: Map<string, number>;
}

/**
 * Every user's blocklist.
 * @example
 * const blocklists = new Blocklists();
 * blocklists.block('alice', 'mallory', 1700000000);
 * blocklists.page('alice', 0, 30).items; // [{ toAccount: 'mallory', addedAtSeconds: 1700000000 }]
 */
export class Blocklists {
  #s: BlocklistState = { lists: new Map(), sequences: new Map() };

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as BlocklistState);
  }

  /**
   * Seeding helper: `owner` blocks `blocked` (again: keeps the first time).
   * @example
   * blocklists.block('alice', 'mallory', 1700000000);
   */
  block(owner: string, blocked: string, addedAtSeconds: number): void {
    let list = this.#s.lists.get(owner);
    if (list === undefined) {
      list = new Map();
      this.#s.lists.set(owner, list);
    }
    if (list.has(blocked)) return;
    if (list.size >= MAX_BLOCKLIST_ENTRIES) {
      throw new BlocklistFullError(`${owner} already blocks ${MAX_BLOCKLIST_ENTRIES} accounts`);
    }
    list.set(blocked, addedAtSeconds);
    this.#bump(owner);
  }

  /** The accounts on `owner`'s own blocklist, in the order they were added. */
  listOf(owner: string): string[] {
    return [...(this.#s.lists.get(owner)?.keys() ?? [])];
  }

  /** The users whose blocklist holds `blocked` (Tencent offers no such lookup; inspection needs it). */
  holdersOf(blocked: string): string[] {
    return [...this.#s.lists.entries()].filter(([, list]) => list.has(blocked)).map(([owner]) => owner);
  }

  sequenceOf(owner: string): number {
    return this.#s.sequences.get(owner) ?? 0;
  }

  /** `black_list_get`: up to `maxLimited` entries from `startIndex` (an offset into the list). */
  page(owner: string, startIndex: number, maxLimited: number): BlocklistPage {
    const entries = [...(this.#s.lists.get(owner)?.entries() ?? [])];
    const slice = entries.slice(startIndex, startIndex + maxLimited);
    const end = startIndex + slice.length;
    return {
      items: slice.map(([toAccount, addedAtSeconds]) => ({ toAccount, addedAtSeconds })),
      nextStartIndex: end >= entries.length ? 0 : end,
      sequence: this.sequenceOf(owner),
    };
  }

  /**
   * `black_list_delete`: per item, removes the entry. An entry whose account was deleted is still removable
   * (it is on the list); an account neither on the list nor existing gets 30003; one merely not on the list
   * gets {@link NOT_IN_BLOCKLIST}.
   */
  remove(owner: string, targets: string[], accountExists: (id: string) => boolean): ItemResult[] {
    const list = this.#s.lists.get(owner);
    const results = targets.map((toAccount): ItemResult => {
      if (list?.delete(toAccount) === true) return { toAccount, code: 0, info: '' };
      if (!accountExists(toAccount)) {
        return { toAccount, code: 30003, info: 'Err_SNS_BlackListDelete_Account_Not_Exist' };
      }
      return { toAccount, ...NOT_IN_BLOCKLIST };
    });
    if (results.some((result) => result.code === 0)) this.#bump(owner);
    return results;
  }

  #bump(owner: string): void {
    this.#s.sequences.set(owner, this.sequenceOf(owner) + 1);
  }
}
