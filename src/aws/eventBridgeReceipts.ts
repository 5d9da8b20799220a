/**
 * Receipts as EventBridge events (`Source: "chat-erasure"`), sent with PutEvents in batches of the
 * invocation's finished records: at most 10 entries and less than 256 KiB per call (counted as AWS counts
 * an entry), per-entry failures told apart from the call's. Each caller learns its own entry's fate.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Receipt, ReceiptDelivery } from '../erasure/ports.ts';
import { errorName } from '../errors.ts';
import { awsClientOptions } from './awsClientOptions.ts';
import { isRetryableAwsError } from './awsErrors.ts';
import { eventBridgeModule, onFirstUse } from './lazyModules.ts';

export const RECEIPT_SOURCE = 'chat-erasure';
/** PutEvents takes at most this many entries, whose total size must stay below 256 KiB. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
/** How long a finished record's receipt waits for others to share its call. */
const LINGER_MS = 20;
/** Per-entry codes another attempt may cure (the PutEventsResultEntry reference). */
const RETRYABLE_ENTRY_CODES = new Set(['ThrottlingException', 'InternalFailure', 'InternalException']);

type EntryResult = ReceiptDelivery;

interface Pending {
  entry: PutEventsRequestEntry;
  bytes: number;
  resolve(result: EntryResult): void;
}

/**
 * The size AWS counts for a PutEvents entry: Time 14 bytes (when set), plus the UTF-8 bytes of Source,
 * DetailType, Detail and each Resource.
 * @example
 * putEventsEntrySize({ Source: 'chat-erasure', DetailType: 'Chat Erasure Completed', Detail: '{}' }); // 36
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time === undefined ? 0 : 14) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}

export class EventBridgeReceipts {
  readonly #busName: string;
  readonly #client: () => Promise<EventBridgeClient>;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The signal of the newest queued entry. */
  #signal: AbortSignal | undefined;

  /**
   * @param busName the bus name or ARN (RECEIPT_EVENT_BUS).
   * @example
   * const receipts = new EventBridgeReceipts('erasure-receipts');
   * await receipts.put(receipt, signal); // { delivered: true, warnings: [] }
   */
  constructor(busName: string, client?: EventBridgeClient) {
    this.#busName = busName;
    this.#client =
      client === undefined
        ? onFirstUse(async () => new (await eventBridgeModule()).EventBridgeClient(awsClientOptions()))
        : async () => client;
  }

  /** Queues the receipt for the next PutEvents call and resolves with its entry's result. Never throws. */
  put(receipt: Receipt, signal: AbortSignal): Promise<EntryResult> {
    const entry: PutEventsRequestEntry = {
      EventBusName: this.#busName,
      Source: RECEIPT_SOURCE,
      DetailType: receipt.detailType,
      Detail: JSON.stringify(receipt.detail),
    };
    const bytes = putEventsEntrySize(entry);
    return new Promise<EntryResult>((resolve) => {
      if (bytes >= MAX_BATCH_BYTES) {
        resolve({
          delivered: false,
          retryable: false,
          detail: 'receipt larger than a PutEvents entry may be',
          warnings: [],
        });
        return;
      }
      const queued = this.#pending.reduce((sum, pending) => sum + pending.bytes, 0);
      if (queued + bytes >= MAX_BATCH_BYTES) this.#flush(signal);
      // A batch is sent under its newest entry's signal: an invocation abandoned while its batch lingered
      // (and frozen with it) must not doom the next invocation's receipts with its aborted signal.
      this.#signal = signal;
      this.#pending.push({ entry, bytes, resolve });
      if (this.#pending.length >= MAX_ENTRIES) this.#flush(signal);
      else this.#timer ??= setTimeout(() => this.#flush(this.#signal ?? signal), LINGER_MS);
    });
  }

  #flush(signal: AbortSignal): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    void this.#send(batch, signal);
  }

  async #send(batch: Pending[], signal: AbortSignal): Promise<void> {
    try {
      const [client, { PutEventsCommand }] = await Promise.all([this.#client(), eventBridgeModule()]);
      const answer = await client.send(
        new PutEventsCommand({ Entries: batch.map((pending) => pending.entry) }),
        {
          abortSignal: signal,
        },
      );
      batch.forEach((pending, index) => {
        const result = answer.Entries?.[index];
        if (result?.EventId !== undefined && result.ErrorCode === undefined) {
          pending.resolve({ delivered: true, warnings: [] });
          return;
        }
        const code = result?.ErrorCode ?? 'no result for the entry';
        pending.resolve({
          delivered: false,
          retryable: result === undefined || RETRYABLE_ENTRY_CODES.has(code),
          detail: `EventBridge entry failed (${code})`,
          warnings: [],
        });
      });
    } catch (error) {
      const result: EntryResult = {
        delivered: false,
        retryable: isRetryableAwsError(error),
        detail: `EventBridge PutEvents failed (${errorName(error)})`,
        warnings: [],
      };
      for (const pending of batch) pending.resolve(result);
    }
  }
}
