/**
 * `conversations`: every conversation on the user's side with its roaming messages (`recentcontact/get_list`
 * with AssistFlags 7, paged by its four cursors; `recentcontact/delete` one per call with `ClearRamble: 1`),
 * and the user's conversation groups (`get_contact_group`, `del_contact_group` one per call; 51009 = gone).
 * Conversation groups are an Ultimate feature: 51013 makes that part `notEnabled`, the step still done.
 * The other party's side of each conversation stays: no API erases it.
 */
import * as z from 'zod';
import { collectPages, forEachLimited, REMOVAL_CONCURRENCY, removeUntilEmpty } from '../listing.ts';
import type { ErasureStep } from '../step.ts';

/** Bit 0: pinned conversations; bit 1: empty ones too; bit 2: page the pinned ones (API.md §8.3). */
const ALL_CONVERSATIONS = 7;

const cursor = z.number().int().min(0);
const listAnswer = z.object({
  SessionItem: z
    .array(
      z.union([
        z.object({ Type: z.literal(1), To_Account: z.string() }),
        z.object({ Type: z.literal(2), GroupId: z.string() }),
      ]),
    )
    .optional(),
  CompleteFlag: z.number().int(),
  TimeStamp: cursor,
  StartIndex: cursor,
  TopTimeStamp: cursor,
  TopStartIndex: cursor,
});
const contactGroupAnswer = z.object({
  GroupItem: z.array(z.object({ GroupName: z.string() })).optional(),
  CompleteFlag: z.number().int(),
  NextStartIndex: cursor,
});
const writeAnswer = z.object({});

type Conversation = {
  type: 'conversation';
  target: { Type: 1; To_Account: string } | { Type: 2; ToGroupid: string };
};
type ContactGroup = { type: 'contact-group'; name: string };
type Left = Conversation | ContactGroup;

interface ListCursor {
  TimeStamp: number;
  StartIndex: number;
  TopTimeStamp: number;
  TopStartIndex: number;
}

export const conversations: ErasureStep = async ({ userId, calls, tally }) => {
  let contactGroupsEnabled = true;
  const listConversations = () =>
    collectPages<ListCursor, Conversation>(
      { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 },
      async (position) => {
        const reply = await calls.send(
          'recentcontact/get_list',
          { From_Account: userId, ...position, AssistFlags: ALL_CONVERSATIONS },
          listAnswer,
          { about: 'user' },
        );
        if (reply.kind !== 'ok') return { items: [], next: undefined };
        const { answer } = reply;
        const items = (answer.SessionItem ?? []).map(
          (item): Conversation => ({
            type: 'conversation',
            target:
              item.Type === 1
                ? { Type: 1, To_Account: item.To_Account }
                : { Type: 2, ToGroupid: item.GroupId },
          }),
        );
        const next = {
          TimeStamp: answer.TimeStamp,
          StartIndex: answer.StartIndex,
          TopTimeStamp: answer.TopTimeStamp,
          TopStartIndex: answer.TopStartIndex,
        };
        return { items, next: answer.CompleteFlag === 1 ? undefined : next };
      },
    );
  const listContactGroups = () =>
    collectPages<number, ContactGroup>(0, async (startIndex) => {
      const reply = await calls.send(
        'recentcontact/get_contact_group',
        { From_Account: userId, StartIndex: startIndex },
        contactGroupAnswer,
        { about: 'user' },
      );
      if (reply.kind === 'not-enabled') contactGroupsEnabled = false;
      if (reply.kind !== 'ok') return { items: [], next: undefined };
      const items = (reply.answer.GroupItem ?? []).map(
        (item): ContactGroup => ({ type: 'contact-group', name: item.GroupName }),
      );
      return { items, next: reply.answer.CompleteFlag === 1 ? undefined : reply.answer.NextStartIndex };
    });
  const list = async (): Promise<Left[]> => [
    ...(await listConversations()),
    ...(contactGroupsEnabled ? await listContactGroups() : []),
  ];
  const remove = async (left: readonly Left[]) => {
    await forEachLimited(left, REMOVAL_CONCURRENCY, async (item) => {
      if (item.type === 'conversation') {
        await calls.send(
          'recentcontact/delete',
          { From_Account: userId, ...item.target, ClearRamble: 1 },
          writeAnswer,
          { about: 'user', removes: true },
        );
      } else {
        await calls.send(
          'recentcontact/del_contact_group',
          { From_Account: userId, GroupName: [item.name] },
          writeAnswer,
          { about: 'user', removes: true },
        );
      }
    });
  };
  const { removed } = await removeUntilEmpty(tally, list, remove);
  return {
    result: 'done',
    removed,
    verified: true,
    ...(contactGroupsEnabled ? {} : { notEnabled: ['contact-groups'] }),
  };
};
