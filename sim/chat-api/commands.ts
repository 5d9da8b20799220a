/**
 * The REST commands the simulator serves: the router from `service/command` to its handler (one file per
 * family), and the `ignore` fault, which runs a write and then takes its effects back so the answer says
 * OK while nothing changed. Handlers are pure apart from the ChatData they act on.
 */

import { ACCOUNT_COMMANDS } from './accountCommands.ts';
import type { AnswerBody } from './answers.ts';
import { BLOCKLIST_COMMANDS } from './blocklistCommands.ts';
import type { CommandContext, Handler } from './commandKit.ts';
import { FOLLOW_COMMANDS } from './followCommands.ts';
import { FRIEND_COMMANDS } from './friendCommands.ts';
import type { Route } from './gateway.ts';
import { GROUP_COMMANDS } from './groupCommands.ts';
import { PROFILE_COMMANDS } from './profileCommands.ts';
import { RECENT_CONTACT_COMMANDS } from './recentContactCommands.ts';

export type { CommandConfig, CommandContext } from './commandKit.ts';

const HANDLERS: Readonly<Record<string, Handler>> = {
  ...FRIEND_COMMANDS,
  ...BLOCKLIST_COMMANDS,
  ...FOLLOW_COMMANDS,
  ...RECENT_CONTACT_COMMANDS,
  ...GROUP_COMMANDS,
  ...PROFILE_COMMANDS,
  ...ACCOUNT_COMMANDS,
};

/**
 * Runs a known command on a JSON-object body.
 * @example
 * runCommand({ service: 'sns', command: 'friend_delete_all' }, { From_Account: 'u1' }, context);
 */
export function runCommand(route: Route, body: Record<string, unknown>, context: CommandContext): AnswerBody {
  const handler = HANDLERS[`${route.service}/${route.command}`];
  if (handler === undefined) throw new Error(`no handler for ${route.service}/${route.command}`);
  if (context.fault?.type !== 'ignore') return handler(body, context);
  const before = context.data.snapshot();
  try {
    return handler(body, context);
  } finally {
    context.data.restore(before);
  }
}

/** Every `service/command` with a handler (the catalog must list exactly these). */
export const HANDLED_COMMANDS: readonly string[] = Object.keys(HANDLERS);
