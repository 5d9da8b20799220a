/**
 * DESIGN.md's erasure plan as the chaos run judges it, typed by hand from the design (never imported from
 * `src/`): the steps in their fixed order, the Chat commands of each step, the profile fields the `profile`
 * step clears, and each command family's own codes (DESIGN.md "Error classification", API.md §4 and §8),
 * so that the run's verdicts and fault mix cannot agree with the function merely because they share its code.
 */
import { DESIGN_ERROR_CODES, PLAN_ERROR_CODES } from '../test/support/designErrorTable.ts';

/** Every step, in the plan's fixed order (DESIGN.md "Erasure plan"). */
export const PLAN_STEPS = [
  'kick',
  'friends',
  'blocklist',
  'follows',
  'conversations',
  'groups',
  'profile',
  'account',
] as const;

export type PlanStep = (typeof PLAN_STEPS)[number];

/** The Chat commands of each step, by their path after `v4/` (DESIGN.md's table). */
export const STEP_COMMANDS: Readonly<Record<PlanStep, readonly string[]>> = {
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

/** Every command of the plan, in step order. */
export const PLAN_COMMANDS: readonly string[] = PLAN_STEPS.flatMap((step) => STEP_COMMANDS[step]);

/** The step a command belongs to (undefined for commands outside the plan). */
export function stepOfCommand(command: string): PlanStep | undefined {
  return PLAN_STEPS.find((step) => STEP_COMMANDS[step].includes(command));
}

/** `account_delete` and `account_check` get min(CALL_BUDGET_PER_SECOND, 100) (DESIGN.md "Environment"). */
export const ACCOUNT_CLASS_COMMANDS: ReadonlySet<string> = new Set([
  'im_open_login_svc/account_delete',
  'im_open_login_svc/account_check',
]);

/**
 * A command's deployment-wide budget: its CALL_BUDGETS override, else CALL_BUDGET_PER_SECOND (capped at 100 for
 * the account commands).
 * @example
 * commandBudget('im_open_login_svc/account_check', 2000, {}); // 100
 */
export function commandBudget(
  command: string,
  callBudgetPerSecond: number,
  overrides: Readonly<Record<string, number>>,
): number {
  return (
    overrides[command] ??
    (ACCOUNT_CLASS_COMMANDS.has(command) ? Math.min(callBudgetPerSecond, 100) : callBudgetPerSecond)
  );
}

/**
 * The standard personal profile fields (DESIGN.md: Nick, Image, SelfSignature, Location → ""; Gender →
 * Gender_Type_Unknown; BirthDay, Language, Level, Role → 0).
 */
export const STANDARD_PERSONAL_FIELDS: Readonly<Record<string, string | number>> = {
  Tag_Profile_IM_Nick: '',
  Tag_Profile_IM_Image: '',
  Tag_Profile_IM_SelfSignature: '',
  Tag_Profile_IM_Location: '',
  Tag_Profile_IM_Gender: 'Gender_Type_Unknown',
  Tag_Profile_IM_BirthDay: 0,
  Tag_Profile_IM_Language: 0,
  Tag_Profile_IM_Level: 0,
  Tag_Profile_IM_Role: 0,
};

/** The custom profile fields of the chaos app, and the ones PROFILE_CUSTOM_TAGS asks the `profile` step to clear. */
export const CHAOS_CUSTOM_TAGS = {
  /** Configured in the simulator (the app's custom fields). */
  app: [
    { tag: 'Tag_Profile_Custom_Hobby', type: 'string' },
    { tag: 'Tag_Profile_Custom_Score', type: 'integer' },
    { tag: 'Tag_Profile_Custom_Team', type: 'string' },
  ],
  /** PROFILE_CUSTOM_TAGS: Team is left out on purpose (a documented residual of the `profile` step). */
  cleared: { Tag_Profile_Custom_Hobby: '', Tag_Profile_Custom_Score: 0 } as Readonly<
    Record<string, string | number>
  >,
  env: 'Tag_Profile_Custom_Hobby, Tag_Profile_Custom_Score:int',
} as const;

/** Every (DESIGN.md and plan) error class the verdicts tell apart. */
export type CodeClass =
  | 'absent'
  | 'transient'
  | 'throttled'
  | 're-sign'
  | 'permanent'
  | 'gone'
  | 'not-enabled';

/**
 * The class DESIGN.md's table and the plan's codes give a non-zero ErrorCode; any other code is permanent.
 * @example
 * codeClass(10002); // 'transient' (a group command's documented retry code)
 */
export function codeClass(code: number): CodeClass {
  for (const table of [DESIGN_ERROR_CODES, PLAN_ERROR_CODES] as const) {
    for (const [kind, codes] of Object.entries(table)) {
      if ((codes as readonly number[]).includes(code)) return kind as CodeClass;
    }
  }
  return 'permanent';
}

/** Codes that make the function stop or skip work on the API's word: an injected one is the API lying. */
export const LYING_CLASSES: ReadonlySet<CodeClass> = new Set(['absent', 'gone', 'not-enabled']);

/**
 * Each command family's own codes (API.md §4, §8), for the per-command fault mix: the family's "account does
 * not exist", documented retry codes, "already gone" and "feature not enabled" codes, and 71000 for
 * `account_delete` (the plan refuses it: permanent).
 */
export const COMMAND_CODES: Readonly<Record<string, readonly number[]>> = {
  'im_open_login_svc/kick': [70107],
  'sns/friend_get': [30003],
  'sns/friend_delete_all': [30003],
  'sns/group_get': [30003],
  'sns/group_delete': [30003],
  'sns/black_list_get': [30003],
  'sns/black_list_delete': [30003, 31704],
  'follow/follow_get': [30003, 30005],
  'follow/follow_delete': [30005, 31704],
  'recentcontact/get_list': [50001, 50004, 50005],
  'recentcontact/delete': [50001, 50004, 50005],
  'recentcontact/get_contact_group': [50004, 51013],
  'recentcontact/del_contact_group': [50005, 51009, 51013],
  'group_open_http_svc/get_joined_group_list': [10002, 10018, 10019],
  'group_open_http_svc/get_group_member_info': [10002, 10010, 10015],
  'group_open_http_svc/change_group_owner': [10002, 10010],
  'group_open_http_svc/delete_group_member': [10002, 10010, 10015],
  'group_open_http_svc/destroy_group': [10002, 10010],
  'profile/portrait_get': [40003, 40006],
  'profile/portrait_set': [40006],
  'im_open_login_svc/account_delete': [70107, 71000],
  'im_open_login_svc/account_check': [70107],
};

/** A named erasure plan one warm instance runs (ERASURE_STEPS, GROUP_OWNER_POLICY). */
export interface PlanProfile {
  name: string;
  /** undefined: ERASURE_STEPS is left unset (the default plan, `friends`). */
  erasureSteps: string | undefined;
  groupOwnerPolicy: 'transfer' | 'destroy';
}

/** The steps a profile runs, in the plan's order. */
export function stepsOf(profile: PlanProfile): PlanStep[] {
  const named = new Set((profile.erasureSteps ?? 'friends').split(',').map((name) => name.trim()));
  return PLAN_STEPS.filter((step) => named.has(step));
}

/**
 * The plans of a run's warm instances, in turn (instance i runs PLAN_PROFILES[i % 4]): the full plan with
 * either owner policy, the default `friends` plan, and a plan that keeps the account (no kick, no account).
 */
export const PLAN_PROFILES: readonly PlanProfile[] = [
  { name: 'full', erasureSteps: PLAN_STEPS.join(','), groupOwnerPolicy: 'transfer' },
  { name: 'default (friends)', erasureSteps: undefined, groupOwnerPolicy: 'transfer' },
  { name: 'full, destroy', erasureSteps: PLAN_STEPS.join(', '), groupOwnerPolicy: 'destroy' },
  {
    name: 'keep account',
    erasureSteps: 'friends,blocklist,follows,conversations,groups,profile',
    groupOwnerPolicy: 'transfer',
  },
];
