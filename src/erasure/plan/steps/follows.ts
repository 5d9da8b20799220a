/**
 * `follows`: whom the user follows, and the user on each follower's list (`follow_get` FollowType 2 and
 * 1, paged; `follow_delete` at most 20 per call; for a follower, `From_Account` is the follower and
 * `To_Account` the user). A follower may be any account, an admin included: only the record's own userId
 * is never the identifier a call is signed with. 30005 (the feature is off) means nothing of this kind can
 * exist: `not-enabled`. Done when both listings come back empty.
 */
import * as z from 'zod';
import {
  batchesOf,
  collectPages,
  forEachLimited,
  REMOVAL_CONCURRENCY,
  removeUntilEmpty,
} from '../listing.ts';
import type { ErasureStep } from '../step.ts';
import { checkItems, type StepCalls } from '../stepCalls.ts';

/** follow_get returns at most this many per page; follow_delete takes at most 20 (API.md §8.5). */
const PAGE_SIZE = 1000;
const DELETE_BATCH = 20;
const FOLLOWERS = 1;
const FOLLOWING = 2;

const pageAnswer = z.object({
  FollowItem: z.array(z.object({ To_Account: z.string() })).optional(),
  NextCursor: z.string(),
});
const deleteAnswer = z.object({
  ResultItem: z.array(z.object({ To_Account: z.string(), ResultCode: z.number().int() })).optional(),
});

/** The listed accounts, or undefined when the feature is not enabled. */
async function listFollows(
  calls: StepCalls,
  userId: string,
  followType: number,
): Promise<string[] | undefined> {
  let notEnabled = false;
  const accounts = await collectPages('', async (cursor: string) => {
    const reply = await calls.send(
      'follow/follow_get',
      { From_Account: userId, FollowType: followType, StartCursor: cursor, WantNum: PAGE_SIZE },
      pageAnswer,
      { about: 'user' },
    );
    if (reply.kind === 'not-enabled') notEnabled = true;
    if (reply.kind !== 'ok') return { items: [], next: undefined };
    const items = (reply.answer.FollowItem ?? []).map((item) => item.To_Account);
    return { items, next: reply.answer.NextCursor === '' ? undefined : reply.answer.NextCursor };
  });
  return notEnabled ? undefined : accounts;
}

type Direction = 'following' | 'follower';
type Follow = { direction: Direction; account: string };

export const follows: ErasureStep = async ({ userId, calls, tally }) => {
  let notEnabled = false;
  // Follows of or by an account that no longer exists are done for that item (DESIGN.md "Absent"), in that
  // direction only: "the user no longer follows X" says nothing about X's entry for the user on X's list.
  const done = new Set<string>();
  const key = (direction: Direction, account: string) => `${direction}\u0000${account}`;
  const list = async (): Promise<Follow[]> => {
    const following = await listFollows(calls, userId, FOLLOWING);
    const followers = following === undefined ? undefined : await listFollows(calls, userId, FOLLOWERS);
    if (following === undefined || followers === undefined) {
      notEnabled = true;
      return [];
    }
    return [
      ...following.map((account) => ({ direction: 'following' as const, account })),
      ...followers.map((account) => ({ direction: 'follower' as const, account })),
    ].filter((follow) => !done.has(key(follow.direction, follow.account)));
  };
  const unfollowAsUser = async (to: readonly string[]) => {
    const reply = await calls.send(
      'follow/follow_delete',
      { From_Account: userId, To_Account: to },
      deleteAnswer,
      { about: 'user' },
    );
    if (reply.kind !== 'ok') return;
    const items = (reply.answer.ResultItem ?? []).map((item) => ({
      id: item.To_Account,
      code: item.ResultCode,
      about: 'other' as const,
    }));
    for (const account of checkItems(items)) done.add(key('following', account));
    calls.countRemoval();
  };
  // The follower's own list: `From_Account` is the follower, the only item the user.
  const removeFromFollower = async (follower: string) => {
    const reply = await calls.send(
      'follow/follow_delete',
      { From_Account: follower, To_Account: [userId] },
      deleteAnswer,
      { about: 'other' },
    );
    if (reply.kind === 'gone') {
      // The follower itself no longer exists.
      done.add(key('follower', follower));
    } else if (reply.kind === 'ok') {
      const items = (reply.answer.ResultItem ?? []).map((item) => ({
        id: item.To_Account,
        code: item.ResultCode,
        about: item.To_Account === userId ? ('user' as const) : ('other' as const),
      }));
      // Only the user's own "does not exist" or a permanent code matters here (checkItems throws); an
      // "already gone" item is left to the read-back, which still lists the follower if it was not.
      checkItems(items);
      calls.countRemoval();
    }
  };
  const remove = async (left: readonly Follow[]) => {
    const following = left.flatMap((follow) => (follow.direction === 'following' ? [follow.account] : []));
    const followers = left.flatMap((follow) => (follow.direction === 'follower' ? [follow.account] : []));
    const work: (() => Promise<void>)[] = [
      ...batchesOf(following, DELETE_BATCH).map((batch) => () => unfollowAsUser(batch)),
      ...followers.map((follower) => () => removeFromFollower(follower)),
    ];
    await forEachLimited(work, REMOVAL_CONCURRENCY, (run) => run());
  };
  const { removed } = await removeUntilEmpty(tally, list, remove);
  if (notEnabled) return { result: 'not-enabled', removed: 0, verified: false };
  return { result: 'done', removed, verified: true };
};
