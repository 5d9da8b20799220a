/**
 * Erases one account's friendships: `friend_delete_all` with `Delete_Type_Both`, through the record's
 * call rules (admin check at send time, deadline, one re-sign, one short retry).
 */
import type { ChatOutcome } from './ports.ts';
import type { RecordChatCalls } from './recordChatCalls.ts';

export type ErasureResult =
  | { started: true; outcome: ChatOutcome; latenciesMs: number[] }
  /** The deadline left no room for even one call. */
  | { started: false };

/**
 * @example
 * const result = await eraseAccount('user_42', new RecordChatCalls({ chat, session, userId: 'user_42', latestStartMs }));
 * if (result.started && result.outcome.kind === 'done') console.log('erased');
 */
export async function eraseAccount(userId: string, calls: RecordChatCalls): Promise<ErasureResult> {
  const result = await calls.call('sns', 'friend_delete_all', {
    From_Account: userId,
    DeleteType: 'Delete_Type_Both',
  });
  return result.started ? { started: true, outcome: result.outcome, latenciesMs: calls.latenciesMs } : result;
}
