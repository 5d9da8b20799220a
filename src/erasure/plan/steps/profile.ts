/**
 * `profile`: the standard personal fields (Nick, Image, SelfSignature, Location → ""; Gender →
 * Gender_Type_Unknown; BirthDay, Language, Level, Role → 0) and PROFILE_CUSTOM_TAGS (`:int` → 0, others
 * → ""), read with `portrait_get` and cleared with `portrait_set`. Tencent documents no way to delete a
 * field, so a field counts as erased when `portrait_get` leaves it out or shows its cleared value.
 */
import * as z from 'zod';
import { removeUntilEmpty } from '../listing.ts';
import type { ErasureStep, ProfileCustomTag } from '../step.ts';
import { requireItem } from '../stepCalls.ts';

/** The standard personal fields and the value that clears each. */
const STANDARD_PROFILE_FIELDS: Readonly<Record<string, string | number>> = {
  Tag_Profile_IM_Nick: '',
  Tag_Profile_IM_Gender: 'Gender_Type_Unknown',
  Tag_Profile_IM_BirthDay: 0,
  Tag_Profile_IM_Location: '',
  Tag_Profile_IM_SelfSignature: '',
  Tag_Profile_IM_Language: 0,
  Tag_Profile_IM_Image: '',
  Tag_Profile_IM_Level: 0,
  Tag_Profile_IM_Role: 0,
};

const getAnswer = z.object({
  UserProfileItem: z
    .array(
      z.object({
        To_Account: z.string(),
        ProfileItem: z.array(z.object({ Tag: z.string(), Value: z.unknown() })).optional(),
        ResultCode: z.number().int().optional(),
      }),
    )
    .optional(),
});
const setAnswer = z.object({});

/** Every field the step clears, with its cleared value. */
function clearedValues(customTags: readonly ProfileCustomTag[]): Map<string, string | number> {
  return new Map([
    ...Object.entries(STANDARD_PROFILE_FIELDS),
    ...customTags.map(({ tag, integer }): [string, string | number] => [tag, integer ? 0 : '']),
  ]);
}

export const profile: ErasureStep = async ({ userId, calls, settings, tally }) => {
  const cleared = clearedValues(settings.profileCustomTags);
  const list = async () => {
    const reply = await calls.send(
      'profile/portrait_get',
      { To_Account: [userId], TagList: [...cleared.keys()] },
      getAnswer,
      { about: 'user' },
    );
    if (reply.kind !== 'ok') return [];
    const own = reply.answer.UserProfileItem?.find((item) => item.To_Account === userId);
    // The user's own per-item "does not exist" (40003) ends the plan like a top-level one.
    requireItem(own?.ResultCode ?? 0);
    return (own?.ProfileItem ?? []).filter(
      (item) => cleared.has(item.Tag) && item.Value !== cleared.get(item.Tag),
    );
  };
  const remove = async (left: readonly { Tag: string }[]) => {
    await calls.send(
      'profile/portrait_set',
      { From_Account: userId, ProfileItem: left.map(({ Tag }) => ({ Tag, Value: cleared.get(Tag) })) },
      setAnswer,
      { about: 'user', removes: true },
    );
  };
  const { removed } = await removeUntilEmpty(tally, list, remove);
  return { result: 'done', removed, verified: true };
};
