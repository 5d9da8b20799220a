/**
 * The simulator's relationship chain: accounts and their friend lists, as Tencent Cloud Chat documents them
 * (product doc "Relationship Chain Management"). Pure and synchronous: no clock, no I/O, so the semantics
 * can be unit-tested without a network.
 *
 * A friend list is one-way: A's list holding B says nothing about B's list. "Two-way friends" simply means
 * both lists hold the other. Every list keeps insertion order, which is the order `friend_get` pages in.
 */

/** `AddType` of `friend_add` (`Add_Type_Both` is the documented default). */
export type AddType = 'Add_Type_Single' | 'Add_Type_Both';
/** `DeleteType` of `friend_delete_all` / `friend_delete` (`Delete_Type_Single` is the documented default). */
export type DeleteType = 'Delete_Type_Single' | 'Delete_Type_Both';
/** `CheckType` of `friend_check`. */
export type CheckType = 'CheckResult_Type_Single' | 'CheckResult_Type_Both';
/** The documented `Relation` values of `friend_check`. */
export type Relation =
  | 'CheckResult_Type_NoRelation'
  | 'CheckResult_Type_AWithB'
  | 'CheckResult_Type_BWithA'
  | 'CheckResult_Type_BothWay';

/** What From_Account's list stores about one friend (the standard friend fields plus custom ones). */
export interface FriendData {
  addSource: string;
  addTimeSeconds: number;
  remark?: string;
  remarkTimeSeconds?: number;
  groups?: string[];
  addWording?: string;
  custom?: { tag: string; value: string | number }[];
}

/** One `ResultItem` of a batch write: `code` 0 is success, anything else is a per-item failure. */
export interface ItemResult {
  toAccount: string;
  code: number;
  info: string;
}

export interface AccountProfile {
  nick?: string;
  faceUrl?: string;
}

/** One page of a friend list, in `friend_get` terms. */
export interface FriendPage {
  entries: { toAccount: string; data: FriendData }[];
  friendNum: number;
  complete: boolean;
  nextStartIndex: number;
  sequence: number;
}

/** A test helper named an account that was never imported. */
export class UnknownAccountError extends Error {
  override readonly name = 'UnknownAccountError';
  readonly account: string;
  constructor(account: string) {
    super(`account ${JSON.stringify(account)} was not imported`);
    this.account = account;
  }
}

/** Tencent's per-user friend limit (usage limits: 3,000 friends). */
export const MAX_FRIENDS_PER_USER = 3000;

export class FriendGraph {
  readonly #profiles = new Map<string, AccountProfile>();
  /** owner -> (friend -> data): the owner's own list, insertion-ordered. */
  readonly #lists = new Map<string, Map<string, FriendData>>();
  /** friend -> owners whose list holds it: the reverse index (Tencent offers no such lookup; the sim needs it). */
  readonly #holders = new Map<string, Set<string>>();
  /** owner -> StandardSequence, bumped on every change to the owner's list. */
  readonly #sequences = new Map<string, number>();
  readonly #maxFriends: number;

  constructor(maxFriends: number = MAX_FRIENDS_PER_USER) {
    this.#maxFriends = maxFriends;
  }

  /** Registers an account; importing it again only updates the profile (one internal ID per account). */
  importAccount(id: string, profile: AccountProfile = {}): void {
    const existing = this.#profiles.get(id);
    this.#profiles.set(id, { ...existing, ...profile });
    if (!this.#lists.has(id)) this.#lists.set(id, new Map());
  }

  hasAccount(id: string): boolean {
    return this.#profiles.has(id);
  }

  profileOf(id: string): AccountProfile | undefined {
    const profile = this.#profiles.get(id);
    return profile === undefined ? undefined : { ...profile };
  }

  accounts(): string[] {
    return [...this.#profiles.keys()];
  }

  /** The UserIDs on `id`'s own friend list, in list order. */
  friendsOf(id: string): string[] {
    return [...(this.#lists.get(id)?.keys() ?? [])];
  }

  /** The users whose list holds `id` (including one-way holders `id` cannot see). */
  holdersOf(id: string): string[] {
    return [...(this.#holders.get(id) ?? [])];
  }

  hasEdge(from: string, to: string): boolean {
    return this.#lists.get(from)?.has(to) ?? false;
  }

  friendData(from: string, to: string): FriendData | undefined {
    return this.#lists.get(from)?.get(to);
  }

  sequenceOf(id: string): number {
    return this.#sequences.get(id) ?? 0;
  }

  /**
   * `friend_add`: per item, puts To in From's list and, for `Add_Type_Both`, From in To's list.
   * Friend requests needing confirmation are not modelled: every add behaves as `ForceAddFlags: 1`.
   */
  add(from: string, items: { toAccount: string; data: FriendData }[], addType: AddType): ItemResult[] {
    return items.map(({ toAccount, data }) => {
      const rejected = this.#rejectTarget(from, toAccount, 'FriendAdd');
      if (rejected !== undefined) return rejected;
      if (this.hasEdge(from, toAccount)) {
        // The per-item code SDKs see for an existing friend: 30001 with this ResultInfo.
        return { toAccount, code: 30001, info: 'Err_SNS_FriendAdd_Friend_Exist' };
      }
      if (this.#isFull(from))
        return { toAccount, code: 30010, info: 'Err_SNS_FriendAdd_My_Friend_Num_Exceed' };
      const reverseNeeded = addType === 'Add_Type_Both' && !this.hasEdge(toAccount, from);
      if (reverseNeeded && this.#isFull(toAccount)) {
        return { toAccount, code: 30014, info: 'Err_SNS_FriendAdd_Peer_Friend_Num_Exceed' };
      }
      this.#link(from, toAccount, data);
      if (reverseNeeded)
        this.#link(toAccount, from, { addSource: data.addSource, addTimeSeconds: data.addTimeSeconds });
      return { toAccount, code: 0, info: '' };
    });
  }

  /** `friend_import`: one-way import into From's list only; importing an existing friend overwrites its data. */
  import(from: string, items: { toAccount: string; data: FriendData }[]): ItemResult[] {
    return items.map(({ toAccount, data }) => {
      const rejected = this.#rejectTarget(from, toAccount, 'FriendImport');
      if (rejected !== undefined) return rejected;
      if (!this.hasEdge(from, toAccount) && this.#isFull(from)) {
        return { toAccount, code: 30010, info: 'Err_SNS_FriendImport_My_Friend_Num_Exceed_Threshold' };
      }
      this.#link(from, toAccount, data);
      return { toAccount, code: 0, info: '' };
    });
  }

  /** `friend_get`: the page of `from`'s list starting at `startIndex`. */
  page(from: string, startIndex: number, pageSize: number): FriendPage {
    const list = [...(this.#lists.get(from) ?? new Map<string, FriendData>()).entries()];
    const slice = list.slice(startIndex, startIndex + pageSize);
    const end = startIndex + slice.length;
    const complete = end >= list.length;
    return {
      entries: slice.map(([toAccount, data]) => ({ toAccount, data })),
      friendNum: list.length,
      complete,
      nextStartIndex: complete ? 0 : end,
      sequence: this.sequenceOf(from),
    };
  }

  /** `friend_check` for one pair, with the documented relation values. */
  check(from: string, to: string, checkType: CheckType): Relation {
    const aWithB = this.hasEdge(from, to);
    if (checkType === 'CheckResult_Type_Single') {
      return aWithB ? 'CheckResult_Type_AWithB' : 'CheckResult_Type_NoRelation';
    }
    const bWithA = this.hasEdge(to, from);
    if (aWithB && bWithA) return 'CheckResult_Type_BothWay';
    if (aWithB) return 'CheckResult_Type_AWithB';
    if (bWithA) return 'CheckResult_Type_BWithA';
    return 'CheckResult_Type_NoRelation';
  }

  /**
   * `friend_delete_all`: empties From's list. `Delete_Type_Both` also removes From from the list of every
   * user *on From's list*. A user B who holds From one-way (B -> From while From's list lacks B) keeps that
   * entry: the deletion walks From's own list and Tencent documents no reverse lookup.
   */
  deleteAll(from: string, deleteType: DeleteType): void {
    for (const friend of this.friendsOf(from)) {
      this.#unlink(from, friend);
      if (deleteType === 'Delete_Type_Both') this.#unlink(friend, from);
    }
  }

  /** Test helper: makes `a` and `b` friends without the API (`single`: only a -> b). */
  link(a: string, b: string, kind: 'both' | 'single'): void {
    for (const id of [a, b]) if (!this.hasAccount(id)) throw new UnknownAccountError(id);
    const data: FriendData = { addSource: 'AddSource_Type_Sim', addTimeSeconds: 0 };
    this.#link(a, b, data);
    if (kind === 'both') this.#link(b, a, data);
  }

  #rejectTarget(from: string, toAccount: string, api: string): ItemResult | undefined {
    if (toAccount === from) return { toAccount, code: 30001, info: `Err_SNS_${api}_Add_Self_Not_Allowed` };
    if (!this.hasAccount(toAccount))
      return { toAccount, code: 30003, info: `Err_SNS_${api}_Account_Not_Exist` };
    return undefined;
  }

  #isFull(owner: string): boolean {
    return (this.#lists.get(owner)?.size ?? 0) >= this.#maxFriends;
  }

  #link(owner: string, friend: string, data: FriendData): void {
    let list = this.#lists.get(owner);
    if (list === undefined) {
      list = new Map();
      this.#lists.set(owner, list);
    }
    list.set(friend, data);
    let holders = this.#holders.get(friend);
    if (holders === undefined) {
      holders = new Set();
      this.#holders.set(friend, holders);
    }
    holders.add(owner);
    this.#bump(owner);
  }

  #unlink(owner: string, friend: string): void {
    if (this.#lists.get(owner)?.delete(friend) !== true) return;
    this.#holders.get(friend)?.delete(owner);
    this.#bump(owner);
  }

  #bump(owner: string): void {
    this.#sequences.set(owner, this.sequenceOf(owner) + 1);
  }
}
