import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EventBridgeReceipts, putEventsEntrySize } from '../../src/aws/eventBridgeReceipts.ts';
import type { Receipt } from '../../src/erasure/ports.ts';

const receipt = (erasureId: string): Receipt => ({
  detailType: 'Chat Erasure Completed',
  detail: { version: '1', erasureId, outcome: 'erased' },
});

/** A client that answers every entry, and, like the SDK, refuses a call whose signal is already aborted. */
function recordingClient() {
  const calls: { entries: number; aborted: boolean }[] = [];
  const client = {
    send: async (command: PutEventsCommand, options: { abortSignal?: AbortSignal }) => {
      const entries = command.input.Entries ?? [];
      calls.push({ entries: entries.length, aborted: options.abortSignal?.aborted === true });
      if (options.abortSignal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      return { FailedEntryCount: 0, Entries: entries.map((_, index) => ({ EventId: `event-${index}` })) };
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

describe('EventBridgeReceipts', () => {
  it('sends receipts that finish together in one PutEvents call, each caller learning its own result', async () => {
    const { client, calls } = recordingClient();
    const receipts = new EventBridgeReceipts('erasure-receipts', client);
    const signal = new AbortController().signal;
    const results = await Promise.all(['e1', 'e2', 'e3'].map((id) => receipts.put(receipt(id), signal)));
    expect(results).toEqual(Array(3).fill({ delivered: true, warnings: [] }));
    expect(calls).toEqual([{ entries: 3, aborted: false }]);
  });

  // An invocation abandoned while its batch lingered leaves the batch (and its aborted signal) behind in the
  // frozen instance; the next invocation's receipts join that batch and must not fail with the old signal.
  it('sends a lingering batch under its newest entry’s signal', async () => {
    const { client, calls } = recordingClient();
    const receipts = new EventBridgeReceipts('erasure-receipts', client);
    const abandoned = new AbortController();
    const stale = receipts.put(receipt('from-the-abandoned-invocation'), abandoned.signal);
    abandoned.abort();
    const fresh = await receipts.put(receipt('from-the-next-invocation'), new AbortController().signal);
    expect(fresh).toEqual({ delivered: true, warnings: [] });
    expect(await stale).toEqual({ delivered: true, warnings: [] });
    expect(calls).toEqual([{ entries: 2, aborted: false }]);
  });

  it('counts an entry’s size as AWS does', () => {
    expect(
      putEventsEntrySize({ Source: 'chat-erasure', DetailType: 'Chat Erasure Completed', Detail: '{}' }),
    ).toBe(36);
    expect(putEventsEntrySize({ Source: 'é', Time: new Date(0), Resources: ['ab'] })).toBe(14 + 2 + 2);
  });
});
