/**
 * `friends`: every friend both ways (`friend_delete_all` with `Delete_Type_Both`, the card's call), then
 * the user's friend lists (`Tag_SNS_IM_Group` names, which `friend_delete_all` is not documented to
 * remove). Done when `friend_get` says `FriendNum` 0 and `group_get` lists no list.
 */
import * as z from 'zod';
import { removeUntilEmpty } from '../listing.ts';
import type { ErasureStep } from '../step.ts';

const friendGetAnswer = z.object({ FriendNum: z.number().int().min(0) });
const groupGetAnswer = z.object({
  ResultItem: z.array(z.object({ GroupName: z.string() })).optional(),
});
const writeAnswer = z.object({});

type Left = { kind: 'friends'; count: number } | { kind: 'list'; name: string };

export const friends: ErasureStep = async ({ userId, calls, tally }) => {
  const list = async (): Promise<Left[]> => {
    // Sequences 0: the server must send everything (an equal sequence would leave data out).
    const got = await calls.send(
      'sns/friend_get',
      { From_Account: userId, StartIndex: 0, StandardSequence: 0, CustomSequence: 0 },
      friendGetAnswer,
      { about: 'user' },
    );
    const lists = await calls.send(
      'sns/group_get',
      { From_Account: userId, NeedFriend: 'Need_Friend_Type_No', LastSequence: 0 },
      groupGetAnswer,
      { about: 'user' },
    );
    const friendNum = got.kind === 'ok' ? got.answer.FriendNum : 0;
    const names = lists.kind === 'ok' ? (lists.answer.ResultItem ?? []).map((item) => item.GroupName) : [];
    return [
      ...(friendNum > 0 ? [{ kind: 'friends' as const, count: friendNum }] : []),
      ...names.map((name) => ({ kind: 'list' as const, name })),
    ];
  };
  const remove = async (left: readonly Left[]) => {
    if (left.some((item) => item.kind === 'friends')) {
      await calls.send(
        'sns/friend_delete_all',
        { From_Account: userId, DeleteType: 'Delete_Type_Both' },
        writeAnswer,
        { about: 'user', removes: true },
      );
    }
    const names = left.flatMap((item) => (item.kind === 'list' ? [item.name] : []));
    if (names.length > 0) {
      await calls.send('sns/group_delete', { From_Account: userId, GroupName: names }, writeAnswer, {
        about: 'user',
        removes: true,
      });
    }
  };
  const { removed } = await removeUntilEmpty(tally, list, remove, (left) =>
    left.reduce((sum, item) => sum + (item.kind === 'friends' ? item.count : 1), 0),
  );
  return { result: 'done', removed, verified: true };
};
