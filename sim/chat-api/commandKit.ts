/**
 * What every command handler shares: its context, the common checks in Tencent's order (feature switch,
 * the subject account field, the body schema, the account's existence), answer builders bound to the
 * command, and the per-item and paging hooks of the quiet faults.
 *
 * Validation codes by service: sns and follow 30001, recentcontact 50002, group_open_http_svc 10004,
 * profile 40001, im_open_login_svc 70402. A subject account field that is missing or empty gets that
 * code; one that is not a string gets 60015 ("account type must be a string").
 */
import type * as z from 'zod';
import { type AnswerBody, type AnswerSource, commandAnswer, commandFailure, errorInfo } from './answers.ts';
import type { ChatData, ChatFeatures } from './chatData.ts';
import type { CommandFault } from './faults.ts';
import type { ItemResult } from './friendGraph.ts';

/** Page sizes and thresholds Tencent does not document (simulator options). */
export interface CommandConfig {
  /** friend_get page size. */
  friendGetPageSize: number;
  /** recentcontact/get_list page size. */
  conversationPageSize: number;
  /** recentcontact/get_contact_group page size (in groups). */
  contactGroupPageSize: number;
  /** get_joined_group_list answers 10018 ("over 1 MB") above this many entries. */
  joinedGroupListMaxEntries: number;
}

export interface CommandContext {
  data: ChatData;
  config: CommandConfig;
  nowSeconds: number;
  /** The quiet fault this request carries, if any. */
  fault: CommandFault | undefined;
}

export type Handler = (body: Record<string, unknown>, context: CommandContext) => AnswerBody;

/** Answer builders bound to one command (its answer shape). */
export interface Reply {
  ok(fields?: Record<string, unknown>): AnswerBody;
  fail(code: number, detail?: string): AnswerBody;
}

/**
 * The answer builders of one command.
 * @example
 * replyFor({ service: 'sns', command: 'group_get' }).fail(30003, 'From_Account: ghost');
 */
export function replyFor(source: AnswerSource): Reply {
  return {
    ok: (fields = {}) => commandAnswer(source, fields),
    fail: (code, detail) => commandFailure(source, code, detail),
  };
}

export interface CommandSpec<T> {
  source: AnswerSource;
  /** The code for a malformed body. */
  invalidCode: number;
  /** When set and the feature is off, every request gets `code` first. */
  feature?: { name: keyof ChatFeatures; code: number };
  /** The subject account field, checked before the schema; `notFoundCode` when it does not exist. */
  subject?: { field: string; notFoundCode: number };
  schema: z.ZodType<T>;
  run: (request: T, context: CommandContext, reply: Reply, subject: string) => AnswerBody;
}

/**
 * Builds a handler with the shared checks. The account is named in ErrorInfo, as Tencent's own texts do:
 * clients must not log ErrorInfo verbatim.
 * @example
 * const kick = defineCommand({ source, invalidCode: 70402, subject: { field: 'UserID', notFoundCode: 70107 },
 *   schema: z.object({}), run: (_request, { data }, reply, user) => { data.kick(user); return reply.ok(); } });
 */
export function defineCommand<T>(spec: CommandSpec<T>): Handler {
  const reply = replyFor(spec.source);
  return (body, context) => {
    if (spec.feature !== undefined && !context.data.features[spec.feature.name]) {
      return reply.fail(spec.feature.code, `${spec.source.service}/${spec.source.command}`);
    }
    let subject = '';
    if (spec.subject !== undefined) {
      const value = body[spec.subject.field];
      if (value === undefined || value === '') {
        return reply.fail(spec.invalidCode, `${spec.subject.field} is required`);
      }
      if (typeof value !== 'string') return reply.fail(60015, spec.subject.field);
      subject = value;
    }
    const parsed = spec.schema.safeParse(body);
    if (!parsed.success) {
      const path = parsed.error.issues[0]?.path.join('.') ?? '';
      return reply.fail(spec.invalidCode, `invalid field ${path}`);
    }
    if (spec.subject !== undefined && !context.data.exists(subject)) {
      return reply.fail(spec.subject.notFoundCode, `${spec.subject.field}: ${subject}`);
    }
    return spec.run(parsed.data, context, reply, subject);
  };
}

/**
 * Whether this request carries a `stale-cursor` fault (listings answer the same page, not advanced).
 * @example
 * NextStartIndex: isStale(context) ? request.StartIndex : page.nextStartIndex
 */
export function isStale(context: CommandContext): boolean {
  return context.fault?.type === 'stale-cursor';
}

/**
 * The injected per-item failure for the item `key`, if an `item-error` fault names it.
 * @example
 * itemFault(context, 'bob'); // { toAccount: 'bob', code: 30006, info: '...' } under { type: 'item-error', code: 30006 }
 */
export function itemFault(context: CommandContext, key: string): ItemResult | undefined {
  const fault = context.fault;
  if (fault?.type !== 'item-error') return undefined;
  if (fault.items !== undefined && !fault.items.includes(key)) return undefined;
  return { toAccount: key, code: fault.code, info: fault.info ?? errorInfo(fault.code) };
}

/**
 * Applies a batch write item by item, except the items an `item-error` fault fails (not applied), and
 * returns the results in request order.
 * @example
 * const results = applyPerItem(context, request.To_Account, (to) => to, (kept) => store.remove(owner, kept));
 */
export function applyPerItem<T>(
  context: CommandContext,
  items: T[],
  keyOf: (item: T) => string,
  apply: (kept: T[]) => ItemResult[],
): ItemResult[] {
  const faulted = items.map((item) => itemFault(context, keyOf(item)));
  const applied = apply(items.filter((_, index) => faulted[index] === undefined));
  let next = 0;
  return faulted.map((failure) => {
    if (failure !== undefined) return failure;
    const result = applied[next];
    next += 1;
    if (result === undefined) throw new Error('batch apply returned fewer results than items');
    return result;
  });
}

/**
 * `ResultItem[{To_Account, ResultCode, ResultInfo}]` plus, for commands documented with it, `Fail_Account`
 * when any item failed.
 * @example
 * batchFields([{ toAccount: 'bob', code: 31704, info: 'x' }]); // { ResultItem: [...], Fail_Account: ['bob'] }
 */
export function batchFields(results: ItemResult[], withFailAccount = true): Record<string, unknown> {
  const failed = results.filter((result) => result.code !== 0).map((result) => result.toAccount);
  return {
    ResultItem: results.map((result) => ({
      To_Account: result.toAccount,
      ResultCode: result.code,
      ResultInfo: result.info,
    })),
    ...(withFailAccount && failed.length > 0 ? { Fail_Account: failed } : {}),
  };
}
