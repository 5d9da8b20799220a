/**
 * The erasure plan through the real bundle against the simulator: every step and its rules (DESIGN.md
 * "Erasure plan"), read back against the simulator's own state.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ErasureWorld } from '../../sim/erasureWorld.ts';
import { CUSTOM_TAGS, FULL_PLAN, SIMULATOR_CUSTOM_TAGS, seedFullUser } from '../../sim/planSeeds.ts';
import {
  attribute,
  event,
  lambdaContext,
  lastOutcome,
  readDeadLetters,
  sqsEvent,
  worldsPerTest,
} from './support.ts';

const startWorld = worldsPerTest({
  chatOptions: {
    customProfileTags: SIMULATOR_CUSTOM_TAGS,
  },
  functionEnv: { ERASURE_STEPS: FULL_PLAN, PROFILE_CUSTOM_TAGS: CUSTOM_TAGS },
});

const context = lambdaContext;

/** Every value the function's EMF lines gave the metric (Powertools writes one value or a list). */
const metricValues = (w: ErasureWorld, name: string): number[] =>
  w
    .logRecords()
    .filter((line) => '_aws' in line && name in line)
    .flatMap((line) => [line[name]].flat() as number[]);

describe('the full plan', () => {
  it('erases a user with data of every kind: every step done and verified, nothing of theirs left but the residuals', async () => {
    const w = await startWorld();
    const { people, groupIds } = seedFullUser(w.chat, 'plan_full');
    const instance = await w.startInstance();
    const batch = sqsEvent(w, [event({ userId: 'plan_full', requestId: 'dsr-full' })]);
    const result = await instance.handler(batch, context());
    expect(result.batchItemFailures).toEqual([]);
    const audit = lastOutcome(w, batch.Records[0]?.messageId as string);
    expect(audit).toMatchObject({ outcome: 'erased', requestId: 'dsr-full' });
    expect(audit?.steps).toEqual({
      kick: { result: 'done', removed: 0, verified: false },
      friends: { result: 'done', removed: 4, verified: true },
      blocklist: { result: 'done', removed: 1, verified: true },
      follows: { result: 'done', removed: 2, verified: true },
      conversations: { result: 'done', removed: 4, verified: true },
      groups: {
        result: 'done',
        removed: 5,
        verified: true,
        transferred: 1,
        destroyed: 2,
        residual: { 'avchatroom-memberships': 1 },
      },
      profile: { result: 'done', removed: 9, verified: true },
      account: { result: 'done', removed: 1, verified: true },
    });
    expect(metricValues(w, 'KickDone')).toEqual([1]);
    expect(metricValues(w, 'FriendsRemoved')).toEqual([4]);
    expect(metricValues(w, 'AccountsRemoved')).toEqual([1]);
    const data = w.chat.personalDataOf('plan_full');
    expect(data).toMatchObject({
      accountExists: false,
      kicks: 1,
      friends: [],
      friendLists: [],
      blocklist: [],
      following: [],
      followers: [],
      conversations: [],
      unlistedConversations: [],
      contactGroups: [],
      ownedGroups: [],
      profile: {},
    });
    // What is out of reach by design: the one-way holder, the blocklist entry another user holds, the peer's
    // side of the conversation, the messages in groups, and the AVChatRoom membership.
    expect(data.heldByOthers.friendOf).toEqual([people.oneWayHolder]);
    expect(data.heldByOthers.blockedBy).toEqual([people.blockedBy]);
    expect(data.heldByOthers.conversations).toEqual([
      expect.objectContaining({ owner: people.peer, messages: 4 }),
    ]);
    expect(data.groups.map((group) => group.groupId)).toEqual([groupIds.joinedLive]);
    // The Public group went to its longest-standing other member.
    expect(w.chat.groupOf(groupIds.handOver)?.owner).toBe(people.elder);
    expect(w.chat.groupOf(groupIds.alone)).toBeUndefined();
    expect(w.chat.personalDataOf(people.friendA).friends).toEqual([]);
    expect(w.chat.personalDataOf(people.follower).following).toEqual([]);
  });
});

const run = async (w: ErasureWorld, bodies: string[], receiveCount = 1) => {
  const batch = sqsEvent(w, bodies, receiveCount);
  const result = await (await w.startInstance()).handler(batch, context());
  return { batch, result, audits: batch.Records.map((record) => lastOutcome(w, record.messageId)) };
};

describe('absent', () => {
  it('is absent when the first step finds no account, with the step’s result and no later step run', async () => {
    const w = await startWorld();
    const { audits } = await run(w, [event({ userId: 'plan_nobody' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'absent',
      errorCode: 70107,
      steps: { kick: { result: 'absent', removed: 0, verified: false } },
    });
    expect(Object.keys(audits[0]?.steps as object)).toEqual(['kick']);
    // No session was kicked: an absent kick is not counted as one.
    expect(metricValues(w, 'KickDone')).toEqual([0]);
  });

  it('is absent when account_delete answers OK with the user’s own 70107 (ERASURE_STEPS=account)', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'account' } });
    const { audits } = await run(w, [event({ userId: 'plan_never_imported' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'absent',
      errorCode: 70107,
      steps: { account: { result: 'absent', removed: 0, verified: true } },
    });
  });

  it('is erased, not absent, when an earlier step of this delivery removed something', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'friends,blocklist' } });
    w.chat.seed({
      accounts: ['plan_gone_mid', 'plan_gone_pal'],
      friendships: [['plan_gone_mid', 'plan_gone_pal', 'both']],
    });
    w.chat.injectFault({
      type: 'error-code',
      code: 30003,
      command: 'black_list_get',
      fromAccount: 'plan_gone_mid',
    });
    const { audits } = await run(w, [event({ userId: 'plan_gone_mid' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      errorCode: 30003,
      steps: { friends: { result: 'done', removed: 1, verified: true }, blocklist: { result: 'absent' } },
    });
  });

  it('treats another account’s "does not exist" as done for that item (a deleted follower)', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'follows' } });
    w.chat.seed({
      accounts: ['plan_fol', 'plan_fol_gone', 'plan_fol_live'],
      follows: [
        { follower: 'plan_fol_gone', followee: 'plan_fol' },
        { follower: 'plan_fol_live', followee: 'plan_fol' },
      ],
    });
    // The follower's account answers "does not exist" whenever the step acts on its list.
    w.chat.injectFault({
      type: 'error-code',
      code: 30003,
      command: 'follow_delete',
      fromAccount: 'plan_fol_gone',
      times: Number.POSITIVE_INFINITY,
    });
    const { audits } = await run(w, [event({ userId: 'plan_fol' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { follows: { result: 'done', removed: 2, verified: true } },
    });
    // Done for that item: no second attempt at it, and the live follower's entry is gone.
    const attempts = w.chat.requests.filter(
      (request) =>
        request.command === 'follow_delete' &&
        (request.body as { From_Account?: string }).From_Account === 'plan_fol_gone',
    );
    expect(attempts).toHaveLength(1);
    expect(w.chat.personalDataOf('plan_fol').followers).toEqual(['plan_fol_gone']);
  });

  it('takes "no longer followed" for the one direction it answers: the same account still following the user is removed', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'follows' } });
    w.chat.seed({
      accounts: ['plan_mutual', 'plan_mutual_pal'],
      follows: [
        { follower: 'plan_mutual', followee: 'plan_mutual_pal' },
        { follower: 'plan_mutual_pal', followee: 'plan_mutual' },
      ],
    });
    // The user's unfollow of the pal answers "not on the list" (31704) while the pal's entry for the user
    // fails once with a transient per-item code: the read-back must still see and remove the pal's entry.
    w.chat.injectFault({
      type: 'item-error',
      code: 31704,
      command: 'follow_delete',
      fromAccount: 'plan_mutual',
    });
    w.chat.injectFault({
      type: 'item-error',
      code: 30006,
      command: 'follow_delete',
      fromAccount: 'plan_mutual_pal',
    });
    const { audits } = await run(w, [event({ userId: 'plan_mutual' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { follows: { result: 'done', verified: true } },
    });
    expect(w.chat.personalDataOf('plan_mutual').followers).toEqual([]);
  });
});

describe('not enabled', () => {
  it('reports follows as not-enabled and conversation groups as notEnabled when the edition lacks them', async () => {
    const w = await startWorld({
      functionEnv: { ERASURE_STEPS: 'follows,conversations' },
      chatOptions: { features: { follow: false, contactGroups: false } },
    });
    w.chat.seed({
      accounts: ['plan_basic', 'plan_basic_peer'],
      conversations: [{ owner: 'plan_basic', peer: 'plan_basic_peer', messages: 2 }],
    });
    const { audits } = await run(w, [event({ userId: 'plan_basic' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: {
        follows: { result: 'not-enabled', removed: 0, verified: false },
        conversations: { result: 'done', removed: 1, verified: true, notEnabled: ['contact-groups'] },
      },
    });
    expect(w.chat.personalDataOf('plan_basic').conversations).toEqual([]);
  });
});

describe('unverified and per-item failures', () => {
  it('retries a step whose removals leave the list unchanged, then dead-letters it as unverified at MAX_RECEIVES', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'friends,blocklist', MAX_RECEIVES: '3' } });
    w.chat.seed({
      accounts: ['plan_stuck', 'plan_stuck_pal'],
      blocklist: [{ owner: 'plan_stuck', blocked: 'plan_stuck_pal' }],
    });
    w.chat.injectFault({ type: 'ignore', command: 'black_list_delete', times: Number.POSITIVE_INFINITY });
    const first = await run(w, [event({ userId: 'plan_stuck' })]);
    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(first.audits[0]).toMatchObject({
      outcome: 'retry',
      steps: { blocklist: { result: 'failed', verified: false } },
    });
    const last = await run(w, [event({ userId: 'plan_stuck', requestId: 'dsr-stuck' })], 3);
    expect(last.result.batchItemFailures).toEqual([]);
    const letter = (await readDeadLetters(w)).get(last.batch.Records[0]?.messageId as string);
    expect(attribute(letter ?? {}, 'failure-reason')).toBe('unverified');
    expect(attribute(letter ?? {}, 'failed-step')).toBe('blocklist');
    expect(last.audits[0]).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'unverified',
      failedStep: 'blocklist',
    });
  });

  it('dead-letters a permanent per-item result at once, with its code and step', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'blocklist' } });
    w.chat.seed({
      accounts: ['plan_item', 'plan_item_pal'],
      blocklist: [{ owner: 'plan_item', blocked: 'plan_item_pal' }],
    });
    w.chat.injectFault({ type: 'item-error', code: 30001, command: 'black_list_delete' });
    const { batch, audits } = await run(w, [event({ userId: 'plan_item' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'permanent-error',
      errorCode: 30001,
    });
    const letter = (await readDeadLetters(w)).get(batch.Records[0]?.messageId as string);
    expect(attribute(letter ?? {}, 'error-code')).toBe('30001');
    expect(attribute(letter ?? {}, 'failed-step')).toBe('blocklist');
  });

  it('acts once more after a transient per-item result and verifies', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'blocklist' } });
    w.chat.seed({
      accounts: ['plan_blip', 'plan_blip_pal'],
      blocklist: [{ owner: 'plan_blip', blocked: 'plan_blip_pal' }],
    });
    w.chat.injectFault({ type: 'item-error', code: 30006, command: 'black_list_delete' });
    const { audits } = await run(w, [event({ userId: 'plan_blip' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { blocklist: { result: 'done', removed: 2, verified: true } },
    });
  });
});

describe('paging', () => {
  it('pages every listing to its completion flag (hundreds of entries of every kind)', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'blocklist,follows,conversations' } });
    const others = Array.from({ length: 250 }, (_, index) => `plan_pg_${index}`);
    w.chat.seed({
      accounts: ['plan_pages', ...others],
      blocklist: others.map((blocked) => ({ owner: 'plan_pages', blocked })),
      follows: others.flatMap((other) => [
        { follower: 'plan_pages', followee: other },
        { follower: other, followee: 'plan_pages' },
      ]),
      conversations: others.map((peer) => ({ owner: 'plan_pages', peer })),
    });
    const { audits } = await run(w, [event({ userId: 'plan_pages' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: {
        blocklist: { result: 'done', removed: 250, verified: true },
        follows: { result: 'done', removed: 500, verified: true },
        conversations: { result: 'done', removed: 250, verified: true },
      },
    });
    const data = w.chat.personalDataOf('plan_pages');
    expect([data.blocklist, data.following, data.followers, data.conversations]).toEqual([[], [], [], []]);
    // Documented batch sizes: follow_delete takes at most 20 accounts.
    const followDeletes = w.chat.requests.filter((request) => request.command === 'follow_delete');
    expect(
      Math.max(
        ...followDeletes.map((request) => (request.body as { To_Account: string[] }).To_Account.length),
      ),
    ).toBe(20);
  });

  it('fails a listing whose page repeats as transient (never an endless loop)', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'follows' } });
    w.chat.seed({
      accounts: ['plan_loop', 'plan_loop_pal'],
      follows: [{ follower: 'plan_loop', followee: 'plan_loop_pal' }],
    });
    w.chat.injectFault({ type: 'stale-cursor', command: 'follow_get', times: Number.POSITIVE_INFINITY });
    const { result, audits } = await run(w, [event({ userId: 'plan_loop' })]);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      outcome: 'retry',
      failedStep: 'follows',
      error: 'a listing page repeated',
    });
    expect(w.chat.requests.filter((request) => request.command === 'follow_get').length).toBeLessThan(5);
  });

  it('halves the joined-group page after 10018 (an answer over 1 MB)', async () => {
    const w = await startWorld({
      functionEnv: { ERASURE_STEPS: 'groups' },
      chatOptions: { joinedGroupListMaxEntries: 300 },
    });
    const groupIds = Array.from({ length: 700 }, (_, index) => `plan-many-${index}`);
    w.chat.seed({
      accounts: ['plan_many', 'plan_many_owner'],
      groups: groupIds.map((groupId) => ({
        groupId,
        type: 'Public',
        owner: 'plan_many_owner',
        members: [{ account: 'plan_many' }],
      })),
    });
    const { audits } = await run(w, [event({ userId: 'plan_many' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { groups: { result: 'done', removed: 700, verified: true } },
    });
    const limits = w.chat.requests
      .filter((request) => request.command === 'get_joined_group_list')
      .map((request) => (request.body as { Limit: number }).Limit);
    expect(limits.slice(0, 3)).toEqual([1000, 500, 250]);
    expect(w.chat.personalDataOf('plan_many').groups).toEqual([]);
  });
});

describe('groups the user owns', () => {
  it('destroys every owned group with GROUP_OWNER_POLICY=destroy', async () => {
    const w = await startWorld({ functionEnv: { GROUP_OWNER_POLICY: 'destroy', ERASURE_STEPS: 'groups' } });
    const { groupIds } = seedFullUser(w.chat, 'plan_destroyer');
    const { audits } = await run(w, [event({ userId: 'plan_destroyer' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: {
        groups: { result: 'done', transferred: 0, destroyed: 3, residual: { 'avchatroom-memberships': 1 } },
      },
    });
    for (const groupId of [groupIds.handOver, groupIds.alone, groupIds.ownedLive])
      expect(w.chat.groupOf(groupId)).toBeUndefined();
    expect(w.chat.groupOf(groupIds.member)).toBeDefined();
  });

  it('hands a group to the earliest-joined other member, the lower UserID on a tie', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'groups' } });
    w.chat.seed({
      accounts: ['plan_owner', 'plan_tie_b', 'plan_tie_a', 'plan_late'],
      groups: [
        {
          groupId: 'plan-tie',
          type: 'Work',
          owner: 'plan_owner',
          members: [
            { account: 'plan_owner', role: 'Owner', joinTime: 1_600_000_000 },
            { account: 'plan_late', joinTime: 1_700_000_500 },
            { account: 'plan_tie_b', joinTime: 1_700_000_100 },
            { account: 'plan_tie_a', joinTime: 1_700_000_100 },
          ],
        },
      ],
    });
    await run(w, [event({ userId: 'plan_owner' })]);
    expect(w.chat.groupOf('plan-tie')?.owner).toBe('plan_tie_a');
    expect(w.chat.personalDataOf('plan_owner').groups).toEqual([]);
  });
});

describe('handing over an owned group while its members change', () => {
  it('asks the next longest-standing member: the user never stays owner of a group reported done', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'groups' } });
    w.chat.seed({
      accounts: ['plan_heir_owner', 'plan_heir_gone', 'plan_heir_next'],
      groups: [
        {
          groupId: 'plan-heir',
          type: 'Public',
          owner: 'plan_heir_owner',
          members: [
            { account: 'plan_heir_owner', role: 'Owner', joinTime: 1_600_000_000 },
            { account: 'plan_heir_gone', joinTime: 1_700_000_100 },
            { account: 'plan_heir_next', joinTime: 1_700_000_200 },
          ],
        },
      ],
    });
    // The longest-standing member's account was deleted since it joined: change_group_owner says 10019.
    w.chat.injectFault({ type: 'error-code', code: 10019, command: 'change_group_owner', times: 1 });
    const { audits } = await run(w, [event({ userId: 'plan_heir_owner' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { groups: { result: 'done', verified: true, transferred: 1, destroyed: 0 } },
    });
    expect(w.chat.groupOf('plan-heir')?.owner).toBe('plan_heir_next');
    expect(w.chat.personalDataOf('plan_heir_owner').groups).toEqual([]);
  });

  /**
   * An owner and its group's longest-standing member closing at once, in two instances: the `slow` one's
   * erasure reads a list that is answered late (2 s, well within its 5 s Chat timeout, so that a slow
   * machine still fits the other erasure in between), and the other erasure runs to its end in the
   * meantime. Both end erased, the group with the next member, neither in it.
   */
  const closeTogether = async (name: string, slow: 'owner' | 'member', delayed: string) => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'groups', CHAT_TIMEOUT_MS: '5000' } });
    const ids = { owner: `${name}_owner`, member: `${name}_first`, next: `${name}_next` };
    w.chat.seed({
      accounts: Object.values(ids),
      groups: [
        {
          groupId: name,
          type: 'Public',
          owner: ids.owner,
          members: [
            { account: ids.owner, role: 'Owner', joinTime: 1_600_000_000 },
            { account: ids.member, joinTime: 1_700_000_100 },
            { account: ids.next, joinTime: 1_700_000_200 },
          ],
        },
      ],
    });
    w.chat.injectFault({ type: 'delay', ms: 2000, command: delayed, times: 1 });
    const slowRun = run(w, [event({ userId: ids[slow] })]);
    await vi.waitFor(
      () => {
        expect(w.chat.requests.some((request) => request.command === delayed)).toBe(true);
      },
      { timeout: 10_000 },
    );
    const fast = (await run(w, [event({ userId: ids[slow === 'owner' ? 'member' : 'owner'] })])).audits[0];
    const late = (await slowRun).audits[0];
    expect([late?.outcome, fast?.outcome]).toEqual(['erased', 'erased']);
    expect(w.chat.groupOf(name)?.owner).toBe(ids.next);
    expect(w.chat.personalDataOf(ids.owner).groups).toEqual([]);
    expect(w.chat.personalDataOf(ids.member).groups).toEqual([]);
    const refusals = (command: string) =>
      w.chat.requests
        .filter((request) => request.command === command && request.errorCode !== 0)
        .map((request) => request.errorCode);
    return slow === 'owner'
      ? { owner: late, member: fast, refusals }
      : { owner: fast, member: late, refusals };
  };

  it('reads the members again when the chosen one left while the owner was choosing (both closing at once)', async () => {
    // The owner's member list still names the first member; its change_group_owner to it is then refused
    // (the simulator's 10004, a permanent class).
    const { owner, refusals } = await closeTogether('plan-team', 'owner', 'get_group_member_info');
    expect(refusals('change_group_owner')).toEqual([10004]);
    expect(owner).toMatchObject({ steps: { groups: { result: 'done', verified: true, transferred: 1 } } });
  });

  it('does not ask again a member already passed over when it reads the members again', async () => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'groups', CHAT_TIMEOUT_MS: '5000' } });
    const [owner, gone, leaving, heir] = [
      'plan_pass_owner',
      'plan_pass_gone',
      'plan_pass_leaving',
      'plan_pass_heir',
    ];
    w.chat.seed({
      accounts: [owner, gone, leaving, heir],
      groups: [
        {
          groupId: 'plan-pass',
          type: 'Public',
          owner,
          members: [
            { account: gone, joinTime: 1_700_000_100 },
            { account: leaving, joinTime: 1_700_000_200 },
            { account: heir, joinTime: 1_700_000_300 },
          ],
        },
      ],
    });
    // The owner's member list arrives late; meanwhile `leaving` leaves (its own erasure). The first member
    // asked answers "account does not exist" (10019), the second is refused (it left): the members are read
    // again, and the one already passed over is not asked a second time.
    w.chat.injectFault({ type: 'delay', ms: 2000, command: 'get_group_member_info', times: 1 });
    w.chat.injectFault({ type: 'error-code', code: 10019, command: 'change_group_owner', times: 1 });
    const owning = run(w, [event({ userId: owner })]);
    await vi.waitFor(
      () => {
        expect(w.chat.requests.some((request) => request.command === 'get_group_member_info')).toBe(true);
      },
      { timeout: 10_000 },
    );
    expect((await run(w, [event({ userId: leaving })])).audits[0]).toMatchObject({ outcome: 'erased' });
    expect((await owning).audits[0]).toMatchObject({
      outcome: 'erased',
      steps: { groups: { result: 'done', verified: true, transferred: 1 } },
    });
    const asked = w.chat.requests
      .filter((request) => request.command === 'change_group_owner')
      .map((request) => (request.body as { NewOwner_Account: string }).NewOwner_Account);
    expect(asked).toEqual([gone, leaving, heir]);
    expect(w.chat.groupOf('plan-pass')?.owner).toBe(heir);
  });

  it('hands on a group it was given while leaving it (an owner closing at the same time chose it)', async () => {
    // The member's group list says "member"; its delete_group_member is then refused: it is the owner now.
    const { owner, member, refusals } = await closeTogether('plan-given', 'member', 'get_joined_group_list');
    expect(refusals('delete_group_member')).toEqual([10004]);
    expect(owner).toMatchObject({ steps: { groups: { transferred: 1 } } });
    expect(member).toMatchObject({ steps: { groups: { result: 'done', verified: true, transferred: 1 } } });
  });

  it.each([
    ['a hand-over to a member still in the group', 'change_group_owner', 'plan_stuck_owner'],
    ['a plain member still listed as one', 'delete_group_member', 'plan_stuck_member'],
  ])('still fails the step when a fresh look does not explain a refusal: %s', async (_, command, userId) => {
    const w = await startWorld({ functionEnv: { ERASURE_STEPS: 'groups' } });
    w.chat.seed({
      accounts: ['plan_stuck_owner', 'plan_stuck_member'],
      groups: [
        {
          groupId: 'plan-stuck',
          type: 'Public',
          owner: 'plan_stuck_owner',
          members: [{ account: 'plan_stuck_member', joinTime: 1_700_000_100 }],
        },
      ],
    });
    w.chat.injectFault({ type: 'error-code', code: 10004, command, times: 1 });
    const { audits } = await run(w, [event({ userId })]);
    expect(audits[0]).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'permanent-error',
      failedStep: 'groups',
      errorCode: 10004,
    });
    expect(w.chat.groupOf('plan-stuck')?.owner).toBe('plan_stuck_owner');
    expect(w.chat.groupOf('plan-stuck')?.members.map((member) => member.account)).toContain(userId);
  });
});

describe('a retry after a failure mid-plan', () => {
  it('stops at the failing step, then finishes the whole plan on the next delivery', async () => {
    const w = await startWorld();
    seedFullUser(w.chat, 'plan_again');
    w.chat.injectFault({ type: 'error-code', code: 30006, command: 'follow_get', times: 2 });
    const first = await run(w, [event({ userId: 'plan_again' })]);
    expect(first.audits[0]).toMatchObject({ outcome: 'retry', failedStep: 'follows', errorCode: 30006 });
    expect(Object.keys(first.audits[0]?.steps as object)).toEqual([
      'kick',
      'friends',
      'blocklist',
      'follows',
    ]);
    const second = await run(w, [event({ userId: 'plan_again' })], 2);
    expect(second.audits[0]).toMatchObject({ outcome: 'erased' });
    expect(second.audits[0]?.steps).toMatchObject({
      friends: { result: 'done', removed: 0, verified: true },
      follows: { result: 'done', removed: 2, verified: true },
      account: { result: 'done', verified: true },
    });
    expect(w.chat.personalDataOf('plan_again').accountExists).toBe(false);
  });
});

describe('account deletion refused by the app plan', () => {
  it('dead-letters 71000 as permanent-error with failed-step account', async () => {
    const w = await startWorld({
      functionEnv: { ERASURE_STEPS: 'friends,account' },
      chatOptions: { features: { accountDelete: false } },
    });
    w.chat.seed({ accounts: ['plan_paid'] });
    const { batch, audits } = await run(w, [event({ userId: 'plan_paid' })]);
    expect(audits[0]).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'permanent-error',
      errorCode: 71000,
      failedStep: 'account',
    });
    const letter = (await readDeadLetters(w)).get(batch.Records[0]?.messageId as string);
    expect(attribute(letter ?? {}, 'failed-step')).toBe('account');
  });
});

describe('the budget of every command', () => {
  it('keeps every command within its budget in any sliding second across two instances, with no 60007', async () => {
    const w = await startWorld({
      chatCallsPerSecond: 20,
      queueVisibilityTimeoutSeconds: 60,
      functionEnv: { CALL_BUDGET_PER_SECOND: '20', MAX_CONCURRENCY: '2' },
    });
    const users = Array.from({ length: 6 }, (_, index) => `plan_budget_${index}`);
    for (const user of users) seedFullUser(w.chat, user);
    await w.enqueue(users.map((userId) => event({ userId })));
    await w.drain({ maxDurationMs: 40_000, instances: 2 });
    // Every user's erasure ended erased (some across continuations: 20 calls/s is a slow plan).
    const finished = w.logRecords().filter((line) => line.message === 'erasure' && line.outcome === 'erased');
    expect(finished).toHaveLength(users.length);
    for (const user of users) expect(w.chat.personalDataOf(user).accountExists).toBe(false);
    const byCommand = new Map<string, number[]>();
    for (const request of w.chat.requests) {
      byCommand.set(request.command, [...(byCommand.get(request.command) ?? []), request.receivedAtMs]);
    }
    expect(byCommand.size).toBeGreaterThanOrEqual(15);
    for (const [command, arrivals] of byCommand) {
      arrivals.sort((a, b) => a - b);
      let busiest = 0;
      for (const start of arrivals)
        busiest = Math.max(busiest, arrivals.filter((at) => at >= start && at < start + 1000).length);
      expect(busiest, command).toBeLessThanOrEqual(20);
    }
    expect(w.chat.counters.throttled).toBe(0);
  });
});

describe('long plans continue', () => {
  it('finishes a user with 5,000 followers across several short invocations, never dead-lettered', async () => {
    const w = await startWorld({
      chatCallsPerSecond: 2000,
      queueVisibilityTimeoutSeconds: 30,
      functionEnv: {
        ERASURE_STEPS: 'friends,follows',
        CALL_BUDGETS: 'follow_delete=2000',
        MAX_RECEIVES: '2',
      },
    });
    const followers = Array.from({ length: 5000 }, (_, index) => `plan_fan_${index}`);
    w.chat.seed({
      accounts: ['plan_star', ...followers],
      follows: followers.map((follower) => ({ follower, followee: 'plan_star' })),
    });
    const [messageId] = await w.enqueue([event({ userId: 'plan_star', requestId: 'dsr-star' })]);
    // Each invocation may start calls for about 1 s (3 s timeout - 1 s call timeout - 1 s margin).
    const drained = await w.drain({ maxDurationMs: 60_000, instances: 2, functionTimeoutMs: 3000 });
    expect(drained.handlerErrors).toBe(0);
    const lines = w.logRecords().filter((line) => line.message === 'erasure' && line.erasureId === messageId);
    const outcomes = lines.map((line) => line.outcome);
    expect(outcomes.at(-1)).toBe('erased');
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'continued')).toBe(true);
    expect(outcomes.length).toBeGreaterThanOrEqual(3);
    // Every continuation carries the erasure on: its id, request id and a growing continuation number.
    expect(lines.every((line) => line.requestId === 'dsr-star')).toBe(true);
    expect(lines.slice(1).map((line) => line.continuation)).toEqual(
      lines.slice(1).map((_, index) => index + 1),
    );
    expect(lines.every((line) => line.attempts === 1)).toBe(true);
    expect(w.chat.personalDataOf('plan_star').followers).toEqual([]);
    expect(await w.sqs.readAll(w.dlq.url)).toEqual([]);
    const continued = w.sqs.calls.filter(
      (call) =>
        call.action === 'SendMessage' &&
        (call.input as { QueueUrl?: string }).QueueUrl?.includes('chat-erasure-queue'),
    );
    expect(continued.length).toBe(outcomes.length - 1);
    const first = continued[0]?.input as
      | { MessageAttributes: Record<string, { StringValue: string }> }
      | undefined;
    const attributes = first?.MessageAttributes ?? {};
    expect(attributes['erasure-id']?.StringValue).toBe(messageId);
    expect(attributes['request-id']?.StringValue).toBe('dsr-star');
    expect(attributes.continuation?.StringValue).toBe('1');
    expect(Date.parse(attributes['first-sent-at']?.StringValue ?? '')).toBeGreaterThan(Date.now() - 120_000);
  }, 90_000);
});
