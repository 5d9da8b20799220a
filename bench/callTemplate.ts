/**
 * The Chat calls one record made, as the simulator logged them, turned into a template the CPU floor
 * replays for other users: the same commands in the same order with byte-identical bodies (only the
 * userId differs), so the bare calls carry the same bodies and get the same answers as the handler's.
 */
import type { LoggedCall } from './commandLoad.ts';

/** Stands for the record's userId in a body template; a userId cannot contain it (no control characters). */
export const USER_MARK = '\u0000user\u0000';

export interface TemplateCall {
  service: string;
  command: string;
  /** The request body as sent (JSON text), the userId replaced by USER_MARK. */
  bodyTemplate: string;
}

/**
 * The calls about `userId`, in arrival order. Bodies are re-serialised from the simulator's parse, which
 * keeps key order, so they equal what the client sent (it serialises with JSON.stringify too).
 * @example
 * callTemplateOf(world.chat.requests, 'bench_cpu_0000');
 * // [{ service: 'sns', command: 'friend_get', bodyTemplate: '{"From_Account":"\u0000user\u0000",...}' }, ...]
 */
export function callTemplateOf(
  calls: readonly (LoggedCall & { body: unknown })[],
  userId: string,
): TemplateCall[] {
  const quoted = JSON.stringify(userId).slice(1, -1);
  return [...calls]
    .filter((call) => call.body !== undefined && JSON.stringify(call.body).includes(quoted))
    .sort((a, b) => a.receivedAtMs - b.receivedAtMs)
    .map((call) => ({
      service: call.service,
      command: call.command,
      bodyTemplate: JSON.stringify(call.body).replaceAll(quoted, () => USER_MARK),
    }));
}

/**
 * The body a template call sends for `userId`.
 * @example
 * fillBody({ service: 'sns', command: 'friend_get', bodyTemplate: `{"From_Account":"${USER_MARK}"}` }, 'u1');
 * // '{"From_Account":"u1"}'
 */
export function fillBody(call: TemplateCall, userId: string): string {
  const quoted = JSON.stringify(userId).slice(1, -1);
  // A function, not a string: `$` in a userId must not be read as a replacement pattern.
  return call.bodyTemplate.replaceAll(USER_MARK, () => quoted);
}
