/**
 * The conversation commands (`recentcontact/*`): get_list (paged, four cursors, CompleteFlag), delete (one
 * conversation per call, ClearRamble on the user's side only), and the conversation groups
 * get_contact_group / del_contact_group (Ultimate only: 51013 when the feature is off). A From_Account
 * that does not exist gets 50001; malformed fields 50002.
 */
import * as z from 'zod';
import { defineCommand, type Handler, isStale } from './commandKit.ts';
import { type ConversationTarget, conversationKey } from './conversations.ts';

const cursor = z.number().int().min(0);
const getListBody = z.object({
  TimeStamp: cursor,
  StartIndex: cursor,
  TopTimeStamp: cursor,
  TopStartIndex: cursor,
  AssistFlags: z.number().int().min(0),
});

const deleteBody = z.discriminatedUnion('Type', [
  z.object({
    Type: z.literal(1),
    To_Account: z.string().min(1),
    ClearRamble: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
  z.object({
    Type: z.literal(2),
    ToGroupid: z.string().min(1),
    ClearRamble: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
]);

const getContactGroupBody = z.object({ StartIndex: z.number().int().min(0) });

/** "Currently, only one conversation group can be deleted at a time." */
const delContactGroupBody = z.object({ GroupName: z.array(z.string().min(1)).length(1) });

const common = { invalidCode: 50002, subject: { field: 'From_Account', notFoundCode: 50001 } } as const;
const contactGroupFeature = { name: 'contactGroups', code: 51013 } as const;

/**
 * get_list: see Conversations.page for the order, the cursors and AssistFlags. An empty page leaves
 * `SessionItem` out. Under a `stale-cursor` fault the cursors are the ones asked for and CompleteFlag is 0.
 */
const getList = defineCommand({
  ...common,
  source: { service: 'recentcontact', command: 'get_list' },
  schema: getListBody,
  run: (request, context, reply, from) => {
    const asked = {
      timeStamp: request.TimeStamp,
      startIndex: request.StartIndex,
      topTimeStamp: request.TopTimeStamp,
      topStartIndex: request.TopStartIndex,
    };
    const page = context.data.conversations.page(
      from,
      asked,
      request.AssistFlags,
      context.config.conversationPageSize,
    );
    const stale = isStale(context);
    const next = stale ? asked : page.next;
    const sessionItem = page.items.map((conversation) => ({
      Type: conversation.target.type,
      ...(conversation.target.type === 1
        ? { To_Account: conversation.target.peer }
        : { GroupId: conversation.target.groupId }),
      MsgTime: conversation.msgTime,
      TopFlag: conversation.pinned ? 1 : 0,
    }));
    return reply.ok({
      ...(sessionItem.length > 0 ? { SessionItem: sessionItem } : {}),
      CompleteFlag: page.complete && !stale ? 1 : 0,
      TimeStamp: next.timeStamp,
      StartIndex: next.startIndex,
      TopTimeStamp: next.topTimeStamp,
      TopStartIndex: next.topStartIndex,
    });
  },
});

/**
 * delete: one conversation; `ClearRamble: 1` also clears the roaming messages on From_Account's side only.
 * A conversation that is not there succeeds (undocumented; repeated deletes must not fail). The
 * conversation also leaves From_Account's conversation groups.
 */
const deleteConversation = defineCommand({
  ...common,
  source: { service: 'recentcontact', command: 'delete' },
  schema: deleteBody,
  run: (request, { data }, reply, from) => {
    const target: ConversationTarget =
      request.Type === 1 ? { type: 1, peer: request.To_Account } : { type: 2, groupId: request.ToGroupid };
    data.conversations.delete(from, target, request.ClearRamble === 1);
    data.contactGroups.forgetConversation(from, conversationKey(target));
    return reply.ok();
  },
});

/**
 * get_contact_group: pages over the user's groups (`GroupItem`), with `ContactItem` for the conversations
 * in the groups of this page. Page size undocumented (option `contactGroupPageSize`).
 */
const getContactGroup = defineCommand({
  ...common,
  feature: contactGroupFeature,
  source: { service: 'recentcontact', command: 'get_contact_group' },
  schema: getContactGroupBody,
  run: (request, context, reply, from) => {
    const page = context.data.contactGroups.page(
      from,
      request.StartIndex,
      context.config.contactGroupPageSize,
    );
    const stale = isStale(context);
    const contactItem = [...new Set(page.groups.flatMap((group) => group.conversations))].map((key) => {
      const [kind, ...rest] = key.split(':');
      const id = rest.join(':');
      return {
        Type: kind === 'c2c' ? 1 : 2,
        ...(kind === 'c2c' ? { To_Account: id } : { ToGroupId: id }),
        ContactGroupId: page.groups
          .filter((group) => group.conversations.includes(key))
          .map((group) => group.id),
      };
    });
    return reply.ok({
      ...(contactItem.length > 0 ? { ContactItem: contactItem } : {}),
      ...(page.groups.length > 0
        ? { GroupItem: page.groups.map((group) => ({ GroupName: group.name, GroupId: group.id })) }
        : {}),
      CompleteFlag: page.complete && !stale ? 1 : 0,
      NextStartIndex: stale ? request.StartIndex : page.nextStartIndex,
    });
  },
});

/** del_contact_group: exactly one name per call; 51009 when it does not exist. Answers the deleted group. */
const delContactGroup = defineCommand({
  ...common,
  feature: contactGroupFeature,
  source: { service: 'recentcontact', command: 'del_contact_group' },
  schema: delContactGroupBody,
  run: (request, { data }, reply, from) => {
    const name = request.GroupName[0] ?? '';
    const deleted = data.contactGroups.delete(from, name);
    if (deleted === undefined) return reply.fail(51009, `GroupName: ${name}`);
    return reply.ok({ GroupItem: [{ GroupName: deleted.name, GroupId: deleted.id }] });
  },
});

/** The conversation handlers, by `service/command` (commands.ts routes to them). */
export const RECENT_CONTACT_COMMANDS: Record<string, Handler> = {
  'recentcontact/get_list': getList,
  'recentcontact/delete': deleteConversation,
  'recentcontact/get_contact_group': getContactGroup,
  'recentcontact/del_contact_group': delContactGroup,
};
