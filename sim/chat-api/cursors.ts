/**
 * Opaque paging cursors for the APIs whose cursor is a string (follow_get's `StartCursor`,
 * get_group_member_info's `Next` for Community groups). Clients must treat them as opaque; inside they are
 * a list position, so removing entries while paging shifts later pages (Tencent documents nothing about
 * its cursors: a positional one is the stricter reading). Never "" for a position, so a cursor that does
 * not advance (a `stale-cursor` fault) still pages.
 */

/** Thrown for a cursor this simulator did not issue (answered with the command's parameter code). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/**
 * The opaque cursor of `kind` for a list position.
 * @example
 * decodeCursor('follow', encodeCursor('follow', 40)); // 40
 */
export function encodeCursor(kind: string, position: number): string {
  return Buffer.from(`sim-${kind}:${position}`).toString('base64url');
}

/** The position of a cursor of `kind` ("" = the start). Throws InvalidCursorError for anything else. */
export function decodeCursor(kind: string, cursor: string): number {
  if (cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `sim-${kind}:`;
  const position = text.startsWith(prefix) ? text.slice(prefix.length) : '';
  if (!/^\d{1,9}$/.test(position)) throw new InvalidCursorError(`unknown ${kind} cursor`);
  return Number(position);
}
