/**
 * The REST commands the simulator serves, from their request body (already JSON-parsed and known to be an
 * object) to their documented answer. Pure apart from the friend graph they act on.
 *
 * Validation order per `sns` command: `From_Account` (missing or empty -> 30001, not a string -> 60015),
 * then the command's own fields (-> 30001), then the account's existence (-> 30003). Per-item problems of
 * batch commands are reported per item (`ResultItem` / `InfoItem` + `Fail_Account`) with ActionStatus OK.
 */
import * as z from 'zod';
import { type AnswerBody, commandAnswer, commandFailure } from './answers.ts';
import type { FriendData, FriendGraph, ItemResult } from './friendGraph.ts';
import type { Route } from './gateway.ts';

export interface CommandContext {
  graph: FriendGraph;
  /** Page size of `friend_get` (Tencent does not document its own). */
  friendGetPageSize: number;
  nowSeconds: number;
}

type Handler = (body: Record<string, unknown>, context: CommandContext) => AnswerBody;

/** UserIDs are at most 32 bytes (account_import doc). */
const MAX_USER_ID_BYTES = 32;
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
        GroupName: z.array(z.string()).optional(),
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

const accountImportBody = z.object({
  UserID: z
    .string()
    .min(1)
    .refine((id) => Buffer.byteLength(id, 'utf8') <= MAX_USER_ID_BYTES),
  Nick: z.string().optional(),
  FaceUrl: z.string().optional(),
});

/** Resolves `From_Account` of an sns command, or the failure to answer with. */
function fromAccountOf(body: Record<string, unknown>): { account: string } | { failure: AnswerBody } {
  const value = body.From_Account;
  if (value === undefined || value === '') {
    return { failure: commandFailure('sns', 30001, 'From_Account is required') };
  }
  if (typeof value !== 'string') return { failure: commandFailure('sns', 60015, 'From_Account') };
  return { account: value };
}

/**
 * Wraps an sns handler with the shared From_Account / schema / existence checks.
 * The account is named in ErrorInfo, as Tencent's own texts do: clients must not log ErrorInfo verbatim.
 */
function snsCommand<T>(
  schema: z.ZodType<T>,
  run: (from: string, request: T, context: CommandContext) => AnswerBody,
): Handler {
  return (body, context) => {
    const from = fromAccountOf(body);
    if ('failure' in from) return from.failure;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const path = parsed.error.issues[0]?.path.join('.') ?? '';
      return commandFailure('sns', 30001, `invalid field ${path}`);
    }
    if (!context.graph.hasAccount(from.account)) {
      return commandFailure('sns', 30003, `From_Account: ${from.account}`);
    }
    return run(from.account, parsed.data, context);
  };
}

function batchAnswer(results: ItemResult[]): AnswerBody {
  const failed = results.filter((result) => result.code !== 0).map((result) => result.toAccount);
  return commandAnswer('sns', {
    ResultItem: results.map((result) => ({
      To_Account: result.toAccount,
      ResultCode: result.code,
      ResultInfo: result.info,
    })),
    ...(failed.length > 0 ? { Fail_Account: failed } : {}),
  });
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const defined = Object.entries(extra).filter(([, value]) => value !== undefined);
  return { ...base, ...Object.fromEntries(defined) };
}

const friendAdd = snsCommand(friendAddBody, (from, request, { graph, nowSeconds }) => {
  const items = request.AddFriendItem.map((item) => ({
    toAccount: item.To_Account,
    data: withOptional<FriendData>(
      { addSource: item.AddSource, addTimeSeconds: nowSeconds },
      {
        remark: item.Remark,
        groups: item.GroupName === undefined ? undefined : [item.GroupName],
        addWording: item.AddWording,
      },
    ),
  }));
  return batchAnswer(graph.add(from, items, request.AddType ?? 'Add_Type_Both'));
});

const friendImport = snsCommand(friendImportBody, (from, request, { graph, nowSeconds }) => {
  const items = request.AddFriendItem.map((item) => ({
    toAccount: item.To_Account,
    data: withOptional<FriendData>(
      { addSource: item.AddSource, addTimeSeconds: item.AddTime ?? nowSeconds },
      {
        remark: item.Remark,
        remarkTimeSeconds: item.RemarkTime,
        groups: item.GroupName,
        addWording: item.AddWording,
        custom: item.CustomItem?.map((custom) => ({ tag: custom.Tag, value: custom.Value })),
      },
    ),
  }));
  return batchAnswer(graph.import(from, items));
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
const friendGet = snsCommand(friendGetBody, (from, request, { graph, friendGetPageSize }) => {
  const page = graph.page(from, request.StartIndex, friendGetPageSize);
  const fresh = (sent: number | undefined) => sent === undefined || sent === 0 || sent !== page.sequence;
  const standard = fresh(request.StandardSequence);
  const custom = fresh(request.CustomSequence);
  const userDataItem = page.entries.map((entry) => ({
    To_Account: entry.toAccount,
    ValueItem: valueItems(entry.data, standard, custom),
  }));
  return commandAnswer('sns', {
    ...(userDataItem.length > 0 ? { UserDataItem: userDataItem } : {}),
    StandardSequence: page.sequence,
    CustomSequence: page.sequence,
    FriendNum: page.friendNum,
    CompleteFlag: page.complete ? 1 : 0,
    NextStartIndex: page.nextStartIndex,
  });
});

const friendCheck = snsCommand(friendCheckBody, (from, request, { graph }) => {
  const infoItem = request.To_Account.map((to) =>
    graph.hasAccount(to)
      ? { To_Account: to, Relation: graph.check(from, to, request.CheckType), ResultCode: 0, ResultInfo: '' }
      : {
          To_Account: to,
          Relation: 'CheckResult_Type_NoRelation',
          ResultCode: 30003,
          ResultInfo: 'Err_SNS_FriendCheck_Account_Not_Exist',
        },
  );
  const failed = infoItem.filter((item) => item.ResultCode !== 0).map((item) => item.To_Account);
  return commandAnswer('sns', { InfoItem: infoItem, ...(failed.length > 0 ? { Fail_Account: failed } : {}) });
});

/** friend_delete_all: `DeleteType` defaults to one-way, as documented. No per-friend result, no count. */
const friendDeleteAll = snsCommand(friendDeleteAllBody, (from, request, { graph }) => {
  graph.deleteAll(from, request.DeleteType ?? 'Delete_Type_Single');
  return commandAnswer('sns', {});
});

const accountImport: Handler = (body, { graph }) => {
  const service = 'im_open_login_svc';
  if (body.UserID !== undefined && typeof body.UserID !== 'string')
    return commandFailure(service, 60015, 'UserID');
  const parsed = accountImportBody.safeParse(body);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    return commandFailure(service, 70402, `invalid field ${path}`);
  }
  graph.importAccount(
    parsed.data.UserID,
    withOptional({}, { nick: parsed.data.Nick, faceUrl: parsed.data.FaceUrl }),
  );
  return commandAnswer(service, {});
};

const HANDLERS: Record<string, Handler> = {
  'sns/friend_add': friendAdd,
  'sns/friend_import': friendImport,
  'sns/friend_get': friendGet,
  'sns/friend_check': friendCheck,
  'sns/friend_delete_all': friendDeleteAll,
  'im_open_login_svc/account_import': accountImport,
};

/**
 * Runs a known command on a JSON-object body.
 * @example
 * runCommand({ service: 'sns', command: 'friend_delete_all' }, { From_Account: 'u1' }, context);
 */
export function runCommand(route: Route, body: Record<string, unknown>, context: CommandContext): AnswerBody {
  const handler = HANDLERS[`${route.service}/${route.command}`];
  if (handler === undefined) throw new Error(`no handler for ${route.service}/${route.command}`);
  return handler(body, context);
}
