/**
 * The plan engine (DESIGN.md "Erasure plan"): runs the chosen steps one after another in the plan's fixed
 * order, and stops at the first that fails, finds the account absent, or runs out of time. Every step is
 * idempotent, so a retry, a continuation or a DLQ replay runs the whole plan again from the first step.
 */
import { AccountAbsentError, AdminSubjectError, OutOfTimeError, StepFailedError } from '../../errors.ts';
import type { RecordChatCalls } from '../recordChatCalls.ts';
import type { StepName } from './erasureSteps.ts';
import type { PlanEnding, PlanResult, PlanSteps } from './planResult.ts';
import type { ErasureStep, PlanSettings } from './step.ts';
import { StepCalls } from './stepCalls.ts';
import { account } from './steps/account.ts';
import { blocklist } from './steps/blocklist.ts';
import { conversations } from './steps/conversations.ts';
import { follows } from './steps/follows.ts';
import { friends } from './steps/friends.ts';
import { groups } from './steps/groups.ts';
import { kick } from './steps/kick.ts';
import { profile } from './steps/profile.ts';

/** Each step's implementation, one file per step. */
const STEPS: Readonly<Record<StepName, ErasureStep>> = {
  kick,
  friends,
  blocklist,
  follows,
  conversations,
  groups,
  profile,
  account,
};

export interface ErasurePlan {
  /** The steps to run, already in the plan's order. */
  steps: readonly StepName[];
  settings: PlanSettings;
}

/**
 * @example
 * const result = await runErasurePlan('user_42', { steps: ['friends'], settings }, new RecordChatCalls({ … }));
 * if (result.ending.type === 'completed') console.log('erased', result.steps);
 */
export async function runErasurePlan(
  userId: string,
  plan: ErasurePlan,
  calls: RecordChatCalls,
): Promise<PlanResult> {
  const stepCalls = new StepCalls(calls);
  const steps: PlanSteps = {};
  let ending: PlanEnding = { type: 'completed' };
  for (const name of plan.steps) {
    const tally = { removed: 0 };
    const attemptsBefore = stepCalls.latenciesMs.length;
    try {
      steps[name] = await STEPS[name]({ userId, calls: stepCalls, settings: plan.settings, tally });
    } catch (error) {
      ending = endingOf(error, name);
      // The step ran: it is reported with what its listings had found.
      // Absent: nothing of the user is left (verified), except that kick never reads back.
      if (ending.type === 'absent') {
        steps[name] = { result: 'absent', removed: tally.removed, verified: name !== 'kick' };
      }
      // A step that ran out of time before its first call did not run: it is left out.
      const ran = stepCalls.latenciesMs.length > attemptsBefore;
      if (ending.type === 'failed' || (ending.type === 'out-of-time' && ran)) {
        steps[name] = { result: 'failed', removed: tally.removed, verified: false };
      }
      break;
    }
  }
  return {
    steps,
    ending,
    removals: stepCalls.removals,
    started: stepCalls.started,
    latenciesMs: stepCalls.latenciesMs,
  };
}

/** How a step's stop ends the plan; anything unexpected propagates (a bug: transient for the record). */
function endingOf(error: unknown, step: StepName): PlanEnding {
  if (error instanceof AccountAbsentError) {
    return { type: 'absent', step, ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }) };
  }
  if (error instanceof StepFailedError) {
    return {
      type: 'failed',
      step,
      failureClass: error.failureClass,
      detail: error.message,
      ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }),
    };
  }
  if (error instanceof OutOfTimeError) return { type: 'out-of-time', step };
  if (error instanceof AdminSubjectError) return { type: 'admin' };
  throw error;
}
