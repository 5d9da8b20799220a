/**
 * The follow commands (`follow/*`, trtc.io 70346/70347). The feature depends on the edition and a console
 * switch: when it is off every follow command answers 30005 before anything else. follow_get pages by an
 * opaque cursor (`NextCursor` "" = done); follow_delete takes at most 20 accounts and answers per item.
 */
import * as z from 'zod';
import { applyPerItem, batchFields, defineCommand, type Handler, isStale } from './commandKit.ts';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursors.ts';
import type { FollowType } from './follows.ts';

/** follow_get's WantNum limit. */
const MAX_WANT_NUM = 1000;
/** follow_delete's batch size limit. */
const MAX_DELETE_BATCH = 20;

const followGetBody = z.object({
  FollowType: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  StartCursor: z.string().optional(),
  WantNum: z.number().int().min(1).max(MAX_WANT_NUM).optional(),
});

const followDeleteBody = z.object({
  To_Account: z.array(z.string().min(1)).min(1).max(MAX_DELETE_BATCH),
});

const common = {
  invalidCode: 30001,
  feature: { name: 'follow', code: 30005 },
  subject: { field: 'From_Account', notFoundCode: 30003 },
} as const;

/**
 * follow_get. WantNum defaults to 100 (undocumented); an empty page leaves `FollowItem` out. Under a `stale-cursor` fault `NextCursor` points at
 * the page just answered (never "": even the first page repeats).
 */
const followGet = defineCommand({
  ...common,
  source: { service: 'follow', command: 'follow_get' },
  schema: followGetBody,
  run: (request, context, reply, from) => {
    const cursor = request.StartCursor ?? '';
    let page: ReturnType<typeof context.data.follows.page>;
    try {
      page = context.data.follows.page(
        from,
        request.FollowType as FollowType,
        cursor,
        request.WantNum ?? 100,
      );
    } catch (error) {
      if (error instanceof InvalidCursorError) return reply.fail(30001, 'invalid StartCursor');
      throw error;
    }
    const items = page.items.map((item) => ({
      To_Account: item.toAccount,
      FollowTime: item.followedAtSeconds,
    }));
    return reply.ok({
      ...(items.length > 0 ? { FollowItem: items } : {}),
      NextCursor: isStale(context) ? encodeCursor('follow', decodeCursor('follow', cursor)) : page.nextCursor,
    });
  },
});

/**
 * follow_delete: From_Account stops following each To_Account (see FollowGraph.unfollow for per-item
 * codes). Its documented answer has no `Fail_Account`.
 */
const followDelete = defineCommand({
  ...common,
  source: { service: 'follow', command: 'follow_delete' },
  schema: followDeleteBody,
  run: (request, context, reply, from) => {
    const results = applyPerItem(
      context,
      request.To_Account,
      (to) => to,
      (kept) => context.data.follows.unfollow(from, kept, (id) => context.data.exists(id)),
    );
    return reply.ok(batchFields(results, false));
  },
});

/** The follow handlers, by `service/command` (commands.ts routes to them). */
export const FOLLOW_COMMANDS: Record<string, Handler> = {
  'follow/follow_get': followGet,
  'follow/follow_delete': followDelete,
};
