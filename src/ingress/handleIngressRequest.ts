/**
 * The webhook ingress (DESIGN.md "Ingress: signed webhook"): one Function URL request in, one answer out,
 * checked in the documented order (404, 405, 413, 415, 503 keys, 401, 400, 503/500 SQS, 202). It only
 * validates and enqueues; the erasure function does the work. Never throws: every event, however
 * malformed, gets an answer and one log line.
 */

import { isRetryableAwsError } from '../aws/awsErrors.ts';
import type { UserIdDisplay } from '../configuration.ts';
import {
  INVALID_EVENT_REASONS,
  isSqsAttributeText,
  parseAccountClosure,
} from '../erasure/accountClosureEvent.ts';
import { InvocationDeadline } from '../erasure/invocationDeadline.ts';
import { type UserReference, userReferenceFor } from '../erasure/userReference.ts';
import { errorName } from '../errors.ts';
import { ANSWERS, accepted, type IngressAnswer, invalidEvent } from './answers.ts';
import type { ErasureQueue } from './erasureQueue.ts';
import {
  ALLOWED_METHOD,
  isIngressPath,
  isJsonContentType,
  MAX_BODY_BYTES,
  readIngressRequest,
  utf8Text,
} from './httpRequest.ts';
import { SIGNATURE_HEADER, type SignatureFailure, TIMESTAMP_HEADER, verifySignature } from './signature.ts';
import type { SigningKeysSource } from './signingKeys.ts';

/**
 * The 400 message for a valid event whose body holds a character SQS cannot carry in a message body
 * (U+FFFE, U+FFFF: JSON allows them raw in strings). The erasure function can never receive such a
 * body, so it is refused here rather than by SQS as a 500.
 */
export const BODY_NOT_SQS_TEXT = 'body holds a character an SQS message cannot carry';

/** The one log line per request, `message: "ingress"`. Never the signature, a key or the body. */
export type IngressLogLine = {
  status: number;
  /** The event's requestId (or, after a 202 without one, the messageId that stands in for it). */
  requestId?: string;
  /** The userId per LOG_USER_ID (pseudonym keyed from the current signing key). */
  user?: string;
  messageId?: string;
  /** 400: the parser's reason. */
  reason?: string;
  /** 401: which check failed (for operators; the answer never says). */
  signatureFailure?: SignatureFailure;
  /** 5xx: the error's name (AWS SDK names never hold a value). */
  error?: string;
  durationMs: number;
};

export interface IngressLog {
  info(message: string, fields: IngressLogLine): void;
  warn(message: string, fields: IngressLogLine): void;
  error(message: string, fields: IngressLogLine): void;
}

export interface IngressServices {
  settings: { maxSkewSeconds: number; logUserId: UserIdDisplay };
  signingKeys: SigningKeysSource;
  queue: ErasureQueue;
  log: IngressLog;
  /** Wall clock in epoch milliseconds, for the timestamp skew (default `Date.now`). */
  nowMs?: () => number;
}

/** The part of the Lambda context the ingress reads. */
export interface IngressContext {
  getRemainingTimeInMillis(): number;
}

type Verdict = { answer: IngressAnswer; line: Omit<IngressLogLine, 'status' | 'durationMs'> };

/**
 * @example
 * export const handler = (event, context) => handleIngressRequest(event, context, services);
 */
export async function handleIngressRequest(
  event: unknown,
  context: IngressContext,
  services: IngressServices,
): Promise<IngressAnswer> {
  const startedAt = performance.now();
  let verdict: Verdict;
  try {
    verdict = await decide(event, context, services);
  } catch (error) {
    // A bug, not a dependency failure (those are answered inside): still an answer, never a throw.
    verdict = { answer: ANSWERS.internal(), line: { error: errorName(error) } };
  }
  const status = verdict.answer.statusCode;
  const line: IngressLogLine = {
    status,
    ...verdict.line,
    durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
  };
  try {
    if (status >= 500 && status !== 503) services.log.error('ingress', line);
    else if (status >= 500) services.log.warn('ingress', line);
    else services.log.info('ingress', line);
  } catch {
    // Logging failing never changes the answer.
  }
  return verdict.answer;
}

async function decide(event: unknown, context: IngressContext, services: IngressServices): Promise<Verdict> {
  const request = readIngressRequest(event);
  if (!isIngressPath(request.path)) return { answer: ANSWERS.notFound(), line: {} };
  if (request.method !== ALLOWED_METHOD) return { answer: ANSWERS.methodNotAllowed(), line: {} };
  if (request.body.length > MAX_BODY_BYTES)
    return { answer: ANSWERS.payloadTooLarge(MAX_BODY_BYTES), line: {} };
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return { answer: ANSWERS.unsupportedMediaType(), line: {} };
  }

  const deadline = new InvocationDeadline({ remainingMs: remainingMs(context), chatTimeoutMs: 0 });
  try {
    let keys: readonly string[];
    try {
      keys = await deadline.bound(() => services.signingKeys.get());
    } catch (error) {
      return { answer: ANSWERS.signingKeysUnavailable(), line: { error: errorName(error) } };
    }

    const check = verifySignature(
      {
        timestamp: request.headers.get(TIMESTAMP_HEADER),
        signature: request.headers.get(SIGNATURE_HEADER),
        body: request.body,
      },
      { keys, maxSkewSeconds: services.settings.maxSkewSeconds, nowMs: (services.nowMs ?? Date.now)() },
    );
    if (!check.ok) return { answer: ANSWERS.unauthorized(), line: { signatureFailure: check.failure } };

    const user = userReference(services.settings.logUserId, keys[0]);
    // JSON exchanged between systems is UTF-8 (RFC 8259 §8.1); other bytes cannot be forwarded as they are.
    const body = utf8Text(request.body);
    if (body === undefined) {
      return {
        answer: invalidEvent(INVALID_EVENT_REASONS.bodyNotJson),
        line: { reason: INVALID_EVENT_REASONS.bodyNotJson },
      };
    }
    // No messageId exists yet: '' marks "the event has no usable requestId" (the parser never returns '').
    const parsed = parseAccountClosure(body, { messageId: '' });
    if (!parsed.valid) {
      return {
        answer: invalidEvent(parsed.reason),
        line: {
          reason: parsed.reason,
          ...(parsed.requestId !== '' && { requestId: parsed.requestId }),
          ...withUser(user, parsed.rejectedUserId),
        },
      };
    }
    const facts = {
      ...(parsed.requestId !== '' && { requestId: parsed.requestId }),
      ...withUser(user, parsed.userId),
    };
    if (!isSqsAttributeText(body)) {
      return { answer: invalidEvent(BODY_NOT_SQS_TEXT), line: { reason: BODY_NOT_SQS_TEXT, ...facts } };
    }

    let messageId: string;
    try {
      ({ messageId } = await deadline.bound((signal) =>
        services.queue.send({ body, userId: parsed.userId }, signal),
      ));
    } catch (error) {
      const answer = isRetryableAwsError(error) ? ANSWERS.queueUnavailable() : ANSWERS.queueRefused();
      return { answer, line: { error: errorName(error), ...facts } };
    }
    // Without a requestId of its own the erasure function uses the SQS messageId: say so.
    const requestId = parsed.requestId === '' ? messageId : parsed.requestId;
    return { answer: accepted(requestId, messageId), line: { ...facts, requestId, messageId } };
  } finally {
    deadline.end();
  }
}

function remainingMs(context: IngressContext): number {
  try {
    const remaining = context.getRemainingTimeInMillis();
    return Number.isFinite(remaining) ? remaining : 0;
  } catch {
    return 0;
  }
}

function withUser(reference: UserReference, userId: string | undefined): { user?: string } {
  if (userId === undefined) return {};
  const user = reference(userId);
  return user === undefined ? {} : { user };
}

let cachedReference: { mode: UserIdDisplay; key: string | undefined; reference: UserReference } | undefined;

/** The log's user reference, rebuilt only when the current key (or the mode) changes. */
function userReference(mode: UserIdDisplay, currentKey: string | undefined): UserReference {
  if (cachedReference?.mode !== mode || cachedReference.key !== currentKey) {
    cachedReference = { mode, key: currentKey, reference: userReferenceFor(mode, currentKey) };
  }
  return cachedReference.reference;
}
