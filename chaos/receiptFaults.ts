/**
 * Receipt chaos: EventBridge and Step Functions refuse now and then. Both stand-ins serve scripted faults
 * first in first out, so a seeded timer queues one fault at a time at a low rate (throttling, 5xx, resets,
 * hangs, access denied, validation, partial PutEvents failures, the "task is gone" answers, InvalidOutput,
 * heartbeat failures). On EventBridge a standing partial fault also refuses, as throttled, every entry of
 * the erasures doomed to it (`receiptThrottled` events), so those records go back for retry until
 * MAX_RECEIVES dead-letters them as `receipt-undelivered`.
 */
import type { EventBridgeFault, PutEventsWireEntry } from '../sim/aws/eventBridgeStandIn.ts';
import type { StepFunctionsFault } from '../sim/aws/stepFunctionsStandIn.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { SeededRandom } from './seededRandom.ts';

/** Relative weights of the one-shot EventBridge faults. */
const EVENT_BRIDGE_FAULTS: [EventBridgeFault, number][] = [
  [{ type: 'throttle' }, 4],
  [{ type: 'internal' }, 4],
  [{ type: 'reset' }, 3],
  [{ type: 'hang' }, 1],
  [{ type: 'access-denied' }, 1],
  [{ type: 'validation' }, 1],
  [{ type: 'partial', entries: 'all', errorCode: 'InternalFailure' }, 2],
  [{ type: 'partial', entries: 'all', errorCode: 'AccessDeniedException' }, 1],
];

/** Relative weights of the one-shot Step Functions faults (the first four the SDK retries). */
const STEP_FUNCTIONS_FAULTS: [StepFunctionsFault, number][] = [
  [{ type: 'throttle' }, 3],
  [{ type: 'service-unavailable' }, 3],
  [{ type: 'internal' }, 2],
  [{ type: 'reset' }, 2],
  [{ type: 'hang' }, 1],
  [{ type: 'access-denied', operation: 'SendTaskSuccess' }, 1],
  [{ type: 'invalid-output', operation: 'SendTaskSuccess' }, 1],
  [{ type: 'task-does-not-exist' }, 1],
  [{ type: 'task-timed-out' }, 1],
  [{ type: 'invalid-token' }, 1],
  [{ type: 'internal', operation: 'SendTaskHeartbeat' }, 2],
];

export interface ReceiptFaultPlan {
  seed: number;
  /** Chance per tick (every `tickMs`) that one EventBridge fault, and one Step Functions fault, is queued. */
  rate: number;
  tickMs: number;
  /** Erasure ids (first messageIds) whose every receipt entry EventBridge refuses as throttled. */
  throttledErasures: ReadonlySet<string>;
}

export interface ReceiptFaultsReport {
  /** One-shot faults queued, by type (`partial:<code>` for partial ones). */
  eventBridge: Record<string, number>;
  stepFunctions: Record<string, number>;
}

export class ReceiptFaults {
  readonly #world: ErasureWorld;
  readonly #plan: ReceiptFaultPlan;
  readonly #random: SeededRandom;
  #timer: NodeJS.Timeout | undefined;
  readonly report: ReceiptFaultsReport = { eventBridge: {}, stepFunctions: {} };

  /**
   * @example
   * const faults = new ReceiptFaults(world, { seed: 7, rate: 0.1, tickMs: 100, throttledErasures });
   * faults.start();
   * // … the run …
   * faults.stop();
   */
  constructor(world: ErasureWorld, plan: ReceiptFaultPlan) {
    this.#world = world;
    this.#plan = plan;
    this.#random = new SeededRandom(plan.seed, 6);
  }

  start(): void {
    this.#rebuildEventBridge(undefined);
    this.#timer ??= setInterval(() => this.#tick(), this.#plan.tickMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#world.events.clearFaults();
    this.#world.stepFunctions.clearFaults();
  }

  #tick(): void {
    if (this.#random.chance(this.#plan.rate)) {
      const fault = this.#random.weightedItem(EVENT_BRIDGE_FAULTS);
      this.#rebuildEventBridge(fault);
      const label = fault.type === 'partial' ? `partial:${fault.errorCode}` : fault.type;
      this.report.eventBridge[label] = (this.report.eventBridge[label] ?? 0) + 1;
    }
    if (this.#random.chance(this.#plan.rate)) {
      const fault = this.#random.weightedItem(STEP_FUNCTIONS_FAULTS);
      this.#world.stepFunctions.injectFault(fault);
      const label = fault.operation === undefined ? fault.type : `${fault.type} (${fault.operation})`;
      this.report.stepFunctions[label] = (this.report.stepFunctions[label] ?? 0) + 1;
    }
  }

  /**
   * Queues the one-shot faults still pending, then `next`, then the standing partial fault: a fault serves
   * the first request it fits, so the standing one must stay last or it would shadow every other.
   */
  #rebuildEventBridge(next: EventBridgeFault | undefined): void {
    const { events } = this.#world;
    const pending = events
      .pendingFaults()
      .filter(({ remaining }) => remaining !== Number.POSITIVE_INFINITY)
      .map(({ fault }) => fault);
    events.clearFaults();
    for (const fault of [...pending, ...(next === undefined ? [] : [next])]) events.injectFault(fault);
    const throttled = this.#plan.throttledErasures;
    if (throttled.size === 0) return;
    events.injectFault({
      type: 'partial',
      entries: (entry: PutEventsWireEntry) => throttled.has(erasureIdOf(entry) ?? ''),
      errorCode: 'ThrottlingException',
      times: Number.POSITIVE_INFINITY,
    });
  }
}

/** The `erasureId` of a receipt entry's Detail, if it has one. */
function erasureIdOf(entry: PutEventsWireEntry): string | undefined {
  try {
    const detail: unknown = JSON.parse(entry.Detail ?? '');
    const id = (detail as { erasureId?: unknown } | null)?.erasureId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
