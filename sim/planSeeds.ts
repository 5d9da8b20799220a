/**
 * Users with data of every kind the erasure plan removes, seeded into the Chat API simulator: shared by
 * the end-to-end tests and `npm start`'s full-plan run.
 */
import type { ChatApiSimulator } from './chat-api/index.ts';

export const FULL_PLAN = 'kick,friends,blocklist,follows,conversations,groups,profile,account';

export const CUSTOM_TAGS = 'Tag_Profile_Custom_Hobby, Tag_Profile_Custom_Score:int';

/** The same custom fields as the simulator's app configures them (`customProfileTags`). */
export const SIMULATOR_CUSTOM_TAGS = [
  'Tag_Profile_Custom_Hobby',
  { tag: 'Tag_Profile_Custom_Score', type: 'integer' as const },
];

/** The accounts around one user, named from its id so tests do not collide. */
export function peopleAround(userId: string) {
  return {
    friendA: `${userId}_fa`,
    friendB: `${userId}_fb`,
    oneWayHolder: `${userId}_ow`,
    blocked: `${userId}_bl`,
    blockedBy: `${userId}_bb`,
    followed: `${userId}_fd`,
    follower: `${userId}_fr`,
    peer: `${userId}_pe`,
    member: `${userId}_me`,
    elder: `${userId}_el`,
  };
}

/**
 * Gives `userId` data of every kind: friends both ways and a one-way holder, friend lists, a blocklist
 * (and an entry another user holds), follows both ways, conversations (one-to-one and group) with
 * messages on both sides, a contact group, groups of every type with the user as member or owner
 * (a Public group to hand over, a Work group with nobody else, an AVChatRoom owned and one only joined),
 * and a profile with standard and custom fields.
 * @example
 * const people = seedFullUser(world.chat, 'plan_full');
 */
export function seedFullUser(chat: ChatApiSimulator, userId: string) {
  const p = peopleAround(userId);
  const groupIds = {
    member: `${userId}-g-member`,
    handOver: `${userId}-g-handover`,
    alone: `${userId}-g-alone`,
    ownedLive: `${userId}-g-ownedlive`,
    joinedLive: `${userId}-g-joinedlive`,
    community: `${userId}-g-community`,
  };
  chat.seed({
    accounts: [userId, ...Object.values(p)],
    friendships: [
      [userId, p.friendA, 'both'],
      [userId, p.friendB, 'both'],
      [p.oneWayHolder, userId, 'single'],
    ],
    friendLists: [
      { owner: userId, name: 'close', members: [p.friendA] },
      { owner: userId, name: 'empty-list' },
    ],
    blocklist: [
      { owner: userId, blocked: p.blocked },
      { owner: p.blockedBy, blocked: userId },
    ],
    follows: [
      { follower: userId, followee: p.followed },
      { follower: p.follower, followee: userId },
    ],
    conversations: [
      { owner: userId, peer: p.peer, messages: 5, peerMessages: 4 },
      { owner: userId, groupId: groupIds.member, messages: 2 },
      { owner: userId, peer: p.friendA, messages: 0 },
    ],
    contactGroups: [{ owner: userId, name: 'work', conversations: [{ peer: p.peer }] }],
    groups: [
      {
        groupId: groupIds.member,
        type: 'Public',
        owner: p.member,
        members: [{ account: userId, joinTime: 1_700_000_100, messages: 3 }],
      },
      {
        groupId: groupIds.handOver,
        type: 'Public',
        owner: userId,
        members: [
          { account: userId, role: 'Owner', joinTime: 1_700_000_000 },
          { account: p.member, joinTime: 1_700_000_300 },
          { account: p.elder, joinTime: 1_700_000_200 },
        ],
      },
      { groupId: groupIds.alone, type: 'Work', owner: userId },
      { groupId: groupIds.ownedLive, type: 'AVChatRoom', owner: userId, members: [{ account: p.member }] },
      { groupId: groupIds.joinedLive, type: 'AVChatRoom', owner: p.member, members: [{ account: userId }] },
      {
        groupId: groupIds.community,
        type: 'Community',
        owner: p.elder,
        members: [{ account: userId, joinTime: 1_700_000_400 }],
      },
    ],
    profiles: [
      {
        account: userId,
        fields: {
          Tag_Profile_IM_Nick: 'Full User',
          Tag_Profile_IM_Gender: 'Gender_Type_Female',
          Tag_Profile_IM_BirthDay: 19900101,
          Tag_Profile_IM_Location: 'Berlin',
          Tag_Profile_IM_SelfSignature: 'hello',
          Tag_Profile_IM_Image: 'https://example.com/a.png',
          Tag_Profile_IM_Level: 3,
          Tag_Profile_Custom_Hobby: 'chess',
          Tag_Profile_Custom_Score: 42,
        },
      },
    ],
  });
  return { people: p, groupIds };
}
