/**
 * Seeding for tests: one `seed(...)` call gives users data of every kind the erasure plan touches. Every
 * account a seed names must exist (listed in `accounts`, or imported before), else UnknownAccountError:
 * a typo in a test fails loudly. Seeds add to what is there; they bypass the API (no rate limit, no
 * faults) but keep Tencent's limits (32 friend lists, 1,000 blocklist entries, 20 contact groups, profile
 * field rules), throwing when a seed breaks one.
 */
import * as z from 'zod';
import type { ChatData } from './chatData.ts';
import { type ConversationTarget, conversationKey } from './conversations.ts';
import { UnknownAccountError } from './friendGraph.ts';
import { GROUP_TYPE_ALIASES, type MemberRole } from './groups.ts';

const id = z.string().min(1);
const seconds = z.number().int().positive();

/** A one-to-one or group conversation as a seed names it. */
const conversationRef = z.union([z.object({ peer: id }).strict(), z.object({ groupId: id }).strict()]);

/** The shape of a seed, validated (unknown keys are refused, so a typo fails loudly). */
export const chatSeedSchema = z
  .object({
    accounts: z.array(id).optional(),
    /** `[a, b, 'both']` or `[a, b, 'single']` (only a -> b). */
    friendships: z.array(z.tuple([id, id, z.enum(['both', 'single'])])).optional(),
    /** Named friend lists (`Tag_SNS_IM_Group`); `members` must already be on `owner`'s friend list. */
    friendLists: z.array(z.object({ owner: id, name: id, members: z.array(id).optional() })).optional(),
    /** `owner` blocks `blocked`. */
    blocklist: z.array(z.object({ owner: id, blocked: id, addedAt: seconds.optional() })).optional(),
    /** `follower` follows `followee`. */
    follows: z.array(z.object({ follower: id, followee: id, followedAt: seconds.optional() })).optional(),
    /**
     * A conversation on `owner`'s side (`peer` for one-to-one, `groupId` for a group) with `messages`
     * roaming messages there (default 1; 0 = an empty conversation). `peerMessages` also creates the
     * peer's side of a one-to-one conversation with that many messages.
     */
    conversations: z
      .array(
        z.object({
          owner: id,
          peer: id.optional(),
          groupId: id.optional(),
          messages: z.number().int().min(0).optional(),
          peerMessages: z.number().int().min(0).optional(),
          msgTime: seconds.optional(),
          pinned: z.boolean().optional(),
        }),
      )
      .optional(),
    /** Conversation groups of `owner`, holding some of `owner`'s conversations. */
    contactGroups: z
      .array(z.object({ owner: id, name: z.string(), conversations: z.array(conversationRef).optional() }))
      .optional(),
    /**
     * Groups. `type` takes the REST names and the new ones (Work = Private, Meeting = ChatRoom). `owner`
     * (omit for an ownerless group) joins as Owner if not among `members`. `messages` is what a member
     * sent in the group. `activated: false` makes a never-activated Work group.
     */
    groups: z
      .array(
        z.object({
          groupId: id,
          type: z.enum(Object.keys(GROUP_TYPE_ALIASES) as [string, ...string[]]),
          name: z.string().optional(),
          owner: id.optional(),
          createTime: seconds.optional(),
          activated: z.boolean().optional(),
          members: z
            .array(
              z.object({
                account: id,
                role: z.enum(['Owner', 'Admin', 'Member']).optional(),
                joinTime: seconds.optional(),
                messages: z.number().int().min(0).optional(),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
    /** Edition / console switches to set (the others keep their state); see ChatFeatures. */
    features: z
      .object({ follow: z.boolean(), contactGroups: z.boolean(), accountDelete: z.boolean() })
      .partial()
      .strict()
      .optional(),
    /** Profile fields, checked like portrait_set (custom tags must be configured). */
    profiles: z
      .array(z.object({ account: id, fields: z.record(z.string(), z.union([z.string(), z.number()])) }))
      .optional(),
  })
  .strict();

/** What `seed(...)` accepts. Every part is optional. */
export type ChatSeed = z.input<typeof chatSeedSchema>;

/** A seed that breaks one of Tencent's rules (e.g. a profile value portrait_set would refuse). */
export class InvalidSeedError extends Error {
  override readonly name = 'InvalidSeedError';
}

/**
 * Applies a seed to `data`. Times default to `nowSeconds` (conversations: one second apart, in seed
 * order, most recent first; group joins: in member order).
 * @example
 * applySeed(data, { accounts: ['a', 'b'], follows: [{ follower: 'b', followee: 'a' }] }, nowSeconds);
 */
export function applySeed(data: ChatData, input: ChatSeed, nowSeconds: number): void {
  const seed = chatSeedSchema.parse(input);
  const known = (account: string) => {
    if (!data.exists(account)) throw new UnknownAccountError(account);
  };
  if (seed.features !== undefined) data.features = { ...data.features, ...seed.features };
  for (const account of seed.accounts ?? []) data.graph.importAccount(account);
  for (const [a, b, kind] of seed.friendships ?? []) data.graph.link(a, b, kind);
  for (const list of seed.friendLists ?? [])
    data.graph.addToFriendList(list.owner, list.name, list.members ?? []);
  for (const entry of seed.blocklist ?? []) {
    known(entry.owner);
    known(entry.blocked);
    data.blocklists.block(entry.owner, entry.blocked, entry.addedAt ?? nowSeconds);
  }
  for (const follow of seed.follows ?? []) {
    known(follow.follower);
    known(follow.followee);
    data.follows.follow(follow.follower, follow.followee, follow.followedAt ?? nowSeconds);
  }
  seedConversations(data, seed.conversations ?? [], nowSeconds, known);
  for (const group of seed.contactGroups ?? []) {
    known(group.owner);
    const keys = (group.conversations ?? []).map((ref) => conversationKey(targetOf(ref)));
    data.contactGroups.put(group.owner, group.name, keys);
  }
  for (const group of seed.groups ?? []) {
    if (group.owner !== undefined) known(group.owner);
    const createTime = group.createTime ?? nowSeconds;
    const members = (group.members ?? []).map((member, index) => {
      known(member.account);
      const role: MemberRole = member.role ?? (member.account === group.owner ? 'Owner' : 'Member');
      return { account: member.account, role, joinTime: member.joinTime ?? createTime + index };
    });
    const messagesBySender = Object.fromEntries(
      (group.members ?? []).flatMap((member) =>
        member.messages === undefined ? [] : [[member.account, member.messages]],
      ),
    );
    data.groups.create({
      groupId: group.groupId,
      type: GROUP_TYPE_ALIASES[group.type] ?? 'Public',
      name: group.name ?? group.groupId,
      owner: group.owner,
      createTime,
      activated: group.activated ?? true,
      members,
      messagesBySender,
    });
  }
  for (const profile of seed.profiles ?? []) {
    known(profile.account);
    const items = Object.entries(profile.fields).map(([tag, value]) => ({ tag, value }));
    for (const { tag, value } of items) {
      const refusal = data.profiles.check(tag, value);
      if (refusal !== undefined) throw new InvalidSeedError(`${profile.account}: ${refusal.detail}`);
    }
    data.profiles.set(profile.account, items);
  }
}

type ConversationSeed = NonNullable<z.infer<typeof chatSeedSchema>['conversations']>[number];

function seedConversations(
  data: ChatData,
  conversations: ConversationSeed[],
  nowSeconds: number,
  known: (account: string) => void,
): void {
  conversations.forEach((seed, index) => {
    known(seed.owner);
    if ((seed.peer === undefined) === (seed.groupId === undefined)) {
      throw new InvalidSeedError(`conversation of ${seed.owner}: give exactly one of peer and groupId`);
    }
    const target = targetOf(seed.peer === undefined ? { groupId: seed.groupId ?? '' } : { peer: seed.peer });
    const msgTime = seed.msgTime ?? nowSeconds - index;
    const pinned = seed.pinned ?? false;
    data.conversations.put(seed.owner, {
      target,
      msgTime,
      pinned,
      messages: seed.messages ?? 1,
      listed: true,
    });
    if (seed.peerMessages !== undefined) {
      if (seed.peer === undefined) throw new InvalidSeedError('peerMessages needs a one-to-one conversation');
      known(seed.peer);
      data.conversations.put(seed.peer, {
        target: { type: 1, peer: seed.owner },
        msgTime,
        pinned: false,
        messages: seed.peerMessages,
        listed: true,
      });
    }
  });
}

function targetOf(ref: { peer: string } | { groupId: string }): ConversationTarget {
  return 'peer' in ref ? { type: 1, peer: ref.peer } : { type: 2, groupId: ref.groupId };
}
