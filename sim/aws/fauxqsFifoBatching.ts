/**
 * Makes fauxqs hand out FIFO messages the way SQS does. fauxqs 2.x returns at most ONE message per
 * message group per ReceiveMessage (and, when several messages of a group come back from flight
 * together, it puts them back in reverse order). SQS returns as many messages of one group as fit, in
 * order, then fills the batch from other groups; the group stays locked while any of them is in flight.
 * Lambda batches therefore hold runs of one group, and the function's "retry the rest of the group"
 * logic only gets exercised with this fix.
 *
 * It wraps two methods of each queue instance that the store creates (never the shared prototype), and
 * relies on fauxqs internals (`dist/sqs/sqsStore.js`); `createFifoBatchingSqsStore` checks their shape so
 * a fauxqs upgrade that changes them fails loudly instead of silently.
 */

/** The parts of a fauxqs message this module reads. */
interface FauxqsMessage {
  messageGroupId?: string;
}

/** The parts of a fauxqs `SqsQueue` this module reads or wraps. */
interface FauxqsQueue {
  enqueue(message: FauxqsMessage): void;
  dequeueFifo(
    maxCount: number,
    visibilityTimeout: number | undefined,
    dlqResolver: unknown,
  ): { ReceiptHandle: string }[];
  processTimers(): void;
  fifoMessages: Map<string, FauxqsMessage[]>;
  fifoLockedGroups: Map<string, number>;
  inflightMessages: Map<string, { message: FauxqsMessage }>;
}

/** The parts of a fauxqs `SqsStore` this module wraps; the object itself goes to `buildApp({ stores })`. */
export interface FauxqsSqsStore {
  createQueue(...args: unknown[]): FauxqsQueue;
}

/** fauxqs files FIFO messages sent without a group under this key. */
const DEFAULT_GROUP = '__default';

/** fauxqs's internals no longer look as this module expects (after an upgrade). */
export class FauxqsInternalsChangedError extends Error {
  override readonly name = 'FauxqsInternalsChangedError';
}

/** A fresh fauxqs SqsStore whose FIFO queues batch like SQS. */
export async function createFifoBatchingSqsStore(): Promise<FauxqsSqsStore> {
  // The package exports only its entry point; the store module sits next to it in dist/.
  const storeModuleUrl = new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs'));
  const module = (await import(storeModuleUrl.href)) as Record<string, unknown>;
  const SqsStore = module.SqsStore as (new () => FauxqsSqsStore) | undefined;
  const SqsQueue = module.SqsQueue as { prototype: Partial<Record<keyof FauxqsQueue, unknown>> } | undefined;
  const expected = ['enqueue', 'dequeueFifo', 'processTimers'] as const;
  if (
    typeof SqsStore !== 'function' ||
    typeof SqsStore.prototype.createQueue !== 'function' ||
    !SqsQueue ||
    expected.some((method) => typeof SqsQueue.prototype[method] !== 'function')
  ) {
    throw new FauxqsInternalsChangedError(
      `fauxqs internals changed: ${storeModuleUrl.pathname} no longer exports SqsStore/SqsQueue with ${expected.join(', ')}`,
    );
  }
  const store = new SqsStore();
  const createQueue = store.createQueue.bind(store);
  store.createQueue = (...args: unknown[]) => {
    const queue = createQueue(...args);
    batchFifoLikeSqs(queue);
    return queue;
  };
  return store;
}

function batchFifoLikeSqs(queue: FauxqsQueue): void {
  for (const field of ['fifoMessages', 'fifoLockedGroups', 'inflightMessages'] as const) {
    if (!(queue[field] instanceof Map)) {
      throw new FauxqsInternalsChangedError(`fauxqs internals changed: SqsQueue.${field} is not a Map`);
    }
  }
  // Arrival order per queue, so messages that return from flight go back to their place in the group.
  const arrival = new WeakMap<FauxqsMessage, number>();
  let arrivals = 0;
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (message) => {
    if (!arrival.has(message)) {
      arrival.set(message, arrivals++);
    }
    enqueue(message);
  };

  const dequeueOne = queue.dequeueFifo.bind(queue);
  queue.dequeueFifo = (maxCount, visibilityTimeout, dlqResolver) => {
    queue.processTimers();
    for (const group of queue.fifoMessages.values()) {
      group.sort((a, b) => (arrival.get(a) ?? 0) - (arrival.get(b) ?? 0));
    }
    const received: { ReceiptHandle: string }[] = [];
    // fauxqs locks a group as soon as it hands out one of its messages; lift that lock until the batch
    // is complete so the next message of the same group can join it, then put every lock back.
    const lifted = new Map<string, number>();
    try {
      while (received.length < Math.min(maxCount, 10)) {
        const [message] = dequeueOne(1, visibilityTimeout, dlqResolver);
        if (!message) {
          break;
        }
        received.push(message);
        const group =
          queue.inflightMessages.get(message.ReceiptHandle)?.message.messageGroupId ?? DEFAULT_GROUP;
        lifted.set(group, (lifted.get(group) ?? 0) + (queue.fifoLockedGroups.get(group) ?? 0));
        queue.fifoLockedGroups.delete(group);
      }
    } finally {
      for (const [group, locks] of lifted) {
        queue.fifoLockedGroups.set(group, (queue.fifoLockedGroups.get(group) ?? 0) + locks);
      }
    }
    return received;
  };
}
