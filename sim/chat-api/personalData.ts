/**
 * Inspection for tests: everything the simulator holds about one user, their own data and what other
 * users hold about them, so a test can assert "nothing of theirs is left beyond the out-of-reach
 * residuals". Reads ChatData only; changes nothing.
 */
import type { ChatData } from './chatData.ts';
import type { Conversation } from './conversations.ts';
import type { FriendList } from './friendGraph.ts';
import type { GroupType, MemberRole } from './groups.ts';
import type { ProfileValue } from './profiles.ts';

/** A conversation on the user's own side. */
export interface ConversationData {
  type: 'C2C' | 'Group';
  /** The peer (C2C) or GroupId (Group). */
  with: string;
  /** Roaming messages on the user's side. */
  messages: number;
  pinned: boolean;
  msgTime: number;
}

export interface PersonalData {
  userId: string;
  /** false after `account_delete` (or if never imported): the data below is what the simulator kept. */
  accountExists: boolean;
  /** How many times `kick` invalidated the user's sessions. */
  kicks: number;
  /** The user's own friend list. */
  friends: string[];
  /** The user's friend lists (`Tag_SNS_IM_Group` names) with their members. */
  friendLists: FriendList[];
  /** The user's own blocklist. */
  blocklist: string[];
  /** Whom the user follows. */
  following: string[];
  /** Who follows the user (entries on those users' following lists). */
  followers: string[];
  /** The user's listed conversations (what `get_list` with AssistFlags 7 shows). */
  conversations: ConversationData[];
  /** Roaming messages on the user's side of conversations taken off the list without ClearRamble. */
  unlistedConversations: ConversationData[];
  /** The user's conversation groups, with the conversation keys in each. */
  contactGroups: { name: string; id: number; conversations: string[] }[];
  /** Groups the user is a member of (AVChatRoom included), with role and join time. */
  groups: { groupId: string; type: GroupType; role: MemberRole; joinTime: number }[];
  /** GroupIds of the groups the user owns. */
  ownedGroups: string[];
  /** Messages the user sent that stay in live groups (out of reach of the erasure plan). */
  groupMessages: { groupId: string; messages: number }[];
  /** The user's set profile fields. */
  profile: Record<string, ProfileValue>;
  /** What other users hold about the user. */
  heldByOthers: {
    /** Users whose friend list holds the user (one-way holders included). */
    friendOf: string[];
    /** Users whose blocklist holds the user. */
    blockedBy: string[];
    /** Other users' one-to-one conversations with the user, with the roaming messages on their side. */
    conversations: { owner: string; messages: number; listed: boolean }[];
  };
}

function conversationData(conversation: Conversation): ConversationData {
  const { target } = conversation;
  return {
    type: target.type === 1 ? 'C2C' : 'Group',
    with: target.type === 1 ? target.peer : target.groupId,
    messages: conversation.messages,
    pinned: conversation.pinned,
    msgTime: conversation.msgTime,
  };
}

/**
 * Everything `data` holds about `userId`.
 * @example
 * const left = personalDataOf(data, 'alice');
 * left.friends; // [] after friend_delete_all
 */
export function personalDataOf(data: ChatData, userId: string): PersonalData {
  const conversations = data.conversations.allOf(userId);
  const memberships = data.groups.membershipsOf(userId);
  const liveGroups = data.groups.all();
  return {
    userId,
    accountExists: data.exists(userId),
    kicks: data.kicksOf(userId),
    friends: data.graph.friendsOf(userId),
    friendLists: data.graph.friendListsOf(userId),
    blocklist: data.blocklists.listOf(userId),
    following: data.follows.followingOf(userId),
    followers: data.follows.followersOf(userId),
    conversations: conversations.filter((c) => c.listed).map(conversationData),
    unlistedConversations: conversations.filter((c) => !c.listed).map(conversationData),
    contactGroups: data.contactGroups.groupsOf(userId),
    groups: memberships.map(({ group, member }) => ({
      groupId: group.groupId,
      type: group.type,
      role: member.role,
      joinTime: member.joinTime,
    })),
    ownedGroups: liveGroups.filter((group) => group.owner === userId).map((group) => group.groupId),
    groupMessages: liveGroups.flatMap((group) => {
      const messages = group.messagesBySender[userId] ?? 0;
      return messages > 0 ? [{ groupId: group.groupId, messages }] : [];
    }),
    profile: Object.fromEntries(data.profiles.get(userId).map(({ tag, value }) => [tag, value])),
    heldByOthers: {
      friendOf: data.graph.holdersOf(userId),
      blockedBy: data.blocklists.holdersOf(userId),
      conversations: data.conversations
        .c2cWith(userId)
        .filter(({ owner }) => owner !== userId)
        .map(({ owner, conversation }) => ({
          owner,
          messages: conversation.messages,
          listed: conversation.listed,
        })),
    },
  };
}
