/**
 * Where Chat REST calls go (API.md §2; `chatRequestUrl.ts` spells the request path). Configuration picks the host, never an
 * event: either an official region (`CHAT_REGION`) or an explicit base URL (`CHAT_API_ENDPOINT`, for the
 * simulator and tests), which is validated here so that a typo can't send the admin UserSig somewhere else.
 */
/** The regions whose official primary host is known (API.md §2), as spelled in `CHAT_REGION`. */
export const CHAT_REGIONS = [
  'china',
  'singapore',
  'seoul',
  'tokyo',
  'frankfurt',
  'silicon-valley',
  'jakarta',
] as const;

export type ChatRegion = (typeof CHAT_REGIONS)[number];

/**
 * Official primary REST host per region. Tencent also lists backup hosts (`*.my-imcloud.com`); they are not
 * used: the Tokyo backup is unconfirmed, and a failover would be a design decision, not a lookup.
 */
export const CHAT_REGION_HOSTS: Readonly<Record<ChatRegion, string>> = Object.freeze({
  china: 'console.tim.qq.com',
  singapore: 'adminapisgp.im.qcloud.com',
  seoul: 'adminapikr.im.qcloud.com',
  tokyo: 'adminapijpn.im.qcloud.com',
  frankfurt: 'adminapiger.im.qcloud.com',
  'silicon-valley': 'adminapiusa.im.qcloud.com',
  jakarta: 'adminapiidn.im.qcloud.com',
});

/**
 * Narrows a configuration string to a {@link ChatRegion} (exact, lowercase spelling).
 * @example
 * if (!isChatRegion(process.env.CHAT_REGION ?? '')) throw new Error('unknown CHAT_REGION');
 */
export function isChatRegion(value: string): value is ChatRegion {
  return (CHAT_REGIONS as readonly string[]).includes(value);
}

/**
 * The HTTPS base URL of a region's official host, in the same form {@link parseChatApiEndpoint} returns.
 * @example
 * chatRegionBaseUrl('singapore'); // 'https://adminapisgp.im.qcloud.com'
 */
export function chatRegionBaseUrl(region: ChatRegion): string {
  return `https://${CHAT_REGION_HOSTS[region]}`;
}

export type ChatApiEndpointResult = { ok: true; baseUrl: string } | { ok: false; problem: string };

// scheme "://" authority [one "/"], nothing else. The raw text is checked before WHATWG URL parsing because
// the parser silently repairs things a person should fix (`https://host?`, `https://@host`, `/./`, `\`).
const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
// Whitespace and control characters (\p{Cc}: C0, DEL, C1): the URL parser strips or rejects some of these
// silently.
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
// What WHATWG URL serialises an IPv4 address to: four dotted decimals, whatever spelling came in.
const CANONICAL_LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Validates `CHAT_API_ENDPOINT`: a base URL `scheme://host[:port]` with no path (one trailing `/` is
 * tolerated), no query, no fragment and no userinfo; `https:` always, `http:` only for a loopback host.
 * `problem` is a predicate about the value that never repeats it (a URL with userinfo may hold a password),
 * written to follow the variable name: `CHAT_API_ENDPOINT ${problem}` reads as a sentence.
 *
 * Loopback, decided on the host as WHATWG URL canonicalises it (the form the HTTP client connects to):
 * `localhost` exactly; any `127.0.0.0/8` address, however it was spelled (`127.1`, `0x7f.0.0.1` and
 * `2130706433` all canonicalise to a real 127.x address, so they are accepted); `[::1]` (also written
 * `[0:0:0:0:0:0:0:1]`). Refused: names that merely start or end like loopback (`localhost.evil.com`,
 * `127.0.0.1.nip.io`, `localhost.`) because DNS decides where they go, and the IPv4-mapped
 * `[::ffff:127.0.0.1]` because it is outside the documented set and a classic filter bypass.
 * @example
 * const endpoint = parseChatApiEndpoint('http://127.0.0.1:8080/');
 * if (endpoint.ok) endpoint.baseUrl; // 'http://127.0.0.1:8080'
 */
export function parseChatApiEndpoint(raw: string): ChatApiEndpointResult {
  const fail = (problem: string): ChatApiEndpointResult => ({ ok: false, problem });
  if (raw === '') return fail('is empty; expected https://host[:port]');
  if (WHITESPACE_OR_CONTROL.test(raw)) return fail('contains whitespace or control characters');
  if (raw.includes('\\')) return fail('contains a backslash');
  const prefix = SCHEME_PREFIX.exec(raw);
  if (!prefix) return fail('must be a base URL of the form https://host[:port]');
  const scheme = (prefix[1] ?? '').toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') {
    return fail(`must use the https scheme (or http for a loopback host), not ${scheme}`);
  }

  const rest = raw.slice(prefix[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const afterAuthority = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  if (authority === '') return fail('has no host; expected https://host[:port]');
  if (authority.includes('@')) return fail('must not contain credentials (user:password@)');
  const pathEnd = afterAuthority.search(/[?#]/);
  const path = pathEnd === -1 ? afterAuthority : afterAuthority.slice(0, pathEnd);
  if (path !== '' && path !== '/') {
    return fail('must not contain a path (the client appends /v4/{service}/{command} itself)');
  }
  if (afterAuthority.includes('?')) return fail('must not contain a query string');
  if (afterAuthority.includes('#')) return fail('must not contain a fragment');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('is not a valid URL (check the host name and the port)');
  }
  // Defence in depth: the raw checks above should make these impossible.
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    return fail('must be a base URL of the form https://host[:port]');
  }
  if (url.port === '0') return fail('must not use port 0');
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) {
    return fail(
      `may use http: only for a loopback host (localhost, 127.0.0.0/8, [::1]), not ${url.hostname}`,
    );
  }
  return { ok: true, baseUrl: url.origin };
}

/** `hostname` as WHATWG URL serialises it (lowercase, IPv4 canonical, IPv6 compressed in brackets). */
function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || CANONICAL_LOOPBACK_IPV4.test(hostname);
}
