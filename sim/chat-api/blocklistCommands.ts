/**
 * The `sns` blocklist commands: black_list_get (paged by StartIndex / MaxLimited; the answer's
 * `StartIndex` is the next start, 0 = done; `CurruentSequence` spelt as Tencent spells it) and
 * black_list_delete (at most 1,000 per call, per-item results, `Fail_Account` when any item fails).
 */
import * as z from 'zod';
import { applyPerItem, batchFields, defineCommand, type Handler, isStale } from './commandKit.ts';

/** Batch size limit of black_list_delete. */
const MAX_DELETE_BATCH = 1000;

const blackListGetBody = z.object({
  StartIndex: z.number().int().min(0),
  MaxLimited: z.number().int().min(1),
  LastSequence: z.number().int().min(0),
});

const blackListDeleteBody = z.object({
  To_Account: z.array(z.string().min(1)).min(1).max(MAX_DELETE_BATCH),
});

const fromAccount = { field: 'From_Account', notFoundCode: 30003 };

/**
 * black_list_get. An empty page leaves `BlackListItem` out. Under a `stale-cursor` fault the answer's StartIndex is the one asked for: on the
 * first page (StartIndex 0) that reads as "done", which is all this API's cursor can say.
 */
const blackListGet = defineCommand({
  source: { service: 'sns', command: 'black_list_get' },
  invalidCode: 30001,
  subject: fromAccount,
  schema: blackListGetBody,
  run: (request, context, reply, from) => {
    const page = context.data.blocklists.page(from, request.StartIndex, request.MaxLimited);
    const items = page.items.map((item) => ({
      To_Account: item.toAccount,
      AddBlackTimeStamp: item.addedAtSeconds,
    }));
    return reply.ok({
      ...(items.length > 0 ? { BlackListItem: items } : {}),
      StartIndex: isStale(context) ? request.StartIndex : page.nextStartIndex,
      CurruentSequence: page.sequence,
    });
  },
});

const blackListDelete = defineCommand({
  source: { service: 'sns', command: 'black_list_delete' },
  invalidCode: 30001,
  subject: fromAccount,
  schema: blackListDeleteBody,
  run: (request, context, reply, from) => {
    const results = applyPerItem(
      context,
      request.To_Account,
      (to) => to,
      (kept) => context.data.blocklists.remove(from, kept, (id) => context.data.exists(id)),
    );
    return reply.ok(batchFields(results));
  },
});

/** The blocklist handlers, by `service/command` (commands.ts routes to them). */
export const BLOCKLIST_COMMANDS: Record<string, Handler> = {
  'sns/black_list_get': blackListGet,
  'sns/black_list_delete': blackListDelete,
};
