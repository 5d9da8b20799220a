/**
 * The webhook signature (DESIGN.md "Ingress: signed webhook"): `x-chat-erasure-timestamp` is Unix seconds
 * in decimal digits; `x-chat-erasure-signature` is a comma-separated list of `v1=<64 hex digits>`, each
 * the HMAC-SHA256 of `"<timestamp header value>.<body bytes>"` under one signing key's UTF-8 bytes. Any
 * key may match, so keys rotate without downtime.
 *
 * Pure: the clock and the keys are arguments. The result says which check failed, for the log line only:
 * the answer to the caller never does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-chat-erasure-timestamp';
export const SIGNATURE_HEADER = 'x-chat-erasure-signature';
const SIGNATURE_SCHEME = 'v1';

/** Why a signature was refused (logged, never answered). */
export type SignatureFailure =
  /** A header is absent. */
  | 'missing-header'
  /** The timestamp is not decimal digits (a repeated header arrives comma-joined, so it lands here). */
  | 'malformed-timestamp'
  /** The timestamp is more than the allowed skew away from now. */
  | 'stale-timestamp'
  /** The signature header is not a comma-separated list of `scheme=value` items, or a `v1` value is not 64 hex digits. */
  | 'malformed-signature'
  /** No `v1` value matches any key. */
  | 'no-match';

export type SignatureCheck = { ok: true } | { ok: false; failure: SignatureFailure };

export interface SignedRequest {
  /** The timestamp header's value as delivered, or undefined when absent. */
  timestamp: string | undefined;
  /** The signature header's value as delivered, or undefined when absent. */
  signature: string | undefined;
  /** The body bytes (after base64 decoding). */
  body: Uint8Array;
}

export interface SignatureRules {
  /** The signing keys; any may match. */
  keys: readonly string[];
  maxSkewSeconds: number;
  /** Now, in epoch milliseconds. */
  nowMs: number;
}

const DIGITS = /^[0-9]+$/;
const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** An item of another scheme is ignored, but it must still look like `scheme=value`. */
const SCHEME = /^[A-Za-z0-9._-]+$/;
/** HTTP's optional whitespace around list items: spaces and horizontal tabs. */
const AROUND_ITEM = /^[ \t]+|[ \t]+$/g;

/**
 * The `v1` values of a signature header as 32-byte digests, or undefined when the header is malformed:
 * an empty item, an item that is not `scheme=value`, or a `v1` value that is not 64 hex digits. Items of
 * other schemes are skipped.
 * @example
 * parseSignatureHeader(`v1=${'ab'.repeat(32)}, v0=legacy`); // [<Buffer ab ab …>]
 * parseSignatureHeader('v1=xyz'); // undefined
 */
export function parseSignatureHeader(header: string): Buffer[] | undefined {
  const digests: Buffer[] = [];
  for (const rawItem of header.split(',')) {
    const item = rawItem.replace(AROUND_ITEM, '');
    const equals = item.indexOf('=');
    if (equals <= 0) return undefined;
    const scheme = item.slice(0, equals);
    const value = item.slice(equals + 1);
    if (!SCHEME.test(scheme)) return undefined;
    if (scheme !== SIGNATURE_SCHEME) continue;
    if (!HEX_64.test(value)) return undefined;
    digests.push(Buffer.from(value, 'hex'));
  }
  return digests;
}

/** HMAC-SHA256 of `"<timestamp>.<body>"` under the key's UTF-8 bytes. */
function digest(key: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(`${timestamp}.`, 'utf8').update(body).digest();
}

/**
 * The `v1` value a client sends: lower-case hex of the HMAC-SHA256 of `"<timestamp>.<body bytes>"`.
 * @example
 * const timestamp = String(Math.floor(Date.now() / 1000));
 * headers['x-chat-erasure-signature'] = `v1=${signatureFor(key, timestamp, body)}`;
 */
export function signatureFor(key: string, timestamp: string, body: Uint8Array | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return digest(key, timestamp, bytes).toString('hex');
}

/**
 * Checks a request's signature. Digests are compared with `crypto.timingSafeEqual`; every key is tried
 * against every `v1` value (no early exit), so the time taken does not depend on which one matched.
 * @example
 * const check = verifySignature({ timestamp, signature, body }, { keys, maxSkewSeconds: 300, nowMs: Date.now() });
 * if (!check.ok) return answer(401);
 */
export function verifySignature(request: SignedRequest, rules: SignatureRules): SignatureCheck {
  const { timestamp, signature, body } = request;
  if (timestamp === undefined || signature === undefined) return { ok: false, failure: 'missing-header' };
  if (!DIGITS.test(timestamp)) return { ok: false, failure: 'malformed-timestamp' };
  // Beyond 2^53 the number is not exact, but then it is also centuries outside any allowed skew.
  const skewSeconds = Math.abs(rules.nowMs / 1000 - Number(timestamp));
  if (!(skewSeconds <= rules.maxSkewSeconds)) return { ok: false, failure: 'stale-timestamp' };
  const provided = parseSignatureHeader(signature);
  if (provided === undefined) return { ok: false, failure: 'malformed-signature' };
  let matched = false;
  for (const key of rules.keys) {
    const expected = digest(key, timestamp, body);
    for (const candidate of provided) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  return matched ? { ok: true } : { ok: false, failure: 'no-match' };
}

/**
 * The two signature headers for a body, signed now (or at `timestamp`, Unix seconds): what a client sends
 * along with `Content-Type: application/json`.
 * @example
 * const headers = { 'content-type': 'application/json', ...signatureHeaders(key, body) };
 * await fetch(`${url}/erasures`, { method: 'POST', headers, body });
 */
export function signatureHeaders(
  key: string,
  body: Uint8Array | string,
  timestamp: string = String(Math.floor(Date.now() / 1000)),
): { [TIMESTAMP_HEADER]: string; [SIGNATURE_HEADER]: string } {
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `${SIGNATURE_SCHEME}=${signatureFor(key, timestamp, body)}`,
  };
}
