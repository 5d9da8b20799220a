/**
 * The group commands over loopback: get_joined_group_list (filters, TotalCount, paging, 10018),
 * get_group_member_info (paging, Community's Next, AVChatRoom), change_group_owner (must be a member,
 * not AVChatRoom), delete_group_member (safe to repeat, the owner refused, AVChatRoom refused, messages
 * stay), destroy_group (every type; 10010 after, 10015 for ids never seen).
 */
import { describe, expect, it } from 'vitest';
import type { ChatSeed } from '../../sim/chat-api/index.ts';
import { field, type Json, pageAll, useSimulator } from './chatApiTestClient.ts';

const h = useSimulator();

const JOIN = 1_700_000_000;

/** alice in a group of every type, with different roles; bob and carol are members too. */
const everyType: ChatSeed = {
  accounts: ['alice', 'bob', 'carol'],
  groups: [
    {
      groupId: 'pub',
      type: 'Public',
      owner: 'alice',
      createTime: JOIN,
      members: [
        { account: 'alice', joinTime: JOIN },
        { account: 'bob', joinTime: JOIN + 5 },
      ],
    },
    {
      groupId: 'work',
      type: 'Work',
      owner: 'bob',
      members: [
        { account: 'bob', joinTime: JOIN },
        { account: 'alice', role: 'Admin', joinTime: JOIN + 1 },
      ],
    },
    {
      groupId: 'dormant',
      type: 'Private',
      owner: 'bob',
      activated: false,
      members: [{ account: 'alice', joinTime: JOIN + 2 }],
    },
    { groupId: 'meet', type: 'Meeting', owner: 'carol', members: [{ account: 'alice', joinTime: JOIN + 3 }] },
    {
      groupId: 'live',
      type: 'AVChatRoom',
      owner: 'carol',
      members: [{ account: 'alice', joinTime: JOIN + 4 }],
    },
    {
      groupId: 'club',
      type: 'Community',
      owner: 'carol',
      members: [{ account: 'alice', joinTime: JOIN + 6, messages: 4 }],
    },
  ],
};

const joined = (body: Json) =>
  h.call('group_open_http_svc/get_joined_group_list', { Member_Account: 'alice', ...body });
const memberInfo = (body: Json) => h.call('group_open_http_svc/get_group_member_info', body);

describe('get_joined_group_list', () => {
  it('without flags: no AVChatRoom, no never-activated Work group; without a filter only GroupId; no ErrorDisplay', async () => {
    h.sim.seed(everyType);
    const answer = await joined({});
    expect(answer).toEqual({
      TotalCount: 4,
      GroupIdList: [{ GroupId: 'pub' }, { GroupId: 'work' }, { GroupId: 'meet' }, { GroupId: 'club' }],
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
  });

  it('WithHugeGroups and WithNoActiveGroups add them; ResponseFilter adds Type, Owner_Account and SelfInfo', async () => {
    h.sim.seed(everyType);
    const answer = await joined({
      WithHugeGroups: 1,
      WithNoActiveGroups: 1,
      ResponseFilter: {
        GroupBaseInfoFilter: ['Type', 'Owner_Account', 'Unknown'],
        SelfInfoFilter: ['Role', 'JoinTime'],
      },
    });
    expect(answer.TotalCount).toBe(6);
    expect(answer.GroupIdList).toEqual([
      { GroupId: 'pub', Type: 'Public', Owner_Account: 'alice', SelfInfo: { Role: 'Owner', JoinTime: JOIN } },
      {
        GroupId: 'work',
        Type: 'Private',
        Owner_Account: 'bob',
        SelfInfo: { Role: 'Admin', JoinTime: JOIN + 1 },
      },
      {
        GroupId: 'dormant',
        Type: 'Private',
        Owner_Account: 'bob',
        SelfInfo: { Role: 'Member', JoinTime: JOIN + 2 },
      },
      {
        GroupId: 'meet',
        Type: 'ChatRoom',
        Owner_Account: 'carol',
        SelfInfo: { Role: 'Member', JoinTime: JOIN + 3 },
      },
      {
        GroupId: 'live',
        Type: 'AVChatRoom',
        Owner_Account: 'carol',
        SelfInfo: { Role: 'Member', JoinTime: JOIN + 4 },
      },
      {
        GroupId: 'club',
        Type: 'Community',
        Owner_Account: 'carol',
        SelfInfo: { Role: 'Member', JoinTime: JOIN + 6 },
      },
    ]);
    const work = await joined({ GroupType: 'Work', WithNoActiveGroups: 1 });
    expect(field(work.GroupIdList, 'GroupId')).toEqual(['work', 'dormant']);
  });

  it('Limit/Offset page; TotalCount ignores them; checks fields (10004) and the account (10019)', async () => {
    h.sim.seed(everyType);
    const pages = await pageAll(
      0,
      (offset) => joined({ Limit: 4, Offset: offset, WithHugeGroups: 1, WithNoActiveGroups: 1 }),
      (answer) => {
        const got = field(answer.GroupIdList, 'GroupId').length;
        return { done: got < 4, next: 4 };
      },
    );
    expect(pages.map((page) => [page.TotalCount, field(page.GroupIdList, 'GroupId').length])).toEqual([
      [6, 4],
      [6, 2],
    ]);
    expect((await joined({ Limit: 5001 })).ErrorCode).toBe(10004);
    expect((await joined({ GroupType: 'Secret' })).ErrorCode).toBe(10004);
    expect((await h.call('group_open_http_svc/get_joined_group_list', {})).ErrorCode).toBe(10004);
    expect(
      (await h.call('group_open_http_svc/get_joined_group_list', { Member_Account: 'ghost' })).ErrorCode,
    ).toBe(10019);
    const none = await joined({});
    expect(none.ErrorCode).toBe(0);
  });

  describe('an answer too large', () => {
    const small = useSimulator({ joinedGroupListMaxEntries: 3 });
    it('answers 10018 above the entry threshold, so the client must lower Limit', async () => {
      small.sim.seed(everyType);
      const call = (body: Json) =>
        small.call('group_open_http_svc/get_joined_group_list', { Member_Account: 'alice', ...body });
      expect(await call({})).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 10018 });
      expect(await call({ Limit: 3 })).toMatchObject({ ErrorCode: 0, TotalCount: 4 });
    });
  });
});

describe('get_group_member_info', () => {
  const members = Array.from({ length: 7 }, (_, index) => `m${index}`);
  const seedBig = (type: string) =>
    h.sim.seed({
      accounts: ['owner', ...members],
      groups: [
        {
          groupId: 'g',
          type,
          owner: 'owner',
          createTime: JOIN,
          members: members.map((account, index) => ({ account, joinTime: JOIN + 10 + index })),
        },
      ],
    });

  it('pages by Limit/Offset in join order with MemberNum, Role and JoinTime (MemberInfoFilter narrows)', async () => {
    seedBig('Public');
    const first = await memberInfo({ GroupId: 'g', Limit: 3, Offset: 0 });
    expect(first).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, MemberNum: 8 });
    expect(first.MemberList).toEqual([
      { Member_Account: 'owner', Role: 'Owner', JoinTime: JOIN, MsgFlag: 'AcceptAndNotify' },
      { Member_Account: 'm0', Role: 'Member', JoinTime: JOIN + 10, MsgFlag: 'AcceptAndNotify' },
      { Member_Account: 'm1', Role: 'Member', JoinTime: JOIN + 11, MsgFlag: 'AcceptAndNotify' },
    ]);
    expect(first).not.toHaveProperty('Next');
    const seen: unknown[] = [];
    for (let offset = 0; offset <= 9; offset += 3) {
      const page = await memberInfo({
        GroupId: 'g',
        Limit: 3,
        Offset: offset,
        MemberInfoFilter: ['JoinTime'],
      });
      expect(page.MemberNum).toBe(8);
      seen.push(...field(page.MemberList, 'Member_Account'));
    }
    expect(seen).toEqual(['owner', ...members]);
    const last = await memberInfo({ GroupId: 'g', Limit: 3, Offset: 6, MemberInfoFilter: ['JoinTime'] });
    expect(last.MemberList).toEqual([
      { Member_Account: 'm5', JoinTime: JOIN + 15 },
      { Member_Account: 'm6', JoinTime: JOIN + 16 },
    ]);
    expect(field((await memberInfo({ GroupId: 'g' })).MemberList, 'Member_Account')).toHaveLength(8);
  });

  it('Community pages by the opaque Next ("" = done), Offset ignored', async () => {
    seedBig('Community');
    const pages = await pageAll(
      '',
      (next) => memberInfo({ GroupId: 'g', Limit: 3, Offset: 5, Next: next }),
      (answer) => ({
        done: answer.Next === '',
        next: answer.Next as string,
      }),
    );
    expect(pages.flatMap((page) => field(page.MemberList, 'Member_Account'))).toEqual(['owner', ...members]);
    expect((await memberInfo({ GroupId: 'g', Next: 'bogus' })).ErrorCode).toBe(10004);
  });

  it('AVChatRoom keeps no member list (10004); unknown group 10015, destroyed 10010; Limit above 200 10004', async () => {
    h.sim.seed(everyType);
    expect(await memberInfo({ GroupId: 'live' })).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 10004 });
    expect((await memberInfo({ GroupId: 'nope' })).ErrorCode).toBe(10015);
    await h.call('group_open_http_svc/destroy_group', { GroupId: 'meet' });
    expect((await memberInfo({ GroupId: 'meet' })).ErrorCode).toBe(10010);
    expect((await memberInfo({ GroupId: 'pub', Limit: 201 })).ErrorCode).toBe(10004);
    expect((await memberInfo({})).ErrorCode).toBe(10004);
  });
});

describe('change_group_owner', () => {
  const change = (groupId: string, newOwner: string) =>
    h.call('group_open_http_svc/change_group_owner', { GroupId: groupId, NewOwner_Account: newOwner });

  it('the new owner must already be a member; the old owner becomes a Member', async () => {
    h.sim.seed(everyType);
    expect(await change('pub', 'carol')).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 10004 });
    expect(await change('pub', 'bob')).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    expect(h.sim.groupOf('pub')?.owner).toBe('bob');
    expect(h.sim.groupOf('pub')?.members.map((member) => `${member.account}:${member.role}`)).toEqual([
      'alice:Member',
      'bob:Owner',
    ]);
    expect(h.sim.personalDataOf('alice').ownedGroups).toEqual([]);
  });

  it('AVChatRoom 10007; unknown account 10019; unknown group 10015; an ownerless group gets an owner', async () => {
    h.sim.seed({
      ...everyType,
      groups: [
        ...(everyType.groups ?? []),
        { groupId: 'orphan', type: 'Work', members: [{ account: 'bob' }] },
      ],
    });
    expect((await change('live', 'alice')).ErrorCode).toBe(10007);
    expect((await change('pub', 'ghost')).ErrorCode).toBe(10019);
    expect((await change('nope', 'alice')).ErrorCode).toBe(10015);
    expect(h.sim.groupOf('orphan')?.owner).toBeUndefined();
    expect((await change('orphan', 'bob')).ErrorCode).toBe(0);
    expect(h.sim.groupOf('orphan')?.owner).toBe('bob');
  });
});

describe('delete_group_member and destroy_group', () => {
  const remove = (groupId: string, accounts: string[]) =>
    h.call('group_open_http_svc/delete_group_member', {
      GroupId: groupId,
      MemberToDel_Account: accounts,
      Silence: 1,
      Reason: 'account closed',
    });

  it('removes members, succeeds for non-members (safe to repeat), keeps their messages in the group', async () => {
    h.sim.seed(everyType);
    expect(await remove('club', ['alice'])).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    expect((await remove('club', ['alice', 'ghost'])).ErrorCode).toBe(0);
    const alice = h.sim.personalDataOf('alice');
    expect(alice.groups.map((group) => group.groupId)).not.toContain('club');
    expect(alice.groupMessages).toEqual([{ groupId: 'club', messages: 4 }]);
  });

  it('refuses the owner (10004, nothing removed), AVChatRoom (10004), more than 100 (10004), unknown groups', async () => {
    h.sim.seed(everyType);
    expect(await remove('pub', ['bob', 'alice'])).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 10004 });
    expect(h.sim.groupOf('pub')?.members).toHaveLength(2);
    expect((await remove('live', ['alice'])).ErrorCode).toBe(10004);
    const many = Array.from({ length: 101 }, (_, index) => `x${index}`);
    expect((await remove('pub', many)).ErrorCode).toBe(10004);
    expect((await remove('pub', many.slice(0, 100))).ErrorCode).toBe(0);
    expect((await remove('nope', ['alice'])).ErrorCode).toBe(10015);
  });

  it('destroy_group works for every type; then 10010; memberships and the group messages go with it', async () => {
    h.sim.seed(everyType);
    for (const groupId of ['pub', 'work', 'dormant', 'meet', 'live', 'club']) {
      expect(await h.call('group_open_http_svc/destroy_group', { GroupId: groupId })).toMatchObject({
        ErrorCode: 0,
      });
    }
    expect((await h.call('group_open_http_svc/destroy_group', { GroupId: 'pub' })).ErrorCode).toBe(10010);
    expect((await h.call('group_open_http_svc/destroy_group', { GroupId: 'nope' })).ErrorCode).toBe(10015);
    expect((await h.call('group_open_http_svc/destroy_group', {})).ErrorCode).toBe(10004);
    expect(h.sim.personalDataOf('alice')).toMatchObject({ groups: [], ownedGroups: [], groupMessages: [] });
    expect(await joined({ WithHugeGroups: 1, WithNoActiveGroups: 1 })).toMatchObject({ TotalCount: 0 });
  });
});
