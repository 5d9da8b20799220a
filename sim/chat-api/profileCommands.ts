/**
 * The profile commands (`profile/*`): portrait_get (at most 100 accounts, per-account results with
 * `Fail_Account`) and portrait_set (all fields checked before any is written). Malformed fields get 40001.
 * See profiles.ts for field rules and how clearing works.
 */
import * as z from 'zod';
import { defineCommand, type Handler } from './commandKit.ts';

/** portrait_get's batch limit. */
const MAX_ACCOUNTS = 100;

const portraitGetBody = z.object({
  To_Account: z.array(z.string().min(1)).min(1).max(MAX_ACCOUNTS),
  TagList: z.array(z.string().min(1)).min(1),
});

const portraitSetBody = z.object({
  ProfileItem: z.array(z.object({ Tag: z.string().min(1), Value: z.union([z.string(), z.number()]) })).min(1),
});

/**
 * portrait_get: a tag that is neither standard nor configured fails the whole request (40009). An account
 * that does not exist gets a per-item 40003 (and is in `Fail_Account`). Fields not set (or cleared) are
 * left out of that account's `ProfileItem`.
 */
const portraitGet = defineCommand({
  source: { service: 'profile', command: 'portrait_get' },
  invalidCode: 40001,
  schema: portraitGetBody,
  run: (request, { data }, reply) => {
    const unknown = request.TagList.find((tag) => !data.profiles.knows(tag));
    if (unknown !== undefined) return reply.fail(40009, `Tag: ${unknown}`);
    const userProfileItem = request.To_Account.map((account) =>
      data.exists(account)
        ? {
            To_Account: account,
            ProfileItem: data.profiles
              .get(account, request.TagList)
              .map(({ tag, value }) => ({ Tag: tag, Value: value })),
            ResultCode: 0,
            ResultInfo: '',
          }
        : {
            To_Account: account,
            ProfileItem: [],
            ResultCode: 40003,
            ResultInfo: 'Err_Profile_Account_Not_Exist',
          },
    );
    const failed = userProfileItem.filter((item) => item.ResultCode !== 0).map((item) => item.To_Account);
    return reply.ok({
      UserProfileItem: userProfileItem,
      ...(failed.length > 0 ? { Fail_Account: failed } : {}),
    });
  },
});

/**
 * portrait_set: the first field Tencent would refuse fails the whole request with its code (40009 unknown
 * tag, 40601 too long, 40605 bad value, 40610 wrong type) and nothing is written.
 */
const portraitSet = defineCommand({
  source: { service: 'profile', command: 'portrait_set' },
  invalidCode: 40001,
  subject: { field: 'From_Account', notFoundCode: 40003 },
  schema: portraitSetBody,
  run: (request, { data }, reply, from) => {
    for (const item of request.ProfileItem) {
      const refusal = data.profiles.check(item.Tag, item.Value);
      if (refusal !== undefined) return reply.fail(refusal.code, refusal.detail);
    }
    data.profiles.set(
      from,
      request.ProfileItem.map((item) => ({ tag: item.Tag, value: item.Value })),
    );
    return reply.ok();
  },
});

/** The profile handlers, by `service/command` (commands.ts routes to them). */
export const PROFILE_COMMANDS: Record<string, Handler> = {
  'profile/portrait_get': portraitGet,
  'profile/portrait_set': portraitSet,
};
