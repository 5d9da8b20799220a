/**
 * The demo's own output channel. While an erasure world lives it captures `process.stdout` and
 * `process.stderr` (where a Lambda's logs go), so the demo writes through the stream methods bound here,
 * when this module is first evaluated: before any world exists.
 */
const writeOut = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);

/** Prints lines to stdout, past any capture an erasure world has installed. */
export function printLines(lines: readonly string[]): void {
  if (lines.length > 0) writeOut(lines.map((line) => `${line}\n`).join(''));
}

/** Prints lines to stderr, past any capture an erasure world has installed. */
export function printErrorLines(lines: readonly string[]): void {
  if (lines.length > 0) writeErr(lines.map((line) => `${line}\n`).join(''));
}

/** Bidirectional-text controls: they can make a printed line read differently from what it holds. */
const BIDI_CONTROLS = new Set([
  0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);

function isUnsafeCodePoint(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff) || // a lone surrogate (for…of yields pairs whole)
    BIDI_CONTROLS.has(codePoint)
  );
}

/**
 * Text from event bodies and queues made safe for a terminal: control characters (an ESC would start a
 * terminal escape sequence), lone surrogates and bidi controls become visible `\uXXXX` escapes.
 * @example
 * displayText('demo_\u001b[31mred'); // 'demo_\\u001b[31mred'
 */
export function displayText(text: string): string {
  let shown = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    shown += isUnsafeCodePoint(codePoint) ? `\\u${codePoint.toString(16).padStart(4, '0')}` : char;
  }
  return shown;
}

/** At most `max` characters of `text` (whole code points), with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
