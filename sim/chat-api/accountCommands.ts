/**
 * The account commands (`im_open_login_svc/*`): account_import, account_check and account_delete (at most
 * 100 items, 100 calls/s; more items -> 70206 "invalid batch size"), and kick. Malformed fields get 70402;
 * an unknown UserID 70107.
 *
 * account_delete (conservative reading): the account stops existing (account_check says NotImported and
 * every command about it answers its "does not exist" code), but the simulator keeps the rest of what it
 * held about the user, so a test can see what an eraser failed to erase explicitly. Importing the UserID
 * again brings that data back into view (Tencent's 3-month re-import block on paid plans is not modelled).
 */
import * as z from 'zod';
import { applyPerItem, defineCommand, type Handler, replyFor } from './commandKit.ts';
import type { ItemResult } from './friendGraph.ts';

/** UserIDs are at most 32 bytes (account_import doc). */
const MAX_USER_ID_BYTES = 32;
/** account_check / account_delete batch limit. */
const MAX_ACCOUNT_BATCH = 100;

const service = 'im_open_login_svc';

const accountImportBody = z.object({
  UserID: z
    .string()
    .min(1)
    .refine((id) => Buffer.byteLength(id, 'utf8') <= MAX_USER_ID_BYTES),
  Nick: z.string().optional(),
  FaceUrl: z.string().optional(),
});

const userItems = (field: string) =>
  z.object({ [field]: z.array(z.object({ UserID: z.string().min(1) })).min(1) }) as z.ZodType<
    Record<string, { UserID: string }[]>
  >;

/** account_import: registers the account; Nick and FaceUrl become its Nick and Image profile fields. */
const accountImport: Handler = (body, { data }) => {
  const reply = replyFor({ service, command: 'account_import' });
  if (body.UserID !== undefined && typeof body.UserID !== 'string') return reply.fail(60015, 'UserID');
  const parsed = accountImportBody.safeParse(body);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    return reply.fail(70402, `invalid field ${path}`);
  }
  const { UserID: id, Nick: nick, FaceUrl: faceUrl } = parsed.data;
  data.graph.importAccount(id, {
    ...(nick === undefined ? {} : { nick }),
    ...(faceUrl === undefined ? {} : { faceUrl }),
  });
  const fields = [
    ...(nick === undefined ? [] : [{ tag: 'Tag_Profile_IM_Nick', value: nick }]),
    ...(faceUrl === undefined ? [] : [{ tag: 'Tag_Profile_IM_Image', value: faceUrl }]),
  ];
  if (fields.every((field) => data.profiles.check(field.tag, field.value) === undefined)) {
    data.profiles.set(id, fields);
  }
  return reply.ok();
};

/** account_check: per item `AccountStatus` `Imported` / `NotImported` (deleted accounts: NotImported). */
const accountCheck = defineCommand({
  source: { service, command: 'account_check' },
  invalidCode: 70402,
  schema: userItems('CheckItem'),
  run: (request, { data }, reply) => {
    const items = request.CheckItem ?? [];
    if (items.length > MAX_ACCOUNT_BATCH) return reply.fail(70206, `${items.length} CheckItem, at most 100`);
    return reply.ok({
      ResultItem: items.map(({ UserID }) => ({
        UserID,
        ResultCode: 0,
        ResultInfo: '',
        AccountStatus: data.exists(UserID) ? 'Imported' : 'NotImported',
      })),
    });
  },
});

/**
 * account_delete: 71000 when the plan forbids deleting accounts (feature `accountDelete` off); per item
 * 70107 for a UserID that does not exist. No `Fail_Account` (not in its doc).
 */
const accountDelete = defineCommand({
  source: { service, command: 'account_delete' },
  invalidCode: 70402,
  feature: { name: 'accountDelete', code: 71000 },
  schema: userItems('DeleteItem'),
  run: (request, context, reply) => {
    const items = request.DeleteItem ?? [];
    if (items.length > MAX_ACCOUNT_BATCH) return reply.fail(70206, `${items.length} DeleteItem, at most 100`);
    const results = applyPerItem(
      context,
      items.map((item) => item.UserID),
      (id) => id,
      (kept) =>
        kept.map(
          (id): ItemResult =>
            context.data.graph.deleteAccount(id)
              ? { toAccount: id, code: 0, info: '' }
              : { toAccount: id, code: 70107, info: 'UserID does not exist' },
        ),
    );
    return reply.ok({
      ResultItem: results.map((result) => ({
        UserID: result.toAccount,
        ResultCode: result.code,
        ResultInfo: result.info,
      })),
    });
  },
});

/** kick: invalidates the user's login sessions (the simulator counts kicks); 70107 for an unknown UserID. */
const kick = defineCommand({
  source: { service, command: 'kick' },
  invalidCode: 70402,
  subject: { field: 'UserID', notFoundCode: 70107 },
  schema: z.object({ UserID: z.string() }),
  run: (_request, { data }, reply, user) => {
    data.kick(user);
    return reply.ok();
  },
});

/** The `im_open_login_svc` handlers, by `service/command` (commands.ts routes to them). */
export const ACCOUNT_COMMANDS: Record<string, Handler> = {
  'im_open_login_svc/account_import': accountImport,
  'im_open_login_svc/account_check': accountCheck,
  'im_open_login_svc/account_delete': accountDelete,
  'im_open_login_svc/kick': kick,
};
