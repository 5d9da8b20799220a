/**
 * The FIFO rule of DESIGN.md "Event" (Powertools calls its cousin `skipGroupOnError`): records of one
 * message group run one at a time, in order, while groups run concurrently; once a record of a group goes
 * back for retry, every later record of that group goes back too, unprocessed, so the group's order
 * survives into the retry.
 */
import type { SQSRecord } from 'aws-lambda';

/** A queue is FIFO when its ARN ends in `.fifo`; a `MessageGroupId` alone (SQS fair queues) is not FIFO. */
export function isFifoRecord(record: SQSRecord): boolean {
  return record.eventSourceARN?.endsWith('.fifo') ?? false;
}

export type SettledAs = 'done' | 'retry';

export class MessageGroups {
  readonly #groups = new Map<string, { tail: Promise<void>; returned: boolean }>();

  /**
   * Runs `settle` after every earlier record of the record's group; `earlierReturned` says whether one of
   * them went back for retry (the record must then go back unprocessed).
   * @example
   * const groups = new MessageGroups();
   * await groups.run(record, (earlierReturned) => earlierReturned ? returnUnprocessed() : settle());
   */
  run(record: SQSRecord, settle: (earlierReturned: boolean) => Promise<SettledAs>): Promise<SettledAs> {
    const groupId = record.attributes.MessageGroupId ?? record.messageId;
    const group = this.#groups.get(groupId) ?? { tail: Promise.resolve(), returned: false };
    this.#groups.set(groupId, group);
    const turn = group.tail.then(async () => {
      const settled = await settle(group.returned);
      if (settled === 'retry') group.returned = true;
      return settled;
    });
    group.tail = turn.then(
      () => undefined,
      () => {
        group.returned = true;
      },
    );
    return turn;
  }
}
