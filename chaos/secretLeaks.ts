/**
 * The secrecy check of a chaos run: the admin secret keys (before and after the rotation) and every UserSig
 * the simulator received must appear in no function log line, and no made-up userId may appear in plain
 * text (LOG_USER_ID is `pseudonym`). Secrets and UserSigs are long runs of the UserSig alphabet (base64
 * with `*`, `-`, `_`), so only such runs are compared: the check stays fast on 100,000+ lines.
 */

export interface SecretToFind {
  /** What it is, for the report (never the value itself). */
  label: string;
  value: string;
}

export interface Leak {
  label: string;
  /** Index of the offending line. */
  line: number;
}

/** Runs of the UserSig / key alphabet; `%2A` is how a URL would carry `*`. */
const TOKEN = /[A-Za-z0-9*_-]+/g;

/**
 * Every (secret, line) pair where the line holds the secret (once per pair). Secrets shorter than 16 characters are
 * refused: they would match by chance.
 * @example
 * findSecretLeaks(world.functionLogs, [{ label: 'secret key', value: key }]); // [] when nothing leaked
 */
export function findSecretLeaks(lines: readonly string[], secrets: readonly SecretToFind[]): Leak[] {
  if (secrets.length === 0) return [];
  const shortest = Math.min(...secrets.map((secret) => secret.value.length));
  if (shortest < 16) throw new RangeError('a secret to look for must be at least 16 characters long');
  const leaks: Leak[] = [];
  lines.forEach((text, line) => {
    const found = new Set<string>();
    for (const [token] of text.replaceAll(/%2A/gi, '*').matchAll(TOKEN)) {
      if (token.length < shortest) continue;
      for (const secret of secrets) if (token.includes(secret.value)) found.add(secret.label);
    }
    for (const label of found) leaks.push({ label, line });
  });
  return leaks;
}

/**
 * Indexes of the lines that match `pattern` (e.g. a userId prefix that must only appear pseudonymised).
 * @example
 * linesMatching(world.functionLogs, /chaos-[ugb]-/); // []
 */
export function linesMatching(lines: readonly string[], pattern: RegExp): number[] {
  const flags = pattern.flags.replaceAll('g', '');
  const test = new RegExp(pattern.source, flags);
  return lines.flatMap((line, index) => (test.test(line) ? [index] : []));
}
