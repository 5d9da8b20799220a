/**
 * What one Chat REST call came to, in the classes of DESIGN.md's error table. Values only: no credential,
 * no userId and no Tencent `ErrorInfo` text (which may echo account names) ever goes into `detail`.
 */
export type ChatOutcomeKind = 'done' | 'absent' | 'transient' | 'throttled' | 're-sign' | 'permanent';

export interface ChatOutcome {
  kind: ChatOutcomeKind;
  /** The answer's non-zero `ErrorCode`, when the Chat API gave one. */
  errorCode?: number;
  /** Short, safe explanation for logs and the DLQ `error-message` (≤ 256 chars), e.g. `HTTP 502`, `timeout`. */
  detail: string;
}

/** How an HTTP attempt failed before any answer could be read. */
export type TransportFailure = 'timeout' | 'connection-error';
