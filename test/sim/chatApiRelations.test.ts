/**
 * The relationship commands over loopback: friend lists (group_get / group_delete), blocklists
 * (black_list_get / black_list_delete) and follows (follow_get / follow_delete), with paging to
 * completion, batch limits, per-item results, not-found codes and the follow feature switch.
 */
import { describe, expect, it } from 'vitest';
import { NOT_IN_BLOCKLIST } from '../../sim/chat-api/index.ts';
import { field, itemCodes, type Json, pageAll, START_SECONDS, useSimulator } from './chatApiTestClient.ts';

const h = useSimulator();
const names = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(4, '0')}`);

describe('friend lists (group_get / group_delete)', () => {
  it('lists names with FriendNumber, members only with NeedFriend, empty lists included', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob', 'carol'],
      friendships: [
        ['alice', 'bob', 'both'],
        ['alice', 'carol', 'single'],
      ],
      friendLists: [
        { owner: 'alice', name: 'work', members: ['bob', 'carol'] },
        { owner: 'alice', name: 'family', members: ['bob'] },
        { owner: 'alice', name: 'empty' },
      ],
    });
    const basic = await h.call('sns/group_get', { From_Account: 'alice', LastSequence: 0 });
    expect(basic).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, ErrorDisplay: '' });
    expect(basic.ResultItem).toEqual([
      { GroupName: 'work', FriendNumber: 2 },
      { GroupName: 'family', FriendNumber: 1 },
      { GroupName: 'empty', FriendNumber: 0 },
    ]);
    expect(basic.CurrentSequence).toEqual(expect.any(Number));
    const full = await h.call('sns/group_get', {
      From_Account: 'alice',
      NeedFriend: 'Need_Friend_Type_Yes',
      GroupName: ['work', 'nope'],
    });
    expect(full.ResultItem).toEqual([{ GroupName: 'work', FriendNumber: 2, To_Account: ['bob', 'carol'] }]);
    // friend_get shows the membership as Tag_SNS_IM_Group.
    const friends = await h.call('sns/friend_get', { From_Account: 'alice', StartIndex: 0 });
    expect((friends.UserDataItem as Json[])[0]?.ValueItem).toContainEqual({
      Tag: 'Tag_SNS_IM_Group',
      Value: ['work', 'family'],
    });
  });

  it('friend_import with GroupName creates the list; friend_delete_all keeps the names; group_delete removes them', async () => {
    h.sim.seed({ accounts: ['alice', 'bob'] });
    await h.call('sns/friend_import', {
      From_Account: 'alice',
      AddFriendItem: [{ To_Account: 'bob', AddSource: 'AddSource_Type_Test', GroupName: ['colleagues'] }],
    });
    expect(h.sim.personalDataOf('alice').friendLists).toEqual([{ name: 'colleagues', members: ['bob'] }]);
    await h.call('sns/friend_delete_all', { From_Account: 'alice', DeleteType: 'Delete_Type_Both' });
    const after = await h.call('sns/group_get', {
      From_Account: 'alice',
      NeedFriend: 'Need_Friend_Type_Yes',
    });
    expect(after.ResultItem).toEqual([{ GroupName: 'colleagues', FriendNumber: 0, To_Account: [] }]);

    const deleted = await h.call('sns/group_delete', {
      From_Account: 'alice',
      GroupName: ['colleagues', 'ghost'],
    });
    expect(deleted).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, CurrentSequence: expect.any(Number) });
    expect(await h.call('sns/group_get', { From_Account: 'alice' })).not.toHaveProperty('ResultItem');
    // Repeating is harmless.
    expect(
      (await h.call('sns/group_delete', { From_Account: 'alice', GroupName: ['colleagues'] })).ErrorCode,
    ).toBe(0);
  });

  it('group_delete takes the name off the friends who stay friends', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      friendships: [['alice', 'bob', 'single']],
      friendLists: [
        { owner: 'alice', name: 'a', members: ['bob'] },
        { owner: 'alice', name: 'b', members: ['bob'] },
      ],
    });
    await h.call('sns/group_delete', { From_Account: 'alice', GroupName: ['a'] });
    expect(h.sim.personalDataOf('alice')).toMatchObject({
      friends: ['bob'],
      friendLists: [{ name: 'b', members: ['bob'] }],
    });
  });

  it('refuses bad fields (30001) and unknown accounts (30003)', async () => {
    h.sim.seed({ accounts: ['alice'] });
    expect((await h.call('sns/group_delete', { From_Account: 'alice', GroupName: [] })).ErrorCode).toBe(
      30001,
    );
    expect((await h.call('sns/group_delete', { From_Account: 'alice' })).ErrorCode).toBe(30001);
    expect((await h.call('sns/group_get', { From_Account: 'ghost' })).ErrorCode).toBe(30003);
    expect(() =>
      h.sim.seed({ friendLists: names(33, 'l').map((name) => ({ owner: 'alice', name })) }),
    ).toThrow(/32/);
  });
});

describe('blocklists (black_list_get / black_list_delete)', () => {
  const blockGet = (startIndex: number, maxLimited = 100) =>
    h.call('sns/black_list_get', {
      From_Account: 'alice',
      StartIndex: startIndex,
      MaxLimited: maxLimited,
      LastSequence: 0,
    });

  it('pages by StartIndex until it comes back 0, with AddBlackTimeStamp and CurruentSequence', async () => {
    const blocked = names(230, 'b');
    h.sim.seed({
      accounts: ['alice', ...blocked],
      blocklist: blocked.map((account, index) => ({
        owner: 'alice',
        blocked: account,
        addedAt: 1_600_000_000 + index,
      })),
    });
    const pages = await pageAll(
      0,
      (start) => blockGet(start),
      (answer) => ({
        done: answer.StartIndex === 0,
        next: answer.StartIndex as number,
      }),
    );
    expect(pages.map((page) => [(page.BlackListItem as Json[]).length, page.StartIndex])).toEqual([
      [100, 100],
      [100, 200],
      [30, 0],
    ]);
    expect(pages.flatMap((page) => field(page.BlackListItem, 'To_Account'))).toEqual(blocked);
    expect(pages[0]?.BlackListItem).toContainEqual({ To_Account: 'b0001', AddBlackTimeStamp: 1_600_000_001 });
    expect(pages[0]).toMatchObject({ CurruentSequence: expect.any(Number), ErrorDisplay: '' });
  });

  it('deletes per item: not on the list -> documented-looking 31704, unknown account -> 30003, with Fail_Account', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob', 'carol', 'dave'],
      blocklist: [
        { owner: 'alice', blocked: 'bob' },
        { owner: 'alice', blocked: 'carol' },
        { owner: 'dave', blocked: 'alice' },
      ],
    });
    const answer = await h.call('sns/black_list_delete', {
      From_Account: 'alice',
      To_Account: ['bob', 'dave', 'ghost'],
    });
    expect(answer).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, Fail_Account: ['dave', 'ghost'] });
    expect(itemCodes(answer)).toEqual(['bob:0', `dave:${NOT_IN_BLOCKLIST.code}`, 'ghost:30003']);
    expect(h.sim.personalDataOf('alice')).toMatchObject({
      blocklist: ['carol'],
      heldByOthers: { blockedBy: ['dave'] },
    });
    const clean = await h.call('sns/black_list_delete', { From_Account: 'alice', To_Account: ['carol'] });
    expect(clean).not.toHaveProperty('Fail_Account');
    expect(await blockGet(0)).toMatchObject({ StartIndex: 0 });
    expect(await blockGet(0)).not.toHaveProperty('BlackListItem.0');
  });

  it('friend_delete_all does not clear blocklists; a deleted account on the list is still removable', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      friendships: [['alice', 'bob', 'both']],
      blocklist: [{ owner: 'alice', blocked: 'bob' }],
    });
    await h.call('sns/friend_delete_all', { From_Account: 'alice', DeleteType: 'Delete_Type_Both' });
    expect(h.sim.personalDataOf('alice').blocklist).toEqual(['bob']);
    await h.call('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'bob' }] });
    expect(
      itemCodes(await h.call('sns/black_list_delete', { From_Account: 'alice', To_Account: ['bob'] })),
    ).toEqual(['bob:0']);
  });

  it('limits: 1,000 per delete, MaxLimited required and positive, 1,000 entries per user (seed)', async () => {
    h.sim.seed({ accounts: ['alice'] });
    const tooMany = { From_Account: 'alice', To_Account: names(1001, 'x') };
    expect((await h.call('sns/black_list_delete', tooMany)).ErrorCode).toBe(30001);
    expect((await h.call('sns/black_list_delete', { From_Account: 'alice', To_Account: [] })).ErrorCode).toBe(
      30001,
    );
    expect(
      (await h.call('sns/black_list_get', { From_Account: 'alice', StartIndex: 0, LastSequence: 0 }))
        .ErrorCode,
    ).toBe(30001);
    expect((await blockGet(0, 0)).ErrorCode).toBe(30001);
    expect(
      (
        await h.call('sns/black_list_get', {
          From_Account: 'ghost',
          StartIndex: 0,
          MaxLimited: 1,
          LastSequence: 0,
        })
      ).ErrorCode,
    ).toBe(30003);
    const many = names(1001, 'm');
    h.sim.importAccounts(many);
    expect(() => h.sim.seed({ blocklist: many.map((blocked) => ({ owner: 'alice', blocked })) })).toThrow(
      /1000/,
    );
  });
});

describe('follows (follow_get / follow_delete)', () => {
  const followGet = (from: string, type: number, cursor: string, wantNum = 100) =>
    h.call('follow/follow_get', {
      From_Account: from,
      FollowType: type,
      StartCursor: cursor,
      WantNum: wantNum,
    });
  const listAll = async (from: string, type: number, wantNum = 100) => {
    const pages = await pageAll(
      '',
      (cursor) => followGet(from, type, cursor, wantNum),
      (answer) => ({
        done: answer.NextCursor === '',
        next: answer.NextCursor as string,
      }),
    );
    return pages.flatMap((page) => field(page.FollowItem, 'To_Account'));
  };

  it('FollowType 1 followers, 2 following, 3 mutual; pages by the opaque cursor until ""', async () => {
    const fans = names(250, 'fan');
    h.sim.seed({
      accounts: ['star', 'idol', 'pal', ...fans],
      follows: [
        ...fans.map((fan) => ({ follower: fan, followee: 'star', followedAt: 1_650_000_000 })),
        { follower: 'star', followee: 'idol' },
        { follower: 'star', followee: 'pal' },
        { follower: 'pal', followee: 'star' },
      ],
    });
    expect(await listAll('star', 1, 100)).toEqual([...fans, 'pal']);
    expect(await listAll('star', 2)).toEqual(['idol', 'pal']);
    expect(await listAll('star', 3)).toEqual(['pal']);
    const first = await followGet('star', 1, '', 100);
    expect(first).toMatchObject({
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorDisplay: '',
      NextCursor: expect.any(String),
    });
    expect((first.FollowItem as Json[])[0]).toEqual({ To_Account: 'fan0000', FollowTime: 1_650_000_000 });
    expect(await followGet('star', 2, '', 1)).toMatchObject({
      FollowItem: [{ To_Account: 'idol', FollowTime: START_SECONDS }],
    });
  });

  it('follow_delete: From_Account stops following each To_Account; per-item 30003 for an unknown account', async () => {
    h.sim.seed({
      accounts: ['user', 'fan', 'idol', 'other'],
      follows: [
        { follower: 'fan', followee: 'user' },
        { follower: 'user', followee: 'idol' },
      ],
    });
    // Removing the user from a follower's list: From_Account = the follower.
    const fromFan = await h.call('follow/follow_delete', { From_Account: 'fan', To_Account: ['user'] });
    expect(fromFan).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0 });
    expect(itemCodes(fromFan)).toEqual(['user:0']);
    const own = await h.call('follow/follow_delete', {
      From_Account: 'user',
      To_Account: ['idol', 'other', 'ghost'],
    });
    // Not followed: success (idempotent); unknown: 30003. The documented answer has no Fail_Account.
    expect(itemCodes(own)).toEqual(['idol:0', 'other:0', 'ghost:30003']);
    expect(own).not.toHaveProperty('Fail_Account');
    expect(h.sim.personalDataOf('user')).toMatchObject({ following: [], followers: [] });
    expect(await listAll('user', 1)).toEqual([]);
  });

  it('limits: at most 20 per follow_delete (21 refused), WantNum <= 1,000, a foreign cursor refused', async () => {
    h.sim.seed({ accounts: ['user'] });
    expect(
      (await h.call('follow/follow_delete', { From_Account: 'user', To_Account: names(21, 'x') })).ErrorCode,
    ).toBe(30001);
    expect(
      (await h.call('follow/follow_delete', { From_Account: 'user', To_Account: names(20, 'x') })).ErrorCode,
    ).toBe(0);
    expect((await followGet('user', 1, '', 1001)).ErrorCode).toBe(30001);
    expect((await followGet('user', 4, '')).ErrorCode).toBe(30001);
    expect((await followGet('user', 1, 'not-a-cursor')).ErrorCode).toBe(30001);
    expect((await followGet('ghost', 1, '')).ErrorCode).toBe(30003);
  });

  it('feature off: every follow command answers 30005, before anything else', async () => {
    h.sim.seed({ accounts: ['user'], follows: [] });
    h.sim.setFeatures({ follow: false });
    expect(h.sim.features.follow).toBe(false);
    expect(await followGet('user', 1, '')).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 30005 });
    expect((await h.call('follow/follow_delete', { From_Account: 'ghost', To_Account: [] })).ErrorCode).toBe(
      30005,
    );
    h.sim.setFeatures({ follow: true });
    expect((await followGet('user', 1, '')).ErrorCode).toBe(0);
  });
});
