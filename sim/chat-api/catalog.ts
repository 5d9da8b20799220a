/**
 * Every REST command the simulator serves, with the facts the HTTP layer needs before a command runs: the
 * shape of its answers (whether they carry `ErrorDisplay`), its call-limit class, and what kind of command
 * it is (which decides the faults that apply to it). One table, so adding a command is one line here plus
 * its handler.
 */

/**
 * - `listing`: a paged read (`stale-cursor` applies);
 * - `read`: any other read;
 * - `write`: changes state (`ignore` applies);
 * - `batch-write`: a write with per-item results (`ignore` and `item-error` apply).
 */
export type CommandKind = 'listing' | 'read' | 'write' | 'batch-write';

export interface CommandFacts {
  kind: CommandKind;
  /** Whether the command's documented answers carry `ErrorDisplay` (all of `sns/*`, follow, profile, ...). */
  errorDisplay: boolean;
  /** `account`: Tencent's 100 calls/s class (account_delete, account_check, multiaccount_import). */
  limitClass: 'default' | 'account';
}

const facts = (
  kind: CommandKind,
  errorDisplay: boolean,
  limitClass: CommandFacts['limitClass'] = 'default',
): CommandFacts => ({ kind, errorDisplay, limitClass });

/** `service/command` -> facts. ErrorDisplay per the doc samples of each command. */
export const COMMANDS: Readonly<Record<string, CommandFacts>> = {
  'sns/friend_add': facts('batch-write', true),
  'sns/friend_import': facts('batch-write', true),
  'sns/friend_get': facts('listing', true),
  'sns/friend_check': facts('read', true),
  'sns/friend_delete_all': facts('write', true),
  'sns/group_get': facts('read', true),
  'sns/group_delete': facts('write', true),
  'sns/black_list_get': facts('listing', true),
  'sns/black_list_delete': facts('batch-write', true),
  'follow/follow_get': facts('listing', true),
  'follow/follow_delete': facts('batch-write', true),
  'recentcontact/get_list': facts('listing', true),
  'recentcontact/delete': facts('write', true),
  // The contact-group pages show answers without ErrorDisplay.
  'recentcontact/get_contact_group': facts('listing', false),
  'recentcontact/del_contact_group': facts('write', false),
  'group_open_http_svc/get_joined_group_list': facts('listing', false),
  'group_open_http_svc/get_group_member_info': facts('listing', false),
  'group_open_http_svc/change_group_owner': facts('write', false),
  'group_open_http_svc/delete_group_member': facts('write', false),
  'group_open_http_svc/destroy_group': facts('write', false),
  'profile/portrait_get': facts('read', true),
  'profile/portrait_set': facts('write', true),
  'im_open_login_svc/account_import': facts('write', false),
  'im_open_login_svc/account_check': facts('read', false, 'account'),
  'im_open_login_svc/account_delete': facts('batch-write', false, 'account'),
  'im_open_login_svc/kick': facts('write', false),
};

/**
 * The facts of a known command, or undefined.
 * @example
 * commandFacts('follow', 'follow_delete')?.kind; // 'batch-write'
 */
export function commandFacts(service: string, command: string): CommandFacts | undefined {
  return COMMANDS[`${service}/${command}`];
}

/** The commands the simulator serves, by service (derived from {@link COMMANDS}). */
export const KNOWN_COMMANDS: Readonly<Record<string, readonly string[]>> = Object.keys(COMMANDS).reduce<
  Record<string, string[]>
>((byService, key) => {
  const [service = '', command = ''] = key.split('/');
  byService[service] = [...(byService[service] ?? []), command];
  return byService;
}, {});
