/**
 * Every error chat-erasure raises on purpose, in one place (undici's `UndiciError`, Powertools'
 * `BaseBatchProcessingError`): one base class, so a caller can tell our errors from a bug's, and typed
 * subclasses that carry the data a caller needs. No message ever holds a secret, a UserSig, a signed URL or
 * a userId: they end up in logs and in DLQ attributes.
 */

/** The base of every error chat-erasure raises on purpose. */
export class ChatErasureError extends Error {
  override readonly name: string = 'ChatErasureError';
}

/**
 * A bad or missing environment variable: the import fails with one message naming the variable.
 * @example
 * throw new ConfigurationError('chat-erasure configuration: DLQ_URL is required');
 */
export class ConfigurationError extends ChatErasureError {
  override readonly name = 'ConfigurationError';
}

/**
 * Secrets Manager could not be read, or the secret does not match the contract: transient for the batch
 * (an operator fixes it and the retries succeed).
 */
export class AdminCredentialsUnavailableError extends ChatErasureError {
  override readonly name = 'AdminCredentialsUnavailableError';
}

/**
 * An AWS call (Secrets Manager, SQS, a receipt) was abandoned because it could not finish 1 s before the
 * invocation's deadline; the record it was for goes back for retry.
 */
export class AwsCallAbandonedError extends ChatErasureError {
  override readonly name = 'AwsCallAbandonedError';
  constructor() {
    super('abandoned: the AWS call could not finish 1 s before the invocation deadline');
  }
}

/**
 * A Chat call for a record would have been signed with the record's own userId: the account to erase is
 * the admin the credentials name (possibly only since a rotation). No call is sent; the event is invalid.
 */
export class AdminSubjectError extends ChatErasureError {
  override readonly name = 'AdminSubjectError';
  constructor() {
    super('userId is the Chat admin account');
  }
}

/** A programming error building a Chat request URL; the message never contains the UserSig. */
export class ChatRequestUrlError extends ChatErasureError {
  override readonly name = 'ChatRequestUrlError';
}

/** How a failing step ends the plan: DESIGN.md's classes plus `unverified` (something is still there). */
export type StepFailureClass = 'transient' | 'permanent' | 'unverified';

/**
 * A plan step failed: the plan stops here for this delivery, and the record is retried or dead-lettered
 * by `failureClass`, with `failed-step`.
 */
export class StepFailedError extends ChatErasureError {
  override readonly name = 'StepFailedError';
  readonly failureClass: StepFailureClass;
  readonly errorCode: number | undefined;
  constructor(failureClass: StepFailureClass, detail: string, errorCode?: number) {
    super(detail);
    this.failureClass = failureClass;
    this.errorCode = errorCode;
  }
}

/** The Chat API says the record's own account does not exist: the plan stops (absent, or erased). */
export class AccountAbsentError extends ChatErasureError {
  override readonly name = 'AccountAbsentError';
  readonly errorCode: number | undefined;
  constructor(errorCode?: number) {
    super('the account does not exist');
    this.errorCode = errorCode;
  }
}

/** Why a record that could not start before the deadline goes back (the audit line's `error`). */
export const NOT_STARTED = 'not started: too little time left before the deadline';

/** A call of the plan could not start before the deadline: the plan stops for this delivery. */
export class OutOfTimeError extends ChatErasureError {
  override readonly name = 'OutOfTimeError';
  constructor() {
    super(NOT_STARTED);
  }
}

/** The error's name, for a log line or a message (messages may echo resource names or userIds; names never do). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
