/**
 * The small interfaces the erasure domain owns and the adapters implement (the Chat REST client, Secrets
 * Manager, SQS for dead letters, retries and continuations, receipts, logs and metrics), with the types they speak. The domain imports only these, never an
 * adapter, so its logic is tested without a network and an adapter can change without touching it.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ContinuationAttributes } from './continuation.ts';

/**
 * What one Chat REST call came to, in the classes of DESIGN.md's error table, plus two the plan's commands
 * add: `gone` (the item asked about no longer exists: a group, a contact group, a friend) and
 * `not-enabled` (the app's edition lacks the feature, so nothing of that kind can exist).
 */
export type ChatOutcomeKind =
  | 'done'
  | 'absent'
  | 'gone'
  | 'not-enabled'
  | 'transient'
  | 'throttled'
  | 're-sign'
  | 'permanent';

/**
 * The class of one Chat answer. Values only: no credential, no userId and no Tencent `ErrorInfo` text
 * (which may echo account names) ever goes into `detail`.
 */
export interface ChatOutcome {
  kind: ChatOutcomeKind;
  /** The answer's non-zero `ErrorCode`, when the Chat API gave one. */
  errorCode?: number;
  /** Short, safe explanation for logs and the DLQ `error-message` (≤ 256 chars), e.g. `HTTP 502`, `timeout`. */
  detail: string;
  /** The answer's ActionStatus and ErrorCode disagreed (transient whatever the code says). */
  disagreeing?: true;
}

/** How an HTTP attempt failed before any answer could be read. */
export type TransportFailure = 'timeout' | 'connection-error';

/** What a Chat request is signed with. `userSig` is a credential: never logged. */
export interface ChatAuth {
  sdkAppId: number;
  /** The App admin UserID the request is signed as. */
  identifier: string;
  userSig: string;
}

/** One Chat REST call as the domain asks for it. */
export interface ChatRequest {
  service: string;
  command: string;
  body: object;
  /** The latest `performance.now()` at which the call may still start (the deadline rule). */
  latestStartMs: number;
  /**
   * Called once the pacer's turn has come, just before sending: the auth read then is the one sent (so a
   * UserSig renewed during the wait is used). It may throw (e.g. AdminSubjectError): nothing is sent.
   */
  authorize(): ChatAuth;
}

export type ChatAttempt =
  | {
      started: true;
      outcome: ChatOutcome;
      /** The parsed answer when it was the documented JSON object. */
      answer?: Readonly<Record<string, unknown>>;
      latencyMs: number;
    }
  /** The turn could not come before `latestStartMs`: no request was sent. */
  | { started: false };

/** The Chat REST API, paced and classified. */
export interface ChatApi {
  post(request: ChatRequest): Promise<ChatAttempt>;
}

/** The Chat admin credentials (the secret's contract, DESIGN.md "Secret"). */
export interface AdminCredentials {
  sdkAppId: number;
  adminIdentifier: string;
  secretKey: string;
}

export interface SessionAuth {
  auth: ChatAuth;
  /** Which renewal this auth came from; pass it back to `renew`. */
  generation: number;
}

/** The admin's standing with the Chat API: credentials plus the UserSig signed from them. */
export interface AdminSession {
  /** Reads the (cached) credentials; rejects with AdminCredentialsUnavailableError. */
  load(signal?: AbortSignal): Promise<AdminCredentials>;
  /** The auth to sign a request with now. Only after a successful `load`. */
  current(): SessionAuth;
  /** Re-fetches the secret (bypassing the cache) and re-signs, once for every holder of `generation`. */
  renew(generation: number): Promise<void>;
}

/** Why a record went to the dead-letter queue (the `failure-reason` attribute). */
export type FailureReason =
  | 'invalid-event'
  | 'permanent-error'
  | 'retries-exhausted'
  | 'unverified'
  | 'receipt-undelivered';

export interface DeadLetter {
  record: SQSRecord;
  reason: FailureReason;
  /** The requestId as DESIGN.md's Event rule defines it. */
  requestId: string;
  /** The first messageId of the erasure (the record's own unless it was continued). */
  erasureId: string;
  /** Safe text: no secret, no userId. Cut to 256 characters by the adapter. */
  errorMessage: string;
  /** The failing answer's non-zero ErrorCode, when there was one. */
  errorCode?: number;
  /** The plan step that failed, when one did. */
  failedStep?: string;
  failedAt: Date;
}

export interface DeadLetterQueue {
  /** Resolves once SQS holds the message; rejects otherwise (the record then goes back for retry). */
  send(letter: DeadLetter, signal: AbortSignal): Promise<void>;
}

/** Sends a continued record back to its own queue with the continuation attributes. */
export interface ContinuationQueue {
  /** Resolves once SQS holds the continuation; rejects otherwise (the original then goes back for retry). */
  send(record: SQSRecord, attributes: ContinuationAttributes, signal: AbortSignal): Promise<void>;
}

/** Best-effort visibility backoff for a record going back to its queue. */
export interface Redelivery {
  /** Hides the record for `seconds`; resolves false if SQS refused (the record still goes back). Never throws. */
  defer(record: SQSRecord, seconds: number, signal: AbortSignal): Promise<boolean>;
}

/** One finished record's receipt, ready to send (DESIGN.md "Receipts"). */
export interface Receipt {
  /** `Chat Erasure Completed` (erased, absent) or `Chat Erasure Failed` (dead-lettered). */
  detailType: 'Chat Erasure Completed' | 'Chat Erasure Failed';
  /** The receipt detail (the EventBridge `Detail`, the Step Functions `output` or `cause`). */
  detail: Readonly<Record<string, unknown>>;
  /** Step Functions: the task waiting for this record, when its event carried one. */
  taskToken?: string;
  /** Step Functions `error` of a failure: `ChatErasure.<failure-reason>`. */
  error?: string;
}

/** How a receipt's delivery went: every destination took it, or why not. */
export type ReceiptDelivery =
  | { delivered: true; warnings: string[] }
  /** `retryable`: throttling, 5xx, network, timeout; otherwise a refusal retrying cannot change. */
  | { delivered: false; retryable: boolean; detail: string; warnings: string[] };

/** Where receipts go: an EventBridge bus (when configured) and the event's task token (when present). */
export interface Receipts {
  /** Whether a record with (or without) a task token needs a receipt at all. */
  needed(taskToken: string | undefined): boolean;
  /** Delivers one receipt to every destination; never throws. */
  deliver(receipt: Receipt, signal: AbortSignal): Promise<ReceiptDelivery>;
  /** Tells a waiting task the record is still under way; failures are ignored. Never throws. */
  heartbeat(taskToken: string, signal: AbortSignal): Promise<void>;
}

/** The log lines the domain writes (Powertools Logger satisfies it). */
export interface AuditLog {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export type MetricUnitName = 'Count' | 'Milliseconds' | 'Seconds';

/** The metrics the domain records (Powertools Metrics satisfies it). */
export interface MetricSink {
  addMetric(name: string, unit: MetricUnitName, value: number): void;
  publishStoredMetrics(): void;
}
