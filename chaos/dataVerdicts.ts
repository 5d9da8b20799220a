/**
 * Whether an erased user's data is really gone (DESIGN.md "Erasure plan", "Security and privacy"): for every
 * step of every plan that finished one of the user's erasures, what the simulator still holds about the
 * user, allowing only the documented residuals: one-way friend entries held by others, blocklist entries
 * held by others, the other side of conversations, messages in groups, AVChatRoom memberships not owned,
 * entries on the lists of followers the step found deleted (done for that item), profile settings and
 * custom fields outside PROFILE_CUSTOM_TAGS. A step is waived for a user when the chaos itself lied about it
 * (an injected "does not exist", "gone" or "not enabled" answer, or an ignored kick).
 */
import type { PersonalData, RequestLogEntry } from '../sim/chat-api/index.ts';
import { faultKindOf } from './chatFaultMix.ts';
import {
  CHAOS_CUSTOM_TAGS,
  codeClass,
  PLAN_STEPS,
  type PlanStep,
  STANDARD_PERSONAL_FIELDS,
  stepOfCommand,
} from './planCatalog.ts';
import type { SeededData } from './userDataSeed.ts';

export interface ChatView {
  personalDataOf(id: string): PersonalData;
  hasAccount(id: string): boolean;
  groupOf(groupId: string): unknown;
  friendsOf(id: string): string[];
}

export interface DataJudgement {
  /** Users whose data was checked (some erasure of theirs finished with nothing left). */
  checkedUsers: number;
  /** (user, step) pairs checked, and those waived because an injected answer lied about the step. */
  checkedSteps: number;
  waivedSteps: number;
  problems: string[];
}

/** Every field the `profile` step clears. */
const CLEARED_FIELDS = new Set([
  ...Object.keys(STANDARD_PERSONAL_FIELDS),
  ...Object.keys(CHAOS_CUSTOM_TAGS.cleared),
]);

/**
 * The steps of `userId`'s plans that an injected lie may have cut short: an absent code stops the plan (that
 * step and every later one; about another account it makes an item done), a "gone" code (top level or per
 * item) makes an item done, so the read-back leaves it out, a not-enabled code skips its step's kind of
 * data, and an ignored kick is unseen.
 * @example
 * waivedSteps(calls.about('chaos-u-3')); // Set { 'profile', 'account' } after a 40003 on portrait_get
 */
export function waivedSteps(calls: readonly RequestLogEntry[]): Set<PlanStep> {
  const waived = new Set<PlanStep>();
  for (const call of calls) {
    if (call.fault === undefined) continue;
    const step = stepOfCommand(`${call.service}/${call.command}`);
    if (step === undefined) continue;
    const kind = faultKindOf(call.fault);
    const itemClass = kind === 'item-error' ? codeClass(Number(call.fault.split(':')[1])) : undefined;
    if (kind === 'absent code') {
      for (const later of PLAN_STEPS.slice(PLAN_STEPS.indexOf(step))) waived.add(later);
    } else if (
      kind === 'gone code' ||
      kind === 'not-enabled code' ||
      itemClass === 'gone' ||
      itemClass === 'absent' ||
      (kind === 'ignore' && step === 'kick')
    ) {
      waived.add(step);
    }
  }
  return waived;
}

/**
 * @param finished for each user, the steps of the plans that finished one of its erasures
 * @example
 * const { problems } = judgePersonalData({ finished, chat: world.chat, data: workload.data, callsAbout, admin });
 */
export function judgePersonalData(input: {
  finished: ReadonlyMap<string, ReadonlySet<PlanStep>>;
  chat: ChatView;
  data: SeededData;
  callsAbout(userId: string): readonly RequestLogEntry[];
  admin: string;
  adminFriend: string;
}): DataJudgement {
  const problems: string[] = [];
  let checkedSteps = 0;
  let waivedCount = 0;
  for (const [userId, steps] of input.finished) {
    const calls = input.callsAbout(userId);
    const waived = waivedSteps(calls);
    const left = input.chat.personalDataOf(userId);
    for (const step of steps) {
      if (waived.has(step)) {
        waivedCount++;
        continue;
      }
      checkedSteps++;
      for (const problem of stepLeftovers(step, left, input.data, deletedFollowersMet(userId, calls))) {
        problems.push(`${userId}: erased by a plan with ${step}, but ${problem}`);
      }
    }
  }
  problems.push(...bystanderProblems(input));
  return { checkedUsers: input.finished.size, checkedSteps, waivedSteps: waivedCount, problems };
}

/**
 * The followers whose own list the step found gone: its follow_delete from them (naming the user) was
 * answered, without an injected fault, with the "account does not exist" code. Only these are done for
 * that item; a follower deleted after the step missed it is not excused.
 */
function deletedFollowersMet(userId: string, calls: readonly RequestLogEntry[]): Set<string> {
  const met = new Set<string>();
  for (const call of calls) {
    if (call.command !== 'follow_delete' || call.fault !== undefined || call.errorCode !== ACCOUNT_MISSING)
      continue;
    const body = call.body as { From_Account?: unknown; To_Account?: unknown } | undefined;
    const to = Array.isArray(body?.To_Account) ? body.To_Account : [];
    if (typeof body?.From_Account === 'string' && body.From_Account !== userId && to.includes(userId)) {
      met.add(body.From_Account);
    }
  }
  return met;
}

/** follow_delete's "From_Account does not exist". */
const ACCOUNT_MISSING = 30003;

/** What is left of one step's data that the step should have removed. */
function stepLeftovers(
  step: PlanStep,
  left: PersonalData,
  data: SeededData,
  deletedFollowers: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const some = (what: string, items: readonly unknown[]) => {
    if (items.length > 0) found.push(`${what} left: ${items.length}`);
  };
  switch (step) {
    case 'kick':
      if (left.kicks === 0 && left.accountExists) found.push('its sessions were never kicked');
      break;
    case 'friends': {
      some('friends on its own list', left.friends);
      some('friend lists', left.friendLists);
      const oneWay = data.oneWayHolders.get(left.userId) ?? new Set<string>();
      some(
        'two-way partners holding it',
        left.heldByOthers.friendOf.filter((holder) => !oneWay.has(holder)),
      );
      break;
    }
    case 'blocklist':
      some('entries on its own blocklist', left.blocklist);
      break;
    case 'follows':
      some('accounts it follows', left.following);
      // A deleted follower's entry is done for that item (DESIGN.md "Absent"): nothing can act on its list.
      some(
        'followers',
        left.followers.filter((follower) => !deletedFollowers.has(follower)),
      );
      break;
    case 'conversations':
      some('conversations', left.conversations);
      some('unlisted conversations with roaming messages', left.unlistedConversations);
      some('conversation groups', left.contactGroups);
      break;
    case 'groups':
      some('owned groups', left.ownedGroups);
      some(
        'group memberships other than AVChatRooms it does not own',
        left.groups.filter((group) => group.type !== 'AVChatRoom' || group.role === 'Owner'),
      );
      break;
    case 'profile':
      some(
        'personal profile fields',
        Object.keys(left.profile).filter((tag) => CLEARED_FIELDS.has(tag)),
      );
      break;
    case 'account':
      if (left.accountExists) found.push('the account still exists');
      break;
  }
  return found;
}

/** Nobody else's data went with the erased users: bystanders, their groups, the admin and its friend. */
function bystanderProblems(input: {
  chat: ChatView;
  data: SeededData;
  admin: string;
  adminFriend: string;
}): string[] {
  const problems: string[] = [];
  const gone = input.data.bystanders.filter((id) => !input.chat.hasAccount(id));
  if (gone.length > 0) problems.push(`${gone.length} bystander accounts were deleted`);
  const destroyed = input.data.bystanderGroups.filter((groupId) => input.chat.groupOf(groupId) === undefined);
  if (destroyed.length > 0) problems.push(`${destroyed.length} groups owned by bystanders were destroyed`);
  if (!input.chat.hasAccount(input.admin)) problems.push('the admin account was deleted');
  if (!input.chat.friendsOf(input.admin).includes(input.adminFriend)) {
    problems.push("the admin's own friendship was deleted");
  }
  return problems;
}
