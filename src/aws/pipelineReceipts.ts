/**
 * The receipts port: a record's receipt goes to the EventBridge bus (when RECEIPT_EVENT_BUS is set) and to
 * its Step Functions task (when the event carried a task token), both at once. It counts as delivered
 * only when every destination took it; a refusal that retrying cannot change wins over a retryable one.
 */
import type { Receipt, ReceiptDelivery, Receipts } from '../erasure/ports.ts';
import type { EventBridgeReceipts } from './eventBridgeReceipts.ts';
import type { StepFunctionsReceipts } from './stepFunctionsReceipts.ts';

export class PipelineReceipts implements Receipts {
  readonly #bus: EventBridgeReceipts | undefined;
  readonly #tasks: StepFunctionsReceipts;

  /**
   * @example
   * const receipts = new PipelineReceipts(busName ? new EventBridgeReceipts(busName) : undefined, new StepFunctionsReceipts());
   */
  constructor(bus: EventBridgeReceipts | undefined, tasks: StepFunctionsReceipts) {
    this.#bus = bus;
    this.#tasks = tasks;
  }

  needed(taskToken: string | undefined): boolean {
    return this.#bus !== undefined || taskToken !== undefined;
  }

  async deliver(receipt: Receipt, signal: AbortSignal): Promise<ReceiptDelivery> {
    const { taskToken } = receipt;
    const deliveries = await Promise.all([
      ...(this.#bus === undefined ? [] : [this.#bus.put(receipt, signal)]),
      ...(taskToken === undefined ? [] : [this.#tasks.complete({ ...receipt, taskToken }, signal)]),
    ]);
    const warnings = deliveries.flatMap((delivery) => delivery.warnings);
    const failures = deliveries.filter((delivery) => !delivery.delivered);
    if (failures.length === 0) return { delivered: true, warnings };
    return {
      delivered: false,
      retryable: failures.every((failure) => failure.retryable),
      detail: failures.map((failure) => failure.detail).join('; '),
      warnings,
    };
  }

  heartbeat(taskToken: string, signal: AbortSignal): Promise<void> {
    return this.#tasks.heartbeat(taskToken, signal);
  }
}
