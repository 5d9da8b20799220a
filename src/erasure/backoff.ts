/**
 * Retry delays, as pure functions of the attempt number and an injected random source, so that tests pin
 * exact values and production passes `Math.random`. Jitter spreads retries of records that failed together
 * (one throttled batch, one Chat outage) so they do not come back as one burst.
 */

/** Visibility backoff of the first retry (receive count 1), in seconds (DESIGN.md "Rate budget…"). */
const VISIBILITY_BACKOFF_BASE_SECONDS = 30;
/** DESIGN.md's cap. SQS itself would allow 43 200 s; 15 minutes keeps an erasure's delay bounded. */
const VISIBILITY_BACKOFF_CAP_SECONDS = 900;
/** In-process retry: doocs/qcloud-im-server-sdk-java's `200 ms × 2^attempt`, capped at 10 s (API.md §3). */
const IN_PROCESS_RETRY_BASE_MS = 200;
const IN_PROCESS_RETRY_CAP_MS = 10_000;
/** ±20 %: the factor runs from 0.8 (random 0) up to, not including, 1.2 (random → 1). */
const JITTER_FRACTION = 0.2;

/**
 * Seconds to hide a record that is going back to the queue: min(30 × 2^(receiveCount − 1), 900) with
 * ±20 % jitter, rounded to whole seconds (ChangeMessageVisibility takes an integer), then clamped to
 * [0, 900]. Clamping after the jitter keeps DESIGN.md's cap a hard ceiling: at the cap the jitter only
 * shortens the delay (720–900 s). A `receiveCount` below 1 (or NaN) counts as 1; a huge one (Infinity
 * included) stays at the cap.
 * @example
 * visibilityBackoffSeconds(record.attributes.ApproximateReceiveCount, Math.random); // e.g. 3 → 96..144
 */
export function visibilityBackoffSeconds(receiveCount: number, random: () => number): number {
  const retryIndex = receiveCount >= 1 ? Math.floor(receiveCount) - 1 : 0;
  const seconds = exponentialWithJitter(
    VISIBILITY_BACKOFF_BASE_SECONDS,
    retryIndex,
    VISIBILITY_BACKOFF_CAP_SECONDS,
    random,
  );
  return Math.min(Math.max(Math.round(seconds), 0), VISIBILITY_BACKOFF_CAP_SECONDS);
}

/**
 * Milliseconds to wait before an in-process retry: 200 ms × 2^attempt with ±20 % jitter, capped at 10 s
 * after the jitter, rounded to whole milliseconds. `attempt` counts retries from 0, so DESIGN.md's "one
 * short in-process retry" waits 160–240 ms (attempt 0, the only one the function makes).
 * A negative (or NaN) attempt counts as 0; a huge one stays at the cap.
 * @example
 * await setTimeout(inProcessRetryDelayMs(0, Math.random)); // 160..240 ms
 */
export function inProcessRetryDelayMs(attempt: number, random: () => number): number {
  const retryIndex = attempt >= 0 ? Math.floor(attempt) : 0;
  const ms = exponentialWithJitter(IN_PROCESS_RETRY_BASE_MS, retryIndex, IN_PROCESS_RETRY_CAP_MS, random);
  return Math.min(Math.max(Math.round(ms), 0), IN_PROCESS_RETRY_CAP_MS);
}

/** min(base × 2^exponent, cap) × jitter. The exponent is bounded first: 2^exponent never reaches Infinity. */
function exponentialWithJitter(base: number, exponent: number, cap: number, random: () => number): number {
  const doublingsToCap = Math.ceil(Math.log2(cap / base));
  const nominal = Math.min(base * 2 ** Math.min(exponent, doublingsToCap), cap);
  return nominal * jitterFactor(random());
}

/**
 * 0.8 + 0.4 × r. A faulty source (outside [0, 1), NaN) is clamped rather than trusted: a delay must stay
 * in its bounds even if the injected random does not.
 */
function jitterFactor(r: number): number {
  const unit = Number.isNaN(r) ? 0.5 : Math.min(Math.max(r, 0), 1);
  return 1 - JITTER_FRACTION + 2 * JITTER_FRACTION * unit;
}
