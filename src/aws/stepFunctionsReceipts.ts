/**
 * Receipts as Step Functions task results (`.waitForTaskToken`): SendTaskSuccess with the receipt as
 * `output` for an erased or absent record, SendTaskFailure with `error` ChatErasure.<failure-reason> and
 * the receipt as `cause` for a dead-lettered one, SendTaskHeartbeat for a record still under way.
 * `TaskDoesNotExist`, `TaskTimedOut` and `InvalidToken` mean nobody waits any more: delivered, with a warning.
 */
import type { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Receipt, ReceiptDelivery } from '../erasure/ports.ts';
import { errorName } from '../errors.ts';
import { awsClientOptions } from './awsClientOptions.ts';
import { isRetryableAwsError } from './awsErrors.ts';
import { onFirstUse, stepFunctionsModule } from './lazyModules.ts';

/** Nobody waits for this token any more: the receipt has nowhere to go, and never will. */
const GONE_TASK_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);
/** SendTaskFailure's `cause` is at most this many characters. */
const MAX_CAUSE_CHARS = 32_768;

export class StepFunctionsReceipts {
  readonly #client: () => Promise<SFNClient>;

  /**
   * @example
   * const tasks = new StepFunctionsReceipts();
   * await tasks.complete(receipt, signal);
   */
  constructor(client?: SFNClient) {
    this.#client =
      client === undefined
        ? onFirstUse(async () => new (await stepFunctionsModule()).SFNClient(awsClientOptions()))
        : async () => client;
  }

  /** Completes the receipt's task (success or failure). Never throws. */
  async complete(receipt: Receipt & { taskToken: string }, signal: AbortSignal): Promise<ReceiptDelivery> {
    const detail = JSON.stringify(receipt.detail);
    try {
      // Inside the try: a failed lazy load or client build is a failed delivery like any other.
      const [client, { SendTaskSuccessCommand, SendTaskFailureCommand }] = await Promise.all([
        this.#client(),
        stepFunctionsModule(),
      ]);
      const command =
        receipt.error === undefined
          ? new SendTaskSuccessCommand({ taskToken: receipt.taskToken, output: detail })
          : new SendTaskFailureCommand({
              taskToken: receipt.taskToken,
              error: receipt.error,
              cause:
                Array.from(detail).length > MAX_CAUSE_CHARS
                  ? JSON.stringify({ erasureId: receipt.detail.erasureId })
                  : detail,
            });
      await client.send(command as SendTaskSuccessCommand, { abortSignal: signal });
      return { delivered: true, warnings: [] };
    } catch (error) {
      const name = errorName(error);
      if (GONE_TASK_ERRORS.has(name)) {
        return {
          delivered: true,
          warnings: [`Step Functions task no longer waits for the receipt (${name})`],
        };
      }
      return {
        delivered: false,
        retryable: isRetryableAwsError(error),
        detail: `Step Functions ${receipt.error === undefined ? 'SendTaskSuccess' : 'SendTaskFailure'} failed (${name})`,
        warnings: [],
      };
    }
  }

  /** Tells the task the record is still under way; a failure changes nothing. Never throws. */
  async heartbeat(taskToken: string, signal: AbortSignal): Promise<void> {
    try {
      const [client, { SendTaskHeartbeatCommand }] = await Promise.all([
        this.#client(),
        stepFunctionsModule(),
      ]);
      await client.send(new SendTaskHeartbeatCommand({ taskToken }), { abortSignal: signal });
    } catch {
      // Best effort: the task's own heartbeat timeout decides what a missed beat means.
    }
  }
}
