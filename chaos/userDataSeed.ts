/**
 * The personal data of a chaos run's users, as one simulator seed: friends (two-way and one-way, both
 * directions), friend lists, blocklists both ways, follows both ways, conversations with messages on both
 * sides, conversation groups, groups of every type with the user as member or owner (Public groups to hand
 * over, Work groups alone, AVChatRooms owned and merely joined, Community groups), and profiles with standard
 * and custom fields. Some users get every kind, the others a random mix. Everything other users hold is with
 * "bystanders" (`chaos-b-N`, never erased) or earlier users. Pure: built from a seeded random source.
 */
import type { ChatSeed } from '../sim/chat-api/index.ts';
import type { SeededRandom } from './seededRandom.ts';

/** The kinds of personal data a user can be seeded with. */
export const DATA_KINDS = [
  'friends',
  'one-way holder',
  'friend lists',
  'blocklist',
  'blocked by others',
  'following',
  'followers',
  'conversations',
  'contact groups',
  'group memberships',
  'owned groups',
  'avchatroom memberships',
  'profile',
] as const;

export type DataKind = (typeof DATA_KINDS)[number];

type Seed = Required<
  Pick<
    ChatSeed,
    | 'accounts'
    | 'friendships'
    | 'friendLists'
    | 'blocklist'
    | 'follows'
    | 'conversations'
    | 'contactGroups'
    | 'groups'
    | 'profiles'
  >
>;
type GroupSeed = Seed['groups'][number];

/** Share of users seeded with every kind of data. */
const RICH_SHARE = 0.3;
/** Chance of each kind for the other users. */
const KIND_CHANCE = 0.4;
/** One set of bystander groups (Public, Community, AVChatRoom) per this many users. */
const USERS_PER_BYSTANDER_GROUP = 25;
const BASE_TIME = 1_700_000_000;

/** What the verdicts need to know about the seeded data, besides the seed itself. */
export interface SeededData {
  seed: Seed;
  bystanders: string[];
  /** For each user: the accounts that hold it one-way (`holder -> user` only): a residual of `friends`. */
  oneWayHolders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every account a group ever had (owner and members), to tell whose erasure a group request served. */
  groupAccounts: ReadonlyMap<string, ReadonlySet<string>>;
  /** Groups bystanders own: no erasure may destroy them. */
  bystanderGroups: readonly string[];
  /** The kinds each user was seeded with. */
  kinds: ReadonlyMap<string, ReadonlySet<DataKind>>;
}

/**
 * Builds the seed user by user, in workload order.
 * @example
 * const data = new UserDataSeed(random);
 * data.addUser('chaos-u-0', []);
 * world.chat.seed(data.result().seed);
 */
export class UserDataSeed {
  readonly #random: SeededRandom;
  readonly #seed: Seed = {
    accounts: [],
    friendships: [],
    friendLists: [],
    blocklist: [],
    follows: [],
    conversations: [],
    contactGroups: [],
    groups: [],
    profiles: [],
  };
  readonly #bystanders: string[] = [];
  readonly #pairs = new Set<string>();
  readonly #oneWayHolders = new Map<string, Set<string>>();
  readonly #groupAccounts = new Map<string, Set<string>>();
  readonly #bystanderGroups: { public: GroupSeed; community: GroupSeed; live: GroupSeed }[] = [];
  readonly #kinds = new Map<string, Set<DataKind>>();
  #groupCounter = 0;
  #users = 0;

  constructor(random: SeededRandom) {
    this.#random = random;
  }

  /** A bystander, created on first use; one exists for every five users (at least ten). */
  bystander(index: number): string {
    while (this.#bystanders.length <= index) this.#bystanders.push(`chaos-b-${this.#bystanders.length}`);
    return this.#bystanders[index] as string;
  }

  /**
   * Seeds a new user. `minimal`: friends only (the doomed users, whose every delivery must fail the same way).
   * @param earlierUsers users seeded before, who may be on the new user's lists (and be erased too)
   */
  addUser(userId: string, earlierUsers: readonly string[], minimal = false): void {
    this.#users++;
    const wanted = Math.max(10, Math.ceil(this.#users / 5));
    while (this.#bystanders.length < wanted) this.bystander(this.#bystanders.length);
    this.#seed.accounts.push(userId);
    const kinds = new Set<DataKind>();
    this.#kinds.set(userId, kinds);
    const rich = !minimal && this.#random.chance(RICH_SHARE);
    // The kind names what is wanted; every kind has the same chance.
    const wants = (_kind: DataKind) => !minimal && (rich || this.#random.chance(KIND_CHANCE));
    const random = this.#random;

    // Friends: at least one on the user's own list, so every plan has something to remove.
    const friends: string[] = [];
    const wantedFriends = random.int(1, 3);
    for (let attempt = 0; friends.length < wantedFriends && attempt < 10; attempt++) {
      // A doomed user's friends are bystanders: another erasure must not empty its list for it.
      const other = this.#other(earlierUsers, minimal ? 0 : 0.4);
      if (this.#link(userId, other, random.chance(0.8) ? 'both' : 'single')) friends.push(other);
    }
    if (friends.length > 0) kinds.add('friends');
    if (wants('one-way holder') && this.#link(this.#other(earlierUsers, 0.3), userId, 'single')) {
      kinds.add('one-way holder');
    }
    if (friends.length > 0 && wants('friend lists')) {
      this.#seed.friendLists.push({ owner: userId, name: 'close', members: [friends[0] as string] });
      if (random.chance(0.5)) this.#seed.friendLists.push({ owner: userId, name: 'later' });
      kinds.add('friend lists');
    }
    if (wants('blocklist')) {
      for (const blocked of this.#distinctBystanders(random.int(1, 2))) {
        this.#seed.blocklist.push({ owner: userId, blocked });
      }
      kinds.add('blocklist');
    }
    if (wants('blocked by others')) {
      this.#seed.blocklist.push({ owner: this.#randomBystander(), blocked: userId });
      kinds.add('blocked by others');
    }
    if (wants('following')) {
      for (const followee of this.#distinctBystanders(random.int(1, 2))) {
        this.#seed.follows.push({ follower: userId, followee });
      }
      kinds.add('following');
    }
    if (wants('followers')) {
      const followers = new Set([this.#randomBystander(), this.#other(earlierUsers, 0.5)]);
      for (const follower of followers) this.#seed.follows.push({ follower, followee: userId });
      kinds.add('followers');
    }
    const memberOf: string[] = [];
    if (wants('group memberships')) {
      const set = this.#bystanderGroupSet();
      for (const group of [set.public, set.community]) {
        this.#join(group, userId, random.int(0, 4));
        memberOf.push(group.groupId);
      }
      kinds.add('group memberships');
    }
    if (wants('avchatroom memberships')) {
      this.#join(this.#bystanderGroupSet().live, userId, 0);
      kinds.add('avchatroom memberships');
    }
    if (wants('owned groups')) {
      this.#ownGroups(userId, earlierUsers);
      kinds.add('owned groups');
    }
    if (wants('conversations')) {
      const peers = this.#distinctBystanders(random.int(1, 3));
      peers.forEach((peer, index) => {
        this.#seed.conversations.push({
          owner: userId,
          peer,
          messages: index === 2 ? 0 : random.int(1, 6),
          ...(random.chance(0.7) ? { peerMessages: random.int(1, 6) } : {}),
          ...(index === 0 && random.chance(0.3) ? { pinned: true } : {}),
        });
      });
      for (const groupId of memberOf.slice(0, 1)) {
        this.#seed.conversations.push({ owner: userId, groupId, messages: random.int(1, 4) });
      }
      kinds.add('conversations');
      if (wants('contact groups')) {
        this.#seed.contactGroups.push({
          owner: userId,
          name: 'work',
          conversations: [{ peer: peers[0] as string }],
        });
        kinds.add('contact groups');
      }
    }
    if (wants('profile')) {
      this.#seed.profiles.push({ account: userId, fields: this.#profileFields(userId) });
      kinds.add('profile');
    }
  }

  result(): SeededData {
    return {
      seed: { ...this.#seed, accounts: [...this.#seed.accounts, ...this.#bystanders] },
      bystanders: [...this.#bystanders],
      oneWayHolders: this.#oneWayHolders,
      groupAccounts: this.#groupAccounts,
      bystanderGroups: this.#bystanderGroups.flatMap((set) => [
        set.public.groupId,
        set.community.groupId,
        set.live.groupId,
      ]),
      kinds: this.#kinds,
    };
  }

  /** Links two accounts once (a pair is never linked twice); `single` means only a -> b. */
  #link(a: string, b: string, kind: 'both' | 'single'): boolean {
    const pair = a < b ? `${a}\n${b}` : `${b}\n${a}`;
    if (a === b || this.#pairs.has(pair)) return false;
    this.#pairs.add(pair);
    this.#seed.friendships.push([a, b, kind]);
    if (kind === 'single') {
      const holders = this.#oneWayHolders.get(b) ?? new Set<string>();
      holders.add(a);
      this.#oneWayHolders.set(b, holders);
    }
    return true;
  }

  /** An earlier user with probability `share` (when there is one), else a bystander. */
  #other(earlierUsers: readonly string[], share: number): string {
    return earlierUsers.length > 0 && this.#random.chance(share)
      ? this.#random.pick(earlierUsers)
      : this.#randomBystander();
  }

  #randomBystander(): string {
    return this.#random.pick(this.#bystanders);
  }

  #distinctBystanders(count: number): string[] {
    return [...new Set(Array.from({ length: count }, () => this.#randomBystander()))];
  }

  /** The bystander groups the current user joins; a new set for every USERS_PER_BYSTANDER_GROUP users. */
  #bystanderGroupSet() {
    const wanted = Math.ceil(this.#users / USERS_PER_BYSTANDER_GROUP);
    while (this.#bystanderGroups.length < wanted) {
      const index = this.#bystanderGroups.length;
      const owner = this.bystander(index);
      const group = (suffix: string, type: string): GroupSeed => {
        const groupSeed: GroupSeed = {
          groupId: `cb-${index}-${suffix}`,
          type,
          owner,
          createTime: BASE_TIME,
          members: [{ account: owner, role: 'Owner', joinTime: BASE_TIME }],
        };
        this.#seed.groups.push(groupSeed);
        this.#noteGroupAccount(groupSeed.groupId, owner);
        return groupSeed;
      };
      this.#bystanderGroups.push({
        public: group('public', 'Public'),
        community: group('community', 'Community'),
        live: group('live', 'AVChatRoom'),
      });
    }
    return this.#random.pick(this.#bystanderGroups);
  }

  #join(group: GroupSeed, account: string, messages: number): void {
    const members = group.members ?? [];
    group.members = members;
    if (members.some((member) => member.account === account)) return;
    members.push({
      account,
      joinTime: BASE_TIME + 10 + members.length,
      ...(messages > 0 ? { messages } : {}),
    });
    this.#noteGroupAccount(group.groupId, account);
  }

  /** A Public group to hand over (members: bystanders, maybe an earlier user), and a Work group or an AVChatRoom. */
  #ownGroups(userId: string, earlierUsers: readonly string[]): void {
    const random = this.#random;
    const joinTime = BASE_TIME + 100;
    const team: GroupSeed = {
      groupId: `cg-${this.#groupCounter++}`,
      type: 'Public',
      owner: userId,
      createTime: joinTime,
      members: [{ account: userId, role: 'Owner', joinTime, messages: random.int(0, 3) }],
    };
    const others = new Set([this.#randomBystander(), this.#other(earlierUsers, 0.3)]);
    others.delete(userId);
    let offset = 1;
    for (const account of others) {
      team.members?.push({ account, joinTime: joinTime + random.int(1, 50) + offset++ });
    }
    const second: GroupSeed = random.chance(0.5)
      ? { groupId: `cg-${this.#groupCounter++}`, type: 'Work', owner: userId, createTime: joinTime }
      : {
          groupId: `cg-${this.#groupCounter++}`,
          type: 'AVChatRoom',
          owner: userId,
          createTime: joinTime,
          members: [{ account: this.#randomBystander() }],
        };
    for (const group of [team, second]) {
      this.#seed.groups.push(group);
      this.#noteGroupAccount(group.groupId, userId);
      for (const member of group.members ?? []) this.#noteGroupAccount(group.groupId, member.account);
    }
  }

  #noteGroupAccount(groupId: string, account: string): void {
    const accounts = this.#groupAccounts.get(groupId) ?? new Set<string>();
    accounts.add(account);
    this.#groupAccounts.set(groupId, accounts);
  }

  /** Standard and custom personal fields, and sometimes a setting (AllowType) the erasure leaves alone. */
  #profileFields(userId: string): Record<string, string | number> {
    const random = this.#random;
    const all: Record<string, string | number> = {
      Tag_Profile_IM_Nick: `Nick of ${userId.length}`,
      Tag_Profile_IM_Gender: random.pick(['Gender_Type_Female', 'Gender_Type_Male']),
      Tag_Profile_IM_BirthDay: random.int(19500101, 20101231),
      Tag_Profile_IM_Location: random.pick(['Berlin', 'Lisbon', 'Osaka']),
      Tag_Profile_IM_SelfSignature: 'hello there',
      Tag_Profile_IM_Image: 'https://example.com/avatar.png',
      Tag_Profile_IM_Language: random.int(1, 5),
      Tag_Profile_IM_Level: random.int(1, 9),
      Tag_Profile_IM_Role: random.int(1, 3),
      Tag_Profile_Custom_Hobby: random.pick(['chess', 'go', 'cycling']),
      Tag_Profile_Custom_Score: random.int(1, 1000),
      Tag_Profile_Custom_Team: 'blue',
      Tag_Profile_IM_AllowType: 'AllowType_Type_NeedConfirm',
    };
    return Object.fromEntries(Object.entries(all).filter(() => random.chance(0.7)));
  }
}
