/**
 * The group commands (`group_open_http_svc/*`) of the erasure plan: get_joined_group_list,
 * get_group_member_info, change_group_owner, delete_group_member, destroy_group. Malformed fields get
 * 10004; an unknown GroupId 10010 (destroyed) or 10015 (never existed); an account that does not exist
 * 10019 ("the requested UserID does not exist"). Answers carry no ErrorDisplay.
 */
import * as z from 'zod';
import { type CommandContext, defineCommand, type Handler, isStale } from './commandKit.ts';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursors.ts';
import { GROUP_TYPE_ALIASES, type Group, type GroupMember, type Membership } from './groups.ts';

/** get_joined_group_list's Limit maximum. */
const MAX_JOINED_LIMIT = 5000;
/** get_group_member_info's Limit maximum ("Maximum value: 200"). */
const MAX_MEMBER_LIMIT = 200;
/** delete_group_member's batch limit (the API page says 100, the usage limits 500: the stricter one). */
const MAX_MEMBERS_TO_DELETE = 100;

const flag = z.union([z.literal(0), z.literal(1)]).optional();
const groupId = z.string().min(1);

const joinedBody = z.object({
  Limit: z.number().int().min(1).max(MAX_JOINED_LIMIT).optional(),
  Offset: z.number().int().min(0).optional(),
  GroupType: z.enum(Object.keys(GROUP_TYPE_ALIASES) as [string, ...string[]]).optional(),
  WithHugeGroups: flag,
  WithNoActiveGroups: flag,
  ResponseFilter: z
    .object({
      GroupBaseInfoFilter: z.array(z.string()).optional(),
      SelfInfoFilter: z.array(z.string()).optional(),
    })
    .optional(),
});

const memberInfoBody = z.object({
  GroupId: groupId,
  Limit: z.number().int().min(1).max(MAX_MEMBER_LIMIT).optional(),
  Offset: z.number().int().min(0).optional(),
  Next: z.string().optional(),
  MemberInfoFilter: z.array(z.string()).optional(),
});

const changeOwnerBody = z.object({ GroupId: groupId, NewOwner_Account: z.string().min(1) });

const deleteMemberBody = z.object({
  GroupId: groupId,
  MemberToDel_Account: z.array(z.string().min(1)).min(1).max(MAX_MEMBERS_TO_DELETE),
  Silence: flag,
  Reason: z.string().optional(),
});

const destroyBody = z.object({ GroupId: groupId });

const source = (command: string) => ({ service: 'group_open_http_svc', command });

/** The group fields `GroupBaseInfoFilter` can ask for (others are ignored). */
const BASE_INFO: Record<string, (group: Group) => unknown> = {
  Type: (group) => group.type,
  Name: (group) => group.name,
  Owner_Account: (group) => group.owner ?? '',
  CreateTime: (group) => group.createTime,
  MemberNum: (group) => group.members.length,
};

/** The self fields `SelfInfoFilter` can ask for (others are ignored). */
const SELF_INFO: Record<string, (member: GroupMember) => unknown> = {
  Role: (member) => member.role,
  JoinTime: (member) => member.joinTime,
  MsgFlag: () => 'AcceptAndNotify',
};

function pick<T>(
  fields: Record<string, (value: T) => unknown>,
  names: string[],
  value: T,
): Record<string, unknown> {
  return Object.fromEntries(
    names.flatMap((name) => {
      const read = fields[name];
      return read === undefined ? [] : [[name, read(value)]];
    }),
  );
}

/**
 * get_joined_group_list. AVChatRoom memberships only with `WithHugeGroups: 1`; never-activated Work
 * (Private) groups only with `WithNoActiveGroups: 1`. `TotalCount` counts every membership that passes
 * those filters and `GroupType`, ignoring Limit/Offset. Without `ResponseFilter` an entry is only
 * `{GroupId}` (as the doc's basic sample); the filters add the fields they name. No Limit: everything.
 * More entries in one answer than `joinedGroupListMaxEntries` (default 3,000) -> 10018 ("over 1 MB").
 * Under a `stale-cursor` fault the Offset is ignored (the first page again).
 */
const getJoinedGroupList = defineCommand({
  source: source('get_joined_group_list'),
  invalidCode: 10004,
  subject: { field: 'Member_Account', notFoundCode: 10019 },
  schema: joinedBody,
  run: (request, context, reply, member) => {
    const type = request.GroupType === undefined ? undefined : GROUP_TYPE_ALIASES[request.GroupType];
    const visible = context.data.groups
      .membershipsOf(member)
      .filter(
        ({ group }: Membership) =>
          (type === undefined || group.type === type) &&
          (group.type !== 'AVChatRoom' || request.WithHugeGroups === 1) &&
          (group.activated || request.WithNoActiveGroups === 1),
      );
    const offset = isStale(context) ? 0 : (request.Offset ?? 0);
    const page = visible.slice(offset, request.Limit === undefined ? undefined : offset + request.Limit);
    if (page.length > context.config.joinedGroupListMaxEntries) {
      return reply.fail(10018, `${page.length} groups in one answer, please lower Limit`);
    }
    const baseNames = request.ResponseFilter?.GroupBaseInfoFilter ?? [];
    const selfNames = request.ResponseFilter?.SelfInfoFilter ?? [];
    const groupIdList = page.map(({ group, member: self }) => ({
      GroupId: group.groupId,
      ...pick(BASE_INFO, baseNames, group),
      ...(selfNames.length > 0 ? { SelfInfo: pick(SELF_INFO, selfNames, self) } : {}),
    }));
    return reply.ok({
      TotalCount: visible.length,
      ...(groupIdList.length > 0 ? { GroupIdList: groupIdList } : {}),
    });
  },
});

/** The member fields `MemberInfoFilter` can ask for; without a filter all of them. */
const MEMBER_INFO: Record<string, (member: GroupMember) => unknown> = {
  Role: (member) => member.role,
  JoinTime: (member) => member.joinTime,
  MsgFlag: () => 'AcceptAndNotify',
};

function existingGroup(
  context: CommandContext,
  id: string,
): { group: Group } | { refusal: { code: number; detail: string } } {
  const group = context.data.groups.get(id);
  return group === undefined ? { refusal: context.data.groups.missing(id) } : { group };
}

/**
 * get_group_member_info: members in join order, paged by Limit (<= 200; none: all) and Offset.
 * Community groups page by the opaque `Next` instead (Offset is ignored; the answer's `Next` is "" when
 * done), as the doc says Community uses the Next field. AVChatRoom keeps no member list: 10004.
 * Under a `stale-cursor` fault: Offset ignored (the first page again); Community `Next` not advanced.
 */
const getGroupMemberInfo = defineCommand({
  source: source('get_group_member_info'),
  invalidCode: 10004,
  schema: memberInfoBody,
  run: (request, context, reply) => {
    const found = existingGroup(context, request.GroupId);
    if ('refusal' in found) return reply.fail(found.refusal.code, found.refusal.detail);
    const { group } = found;
    if (group.type === 'AVChatRoom') {
      return reply.fail(10004, 'AVChatRoom groups keep no member list');
    }
    const stale = isStale(context);
    let start: number;
    if (group.type === 'Community') {
      try {
        start = decodeCursor('member', request.Next ?? '');
      } catch (error) {
        if (error instanceof InvalidCursorError) return reply.fail(10004, 'invalid Next');
        throw error;
      }
    } else {
      start = stale ? 0 : (request.Offset ?? 0);
    }
    const slice = group.members.slice(start, request.Limit === undefined ? undefined : start + request.Limit);
    const names = request.MemberInfoFilter ?? Object.keys(MEMBER_INFO);
    const end = start + slice.length;
    const next = stale
      ? encodeCursor('member', start)
      : end >= group.members.length
        ? ''
        : encodeCursor('member', end);
    return reply.ok({
      MemberNum: group.members.length,
      ...(slice.length > 0
        ? {
            MemberList: slice.map((member) => ({
              Member_Account: member.account,
              ...pick(MEMBER_INFO, names, member),
            })),
          }
        : {}),
      ...(group.type === 'Community' ? { Next: next } : {}),
    });
  },
});

/**
 * change_group_owner: the new owner must be an existing account (10019) and already a member (10004,
 * undocumented code); AVChatRoom 10007 (documented).
 */
const changeGroupOwner = defineCommand({
  source: source('change_group_owner'),
  invalidCode: 10004,
  schema: changeOwnerBody,
  run: (request, { data }, reply) => {
    if (data.groups.get(request.GroupId) !== undefined && !data.exists(request.NewOwner_Account)) {
      return reply.fail(10019, `NewOwner_Account: ${request.NewOwner_Account}`);
    }
    const refusal = data.groups.changeOwner(request.GroupId, request.NewOwner_Account);
    return refusal === undefined ? reply.ok() : reply.fail(refusal.code, refusal.detail);
  },
});

/**
 * delete_group_member: non-members are ignored (documented: safe to repeat); AVChatRoom 10004
 * (documented); the owner among them: the whole request refused with 10004 (undocumented). `Silence` and
 * `Reason` are accepted and have no effect here.
 */
const deleteGroupMember = defineCommand({
  source: source('delete_group_member'),
  invalidCode: 10004,
  schema: deleteMemberBody,
  run: (request, { data }, reply) => {
    const refusal = data.groups.removeMembers(request.GroupId, request.MemberToDel_Account);
    return refusal === undefined ? reply.ok() : reply.fail(refusal.code, refusal.detail);
  },
});

/** destroy_group: every type, irreversible. */
const destroyGroup = defineCommand({
  source: source('destroy_group'),
  invalidCode: 10004,
  schema: destroyBody,
  run: (request, { data }, reply) => {
    const refusal = data.groups.destroy(request.GroupId);
    return refusal === undefined ? reply.ok() : reply.fail(refusal.code, refusal.detail);
  },
});

/** The group handlers, by `service/command` (commands.ts routes to them). */
export const GROUP_COMMANDS: Record<string, Handler> = {
  'group_open_http_svc/get_joined_group_list': getJoinedGroupList,
  'group_open_http_svc/get_group_member_info': getGroupMemberInfo,
  'group_open_http_svc/change_group_owner': changeGroupOwner,
  'group_open_http_svc/delete_group_member': deleteGroupMember,
  'group_open_http_svc/destroy_group': destroyGroup,
};
