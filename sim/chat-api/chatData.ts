/**
 * Everything the simulated Chat app holds, in one place: accounts and friends (FriendGraph), blocklists,
 * follows, conversations, conversation groups, groups, profiles, login kicks, and the app's feature
 * switches. Commands act on it; tests seed and inspect it. Pure and synchronous.
 */
import { Blocklists } from './blocklists.ts';
import { ContactGroups } from './contactGroups.ts';
import { Conversations } from './conversations.ts';
import { FollowGraph } from './follows.ts';
import { FriendGraph } from './friendGraph.ts';
import { GroupStore } from './groups.ts';
import { type CustomTag, Profiles } from './profiles.ts';

/**
 * The app's edition / console switches that decide whether a feature exists:
 * - `follow`: the follow feature (Pro, Pro Plus, Enterprise + console switch); off: every follow command 30005;
 * - `contactGroups`: conversation groups (Ultimate); off: both contact-group commands 51013;
 * - `accountDelete`: the plan allows `account_delete`; off: 71000.
 */
export interface ChatFeatures {
  follow: boolean;
  contactGroups: boolean;
  accountDelete: boolean;
}

/** Every feature on: the simulator serves the whole erasure plan unless a test switches something off. */
export const DEFAULT_FEATURES: Readonly<ChatFeatures> = {
  follow: true,
  contactGroups: true,
  accountDelete: true,
};

/**
 * The whole state of the simulated app.
 * @example
 * const data = new ChatData({ features: { follow: false } });
 * data.graph.importAccount('alice');
 * data.exists('alice'); // true
 */
export class ChatData {
  readonly graph: FriendGraph;
  readonly blocklists = new Blocklists();
  readonly follows = new FollowGraph();
  readonly conversations = new Conversations();
  readonly contactGroups = new ContactGroups();
  readonly groups = new GroupStore();
  readonly profiles: Profiles;
  features: ChatFeatures;
  /** account -> how many times `kick` invalidated its login sessions. */
  #kicks = new Map<string, number>();

  constructor(options: { customProfileTags?: CustomTag[]; features?: Partial<ChatFeatures> } = {}) {
    this.graph = new FriendGraph();
    this.profiles = new Profiles(options.customProfileTags ?? []);
    this.features = { ...DEFAULT_FEATURES, ...options.features };
  }

  exists(account: string): boolean {
    return this.graph.hasAccount(account);
  }

  /** `kick`: invalidates the account's login sessions (counted). */
  kick(account: string): void {
    this.#kicks.set(account, this.kicksOf(account) + 1);
  }

  kicksOf(account: string): number {
    return this.#kicks.get(account) ?? 0;
  }

  /**
   * A deep copy of all data (not the feature switches), for {@link ChatData.restore}: how an `ignore`
   * fault runs a write and then takes it back.
   */
  snapshot(): unknown {
    return {
      graph: this.graph.snapshot(),
      blocklists: this.blocklists.snapshot(),
      follows: this.follows.snapshot(),
      conversations: this.conversations.snapshot(),
      contactGroups: this.contactGroups.snapshot(),
      groups: this.groups.snapshot(),
      profiles: this.profiles.snapshot(),
      kicks: new Map(this.#kicks),
    };
  }

  restore(snapshot: unknown): void {
    const parts = snapshot as Record<string, unknown>;
    this.graph.restore(parts.graph);
    this.blocklists.restore(parts.blocklists);
    this.follows.restore(parts.follows);
    this.conversations.restore(parts.conversations);
    this.contactGroups.restore(parts.contactGroups);
    this.groups.restore(parts.groups);
    this.profiles.restore(parts.profiles);
    this.#kicks = new Map(parts.kicks as Map<string, number>);
  }
}
