/**
 * `blocklist`: every entry of the user's own blocklist (`black_list_get` paged, `black_list_delete` at
 * most 1,000 per call, per-item results checked). Entries other users hold naming the user cannot be
 * listed: they are a residual of every plan. Done when `black_list_get` comes back empty.
 */
import * as z from 'zod';
import { batchesOf, collectPages, removeUntilEmpty } from '../listing.ts';
import type { ErasureStep } from '../step.ts';
import { checkItems } from '../stepCalls.ts';

/** Entries asked for per page: undocumented maximum, so a modest page (a blocklist holds ≤ 1,000). */
const PAGE_SIZE = 100;
/** black_list_delete takes at most this many accounts (API.md §4.4). */
const DELETE_BATCH = 1000;

const pageAnswer = z.object({
  BlackListItem: z.array(z.object({ To_Account: z.string() })).optional(),
  // The next page's start; 0 = done.
  StartIndex: z.number().int().min(0),
});
const deleteAnswer = z.object({
  ResultItem: z.array(z.object({ To_Account: z.string(), ResultCode: z.number().int() })).optional(),
});

export const blocklist: ErasureStep = async ({ userId, calls, tally }) => {
  // Entries naming an account that no longer exists are done for that item: nothing more can remove them.
  const gone = new Set<string>();
  const list = async () =>
    (
      await collectPages(0, async (startIndex: number) => {
        const reply = await calls.send(
          'sns/black_list_get',
          { From_Account: userId, StartIndex: startIndex, MaxLimited: PAGE_SIZE, LastSequence: 0 },
          pageAnswer,
          { about: 'user' },
        );
        if (reply.kind !== 'ok') return { items: [], next: undefined };
        const items = (reply.answer.BlackListItem ?? []).map((item) => item.To_Account);
        return { items, next: reply.answer.StartIndex === 0 ? undefined : reply.answer.StartIndex };
      })
    ).filter((blocked) => !gone.has(blocked));
  const remove = async (blocked: readonly string[]) => {
    for (const batch of batchesOf(blocked, DELETE_BATCH)) {
      const reply = await calls.send(
        'sns/black_list_delete',
        { From_Account: userId, To_Account: batch },
        deleteAnswer,
        { about: 'user', removes: true },
      );
      if (reply.kind === 'ok') {
        const items = (reply.answer.ResultItem ?? []).map((item) => ({
          id: item.To_Account,
          code: item.ResultCode,
          about: 'other' as const,
        }));
        for (const account of checkItems(items)) gone.add(account);
      }
    }
  };
  const { removed } = await removeUntilEmpty(tally, list, remove);
  return { result: 'done', removed, verified: true };
};
