/**
 * `kick`: ends the user's current login sessions (`im_open_login_svc/kick`), so no client keeps acting as
 * the user while the rest of the plan runs. There is nothing to list and nothing to read back.
 */
import * as z from 'zod';
import type { ErasureStep } from '../step.ts';

const kickAnswer = z.object({});

export const kick: ErasureStep = async ({ userId, calls }) => {
  await calls.send('im_open_login_svc/kick', { UserID: userId }, kickAnswer, { about: 'user' });
  return { result: 'done', removed: 0, verified: false };
};
