/**
 * The erasure plan's steps as DESIGN.md "Erasure plan" names and orders them, the Chat commands each one
 * uses, and the call budgets those commands get. Pure data and parsing: the configuration reads
 * `ERASURE_STEPS` and `CALL_BUDGETS` through it, the plan engine runs the steps in this order.
 */

/** Every step, in the plan's fixed order (DESIGN.md). */
const ERASURE_STEP_NAMES = [
  'kick',
  'friends',
  'blocklist',
  'follows',
  'conversations',
  'groups',
  'profile',
  'account',
] as const;

export type StepName = (typeof ERASURE_STEP_NAMES)[number];

/** A Chat REST command, named by its path after `v4/` (`sns/friend_get`). */
export type ChatCommandPath = `${string}/${string}`;

/** The commands each step uses (DESIGN.md's table). */
export const STEP_COMMANDS: Readonly<Record<StepName, readonly ChatCommandPath[]>> = {
  kick: ['im_open_login_svc/kick'],
  friends: ['sns/friend_get', 'sns/friend_delete_all', 'sns/group_get', 'sns/group_delete'],
  blocklist: ['sns/black_list_get', 'sns/black_list_delete'],
  follows: ['follow/follow_get', 'follow/follow_delete'],
  conversations: [
    'recentcontact/get_list',
    'recentcontact/delete',
    'recentcontact/get_contact_group',
    'recentcontact/del_contact_group',
  ],
  groups: [
    'group_open_http_svc/get_joined_group_list',
    'group_open_http_svc/get_group_member_info',
    'group_open_http_svc/change_group_owner',
    'group_open_http_svc/delete_group_member',
    'group_open_http_svc/destroy_group',
  ],
  profile: ['profile/portrait_get', 'profile/portrait_set'],
  account: ['im_open_login_svc/account_delete', 'im_open_login_svc/account_check'],
};

/** Every command of the plan, whichever steps are chosen. */
export const PLAN_COMMANDS: readonly ChatCommandPath[] = ERASURE_STEP_NAMES.flatMap(
  (step) => STEP_COMMANDS[step],
);

/** Tencent's lower default limit for these commands (100 calls/s; every other REST command has 200). */
export const ACCOUNT_CLASS_COMMANDS: ReadonlySet<ChatCommandPath> = new Set([
  'im_open_login_svc/account_delete',
  'im_open_login_svc/account_check',
]);

/** The lower default's cap: `account_delete` and `account_check` get min(CALL_BUDGET_PER_SECOND, this). */
const ACCOUNT_CLASS_BUDGET = 100;

/**
 * Reads `ERASURE_STEPS`: names separated by commas, lower case, spaces around names ignored. Returns the
 * steps in the plan's order, or the problem (an unknown or repeated name, or an empty plan).
 * @example
 * parseErasureSteps('account, friends'); // { ok: true, steps: ['friends', 'account'] }
 */
export function parseErasureSteps(
  raw: string,
): { ok: true; steps: readonly StepName[] } | { ok: false; problem: string } {
  const names = raw.split(',').map((name) => name.trim());
  if (names.every((name) => name === '')) return { ok: false, problem: 'the plan is empty' };
  const seen = new Set<string>();
  for (const name of names) {
    if (!(ERASURE_STEP_NAMES as readonly string[]).includes(name)) {
      return { ok: false, problem: `unknown step "${name}" (steps: ${ERASURE_STEP_NAMES.join(', ')})` };
    }
    if (seen.has(name)) return { ok: false, problem: `step "${name}" is listed twice` };
    seen.add(name);
  }
  return { ok: true, steps: ERASURE_STEP_NAMES.filter((step) => seen.has(step)) };
}

/**
 * Reads `CALL_BUDGETS`: `command=rate` pairs separated by commas. A command is named by its path after
 * `v4/` or, where that is unique among the plan's commands, by its last segment. Returns the overrides by
 * full path, or the problem (an unknown or repeated command, or a rate that is not a positive number).
 * @example
 * parseCallBudgets('account_delete=300, follow/follow_delete=50');
 * // { ok: true, budgets: Map { 'im_open_login_svc/account_delete' => 300, 'follow/follow_delete' => 50 } }
 */
export function parseCallBudgets(
  raw: string,
): { ok: true; budgets: ReadonlyMap<ChatCommandPath, number> } | { ok: false; problem: string } {
  const budgets = new Map<ChatCommandPath, number>();
  for (const entry of raw.split(',')) {
    const match = /^\s*([A-Za-z0-9_/]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(entry);
    if (!match) return { ok: false, problem: `"${entry.trim()}" is not command=rate` };
    const [, name = '', rateText = ''] = match;
    const command = resolveCommand(name);
    if (command === undefined) return { ok: false, problem: `unknown command "${name}"` };
    if (budgets.has(command)) return { ok: false, problem: `command "${command}" is listed twice` };
    const rate = Number(rateText);
    if (!(rate > 0) || !Number.isFinite(rate))
      return { ok: false, problem: `the rate of "${name}" must be positive` };
    budgets.set(command, rate);
  }
  return { ok: true, budgets };
}

function resolveCommand(name: string): ChatCommandPath | undefined {
  if ((PLAN_COMMANDS as readonly string[]).includes(name)) return name as ChatCommandPath;
  const bySegment = PLAN_COMMANDS.filter((command) => command.slice(command.lastIndexOf('/') + 1) === name);
  return bySegment.length === 1 ? bySegment[0] : undefined;
}

/**
 * The deployment-wide budget of a command: its `CALL_BUDGETS` override, else `CALL_BUDGET_PER_SECOND`
 * (capped at Tencent's lower default for the account commands).
 * @example
 * budgetOf('im_open_login_svc/account_check', 200, new Map()); // 100
 */
export function budgetOf(
  command: string,
  callBudgetPerSecond: number,
  overrides: ReadonlyMap<string, number>,
): number {
  const override = overrides.get(command);
  if (override !== undefined) return override;
  return ACCOUNT_CLASS_COMMANDS.has(command as ChatCommandPath)
    ? Math.min(callBudgetPerSecond, ACCOUNT_CLASS_BUDGET)
    : callBudgetPerSecond;
}
