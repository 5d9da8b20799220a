/**
 * Over loopback: the quiet faults an eraser must survive (ignore, stale-cursor, item-error), random and
 * error-code faults on the new commands, the per-command call limits, and one seed of every kind read
 * back through personalDataOf.
 */
import { describe, expect, it } from 'vitest';
import { type ChatSeed, UnknownAccountError } from '../../sim/chat-api/index.ts';
import { field, itemCodes, type Json, pageAll, START_SECONDS, useSimulator } from './chatApiTestClient.ts';

const h = useSimulator({ conversationPageSize: 2, contactGroupPageSize: 1, friendGetPageSize: 2 });

const blockGet = (startIndex: number) =>
  h.call('sns/black_list_get', {
    From_Account: 'alice',
    StartIndex: startIndex,
    MaxLimited: 2,
    LastSequence: 0,
  });
const friendGet = (startIndex: number) =>
  h.call('sns/friend_get', { From_Account: 'alice', StartIndex: startIndex });

/** alice with a bit of everything that is listed in pages of 2 (contact groups: 1). */
const aliceEverywhere: ChatSeed = {
  accounts: ['alice', 'bob', 'carol', 'dave'],
  friendships: [
    ['alice', 'bob', 'both'],
    ['alice', 'carol', 'both'],
    ['alice', 'dave', 'single'],
  ],
  blocklist: ['bob', 'carol', 'dave'].map((blocked) => ({ owner: 'alice', blocked })),
  follows: ['bob', 'carol', 'dave'].map((follower) => ({ follower, followee: 'alice' })),
  conversations: ['bob', 'carol', 'dave'].map((peer) => ({ owner: 'alice', peer })),
  contactGroups: [
    { owner: 'alice', name: 'one' },
    { owner: 'alice', name: 'two' },
  ],
  groups: ['g1', 'g2', 'g3'].map((groupId) => ({
    groupId,
    type: groupId === 'g3' ? 'Community' : 'Public',
    owner: 'bob',
    members: [{ account: 'alice' }, { account: 'carol' }, { account: 'dave' }],
  })),
};

describe('ignore', () => {
  it('a write answers OK as if done but changes nothing; the next call really does it', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'ignore', command: 'black_list_delete' });
    const ignored = await h.call('sns/black_list_delete', { From_Account: 'alice', To_Account: ['bob'] });
    expect(ignored).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0 });
    expect(itemCodes(ignored)).toEqual(['bob:0']);
    expect(h.sim.personalDataOf('alice').blocklist).toEqual(['bob', 'carol', 'dave']);
    await h.call('sns/black_list_delete', { From_Account: 'alice', To_Account: ['bob'] });
    expect(h.sim.personalDataOf('alice').blocklist).toEqual(['carol', 'dave']);
    expect(h.sim.requests.map((entry) => entry.fault)).toEqual(['ignore', undefined]);
  });

  it('only writes: a read leaves the fault pending; friend_delete_all, destroy_group and account_delete ignored too', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'ignore', times: 3 });
    expect((await friendGet(0)).ErrorCode).toBe(0);
    expect(h.sim.pendingFaults()).toHaveLength(1);
    await h.call('sns/friend_delete_all', { From_Account: 'alice', DeleteType: 'Delete_Type_Both' });
    await h.call('group_open_http_svc/destroy_group', { GroupId: 'g1' });
    const deleted = await h.call('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'alice' }] });
    expect(itemCodes(deleted, 'UserID')).toEqual(['alice:0']);
    expect(h.sim.personalDataOf('alice')).toMatchObject({
      accountExists: true,
      friends: ['bob', 'carol', 'dave'],
    });
    expect(h.sim.groupOf('g1')).toBeDefined();
    expect(h.sim.pendingFaults()).toEqual([]);
  });
});

describe('stale-cursor', () => {
  it('friend_get and black_list_get repeat the asked page, cursor not advanced, not complete', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'stale-cursor', command: 'friend_get', times: 2 });
    const first = await friendGet(0);
    expect(first).toMatchObject({ NextStartIndex: 0, CompleteFlag: 0 });
    expect(field(first.UserDataItem, 'To_Account')).toEqual(['bob', 'carol']);
    expect(await friendGet(0)).toMatchObject({ NextStartIndex: 0, CompleteFlag: 0 });
    expect(await friendGet(0)).toMatchObject({ NextStartIndex: 2, CompleteFlag: 0 });

    h.sim.injectFault({ type: 'stale-cursor', command: 'sns/black_list_get' });
    const stale = await blockGet(2);
    expect(stale).toMatchObject({ StartIndex: 2 });
    expect(field(stale.BlackListItem, 'To_Account')).toEqual(['dave']);
  });

  it('with times Infinity a page repeats for ever: a bounded pager gives up (follow_get, even its first page)', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'stale-cursor', command: 'follow_get', times: Number.POSITIVE_INFINITY });
    const followGet = (cursor: string) =>
      h.call('follow/follow_get', { From_Account: 'alice', FollowType: 1, StartCursor: cursor, WantNum: 2 });
    const first = await followGet('');
    expect(first.NextCursor).not.toBe('');
    expect(field((await followGet(first.NextCursor as string)).FollowItem, 'To_Account')).toEqual([
      'bob',
      'carol',
    ]);
    await expect(
      pageAll(
        '',
        followGet,
        (answer) => ({ done: answer.NextCursor === '', next: answer.NextCursor as string }),
        5,
      ),
    ).rejects.toThrow(/no completion/);
    h.sim.clearFaults();
    expect((await followGet('')).NextCursor).not.toBe('');
  });

  it('get_list keeps all four cursors and CompleteFlag 0; get_contact_group keeps NextStartIndex', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'stale-cursor', command: 'get_list' });
    const cursors = { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 };
    const stale = await h.call('recentcontact/get_list', {
      From_Account: 'alice',
      ...cursors,
      AssistFlags: 7,
    });
    expect(stale).toMatchObject({ ...cursors, CompleteFlag: 0 });
    expect(field(stale.SessionItem, 'To_Account')).toEqual(['bob', 'carol']);

    h.sim.injectFault({ type: 'stale-cursor', command: 'get_contact_group' });
    const groups = await h.call('recentcontact/get_contact_group', { From_Account: 'alice', StartIndex: 1 });
    expect(groups).toMatchObject({ NextStartIndex: 1, CompleteFlag: 0, GroupItem: [{ GroupName: 'two' }] });
  });

  it('offset-paged group listings answer their first page whatever the Offset; Community Next does not advance', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'stale-cursor', command: 'get_joined_group_list' });
    const joined = await h.call('group_open_http_svc/get_joined_group_list', {
      Member_Account: 'alice',
      Limit: 2,
      Offset: 2,
    });
    expect(field(joined.GroupIdList, 'GroupId')).toEqual(['g1', 'g2']);

    h.sim.injectFault({ type: 'stale-cursor', command: 'get_group_member_info', times: 2 });
    const members = await h.call('group_open_http_svc/get_group_member_info', {
      GroupId: 'g1',
      Limit: 2,
      Offset: 2,
    });
    expect(field(members.MemberList, 'Member_Account')).toEqual(['bob', 'alice']);
    const community = await h.call('group_open_http_svc/get_group_member_info', { GroupId: 'g3', Limit: 2 });
    expect(community.Next).not.toBe('');
    const again = await h.call('group_open_http_svc/get_group_member_info', {
      GroupId: 'g3',
      Limit: 2,
      Next: community.Next,
    });
    expect(field(again.MemberList, 'Member_Account')).toEqual(['bob', 'alice']);
  });
});

describe('item-error', () => {
  it('fails the listed items with the code (and Fail_Account), applies the rest', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'item-error', code: 30006, items: ['bob'], command: 'black_list_delete' });
    const answer = await h.call('sns/black_list_delete', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
    });
    expect(answer).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, Fail_Account: ['bob'] });
    expect(answer.ResultItem).toEqual([
      { To_Account: 'bob', ResultCode: 30006, ResultInfo: expect.any(String) },
      { To_Account: 'carol', ResultCode: 0, ResultInfo: '' },
    ]);
    expect(h.sim.personalDataOf('alice').blocklist).toEqual(['bob', 'dave']);
    expect(h.sim.requests.at(-1)?.fault).toBe('item-error:30006');
  });

  it('without items fails them all; follow_delete has no Fail_Account; account_delete keys by UserID', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'item-error', code: 30007, info: 'Err_SNS_Timeout', command: 'follow_delete' });
    const follows = await h.call('follow/follow_delete', { From_Account: 'bob', To_Account: ['alice'] });
    expect(follows.ResultItem).toEqual([
      { To_Account: 'alice', ResultCode: 30007, ResultInfo: 'Err_SNS_Timeout' },
    ]);
    expect(follows).not.toHaveProperty('Fail_Account');
    expect(h.sim.personalDataOf('alice').followers).toContain('bob');

    h.sim.injectFault({ type: 'item-error', code: 70500, items: ['carol'] });
    // Not a batch write: the fault waits for one.
    expect((await h.call('im_open_login_svc/kick', { UserID: 'alice' })).ErrorCode).toBe(0);
    const deleted = await h.call('im_open_login_svc/account_delete', {
      DeleteItem: [{ UserID: 'carol' }, { UserID: 'dave' }],
    });
    expect(itemCodes(deleted, 'UserID')).toEqual(['carol:70500', 'dave:0']);
    expect([h.sim.hasAccount('carol'), h.sim.hasAccount('dave')]).toEqual([true, false]);
  });

  it('a code of 0 is not a fault', () => {
    expect(() => h.sim.injectFault({ type: 'item-error', code: 0 })).toThrow();
  });
});

describe('error codes and random faults on every command', () => {
  it('group 10002 (transient) is reachable by injection, answered in the group shape', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.injectFault({ type: 'error-code', code: 10002, command: 'group_open_http_svc/destroy_group' });
    expect(await h.call('group_open_http_svc/destroy_group', { GroupId: 'g1' })).toEqual({
      ActionStatus: 'FAIL',
      ErrorInfo: expect.any(String),
      ErrorCode: 10002,
    });
    expect(h.sim.groupOf('g1')).toBeDefined();
  });

  it('random faults apply to the new commands; quiet ones only where they fit', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.setRandomFaults({ seed: 7, probability: 1, faults: [{ type: 'error-code', code: 40006 }] });
    expect(
      await h.call('profile/portrait_get', { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nick'] }),
    ).toMatchObject({ ErrorCode: 40006, ErrorDisplay: '' });
    h.sim.setRandomFaults({ seed: 7, probability: 1, faults: [{ type: 'ignore' }] });
    expect(
      (
        await h.call('recentcontact/delete', {
          From_Account: 'alice',
          Type: 1,
          To_Account: 'bob',
          ClearRamble: 1,
        })
      ).ErrorCode,
    ).toBe(0);
    expect(h.sim.personalDataOf('alice').conversations).toHaveLength(3);
    expect(field((await friendGet(0)).UserDataItem, 'To_Account')).toEqual(['bob', 'carol']);
    h.sim.setRandomFaults(null);
  });
});

describe('per-command call limits', () => {
  const burst = (count: number, run: () => Promise<Json>) =>
    Promise.all(Array.from({ length: count }, run)).then((answers) =>
      answers.map((answer) => answer.ErrorCode),
    );
  const count = (codes: unknown[], code: number) => codes.filter((value) => value === code).length;

  it('two commands each get their full limit in the same second', async () => {
    h.sim.seed(aliceEverywhere);
    h.sim.setCallsPerSecond(30);
    const [friends, blocks] = await Promise.all([
      burst(31, () => friendGet(0)),
      burst(31, () => blockGet(0)),
    ]);
    expect([count(friends, 0), count(friends, 60007)]).toEqual([30, 1]);
    expect([count(blocks, 0), count(blocks, 60007)]).toEqual([30, 1]);
    expect(h.sim.counters.throttled).toBe(2);
  });

  it('account_delete / account_check keep 100 (or less); one command can get its own limit', async () => {
    expect(h.sim.callsPerSecondOf('im_open_login_svc/account_check')).toBe(100);
    expect(h.sim.callsPerSecondOf('sns/friend_get')).toBe(200);
    h.sim.setCallsPerSecond(50);
    expect(h.sim.callsPerSecondOf('im_open_login_svc/account_delete')).toBe(50);
    h.sim.setCallsPerSecond(1000);
    expect(h.sim.callsPerSecondOf('im_open_login_svc/account_delete')).toBe(100);
    expect(h.sim.callsPerSecondOf('im_open_login_svc/multiaccount_import')).toBe(100);
    const checks = await burst(101, () =>
      h.call('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'x' }] }),
    );
    expect([count(checks, 0), count(checks, 60007)]).toEqual([100, 1]);

    h.sim.seed({ accounts: ['alice'] });
    h.sim.setCommandCallsPerSecond('follow/follow_delete', 2);
    const unfollow = () => h.call('follow/follow_delete', { From_Account: 'alice', To_Account: ['alice2'] });
    expect(await burst(3, unfollow)).toEqual(expect.arrayContaining([60007]));
    expect((await h.call('follow/follow_get', { From_Account: 'alice', FollowType: 1 })).ErrorCode).toBe(0);
    h.sim.setCommandCallsPerSecond('follow/follow_delete', null);
    expect(h.sim.callsPerSecondOf('follow/follow_delete')).toBe(1000);
    h.clock.ms += 1000;
    expect(count(await burst(3, unfollow), 60007)).toBe(0);
    expect(() => h.sim.setCommandCallsPerSecond('follow_delete', 5)).toThrow();
  });
});

describe('seed and personalDataOf', () => {
  it('one seed gives a user data of every kind; personalDataOf reads it all back, with what others hold', async () => {
    h.sim.seed({
      accounts: ['u', 'a', 'b', 'c'],
      friendships: [
        ['u', 'a', 'both'],
        ['u', 'b', 'single'],
        ['c', 'u', 'single'],
      ],
      friendLists: [{ owner: 'u', name: 'close', members: ['a'] }],
      blocklist: [
        { owner: 'u', blocked: 'b', addedAt: 100 },
        { owner: 'c', blocked: 'u' },
      ],
      follows: [
        { follower: 'u', followee: 'a' },
        { follower: 'b', followee: 'u' },
      ],
      conversations: [
        { owner: 'u', peer: 'a', messages: 4, peerMessages: 6, msgTime: 500, pinned: true },
        { owner: 'u', groupId: 'grp', messages: 2, msgTime: 400 },
        { owner: 'c', peer: 'u', messages: 1, msgTime: 300 },
      ],
      contactGroups: [{ owner: 'u', name: 'fav', conversations: [{ peer: 'a' }, { groupId: 'grp' }] }],
      groups: [
        {
          groupId: 'grp',
          type: 'Public',
          owner: 'u',
          createTime: 10,
          members: [{ account: 'a', joinTime: 20, messages: 3 }],
        },
        {
          groupId: 'room',
          type: 'AVChatRoom',
          owner: 'a',
          members: [{ account: 'u', role: 'Admin', joinTime: 30, messages: 5 }],
        },
      ],
      profiles: [{ account: 'u', fields: { Tag_Profile_IM_Nick: 'You', Tag_Profile_IM_Level: 2 } }],
    });
    await h.call('im_open_login_svc/kick', { UserID: 'u' });
    expect(h.sim.personalDataOf('u')).toEqual({
      userId: 'u',
      accountExists: true,
      kicks: 1,
      friends: ['a', 'b'],
      friendLists: [{ name: 'close', members: ['a'] }],
      blocklist: ['b'],
      following: ['a'],
      followers: ['b'],
      conversations: [
        { type: 'C2C', with: 'a', messages: 4, pinned: true, msgTime: 500 },
        { type: 'Group', with: 'grp', messages: 2, pinned: false, msgTime: 400 },
      ],
      unlistedConversations: [],
      contactGroups: [{ name: 'fav', id: 1, conversations: ['c2c:a', 'group:grp'] }],
      groups: [
        { groupId: 'grp', type: 'Public', role: 'Owner', joinTime: 10 },
        { groupId: 'room', type: 'AVChatRoom', role: 'Admin', joinTime: 30 },
      ],
      ownedGroups: ['grp'],
      groupMessages: [{ groupId: 'room', messages: 5 }],
      profile: { Tag_Profile_IM_Nick: 'You', Tag_Profile_IM_Level: 2 },
      heldByOthers: {
        friendOf: ['a', 'c'],
        blockedBy: ['c'],
        conversations: [
          { owner: 'a', messages: 6, listed: true },
          { owner: 'c', messages: 1, listed: true },
        ],
      },
    });
    expect(h.sim.groupOf('grp')?.messagesBySender).toEqual({ a: 3 });
    expect(h.sim.personalDataOf('b').blocklist).toEqual([]);
    expect(h.sim.personalDataOf('a').conversations[0]).toMatchObject({ with: 'u', msgTime: 500 });
  });

  it('refuses unknown accounts and unknown seed keys; default times come from the clock', () => {
    expect(() => h.sim.seed({ follows: [{ follower: 'nobody', followee: 'x' }] })).toThrow(
      UnknownAccountError,
    );
    expect(() => h.sim.seed({ accounts: ['a'], bogus: [] } as unknown as ChatSeed)).toThrow();
    h.sim.seed({
      accounts: ['a', 'b'],
      follows: [{ follower: 'a', followee: 'b' }],
      conversations: [{ owner: 'a', peer: 'b' }],
    });
    expect(h.sim.personalDataOf('a').conversations[0]?.msgTime).toBe(START_SECONDS);
  });

  it('sets feature switches too', () => {
    h.sim.seed({ features: { follow: false, accountDelete: false } });
    expect(h.sim.features).toEqual({ follow: false, contactGroups: true, accountDelete: false });
  });
});
