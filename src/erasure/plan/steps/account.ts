/**
 * `account`: deletes the account itself (`account_delete`), then reads back with `account_check` until it
 * says `NotImported`. Irreversible, and on paid plans the UserID cannot be imported again for three
 * months; 71000 (the app's plan does not allow it) is a permanent error: the operator asked for it.
 */
import * as z from 'zod';
import { removeUntilEmpty } from '../listing.ts';
import type { ErasureStep } from '../step.ts';
import { requireItem } from '../stepCalls.ts';

const deleteAnswer = z.object({
  ResultItem: z.array(z.object({ UserID: z.string(), ResultCode: z.number().int() })).optional(),
});
const checkAnswer = z.object({
  ResultItem: z.array(
    z.object({ UserID: z.string(), ResultCode: z.number().int(), AccountStatus: z.string().optional() }),
  ),
});

export const account: ErasureStep = async ({ userId, calls, tally }) => {
  let deleted = false;
  const remove = async () => {
    const reply = await calls.send(
      'im_open_login_svc/account_delete',
      { DeleteItem: [{ UserID: userId }] },
      deleteAnswer,
      {
        about: 'user',
        removes: true,
      },
    );
    if (reply.kind !== 'ok') return;
    // The user's own 70107 means it does not exist (absent, or erased if this delivery removed something).
    requireItem(reply.answer.ResultItem?.find((item) => item.UserID === userId)?.ResultCode ?? 0);
    deleted = true;
  };
  const list = async () => {
    // Only after a delete: before it, account_delete itself says whether the account exists.
    if (!deleted) return ['the account'];
    const reply = await calls.send(
      'im_open_login_svc/account_check',
      { CheckItem: [{ UserID: userId }] },
      checkAnswer,
      {
        about: 'user',
      },
    );
    if (reply.kind !== 'ok') return [];
    const own = reply.answer.ResultItem.find((item) => item.UserID === userId);
    requireItem(own?.ResultCode ?? 0);
    return own?.AccountStatus === 'NotImported' ? [] : ['the account'];
  };
  await removeUntilEmpty(tally, list, remove);
  return { result: 'done', removed: 1, verified: true };
};
