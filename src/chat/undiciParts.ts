/**
 * The two pieces of undici the Chat client uses, imported from their own modules instead of the package
 * root: the root pulls in fetch, WebSocket, EventSource, the cache and the mock agents, doubling the
 * bundle and its cold import for code the function never runs. undici 7 has no `exports` map, so these
 * paths resolve; its types describe the same classes under the root name.
 */
import type { Dispatcher, Pool as UndiciPool } from 'undici';
// @ts-expect-error undici ships no types for its internal module paths (the root's types are used below)
import requestModule from 'undici/lib/api/api-request.js';
// @ts-expect-error as above
import PoolModule from 'undici/lib/dispatcher/pool.js';

/** undici's `Pool`: keep-alive connections to one origin. */
export const Pool = PoolModule as typeof UndiciPool;

/** undici's `Dispatcher.prototype.request`, called on a dispatcher. */
export const dispatchRequest = requestModule as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;
