/**
 * The ingress's HTTP answers (DESIGN.md "Ingress: signed webhook"), all JSON. The texts are fixed: an answer
 * never echoes the request, and a 401 never says which part of the signature failed.
 */

/** A Function URL structured result (payload format 2.0). */
export interface IngressAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** What a 503 asks the caller to wait before resending, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

function json(statusCode: number, document: unknown, headers: Record<string, string> = {}): IngressAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(document),
  };
}

const retryLater = { 'retry-after': String(RETRY_AFTER_SECONDS) };

/** Every answer but 202 and 400, by status. */
export const ANSWERS = {
  notFound: () => json(404, { error: 'not-found', message: 'only POST /erasures is served' }),
  methodNotAllowed: () => json(405, { error: 'method-not-allowed', message: 'use POST' }, { allow: 'POST' }),
  payloadTooLarge: (limit: number) =>
    json(413, { error: 'payload-too-large', message: `the body is larger than ${limit} bytes` }),
  unsupportedMediaType: () =>
    json(415, { error: 'unsupported-media-type', message: 'the Content-Type must be application/json' }),
  signingKeysUnavailable: () =>
    json(503, { error: 'unavailable', message: 'the signing keys cannot be read; retry later' }, retryLater),
  unauthorized: () => json(401, { error: 'unauthorized', message: 'the request signature is not valid' }),
  queueUnavailable: () =>
    json(503, { error: 'unavailable', message: 'the erasure queue is unavailable; retry later' }, retryLater),
  queueRefused: () =>
    json(500, { error: 'internal', message: 'the erasure queue refused the event; resending is safe' }),
  internal: () =>
    json(500, { error: 'internal', message: 'the request could not be handled; resending is safe' }),
} as const;

/** 400: a body the erasure function would dead-letter as invalid; `message` is the parser's reason. */
export function invalidEvent(message: string): IngressAnswer {
  return json(400, { error: 'invalid-event', message });
}

/** 202: SQS holds the message. */
export function accepted(requestId: string, messageId: string): IngressAnswer {
  return json(202, { requestId, messageId });
}
