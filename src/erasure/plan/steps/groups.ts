/**
 * `groups`: the user's group memberships (`delete_group_member` with `Silence: 1`) and the groups the user
 * owns, per GROUP_OWNER_POLICY: `transfer` hands each to its longest-standing other member (earliest
 * `JoinTime` in `get_group_member_info`; ties: the lower `Member_Account`) and then removes the user;
 * a group with no other member, or of a type that keeps no member list (AVChatRoom), is destroyed.
 * `destroy` destroys every owned group. A membership no API can remove (an AVChatRoom the user does not
 * own) is a residual: counted, and left out of the read-back. 10010/10015 (the group is gone) are done.
 * Members of one group may be erased at the same time and hand it to one another, so a refused hand-over
 * or leave is checked against a fresh listing before it fails the step.
 */
import * as z from 'zod';
import { StepFailedError } from '../../../errors.ts';
import { collectPages, forEachLimited, REMOVAL_CONCURRENCY, removeUntilEmpty } from '../listing.ts';
import type { ErasureStep, StepContext } from '../step.ts';

/** The first page size; halved after 10018 (an answer over 1 MB), down to MIN_LIMIT. */
const FIRST_LIMIT = 1000;
const MIN_LIMIT = 10;
/** get_group_member_info pages of at most this many members. */
const MEMBER_PAGE = 200;
const ANSWER_TOO_LARGE = 10018;
const CHANGE_REQUEST_ON = new Set([ANSWER_TOO_LARGE]);

const membershipAnswer = z.object({
  TotalCount: z.number().int().min(0),
  GroupIdList: z
    .array(
      z.object({
        GroupId: z.string(),
        Type: z.string(),
        Owner_Account: z.string().optional(),
        SelfInfo: z.object({ Role: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
const memberAnswer = z.object({
  MemberNum: z.number().int().min(0),
  MemberList: z.array(z.object({ Member_Account: z.string(), JoinTime: z.number().optional() })).optional(),
  Next: z.string().optional(),
});
const writeAnswer = z.object({});
/** Members asked to take over an owned group, in order, before the delivery gives up (and retries). */
const SUCCESSOR_TRIES = 3;
/** Times one group is left, looked at again after a refusal, and left again before the delivery retries. */
const HAND_OVER_ROUNDS = 4;

interface Membership {
  groupId: string;
  type: string;
  owned: boolean;
}

/** What the step did with owned groups, and what it had to leave. */
interface GroupCounts {
  /** Groups handed over (a set: a group handed back and on again counts once). */
  transferred: Set<string>;
  destroyed: number;
  avchatroomMemberships: number;
}

async function listMemberships({ userId, calls }: StepContext): Promise<Membership[]> {
  let limit = FIRST_LIMIT;
  const seen = new Set<string>();
  return collectPages<number, Membership>(0, async (offset) => {
    for (;;) {
      try {
        const reply = await calls.send(
          'group_open_http_svc/get_joined_group_list',
          {
            Member_Account: userId,
            Limit: limit,
            Offset: offset,
            WithHugeGroups: 1,
            WithNoActiveGroups: 1,
            ResponseFilter: { GroupBaseInfoFilter: ['Type', 'Owner_Account'], SelfInfoFilter: ['Role'] },
          },
          membershipAnswer,
          { about: 'user', changeRequestOn: CHANGE_REQUEST_ON },
        );
        if (reply.kind !== 'ok') return { items: [], next: undefined };
        const page = reply.answer.GroupIdList ?? [];
        if (page.length > 0 && page.every((group) => seen.has(group.GroupId))) {
          throw new StepFailedError('transient', 'a listing page repeated');
        }
        for (const group of page) seen.add(group.GroupId);
        const items = page.map((group) => ({
          groupId: group.GroupId,
          type: group.Type,
          owned: group.Owner_Account === userId || group.SelfInfo?.Role === 'Owner',
        }));
        const next = offset + page.length;
        return { items, next: page.length > 0 && next < reply.answer.TotalCount ? next : undefined };
      } catch (error) {
        // 10018: the answer would be over 1 MB; ask for fewer groups per page.
        if (!(error instanceof StepFailedError) || error.errorCode !== ANSWER_TOO_LARGE || limit <= MIN_LIMIT)
          throw error;
        limit = Math.max(MIN_LIMIT, Math.floor(limit / 2));
      }
    }
  });
}

/** The members other than the user, longest-standing first, or 'gone' when the group is gone. */
async function successorsOf({ userId, calls }: StepContext, groupId: string): Promise<string[] | 'gone'> {
  let gone = false;
  const members = await collectPages<{ offset: number; next: string }, { account: string; joinTime: number }>(
    { offset: 0, next: '' },
    async (position) => {
      const reply = await calls.send(
        'group_open_http_svc/get_group_member_info',
        {
          GroupId: groupId,
          Limit: MEMBER_PAGE,
          Offset: position.offset,
          Next: position.next,
          MemberInfoFilter: ['JoinTime'],
        },
        memberAnswer,
        { about: 'other' },
      );
      if (reply.kind !== 'ok') {
        gone = true;
        return { items: [], next: undefined };
      }
      const page = reply.answer.MemberList ?? [];
      const items = page.map((member) => ({
        account: member.Member_Account,
        joinTime: member.JoinTime ?? Number.POSITIVE_INFINITY,
      }));
      const offset = position.offset + page.length;
      // Community groups page by the opaque Next ("" = done); the others by Offset up to MemberNum.
      const more =
        reply.answer.Next !== undefined
          ? reply.answer.Next !== ''
          : page.length > 0 && offset < reply.answer.MemberNum;
      return { items, next: more ? { offset, next: reply.answer.Next ?? '' } : undefined };
    },
  );
  if (gone) return 'gone';
  const others = members.filter((member) => member.account !== userId);
  others.sort(
    (a, b) => a.joinTime - b.joinTime || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0),
  );
  return others.map((member) => member.account);
}

interface Refused {
  kind: 'refused';
  error: StepFailedError;
}

/**
 * Runs a group write whose refusal may come from a change made since the step looked (another erasure
 * running at the same time): a permanent refusal is returned, not thrown, so the caller can look again
 * before it stands. Tencent does not document these refusals' codes (the simulator answers 10004).
 */
async function refusable<T>(write: () => Promise<T>): Promise<T | Refused> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StepFailedError && error.failureClass === 'permanent')
      return { kind: 'refused', error };
    throw error;
  }
}

/**
 * Leaves (or hands over, or destroys) one group; resolves whether the group turned out to be gone. Members
 * of one group erased at the same time hand it to one another (each hands it to the longest-standing other
 * member, who may be leaving too), so a refused leave is looked at again: the user may own the group now
 * (an owner cannot simply leave: hand it on), or have been given it back after handing it over. A refusal
 * stands when the fresh listing still shows the user as a plain member. A group that keeps changing hands
 * is a transient failure: the retry finds fewer members left.
 */
async function leave(context: StepContext, group: Membership, counts: GroupCounts): Promise<'left' | 'gone'> {
  let current = group;
  for (let round = 0; round < HAND_OVER_ROUNDS; round++) {
    const left = current.owned
      ? await leaveOwned(context, current, counts)
      : await refusable(() => removeMember(context, current.groupId));
    if (typeof left === 'string') return left;
    const now = (await listMemberships(context)).find((membership) => membership.groupId === group.groupId);
    if (now === undefined) return 'left';
    if (!current.owned && !now.owned) throw left.error;
    current = now;
  }
  throw new StepFailedError('transient', `an owned group kept changing hands (${HAND_OVER_ROUNDS} rounds)`);
}

async function removeMember({ userId, calls }: StepContext, groupId: string): Promise<'left' | 'gone'> {
  const reply = await calls.send(
    'group_open_http_svc/delete_group_member',
    { GroupId: groupId, MemberToDel_Account: [userId], Silence: 1 },
    writeAnswer,
    { about: 'other', removes: true },
  );
  return reply.kind === 'ok' ? 'left' : 'gone';
}

async function destroy(
  { calls }: StepContext,
  groupId: string,
  counts: GroupCounts,
): Promise<'left' | 'gone'> {
  const reply = await calls.send('group_open_http_svc/destroy_group', { GroupId: groupId }, writeAnswer, {
    about: 'other',
    removes: true,
  });
  if (reply.kind === 'ok') counts.destroyed++;
  return reply.kind === 'ok' ? 'left' : 'gone';
}

/**
 * Hands over (to the longest-standing other member) or destroys a group the user owns. `refused` when the
 * user, once the group was handed over, could not leave it (it may have been handed back).
 */
async function leaveOwned(
  context: StepContext,
  group: Membership,
  counts: GroupCounts,
): Promise<'left' | 'gone' | Refused> {
  const { calls, settings } = context;
  if (settings.groupOwnerPolicy === 'destroy' || group.type === 'AVChatRoom') {
    return destroy(context, group.groupId, counts);
  }
  let successors = await successorsOf(context, group.groupId);
  if (successors === 'gone') return 'gone';
  /** Members already asked that cannot take the group (account gone, edition refuses). */
  const passedOver = new Set<string>();
  for (let tries = 0; tries < SUCCESSOR_TRIES && successors.length > 0; tries++) {
    const successor = successors[0] as string;
    const reply = await refusable(() =>
      calls.send(
        'group_open_http_svc/change_group_owner',
        { GroupId: group.groupId, NewOwner_Account: successor },
        writeAnswer,
        { about: 'other' },
      ),
    );
    if (reply.kind === 'refused') {
      // The member may have left since the list was read (its own erasure, running at the same time): read
      // the members again. Refusing one still there stands.
      const now = await successorsOf(context, group.groupId);
      if (now === 'gone') return 'gone';
      if (now.includes(successor)) throw reply.error;
      successors = now.filter((member) => !passedOver.has(member));
      continue;
    }
    if (reply.kind === 'ok') {
      counts.transferred.add(group.groupId);
      return refusable(() => removeMember(context, group.groupId));
    }
    if (reply.kind === 'gone' && !reply.account) return 'gone';
    // The member's account no longer exists (10019), or the edition refuses: the user still owns the
    // group, so the next longest-standing member is asked.
    passedOver.add(successor);
    successors = successors.slice(1);
  }
  if (successors.length > 0) {
    throw new StepFailedError(
      'transient',
      `no member of an owned group could take it over (${SUCCESSOR_TRIES} tried)`,
    );
  }
  return destroy(context, group.groupId, counts);
}

export const groups: ErasureStep = async (context) => {
  const { tally } = context;
  const counts: GroupCounts = { transferred: new Set(), destroyed: 0, avchatroomMemberships: 0 };
  // A group that answered "gone" (10010, 10015) is done, even if a listing still shows it.
  const gone = new Set<string>();
  const list = async () => {
    const memberships = (await listMemberships(context)).filter((group) => !gone.has(group.groupId));
    // delete_group_member refuses AVChatRoom: a membership there that the user does not own stays.
    const residual = memberships.filter((group) => group.type === 'AVChatRoom' && !group.owned);
    counts.avchatroomMemberships = residual.length;
    return memberships.filter((group) => !residual.includes(group));
  };
  const remove = (left: readonly Membership[]) =>
    forEachLimited(left, REMOVAL_CONCURRENCY, async (group) => {
      if ((await leave(context, group, counts)) === 'gone') gone.add(group.groupId);
    });
  const { removed } = await removeUntilEmpty(tally, list, remove);
  return {
    result: 'done',
    removed,
    verified: true,
    transferred: counts.transferred.size,
    destroyed: counts.destroyed,
    ...(counts.avchatroomMemberships > 0
      ? { residual: { 'avchatroom-memberships': counts.avchatroomMemberships } }
      : {}),
  };
};
