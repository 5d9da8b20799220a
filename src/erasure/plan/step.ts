/**
 * What a plan step is given and gives back. A step lists what is left of one kind of the user's data,
 * removes it in the documented batch sizes, reads back, and reports a {@link StepResult}; it stops the
 * plan by throwing (AccountAbsentError, StepFailedError, OutOfTimeError, AdminSubjectError).
 */
import type { StepResult } from './planResult.ts';
import type { StepCalls } from './stepCalls.ts';

/** A custom profile field the `profile` step clears (`PROFILE_CUSTOM_TAGS`). */
export interface ProfileCustomTag {
  tag: string;
  /** `:int` fields are cleared to 0, others to "". */
  integer: boolean;
}

export type GroupOwnerPolicy = 'transfer' | 'destroy';

export interface PlanSettings {
  groupOwnerPolicy: GroupOwnerPolicy;
  profileCustomTags: readonly ProfileCustomTag[];
}

/** What a step's listings found before removal so far: kept when the step stops early. */
export interface StepTally {
  removed: number;
}

export interface StepContext {
  userId: string;
  calls: StepCalls;
  settings: PlanSettings;
  tally: StepTally;
}

export type ErasureStep = (context: StepContext) => Promise<StepResult>;
