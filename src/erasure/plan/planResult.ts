/**
 * What a plan run reports (DESIGN.md "Erasure plan", "Result per step"): a result per step that ran, how
 * the run ended, and what this delivery removed (what decides `absent` against `erased`, and whether a
 * run that ran out of time is `continued`).
 */
import type { StepFailureClass } from '../../errors.ts';
import type { StepName } from './erasureSteps.ts';

/** One step's result, as the audit line and the receipt show it. */
export interface StepResult {
  result: 'done' | 'absent' | 'not-enabled' | 'failed';
  /** Items the step's listings found before removal, summed over its listings (kick: 0). */
  removed: number;
  /** The step's last listing came back empty (false for kick and for a failed step). */
  verified: boolean;
  /** groups: owned groups handed to another member. */
  transferred?: number;
  /** groups: owned groups destroyed. */
  destroyed?: number;
  /** What the step, by design, left: counts per kind (`{ "avchatroom-memberships": 2 }`). */
  residual?: Record<string, number>;
  /** Parts of a partly enabled step that the app's edition lacks (`["contact-groups"]`). */
  notEnabled?: string[];
}

export type PlanSteps = Partial<Record<StepName, StepResult>>;

/** How a plan run ended. */
export type PlanEnding =
  /** Every step done. */
  | { type: 'completed' }
  /** The Chat API says the account does not exist. */
  | { type: 'absent'; step: StepName; errorCode?: number }
  /** A step failed: retried or dead-lettered by its class. */
  | {
      type: 'failed';
      step: StepName;
      failureClass: StepFailureClass;
      detail: string;
      errorCode?: number;
    }
  /** A call could not start before the deadline. */
  | { type: 'out-of-time'; step: StepName }
  /** A call would have been signed as the record's own userId: the event names the admin. */
  | { type: 'admin' };

export interface PlanResult {
  steps: PlanSteps;
  ending: PlanEnding;
  /** Removal calls of this delivery that succeeded (kick not counted): progress. */
  removals: number;
  /** Whether any Chat call was sent in this delivery. */
  started: boolean;
  /** Latency of every HTTP attempt, retries included. */
  latenciesMs: number[];
}

/**
 * What no step can erase (DESIGN.md "Security and privacy"): no API looks up entries others hold, and no
 * API erases a user's messages. Every receipt names them.
 */
const UNREACHABLE_RESIDUALS = [
  'one-way friend entries held by others',
  'blocklist entries held by others',
  "messages on the other party's side and in groups",
] as const;

/** What a step leaves by design, beyond the unreachable, when it runs. */
const STEP_RESIDUALS: Readonly<Partial<Record<StepName, readonly string[]>>> = {
  profile: [
    'profile settings (AllowType, AdminForbidType, MsgSettings) and custom fields not listed in PROFILE_CUSTOM_TAGS',
  ],
  groups: ['memberships in AVChatRoom groups the user does not own (they keep no member list)'],
};

/**
 * The residual texts of a plan: the unreachable, plus what each step of it leaves.
 * @example
 * residualsOf(['friends']); // the three unreachable kinds
 */
export function residualsOf(steps: readonly StepName[]): string[] {
  return [...UNREACHABLE_RESIDUALS, ...steps.flatMap((step) => STEP_RESIDUALS[step] ?? [])];
}
