/**
 * Every receipt the function tried to send, per message: the EventBridge events the bus recorded, the
 * PutEvents entries that were refused (a failed call, or an entry of an accepted call that the bus did not
 * record), and the Step Functions callbacks with their answers. Built from the stand-ins' own logs.
 */
import type { PutEventsCall, RecordedEvent } from '../sim/aws/eventBridgeStandIn.ts';
import type { TaskCall } from '../sim/aws/stepFunctionsStandIn.ts';

/** Step Functions answers that mean "nobody waits any more": DESIGN.md counts them as delivered. */
export const GONE_TASK_ERRORS: ReadonlySet<string> = new Set([
  'TaskDoesNotExist',
  'TaskTimedOut',
  'InvalidToken',
]);

/** A receipt detail as sent (EventBridge `Detail`, SendTaskSuccess `output`, SendTaskFailure `cause`). */
export type ReceiptDetail = Record<string, unknown>;

export interface BusReceipt {
  detailType: string;
  source: string;
  detail: ReceiptDetail;
  /** The JSON text as sent, for the secrecy checks. */
  text: string;
}

export interface TaskCallback {
  operation: 'SendTaskSuccess' | 'SendTaskFailure';
  token: string;
  /** SendTaskFailure `error`. */
  error?: string;
  detail: ReceiptDetail | undefined;
  text: string;
  /** Answered 200, or with a "nobody waits" error (delivered, per DESIGN.md). */
  accepted: boolean;
  /** The AWS error answered (none for 200; `no answer` for a reset or a hang). */
  answer: string;
}

export class ReceiptLog {
  readonly #bus = new Map<string, BusReceipt[]>();
  readonly #refusedEntries = new Map<string, number>();
  /** `messageId|attempts` of every refused bus entry. */
  readonly #refusedAt = new Set<string>();
  readonly #callbacks = new Map<string, TaskCallback[]>();
  /** Every receipt, whatever its messageId, in arrival order. */
  readonly busReceipts: BusReceipt[] = [];
  readonly taskCallbacks: TaskCallback[] = [];
  readonly heartbeats: { token: string; answer: string }[] = [];
  readonly putEventsCalls: number;
  readonly refusedEntries: number;

  /**
   * @example
   * const receipts = new ReceiptLog(world.events.events({ bus }), world.events.calls(), world.stepFunctions.calls());
   * receipts.busFor(messageId); // the events the bus recorded for it, oldest first
   */
  constructor(
    events: readonly RecordedEvent[],
    putEvents: readonly PutEventsCall[],
    taskCalls: readonly TaskCall[],
  ) {
    const recorded = new Set<string>();
    for (const event of events) {
      recorded.add(event.detailText);
      const receipt: BusReceipt = {
        detailType: event.detailType,
        source: event.source,
        detail: event.detail,
        text: event.detailText,
      };
      this.busReceipts.push(receipt);
      append(this.#bus, messageIdOf(event.detail), receipt);
    }
    let refused = 0;
    const calls = putEvents.filter((call) => call.target === 'AWSEvents.PutEvents');
    for (const call of calls) {
      const entries = (call.input as { Entries?: { Detail?: unknown }[] } | undefined)?.Entries ?? [];
      for (const entry of entries) {
        const text = typeof entry.Detail === 'string' ? entry.Detail : '';
        if (call.status === 200 && recorded.has(text)) continue;
        refused++;
        const detail = parseObject(text);
        const messageId = messageIdOf(detail);
        this.#refusedEntries.set(messageId, (this.#refusedEntries.get(messageId) ?? 0) + 1);
        this.#refusedAt.add(`${messageId}|${String(detail?.attempts)}`);
      }
    }
    this.putEventsCalls = calls.length;
    this.refusedEntries = refused;
    for (const call of taskCalls) {
      const input = call.input ?? {};
      const token = typeof input.taskToken === 'string' ? input.taskToken : '';
      const answer = call.status === 200 ? 'OK' : (call.errorCode ?? 'no answer');
      if (call.operation === 'SendTaskHeartbeat') {
        this.heartbeats.push({ token, answer });
        continue;
      }
      if (call.operation !== 'SendTaskSuccess' && call.operation !== 'SendTaskFailure') continue;
      const text = String(call.operation === 'SendTaskSuccess' ? input.output : input.cause);
      const callback: TaskCallback = {
        operation: call.operation,
        token,
        ...(typeof input.error === 'string' ? { error: input.error } : {}),
        detail: parseObject(text),
        text,
        accepted: call.status === 200 || GONE_TASK_ERRORS.has(call.errorCode ?? ''),
        answer,
      };
      this.taskCallbacks.push(callback);
      append(this.#callbacks, messageIdOf(callback.detail), callback);
    }
  }

  /** The events the bus recorded for a message, oldest first. */
  busFor(messageId: string): readonly BusReceipt[] {
    return this.#bus.get(messageId) ?? [];
  }

  /** PutEvents entries for a message that the bus did not take. */
  refusedEntriesFor(messageId: string): number {
    return this.#refusedEntries.get(messageId) ?? 0;
  }

  /** SendTaskSuccess/SendTaskFailure calls whose detail names the message, oldest first. */
  callbacksFor(messageId: string): readonly TaskCallback[] {
    return this.#callbacks.get(messageId) ?? [];
  }

  /** Whether any receipt for the message was refused (a bus entry, or a callback not accepted). */
  hadFailedAttempt(messageId: string): boolean {
    return (
      this.refusedEntriesFor(messageId) > 0 || this.callbacksFor(messageId).some((call) => !call.accepted)
    );
  }

  /** Whether a receipt for the message's delivery with this receive count (its `attempts`) was refused. */
  hadFailedAttemptAt(messageId: string, attempts: number): boolean {
    return (
      this.#refusedAt.has(`${messageId}|${attempts}`) ||
      this.callbacksFor(messageId).some((call) => !call.accepted && call.detail?.attempts === attempts)
    );
  }

  /** The messageIds any receipt names. */
  messageIds(): Set<string> {
    return new Set([...this.#bus.keys(), ...this.#callbacks.keys()]);
  }
}

function parseObject(text: string): ReceiptDetail | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as ReceiptDetail)
      : undefined;
  } catch {
    return undefined;
  }
}

function messageIdOf(detail: ReceiptDetail | undefined): string {
  return typeof detail?.messageId === 'string' ? detail.messageId : '(no messageId)';
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
