/**
 * `account`: deletes the account itself (`account_delete`), then reads back with `account_check` until it
 * says `NotImported`. Irreversible, and on paid plans the UserID cannot be imported again for three
 * months; 71000 (the app's plan does not allow it) is a permanent error: the operator asked for it.
 */
import * as z from 'zod';
import { StepFailedError } from '../../../errors.ts';
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
  /** Whether the delete was answered OK for the user (its own 70107 stops the plan: absent). */
  const deleteAccount = async (): Promise<boolean> => {
    const reply = await calls.send(
      'im_open_login_svc/account_delete',
      { DeleteItem: [{ UserID: userId }] },
      deleteAnswer,
      { about: 'user' },
    );
    if (reply.kind !== 'ok') return false;
    // The user's own 70107 comes inside an OK answer: the account does not exist and this call removed
    // nothing (absent, or erased if an earlier step of this delivery removed something).
    requireItem(reply.answer.ResultItem?.find((item) => item.UserID === userId)?.ResultCode ?? 0);
    calls.countRemoval();
    tally.removed = 1;
    return true;
  };
  const isGone = async (): Promise<boolean> => {
    const reply = await calls.send(
      'im_open_login_svc/account_check',
      { CheckItem: [{ UserID: userId }] },
      checkAnswer,
      { about: 'user' },
    );
    if (reply.kind !== 'ok') return true;
    const own = reply.answer.ResultItem.find((item) => item.UserID === userId);
    requireItem(own?.ResultCode ?? 0);
    return own?.AccountStatus === 'NotImported';
  };
  // The read-back rule of the other steps, with account_delete itself saying whether there is an account:
  // delete, check; once more if it is still there; then unverified.
  for (let round = 0; round < 2; round++) {
    if ((await deleteAccount()) && (await isGone())) return { result: 'done', removed: 1, verified: true };
  }
  throw new StepFailedError('unverified', 'the account is still imported after deleting it twice');
};
