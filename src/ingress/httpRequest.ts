/**
 * What the ingress reads from a Lambda Function URL event (payload format 2.0): the path, the method, the
 * headers (names in any case; a repeated header arrives comma-joined) and the body (base64-decoded when
 * `isBase64Encoded`). Defensive: a field that is missing or of the wrong type reads as absent, so no event
 * can make the ingress throw.
 */

/** The one path served; a trailing `/` is tolerated. */
const INGRESS_PATH = '/erasures';

/** Largest accepted body, in bytes after base64 decoding (16 KiB). */
export const MAX_BODY_BYTES = 16 * 1024;

export const ALLOWED_METHOD = 'POST';

export interface IngressRequest {
  /** The path without any query string. */
  path: string;
  method: string;
  headers: ReadonlyMap<string, string>;
  /** The body bytes, decoded from base64 when the event says so; empty when there is no body. */
  body: Buffer;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Header values by lower-case name. Names that differ only in case are one header, their values joined
 * with `,` as Function URLs join a repeated header.
 */
function headerMap(headers: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (typeof headers !== 'object' || headers === null) return map;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const key = name.toLowerCase();
    const earlier = map.get(key);
    map.set(key, earlier === undefined ? value : `${earlier},${value}`);
  }
  return map;
}

/**
 * @example
 * const request = readIngressRequest(event);
 * if (!isIngressPath(request.path)) return notFound();
 */
export function readIngressRequest(event: unknown): IngressRequest {
  const rawPath = text(field(event, 'rawPath'));
  const query = rawPath.indexOf('?');
  const body = field(event, 'body');
  const bodyText = typeof body === 'string' ? body : '';
  return {
    path: query < 0 ? rawPath : rawPath.slice(0, query),
    method: text(field(field(field(event, 'requestContext'), 'http'), 'method')),
    headers: headerMap(field(event, 'headers')),
    body:
      field(event, 'isBase64Encoded') === true
        ? Buffer.from(bodyText, 'base64')
        : Buffer.from(bodyText, 'utf8'),
  };
}

/** `/erasures` or `/erasures/`; the query string is not part of the path. */
export function isIngressPath(path: string): boolean {
  return path === INGRESS_PATH || path === `${INGRESS_PATH}/`;
}

/**
 * True for `application/json`, with any parameters and in any letter case.
 * @example
 * isJsonContentType('Application/JSON; charset=utf-8'); // true
 * isJsonContentType('text/plain'); // false
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/json';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when its bytes are not UTF-8 (a leading BOM is kept, byte for byte). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
