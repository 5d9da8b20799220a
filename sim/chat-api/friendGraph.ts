/**
 * The simulator's relationship chain: accounts and their friend lists, as Tencent Cloud Chat documents them
 * (product doc "Relationship Chain Management"). Pure and synchronous: no clock, no I/O, so the semantics
 * can be unit-tested without a network.
 *
 * A friend list is one-way: A's list holding B says nothing about B's list. "Two-way friends" simply means
 * both lists hold the other. Every list keeps insertion order, which is the order `friend_get` pages in.
 *
 * Friend lists in the `group_get` sense (named lists, `Tag_SNS_IM_Group`, at most 32 per user) are names
 * the owner keeps; a friend whose `groups` holds a name is in that list. A name can exist with no friend in
 * it, and `friend_delete_all` leaves the names alone (undocumented; the conservative reading), so an eraser
 * must delete them with `group_delete`.
 *
 * The account registry lives here too. Deleting an account (`account_delete`) only unregisters it: every
 * list the graph holds stays, so a test can see what an eraser failed to remove explicitly.
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
/** Tencent's per-user limit of friend lists (`Tag_SNS_IM_Group` names). */
export const MAX_FRIEND_LISTS_PER_USER = 32;

/** Thrown by the seeding helpers when a user would get more friend lists than Tencent allows. */
export class TooManyFriendListsError extends Error {
  override readonly name = 'TooManyFriendListsError';
}

/** One named friend list of a user, with the friends in it (list order). */
export interface FriendList {
  name: string;
  members: string[];
}

/** Everything the graph holds, in one structured-cloneable value (snapshot / restore). */
interface GraphState {
  profiles: Map<string, AccountProfile>;
  /** owner -> (friend -> data): the owner's own list, insertion-ordered. */
  lists: Map<string, Map<string, FriendData>>;
  /** friend -> owners whose list holds it: the reverse index (Tencent offers no such lookup; the sim needs it). */
  holders: Map<string, Set<string>>;
  /** owner -> StandardSequence, bumped on every change to the owner's list. */
  sequences: Map<string, number>;
  /** owner -> friend-list names, in creation order. */
  listNames: Map<string, string[]>;
  /** owner -> CurrentSequence of the friend lists, bumped on every change to the names. */
  listSequences: Map<string, number>;
}

export class FriendGraph {
  #s: GraphState = {
    profiles: new Map(),
    lists: new Map(),
    holders: new Map(),
    sequences: new Map(),
    listNames: new Map(),
    listSequences: new Map(),
  };
  readonly #maxFriends: number;

  constructor(maxFriends: number = MAX_FRIENDS_PER_USER) {
    this.#maxFriends = maxFriends;
  }

  /** A deep copy of everything the graph holds, for {@link FriendGraph.restore}. */
  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  /** Puts back a {@link FriendGraph.snapshot} (the snapshot stays usable). */
  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as GraphState);
  }

  /** Registers an account; importing it again only updates the profile (one internal ID per account). */
  importAccount(id: string, profile: AccountProfile = {}): void {
    const existing = this.#s.profiles.get(id);
    this.#s.profiles.set(id, { ...existing, ...profile });
    if (!this.#s.lists.has(id)) this.#s.lists.set(id, new Map());
  }

  /**
   * `account_delete`: unregisters the account. Its lists, and other users' entries about it, stay (the
   * simulator keeps them inspectable); the API then treats the account as nonexistent.
   * @returns whether the account existed.
   */
  deleteAccount(id: string): boolean {
    return this.#s.profiles.delete(id);
  }

  hasAccount(id: string): boolean {
    return this.#s.profiles.has(id);
  }

  profileOf(id: string): AccountProfile | undefined {
    const profile = this.#s.profiles.get(id);
    return profile === undefined ? undefined : { ...profile };
  }

  accounts(): string[] {
    return [...this.#s.profiles.keys()];
  }

  /** The UserIDs on `id`'s own friend list, in list order. */
  friendsOf(id: string): string[] {
    return [...(this.#s.lists.get(id)?.keys() ?? [])];
  }

  /** The users whose list holds `id` (including one-way holders `id` cannot see). */
  holdersOf(id: string): string[] {
    return [...(this.#s.holders.get(id) ?? [])];
  }

  hasEdge(from: string, to: string): boolean {
    return this.#s.lists.get(from)?.has(to) ?? false;
  }

  friendData(from: string, to: string): FriendData | undefined {
    return this.#s.lists.get(from)?.get(to);
  }

  sequenceOf(id: string): number {
    return this.#s.sequences.get(id) ?? 0;
  }

  /** The CurrentSequence of `owner`'s friend lists (`group_get` / `group_delete`). */
  friendListSequenceOf(owner: string): number {
    return this.#s.listSequences.get(owner) ?? 0;
  }

  /** `owner`'s friend lists in creation order, each with the friends in it. */
  friendListsOf(owner: string): FriendList[] {
    const entries = [...(this.#s.lists.get(owner)?.entries() ?? [])];
    return (this.#s.listNames.get(owner) ?? []).map((name) => ({
      name,
      members: entries.filter(([, data]) => data.groups?.includes(name) === true).map(([friend]) => friend),
    }));
  }

  /**
   * Seeding helper: creates an (empty) friend list; an existing name is left alone.
   * Throws UnknownAccountError, or TooManyFriendListsError past 32 lists.
   */
  createFriendList(owner: string, name: string): void {
    if (!this.hasAccount(owner)) throw new UnknownAccountError(owner);
    if (this.#newListNames(owner, [name]).length > 0 && !this.#canAddLists(owner, 1)) {
      throw new TooManyFriendListsError(`${owner} would have more than ${MAX_FRIEND_LISTS_PER_USER} lists`);
    }
    this.#addListNames(owner, [name]);
  }

  /**
   * Seeding helper: puts friends (already on `owner`'s list) into the named list, creating it if needed.
   * Throws UnknownAccountError for a friend not on the list.
   */
  addToFriendList(owner: string, name: string, friends: string[]): void {
    this.createFriendList(owner, name);
    for (const friend of friends) {
      const data = this.friendData(owner, friend);
      if (data === undefined) throw new UnknownAccountError(`${friend} (not on ${owner}'s friend list)`);
      if (data.groups?.includes(name) !== true) data.groups = [...(data.groups ?? []), name];
    }
    this.#bump(owner);
  }

  /**
   * `group_delete`: removes the named lists (their friends stay friends). Names that do not exist are
   * ignored: Tencent documents no per-name result, and a repeated delete must not fail.
   */
  deleteFriendLists(owner: string, names: string[]): void {
    const current = this.#s.listNames.get(owner) ?? [];
    const doomed = new Set(names.filter((name) => current.includes(name)));
    if (doomed.size === 0) return;
    this.#s.listNames.set(
      owner,
      current.filter((name) => !doomed.has(name)),
    );
    for (const data of this.#s.lists.get(owner)?.values() ?? []) {
      if (data.groups === undefined) continue;
      const kept = data.groups.filter((name) => !doomed.has(name));
      if (kept.length === 0) delete data.groups;
      else data.groups = kept;
    }
    this.#s.listSequences.set(owner, this.friendListSequenceOf(owner) + 1);
    this.#bump(owner);
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
      if (!this.#canAddLists(from, this.#newListNames(from, data.groups ?? []).length)) {
        return { toAccount, code: 30001, info: 'Err_SNS_FriendAdd_Group_Num_Exceed' };
      }
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
      if (!this.#canAddLists(from, this.#newListNames(from, data.groups ?? []).length)) {
        return { toAccount, code: 30001, info: 'Err_SNS_FriendImport_Group_Num_Exceed' };
      }
      this.#link(from, toAccount, data);
      return { toAccount, code: 0, info: '' };
    });
  }

  /** `friend_get`: the page of `from`'s list starting at `startIndex`. */
  page(from: string, startIndex: number, pageSize: number): FriendPage {
    const list = [...(this.#s.lists.get(from) ?? new Map<string, FriendData>()).entries()];
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
   * entry: the deletion walks From's own list and Tencent documents no reverse lookup. From's friend-list
   * names stay (now empty).
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
    return (this.#s.lists.get(owner)?.size ?? 0) >= this.#maxFriends;
  }

  #newListNames(owner: string, names: string[]): string[] {
    const current = this.#s.listNames.get(owner) ?? [];
    return [...new Set(names)].filter((name) => !current.includes(name));
  }

  #canAddLists(owner: string, count: number): boolean {
    return (this.#s.listNames.get(owner)?.length ?? 0) + count <= MAX_FRIEND_LISTS_PER_USER;
  }

  #addListNames(owner: string, names: string[]): void {
    const added = this.#newListNames(owner, names);
    if (added.length === 0) return;
    this.#s.listNames.set(owner, [...(this.#s.listNames.get(owner) ?? []), ...added]);
    this.#s.listSequences.set(owner, this.friendListSequenceOf(owner) + 1);
  }

  #link(owner: string, friend: string, data: FriendData): void {
    let list = this.#s.lists.get(owner);
    if (list === undefined) {
      list = new Map();
      this.#s.lists.set(owner, list);
    }
    // Copied so that list edits never alias a caller's object (or another edge's).
    const stored: FriendData = { ...data };
    if (data.groups !== undefined) stored.groups = [...data.groups];
    if (data.custom !== undefined) stored.custom = data.custom.map((item) => ({ ...item }));
    list.set(friend, stored);
    // A friend put into a list that does not exist yet creates it.
    this.#addListNames(owner, stored.groups ?? []);
    let holders = this.#s.holders.get(friend);
    if (holders === undefined) {
      holders = new Set();
      this.#s.holders.set(friend, holders);
    }
    holders.add(owner);
    this.#bump(owner);
  }

  #unlink(owner: string, friend: string): void {
    if (this.#s.lists.get(owner)?.delete(friend) !== true) return;
    this.#s.holders.get(friend)?.delete(owner);
    this.#bump(owner);
  }

  #bump(owner: string): void {
    this.#s.sequences.set(owner, this.sequenceOf(owner) + 1);
  }
}
