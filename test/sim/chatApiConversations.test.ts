/**
 * The conversation commands over loopback: get_list paging (four cursors, CompleteFlag, AssistFlags),
 * delete with ClearRamble on one side only, and the conversation groups (paging, one deletion per call,
 * 51009, the Ultimate switch 51013). Small page sizes make paging visible with little data.
 */
import { describe, expect, it } from 'vitest';
import { field, type Json, pageAll, START_SECONDS, useSimulator } from './chatApiTestClient.ts';

const h = useSimulator({ conversationPageSize: 4, contactGroupPageSize: 3 });

const getList = (from: string, cursors: number[] = [0, 0, 0, 0], assistFlags = 7) =>
  h.call('recentcontact/get_list', {
    From_Account: from,
    TimeStamp: cursors[0],
    StartIndex: cursors[1],
    TopTimeStamp: cursors[2],
    TopStartIndex: cursors[3],
    AssistFlags: assistFlags,
  });
const cursorsOf = (answer: Json) => [
  answer.TimeStamp,
  answer.StartIndex,
  answer.TopTimeStamp,
  answer.TopStartIndex,
];

/** Every conversation get_list shows, as `C2C:peer` / `Group:id` (+ `*` when TopFlag is 1). */
async function listAll(from: string, assistFlags = 7): Promise<string[]> {
  const pages = await pageAll(
    [0, 0, 0, 0],
    (cursors) => getList(from, cursors, assistFlags),
    (answer) => ({
      done: answer.CompleteFlag === 1,
      next: cursorsOf(answer) as number[],
    }),
  );
  return pages.flatMap((page) =>
    ((page.SessionItem as Json[] | undefined) ?? []).map(
      (item) =>
        `${item.Type === 1 ? `C2C:${item.To_Account}` : `Group:${item.GroupId}`}${item.TopFlag === 1 ? '*' : ''}`,
    ),
  );
}

const peers = (count: number) => Array.from({ length: count }, (_, index) => `peer${index}`);

describe('get_list', () => {
  it('pages most recent first until CompleteFlag 1, pinned first, empty ones only with AssistFlags bit 1', async () => {
    h.sim.seed({
      accounts: ['alice', ...peers(9)],
      conversations: [
        ...peers(9).map((peer, index) => ({ owner: 'alice', peer, msgTime: 1_700_000_100 - index })),
        { owner: 'alice', groupId: 'g1', msgTime: 1_600_000_000, pinned: true },
        { owner: 'alice', peer: 'peer8', msgTime: 1_700_000_500, messages: 0 },
      ],
    });
    const pinnedFirst = ['Group:g1*', 'C2C:peer8', ...peers(8).map((peer) => `C2C:${peer}`)];
    expect(await listAll('alice', 7)).toEqual(pinnedFirst);
    // Without bit 1 the empty conversation (peer8, 0 messages) is not listed.
    expect(await listAll('alice', 5)).toEqual(pinnedFirst.filter((key) => key !== 'C2C:peer8'));
    // Without bit 0 a pinned conversation is an ordinary one (here: the oldest).
    expect(await listAll('alice', 2)).toEqual([...pinnedFirst.slice(1), 'Group:g1']);

    const first = await getList('alice');
    expect(first).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, ErrorDisplay: '', CompleteFlag: 0 });
    expect(first.SessionItem).toEqual([
      { Type: 2, GroupId: 'g1', MsgTime: 1_600_000_000, TopFlag: 1 },
      { Type: 1, To_Account: 'peer8', MsgTime: 1_700_000_500, TopFlag: 0 },
      { Type: 1, To_Account: 'peer0', MsgTime: 1_700_000_100, TopFlag: 0 },
      { Type: 1, To_Account: 'peer1', MsgTime: 1_700_000_099, TopFlag: 0 },
    ]);
  });

  it('AssistFlags bit 2 pages pinned conversations too; cursors are time-based, so deleting listed ones does not skip any', async () => {
    h.sim.seed({
      accounts: ['alice', ...peers(10)],
      conversations: peers(10).map((peer, index) => ({
        owner: 'alice',
        peer,
        msgTime: 1_700_000_000 - index,
        pinned: index < 6,
      })),
    });
    const first = await getList('alice', [0, 0, 0, 0], 7);
    expect(field(first.SessionItem, 'To_Account')).toEqual(['peer0', 'peer1', 'peer2', 'peer3']);
    // Delete what the first page showed, then continue from its cursors.
    for (const peer of ['peer0', 'peer1', 'peer2', 'peer3']) {
      await h.call('recentcontact/delete', {
        From_Account: 'alice',
        Type: 1,
        To_Account: peer,
        ClearRamble: 1,
      });
    }
    const rest = await pageAll(
      cursorsOf(first) as number[],
      (cursors) => getList('alice', cursors, 7),
      (answer) => ({
        done: answer.CompleteFlag === 1,
        next: cursorsOf(answer) as number[],
      }),
    );
    expect(rest.flatMap((page) => field(page.SessionItem, 'To_Account'))).toEqual(peers(10).slice(4));
  });

  it('an empty list: CompleteFlag 1 and no SessionItem; unknown user 50001; bad fields 50002', async () => {
    h.sim.seed({ accounts: ['alice'] });
    const empty = await getList('alice');
    expect(empty).toMatchObject({ CompleteFlag: 1, ErrorCode: 0 });
    expect(empty).not.toHaveProperty('SessionItem');
    expect((await getList('ghost')).ErrorCode).toBe(50001);
    expect((await h.call('recentcontact/get_list', { From_Account: 'alice' })).ErrorCode).toBe(50002);
    expect((await h.call('recentcontact/get_list', { TimeStamp: 0 })).ErrorCode).toBe(50002);
  });
});

describe('delete', () => {
  it('ClearRamble 1 clears the user side only: the peer keeps its conversation and messages', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      conversations: [{ owner: 'alice', peer: 'bob', messages: 5, peerMessages: 7 }],
    });
    const answer = await h.call('recentcontact/delete', {
      From_Account: 'alice',
      Type: 1,
      To_Account: 'bob',
      ClearRamble: 1,
    });
    expect(answer).toEqual({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '' });
    const alice = h.sim.personalDataOf('alice');
    expect(alice.conversations).toEqual([]);
    expect(alice.unlistedConversations).toEqual([]);
    expect(alice.heldByOthers.conversations).toEqual([{ owner: 'bob', messages: 7, listed: true }]);
    expect(await listAll('bob')).toEqual(['C2C:alice']);
  });

  it('without ClearRamble the conversation leaves the list but its roaming messages stay; ClearRamble later clears them', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      conversations: [{ owner: 'alice', peer: 'bob', messages: 3, msgTime: START_SECONDS }],
    });
    await h.call('recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob' });
    expect(await listAll('alice')).toEqual([]);
    expect(h.sim.personalDataOf('alice').unlistedConversations).toEqual([
      { type: 'C2C', with: 'bob', messages: 3, pinned: false, msgTime: START_SECONDS },
    ]);
    await h.call('recentcontact/delete', {
      From_Account: 'alice',
      Type: 1,
      To_Account: 'bob',
      ClearRamble: 1,
    });
    expect(h.sim.personalDataOf('alice').unlistedConversations).toEqual([]);
    // Deleting what is not there succeeds.
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
  });

  it('group conversations by ToGroupid; one conversation per call; field and account checks', async () => {
    h.sim.seed({ accounts: ['alice'], conversations: [{ owner: 'alice', groupId: '@TGS#1', messages: 2 }] });
    const deleteWith = (body: Json) => h.call('recentcontact/delete', { From_Account: 'alice', ...body });
    expect((await deleteWith({ Type: 2, ToGroupid: '@TGS#1', ClearRamble: 1 })).ErrorCode).toBe(0);
    expect(h.sim.personalDataOf('alice').conversations).toEqual([]);
    expect((await deleteWith({ Type: 1 })).ErrorCode).toBe(50002);
    expect((await deleteWith({ Type: 2, To_Account: 'bob' })).ErrorCode).toBe(50002);
    expect((await deleteWith({ Type: 3, To_Account: 'bob' })).ErrorCode).toBe(50002);
    expect((await deleteWith({ Type: 1, To_Account: 'bob', ClearRamble: 2 })).ErrorCode).toBe(50002);
    expect(
      (await h.call('recentcontact/delete', { From_Account: 'ghost', Type: 1, To_Account: 'bob' })).ErrorCode,
    ).toBe(50001);
  });
});

describe('conversation groups', () => {
  const groupNames = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
  const getGroups = (from: string, startIndex: number) =>
    h.call('recentcontact/get_contact_group', { From_Account: from, StartIndex: startIndex });

  it('get_contact_group pages by NextStartIndex until CompleteFlag 1 (no ErrorDisplay)', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      conversations: [{ owner: 'alice', peer: 'bob' }],
      contactGroups: groupNames.map((name, index) => ({
        owner: 'alice',
        name,
        conversations: index === 0 ? [{ peer: 'bob' }] : [],
      })),
    });
    const pages = await pageAll(
      0,
      (start) => getGroups('alice', start),
      (answer) => ({
        done: answer.CompleteFlag === 1,
        next: answer.NextStartIndex as number,
      }),
    );
    expect(pages.map((page) => [field(page.GroupItem, 'GroupName').length, page.NextStartIndex])).toEqual([
      [3, 3],
      [3, 6],
      [1, 0],
    ]);
    expect(pages.flatMap((page) => field(page.GroupItem, 'GroupName'))).toEqual(groupNames);
    expect(pages[0]).toMatchObject({
      GroupItem: [
        { GroupName: 'g0', GroupId: 1 },
        { GroupName: 'g1', GroupId: 2 },
        { GroupName: 'g2', GroupId: 3 },
      ],
      ContactItem: [{ Type: 1, To_Account: 'bob', ContactGroupId: [1] }],
      ActionStatus: 'OK',
    });
    expect(pages[0]).not.toHaveProperty('ErrorDisplay');
  });

  it('del_contact_group deletes one group per call, 51009 when it does not exist', async () => {
    h.sim.seed({
      accounts: ['alice'],
      contactGroups: [
        { owner: 'alice', name: 'work' },
        { owner: 'alice', name: 'fun' },
      ],
    });
    const del = (names: string[]) =>
      h.call('recentcontact/del_contact_group', { From_Account: 'alice', GroupName: names });
    expect((await del(['work', 'fun'])).ErrorCode).toBe(50002);
    expect(await del(['work'])).toEqual({
      GroupItem: [{ GroupName: 'work', GroupId: 1 }],
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
    expect(await del(['work'])).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 51009 });
    expect((await del(['fun'])).ErrorCode).toBe(0);
    const empty = await getGroups('alice', 0);
    expect(empty).toMatchObject({ CompleteFlag: 1, NextStartIndex: 0 });
    expect(empty).not.toHaveProperty('GroupItem');
  });

  it('a deleted conversation leaves its groups; limits hold for seeds (20 groups, 32-byte names)', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      conversations: [{ owner: 'alice', peer: 'bob' }],
      contactGroups: [{ owner: 'alice', name: 'work', conversations: [{ peer: 'bob' }] }],
    });
    await h.call('recentcontact/delete', {
      From_Account: 'alice',
      Type: 1,
      To_Account: 'bob',
      ClearRamble: 1,
    });
    expect(h.sim.personalDataOf('alice').contactGroups).toEqual([{ name: 'work', id: 1, conversations: [] }]);
    expect(() => h.sim.seed({ contactGroups: [{ owner: 'alice', name: 'x'.repeat(33) }] })).toThrow(
      /32 bytes/,
    );
    const many = Array.from({ length: 20 }, (_, index) => ({ owner: 'alice', name: `n${index}` }));
    expect(() => h.sim.seed({ contactGroups: many })).toThrow(/20/);
  });

  it('feature off (not Ultimate): both commands answer 51013; get_list still works', async () => {
    h.sim.seed({ accounts: ['alice'], contactGroups: [{ owner: 'alice', name: 'work' }] });
    h.sim.setFeatures({ contactGroups: false });
    expect(await getGroups('alice', 0)).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 51013 });
    expect(
      (await h.call('recentcontact/del_contact_group', { From_Account: 'alice', GroupName: ['work'] }))
        .ErrorCode,
    ).toBe(51013);
    expect((await getList('alice')).ErrorCode).toBe(0);
  });

  it('unknown user 50001', async () => {
    expect((await getGroups('ghost', 0)).ErrorCode).toBe(50001);
  });
});
