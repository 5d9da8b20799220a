/**
 * The `sns` friend commands: friend_add, friend_import, friend_get, friend_check, friend_delete_all, and
 * the friend lists (group_get, group_delete). Validation order: `From_Account` (missing or empty -> 30001,
 * not a string -> 60015), then the command's own fields (-> 30001), then the account's existence
 * (-> 30003). Per-item problems of batch commands are reported per item (`ResultItem` / `InfoItem` +
 * `Fail_Account`) with ActionStatus OK.
 */
import * as z from 'zod';
import { applyPerItem, batchFields, defineCommand, type Handler, isStale } from './commandKit.ts';
import type { FriendData } from './friendGraph.ts';

/** Batch size limit of friend_add / friend_import / friend_check. */
const MAX_BATCH = 1000;

const addSource = z.string().regex(/^AddSource_Type_/);
const toAccount = z.string().min(1);

const friendAddBody = z.object({
  AddFriendItem: z
    .array(
      z.object({
        To_Account: toAccount,
        AddSource: addSource,
        Remark: z.string().optional(),
        GroupName: z.string().optional(),
        AddWording: z.string().optional(),
      }),
    )
    .min(1)
    .max(MAX_BATCH),
  AddType: z.enum(['Add_Type_Single', 'Add_Type_Both']).optional(),
  ForceAddFlags: z.number().int().optional(),
});

const friendImportBody = z.object({
  AddFriendItem: z
    .array(
      z.object({
        To_Account: toAccount,
        AddSource: addSource,
        Remark: z.string().optional(),
        RemarkTime: z.number().int().min(0).optional(),
        GroupName: z.array(z.string().min(1)).optional(),
        AddWording: z.string().optional(),
        AddTime: z.number().int().min(0).optional(),
        CustomItem: z
          .array(z.object({ Tag: z.string(), Value: z.union([z.string(), z.number()]) }))
          .optional(),
      }),
    )
    .min(1)
    .max(MAX_BATCH),
});

const sequence = z.number().int().min(0).optional();
const friendGetBody = z.object({
  StartIndex: z.number().int().min(0),
  StandardSequence: sequence,
  CustomSequence: sequence,
});

const friendCheckBody = z.object({
  To_Account: z.array(z.string()).min(1).max(MAX_BATCH),
  CheckType: z.enum(['CheckResult_Type_Single', 'CheckResult_Type_Both']),
});

const friendDeleteAllBody = z.object({
  DeleteType: z.enum(['Delete_Type_Single', 'Delete_Type_Both']).optional(),
});

const groupGetBody = z.object({
  LastSequence: z.number().int().min(0).optional(),
  NeedFriend: z.string().optional(),
  GroupName: z.array(z.string().min(1)).optional(),
});

const groupDeleteBody = z.object({ GroupName: z.array(z.string().min(1)).min(1) });

const sns = (command: string) => ({ service: 'sns', command });
const fromAccount = { field: 'From_Account', notFoundCode: 30003 };

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const defined = Object.entries(extra).filter(([, value]) => value !== undefined);
  return { ...base, ...Object.fromEntries(defined) };
}

const friendAdd = defineCommand({
  source: sns('friend_add'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: friendAddBody,
  run: (request, context, reply, from) => {
    const items = request.AddFriendItem.map((item) => ({
      toAccount: item.To_Account,
      data: withOptional<FriendData>(
        { addSource: item.AddSource, addTimeSeconds: context.nowSeconds },
        {
          remark: item.Remark,
          groups: item.GroupName === undefined ? undefined : [item.GroupName],
          addWording: item.AddWording,
        },
      ),
    }));
    const addType = request.AddType ?? 'Add_Type_Both';
    const results = applyPerItem(
      context,
      items,
      (item) => item.toAccount,
      (kept) => context.data.graph.add(from, kept, addType),
    );
    return reply.ok(batchFields(results));
  },
});

const friendImport = defineCommand({
  source: sns('friend_import'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: friendImportBody,
  run: (request, context, reply, from) => {
    const items = request.AddFriendItem.map((item) => ({
      toAccount: item.To_Account,
      data: withOptional<FriendData>(
        { addSource: item.AddSource, addTimeSeconds: item.AddTime ?? context.nowSeconds },
        {
          remark: item.Remark,
          remarkTimeSeconds: item.RemarkTime,
          groups: item.GroupName,
          addWording: item.AddWording,
          custom: item.CustomItem?.map((custom) => ({ tag: custom.Tag, value: custom.Value })),
        },
      ),
    }));
    const results = applyPerItem(
      context,
      items,
      (item) => item.toAccount,
      (kept) => context.data.graph.import(from, kept),
    );
    return reply.ok(batchFields(results));
  },
});

function valueItems(data: FriendData, standard: boolean, custom: boolean): { Tag: string; Value: unknown }[] {
  const items: { Tag: string; Value: unknown }[] = [];
  if (standard) {
    items.push({ Tag: 'Tag_SNS_IM_AddSource', Value: data.addSource });
    if (data.remark !== undefined) items.push({ Tag: 'Tag_SNS_IM_Remark', Value: data.remark });
    if (data.groups !== undefined) items.push({ Tag: 'Tag_SNS_IM_Group', Value: data.groups });
    if (data.addWording !== undefined) items.push({ Tag: 'Tag_SNS_IM_AddWording', Value: data.addWording });
    items.push({ Tag: 'Tag_SNS_IM_AddTime', Value: data.addTimeSeconds });
  }
  if (custom) for (const item of data.custom ?? []) items.push({ Tag: item.tag, Value: item.value });
  return items;
}

/**
 * friend_get: one page. A non-zero StandardSequence/CustomSequence equal to the server's omits that part of
 * the data (the documented cache validation). An empty page carries no `UserDataItem` at all: the docs do
 * not say whether it is empty or absent, so clients must cope with absence.
 */
const friendGet = defineCommand({
  source: sns('friend_get'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: friendGetBody,
  run: (request, context, reply, from) => {
    const page = context.data.graph.page(from, request.StartIndex, context.config.friendGetPageSize);
    const fresh = (sent: number | undefined) => sent === undefined || sent === 0 || sent !== page.sequence;
    const standard = fresh(request.StandardSequence);
    const custom = fresh(request.CustomSequence);
    const userDataItem = page.entries.map((entry) => ({
      To_Account: entry.toAccount,
      ValueItem: valueItems(entry.data, standard, custom),
    }));
    const stale = isStale(context);
    return reply.ok({
      ...(userDataItem.length > 0 ? { UserDataItem: userDataItem } : {}),
      StandardSequence: page.sequence,
      CustomSequence: page.sequence,
      FriendNum: page.friendNum,
      CompleteFlag: page.complete && !stale ? 1 : 0,
      NextStartIndex: stale ? request.StartIndex : page.nextStartIndex,
    });
  },
});

const friendCheck = defineCommand({
  source: sns('friend_check'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: friendCheckBody,
  run: (request, { data }, reply, from) => {
    const infoItem = request.To_Account.map((to) =>
      data.exists(to)
        ? {
            To_Account: to,
            Relation: data.graph.check(from, to, request.CheckType),
            ResultCode: 0,
            ResultInfo: '',
          }
        : {
            To_Account: to,
            Relation: 'CheckResult_Type_NoRelation',
            ResultCode: 30003,
            ResultInfo: 'Err_SNS_FriendCheck_Account_Not_Exist',
          },
    );
    const failed = infoItem.filter((item) => item.ResultCode !== 0).map((item) => item.To_Account);
    return reply.ok({ InfoItem: infoItem, ...(failed.length > 0 ? { Fail_Account: failed } : {}) });
  },
});

/** friend_delete_all: `DeleteType` defaults to one-way, as documented. No per-friend result, no count. */
const friendDeleteAll = defineCommand({
  source: sns('friend_delete_all'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: friendDeleteAllBody,
  run: (request, { data }, reply, from) => {
    data.graph.deleteAll(from, request.DeleteType ?? 'Delete_Type_Single');
    return reply.ok();
  },
});

/**
 * group_get: the user's friend lists with `FriendNumber`, and their members' UserIDs when `NeedFriend` is
 * `Need_Friend_Type_Yes`. With `GroupName`, only those lists (names that do not exist are left out).
 * Not paged (at most 32 lists). `LastSequence` equal to the current sequence is not used to omit data.
 * No list at all: `ResultItem` is left out.
 */
const groupGet = defineCommand({
  source: sns('group_get'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: groupGetBody,
  run: (request, { data }, reply, from) => {
    const wanted = request.GroupName === undefined ? undefined : new Set(request.GroupName);
    const needFriend = request.NeedFriend === 'Need_Friend_Type_Yes';
    const lists = data.graph.friendListsOf(from).filter((list) => wanted?.has(list.name) ?? true);
    const resultItem = lists.map((list) => ({
      GroupName: list.name,
      FriendNumber: list.members.length,
      ...(needFriend ? { To_Account: list.members } : {}),
    }));
    return reply.ok({
      ...(resultItem.length > 0 ? { ResultItem: resultItem } : {}),
      CurrentSequence: data.graph.friendListSequenceOf(from),
    });
  },
});

/** group_delete: removes the named lists (friends stay friends). Unknown names are ignored (see FriendGraph). */
const groupDelete = defineCommand({
  source: sns('group_delete'),
  invalidCode: 30001,
  subject: fromAccount,
  schema: groupDeleteBody,
  run: (request, { data }, reply, from) => {
    data.graph.deleteFriendLists(from, request.GroupName);
    return reply.ok({ CurrentSequence: data.graph.friendListSequenceOf(from) });
  },
});

/** The friend and friend-list handlers, by `service/command` (commands.ts routes to them). */
export const FRIEND_COMMANDS: Record<string, Handler> = {
  'sns/friend_add': friendAdd,
  'sns/friend_import': friendImport,
  'sns/friend_get': friendGet,
  'sns/friend_check': friendCheck,
  'sns/friend_delete_all': friendDeleteAll,
  'sns/group_get': groupGet,
  'sns/group_delete': groupDelete,
};
