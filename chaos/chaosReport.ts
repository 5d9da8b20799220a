/**
 * The chaos run's printed summary: plain-text tables a reviewer can read in a terminal or a CI log.
 */
import type { ChaosReport } from './chaosAssessment.ts';
import { CHAOS_EVENT_KINDS } from './chaosWorkload.ts';
import { FINAL_STATES } from './eventVerdicts.ts';

/**
 * @example
 * console.log(formatChaosReport(await runChaos({ events: 2000, seed: 7 })));
 */
export function formatChaosReport(report: ChaosReport): string {
  const { settings, states, calls, windows, drain } = report;
  const verdict =
    report.violations.length === 0 ? 'PASS' : `FAIL (${report.violations.length} violations listed below)`;
  const sections = [
    `chat-erasure chaos run: ${verdict}`,
    keyValues([
      ['seed', settings.seed],
      ['events', settings.events],
      ['instances', settings.instances],
      ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
      ['call budget', `${settings.callBudgetPerSecond}/s (simulator limit the same)`],
      ['CHAT_TIMEOUT_MS', settings.chatTimeoutMs],
      [
        'function timeouts',
        `${settings.minFunctionTimeoutMs}–${settings.maxFunctionTimeoutMs} ms per invocation`,
      ],
      ['MAX_RECEIVES / redrive', `${settings.maxReceives} / ${settings.redriveMaxReceiveCount}`],
      ['fault probability', settings.faultProbability],
    ]),
    'Events by final state',
    table(
      ['kind', ...FINAL_STATES, 'total'],
      [
        ...CHAOS_EVENT_KINDS.flatMap((kind) => {
          const row = report.statesByKind[kind];
          return row === undefined ? [] : [[kind, row] as const];
        }).map(([kind, row]) => [
          kind,
          ...FINAL_STATES.map((state) => row[state]),
          FINAL_STATES.reduce((sum, state) => sum + row[state], 0),
        ]),
        ['all', ...FINAL_STATES.map((state) => states[state]), settings.events],
      ],
    ),
    [
      '"in both": reported done twice, or deleted as erased/absent and also in the DLQ. An account erased by a',
      'call whose answer was lost (a timeout), then dead-lettered as retries-exhausted, counts once, as',
      'dead-lettered ("already erased" below): the message was reported done once, and erasing is idempotent.',
    ].join('\n'),
    keyValues([
      ['DLQ reasons', formatCounts(report.deadLetterReasons)],
      ['dead-lettered, yet already erased', report.alreadyErased],
      ['invalid, exhausted in the secrets outage', report.invalidDuringSecretsOutage],
      ['events with several DLQ copies', report.deadLetterDuplicates],
    ]),
    'Chat API calls',
    keyValues([
      ['requests', `${calls.total} (logged ${calls.logged})`],
      ['busiest second', `${calls.busiestWindow.calls} calls (budget ${settings.callBudgetPerSecond})`],
      ['limiter 60007s', calls.counters.throttled],
      ['answers by ErrorCode', formatCounts(calls.counters.byErrorCode)],
      [
        'faults injected',
        `${calls.counters.faultsInjected} (${calls.doomedCalls} of them scripted for doomed accounts)`,
      ],
    ]),
    table(
      ['fault kind', 'injected'],
      Object.entries(calls.faultsByKind).map(([kind, count]) => [kind, count]),
    ),
    'Windows (ms after the drain started)',
    table(
      ['window', 'opened', 'closed', 'effect'],
      [
        [
          'DLQ outage',
          windows.dlqOutage.openedAtMs ?? '-',
          windows.dlqOutage.closedAtMs ?? '-',
          `${windows.dlqOutage.hits} SendMessage refused`,
        ],
        [
          `Secrets Manager outage (${windows.secretsOutage.mode})`,
          windows.secretsOutage.openedAtMs ?? '-',
          windows.secretsOutage.closedAtMs ?? '-',
          `${windows.secretsOutage.hits} GetSecretValue refused`,
        ],
        [
          'key rotation',
          windows.keyRotation.atMs ?? '-',
          '-',
          `${calls.oldKeyRejections} answered 70009, then ${calls.newKeyErasures} OK`,
        ],
      ],
    ),
    'Drain',
    keyValues([
      ['invocations', drain.invocations],
      ['records delivered', drain.recordsDelivered],
      ['deleted / returned for retry', `${drain.deleted} / ${drain.returnedForRetry}`],
      ['records cut by the deadline', drain.cutByDeadline],
      ['invocations timed out / failed', `${drain.handlerTimeouts} / ${drain.handlerFailures}`],
      ['stopped by', drain.stoppedBy],
      ['left on the queue', JSON.stringify(report.queueLeft)],
      ['secrets in logs', report.leaks.lines === 0 ? 'none' : report.leaks.labels.join(', ')],
      ['plain userIds in logs', report.leaks.plainUserIdLines],
    ]),
  ];
  if (report.findings.length > 0) sections.push('Findings', bullets(report.findings));
  if (report.unexercised.length > 0) sections.push('Not exercised', bullets(report.unexercised));
  if (report.violations.length > 0) sections.push('Violations', bullets(report.violations));
  return `${sections.join('\n\n')}\n`;
}

type Cell = string | number;

function table(header: Cell[], rows: Cell[][]): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const [head, ...body] = all;
  return [line(head ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join(
    '\n',
  );
}

function keyValues(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}

function bullets(items: string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

function formatCounts(counts: Record<string | number, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([key, count]) => `${key}: ${count}`).join(', ');
}
