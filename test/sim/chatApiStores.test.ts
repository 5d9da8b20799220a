/**
 * The simulator's new pure parts without a network: the command catalog agrees with the handlers,
 * get_list paging (properties over random conversation sets, deletions between pages included),
 * per-command rate limits, cursors, stores' rules, snapshot / restore, and which commands the quiet
 * faults match.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HANDLED_COMMANDS } from '../../sim/chat-api/commands.ts';
import { FaultQueue } from '../../sim/chat-api/faults.ts';
import {
  ChatData,
  COMMANDS,
  type Conversation,
  Conversations,
  conversationKey,
  decodeCursor,
  encodeCursor,
  GroupStore,
  InvalidCursorError,
  InvalidGroupError,
  PerCommandRateLimits,
} from '../../sim/chat-api/index.ts';
import { personalDataOf } from '../../sim/chat-api/personalData.ts';
import { applySeed } from '../../sim/chat-api/seeding.ts';

describe('catalog', () => {
  it('lists exactly the commands that have handlers', () => {
    expect([...HANDLED_COMMANDS].sort()).toEqual(Object.keys(COMMANDS).sort());
  });
});

describe('Conversations.page (get_list)', () => {
  const conversationArbitrary = fc.record({
    msgTime: fc.integer({ min: 1, max: 6 }),
    pinned: fc.boolean(),
    messages: fc.integer({ min: 0, max: 2 }),
  });

  function storeWith(items: { msgTime: number; pinned: boolean; messages: number }[]): Conversations {
    const store = new Conversations();
    for (const [index, item] of items.entries()) {
      store.put('owner', { target: { type: 1, peer: `p${index}` }, listed: true, ...item });
    }
    return store;
  }

  function visibleKeys(store: Conversations, assistFlags: number): Set<string> {
    return new Set(
      store
        .allOf('owner')
        .filter((c) => (assistFlags & 2) !== 0 || c.messages > 0)
        .map((c) => conversationKey(c.target)),
    );
  }

  it('property: following the cursors until CompleteFlag lists every visible conversation once', () => {
    fc.assert(
      fc.property(
        fc.array(conversationArbitrary, { maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 7 }),
        (items, pageSize, assistFlags) => {
          const store = storeWith(items);
          const seen: string[] = [];
          let cursors = { timeStamp: 0, startIndex: 0, topTimeStamp: 0, topStartIndex: 0 };
          let complete = false;
          for (let page = 0; page < 60 && !complete; page += 1) {
            const answer = store.page('owner', cursors, assistFlags, pageSize);
            seen.push(...answer.items.map((c: Conversation) => conversationKey(c.target)));
            ({ complete } = answer);
            cursors = answer.next;
          }
          expect(complete).toBe(true);
          expect(seen).toHaveLength(new Set(seen).size);
          expect(new Set(seen)).toEqual(visibleKeys(store, assistFlags));
        },
      ),
    );
  });

  it('property: deleting what was listed between pages never makes a later page skip a conversation', () => {
    fc.assert(
      fc.property(
        fc.array(conversationArbitrary, { maxLength: 25 }),
        fc.integer({ min: 1, max: 5 }),
        (items, size) => {
          const store = storeWith(items);
          const expected = visibleKeys(store, 7);
          const seen = new Set<string>();
          let cursors = { timeStamp: 0, startIndex: 0, topTimeStamp: 0, topStartIndex: 0 };
          for (let page = 0; page < 60; page += 1) {
            const answer = store.page('owner', cursors, 7, size);
            for (const conversation of answer.items) {
              seen.add(conversationKey(conversation.target));
              store.delete('owner', conversation.target, true);
            }
            if (answer.complete) break;
            cursors = answer.next;
          }
          expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it('delete without ClearRamble keeps the messages, off the list', () => {
    const store = new Conversations();
    const target = { type: 1, peer: 'bob' } as const;
    store.put('alice', { target, msgTime: 5, pinned: false, messages: 2, listed: true });
    expect(store.delete('alice', target, false)).toBe(true);
    expect(store.has('alice', target)).toBe(false);
    expect(store.allOf('alice')).toEqual([{ target, msgTime: 5, pinned: false, messages: 2, listed: false }]);
    expect(store.delete('alice', target, false)).toBe(false);
    expect(store.delete('alice', target, true)).toBe(true);
    expect(store.allOf('alice')).toEqual([]);
  });
});

describe('PerCommandRateLimits', () => {
  it('keeps one sliding window per command; account commands at min(default, 100); overrides', () => {
    const limits = new PerCommandRateLimits(2);
    const admit = (key: string, times: number, at = 0) =>
      Array.from({ length: times }, () => limits.admit(key, at)).filter(Boolean).length;
    expect(admit('sns/friend_get', 3)).toBe(2);
    expect(admit('sns/group_get', 3)).toBe(2);
    expect(admit('sns/friend_get', 1, 1000)).toBe(1);
    limits.setDefault(500);
    expect(limits.limitOf('im_open_login_svc/account_check')).toBe(100);
    expect(limits.limitOf('sns/friend_get')).toBe(500);
    limits.setCommandLimit('im_open_login_svc/account_check', 150);
    expect(limits.limitOf('im_open_login_svc/account_check')).toBe(150);
    limits.setCommandLimit('im_open_login_svc/account_check', null);
    expect(limits.limitOf('im_open_login_svc/account_check')).toBe(100);
    expect(() => limits.setDefault(0)).toThrow(RangeError);
    expect(() => limits.setCommandLimit('sns/friend_get', 1.5)).toThrow(RangeError);
  });
});

describe('cursors', () => {
  it('round-trip positions, never "" for a position, refuse foreign cursors', () => {
    fc.assert(
      fc.property(fc.nat({ max: 999_999_999 }), (position) => {
        const cursor = encodeCursor('follow', position);
        expect(cursor).not.toBe('');
        expect(decodeCursor('follow', cursor)).toBe(position);
      }),
    );
    expect(decodeCursor('follow', '')).toBe(0);
    expect(() => decodeCursor('member', encodeCursor('follow', 3))).toThrow(InvalidCursorError);
    expect(() => decodeCursor('follow', 'garbage')).toThrow(InvalidCursorError);
  });
});

describe('GroupStore', () => {
  const base = { type: 'Public' as const, name: 'g', createTime: 1, activated: true, messagesBySender: {} };

  it('adds a missing owner as first member, refuses a second Owner and duplicate members', () => {
    const groups = new GroupStore();
    groups.create({
      ...base,
      groupId: 'g',
      owner: 'o',
      members: [{ account: 'm', role: 'Member', joinTime: 2 }],
    });
    expect(groups.get('g')?.members.map((m) => `${m.account}:${m.role}`)).toEqual(['o:Owner', 'm:Member']);
    expect(() => groups.create({ ...base, groupId: 'g', owner: 'o', members: [] })).toThrow(
      InvalidGroupError,
    );
    expect(() =>
      groups.create({
        ...base,
        groupId: 'h',
        owner: 'o',
        members: [{ account: 'x', role: 'Owner', joinTime: 1 }],
      }),
    ).toThrow(InvalidGroupError);
    expect(() =>
      groups.create({
        ...base,
        groupId: 'i',
        owner: undefined,
        members: [
          { account: 'x', role: 'Member', joinTime: 1 },
          { account: 'x', role: 'Member', joinTime: 2 },
        ],
      }),
    ).toThrow(InvalidGroupError);
  });

  it('removing the owner refuses the whole request; copies never alias the store', () => {
    const groups = new GroupStore();
    groups.create({
      ...base,
      groupId: 'g',
      owner: 'o',
      members: [{ account: 'm', role: 'Member', joinTime: 2 }],
    });
    expect(groups.removeMembers('g', ['m', 'o'])?.code).toBe(10004);
    const copy = groups.get('g');
    copy?.members.pop();
    expect(groups.get('g')?.members).toHaveLength(2);
    expect(groups.missing('zzz').code).toBe(10015);
    groups.destroy('g');
    expect(groups.missing('g').code).toBe(10010);
  });
});

describe('ChatData snapshot / restore', () => {
  it('puts back every store and the kicks exactly', () => {
    const data = new ChatData({ customProfileTags: [{ tag: 'Tag_Profile_Custom_Hobby', type: 'string' }] });
    applySeed(
      data,
      {
        accounts: ['u', 'a'],
        friendships: [['u', 'a', 'both']],
        friendLists: [{ owner: 'u', name: 'l', members: ['a'] }],
        blocklist: [{ owner: 'u', blocked: 'a' }],
        follows: [{ follower: 'a', followee: 'u' }],
        conversations: [{ owner: 'u', peer: 'a', peerMessages: 1 }],
        contactGroups: [{ owner: 'u', name: 'c', conversations: [{ peer: 'a' }] }],
        groups: [{ groupId: 'g', type: 'Public', owner: 'u', members: [{ account: 'a' }] }],
        profiles: [{ account: 'u', fields: { Tag_Profile_Custom_Hobby: 'x' } }],
      },
      1000,
    );
    const before = personalDataOf(data, 'u');
    const snapshot = data.snapshot();
    data.graph.deleteAll('u', 'Delete_Type_Both');
    data.graph.deleteFriendLists('u', ['l']);
    data.blocklists.remove('u', ['a'], () => true);
    data.follows.unfollow('a', ['u'], () => true);
    data.conversations.delete('u', { type: 1, peer: 'a' }, true);
    data.contactGroups.delete('u', 'c');
    data.groups.destroy('g');
    data.profiles.set('u', [{ tag: 'Tag_Profile_Custom_Hobby', value: '' }]);
    data.kick('u');
    data.graph.deleteAccount('u');
    expect(personalDataOf(data, 'u')).not.toEqual(before);
    data.restore(snapshot);
    expect(personalDataOf(data, 'u')).toEqual(before);
    data.restore(snapshot); // a snapshot stays usable
    expect(personalDataOf(data, 'u')).toEqual(before);
  });
});

describe('quiet faults match only the commands they fit', () => {
  const target = (service: string, command: string) => ({ service, command, fromAccount: undefined });

  it('ignore: writes; stale-cursor: listings; item-error: batch writes', () => {
    const queue = new FaultQueue();
    queue.push({ type: 'ignore', times: Number.POSITIVE_INFINITY });
    queue.push({ type: 'stale-cursor', times: Number.POSITIVE_INFINITY });
    queue.push({ type: 'item-error', code: 30006, times: Number.POSITIVE_INFINITY });
    const pick = (service: string, command: string) => queue.take(target(service, command))?.type;
    expect(pick('sns', 'friend_get')).toBe('stale-cursor');
    expect(pick('sns', 'friend_check')).toBeUndefined();
    expect(pick('profile', 'portrait_get')).toBeUndefined();
    expect(pick('sns', 'friend_delete_all')).toBe('ignore');
    expect(pick('sns', 'black_list_delete')).toBe('ignore');
    const onlyItems = new FaultQueue();
    onlyItems.push({ type: 'item-error', code: 1, times: Number.POSITIVE_INFINITY });
    expect(onlyItems.take(target('follow', 'follow_delete'))?.type).toBe('item-error');
    expect(onlyItems.take(target('im_open_login_svc', 'account_delete'))?.type).toBe('item-error');
    expect(onlyItems.take(target('group_open_http_svc', 'delete_group_member'))).toBeUndefined();
    expect(onlyItems.take(target('recentcontact', 'get_list'))).toBeUndefined();
    expect(onlyItems.take(target('nosuch', 'command'))).toBeUndefined();
  });
});
