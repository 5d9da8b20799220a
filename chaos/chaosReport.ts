/**
 * The chaos run's printed summary: plain-text tables a reviewer can read in a terminal or a CI log.
 */
import type { ChaosReport } from './chaosAssessment.ts';
import { CHAOS_EVENT_KINDS } from './chaosWorkload.ts';
import { ERASURE_STATES, MESSAGE_STATES } from './messageVerdicts.ts';
import { PLAN_STEPS } from './planCatalog.ts';
import { DATA_KINDS } from './userDataSeed.ts';

/**
 * @example
 * console.log(formatChaosReport(await runChaos({ events: 2000, seed: 7 })));
 */
export function formatChaosReport(report: ChaosReport): string {
  const { settings, states, calls, windows, drain, receipts } = report;
  const verdict =
    report.violations.length === 0 ? 'PASS' : `FAIL (${report.violations.length} violations listed below)`;
  const sections = [
    `chat-erasure chaos run: ${verdict}`,
    keyValues([
      ['seed', settings.seed],
      ['events', settings.events],
      ['instances', `${settings.instances} (batches of ${settings.batchSize})`],
      ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
      ['call budget', `${settings.callBudgetPerSecond}/s per command; CALL_BUDGETS ${settings.callBudgets}`],
      ['CHAT_TIMEOUT_MS', settings.chatTimeoutMs],
      [
        'function timeouts',
        `${settings.minFunctionTimeoutMs}–${settings.maxFunctionTimeoutMs} ms per invocation`,
      ],
      ['MAX_RECEIVES / redrive', `${settings.maxReceives} / ${settings.redriveMaxReceiveCount}`],
      [
        'fault probability',
        `Chat ${settings.faultProbability}, receipts ${settings.receiptFaultRate} per 100 ms`,
      ],
      ...(settings.sabotage.length === 0
        ? []
        : [['SABOTAGED', settings.sabotage.join(', ')] as [string, Cell]]),
    ]),
    'Plans (one per warm instance)',
    table(
      ['instance', 'plan', 'ERASURE_STEPS', 'GROUP_OWNER_POLICY', 'finished'],
      report.plans.map((plan) => [
        plan.instance,
        plan.name,
        plan.steps,
        plan.groupOwnerPolicy,
        report.finishedByPlan[plan.name] ?? 0,
      ]),
    ),
    'Erasures by final state (an erasure follows its erasure-id across continuations)',
    table(
      ['kind', ...ERASURE_STATES, 'total'],
      [
        ...CHAOS_EVENT_KINDS.flatMap((kind) => {
          const row = report.statesByKind[kind];
          return row === undefined ? [] : [[kind, row] as const];
        }).map(([kind, row]) => [
          kind,
          ...ERASURE_STATES.map((state) => row[state]),
          ERASURE_STATES.reduce((sum, state) => sum + row[state], 0),
        ]),
        ['all', ...ERASURE_STATES.map((state) => states[state]), settings.events],
      ],
    ),
    keyValues([
      [
        'messages by final state',
        MESSAGE_STATES.map((state) => `${state} ${report.messages[state]}`).join(', '),
      ],
      [
        'continuations',
        `${report.continuations.messages} messages for ${report.continuations.erasuresContinued} erasures, ` +
          `longest chain ${report.continuations.longestChain}, erasures ended twice ${report.continuations.severalEnds}`,
      ],
      ['DLQ reasons', formatCounts(report.deadLetterReasons)],
      [
        'doomed accounts dead-lettered',
        Object.entries(report.doomed)
          .map(([doom, reasons]) => `${doom} (${formatCounts(reasons)})`)
          .join('; ') || 'none',
      ],
      ['messages with several DLQ copies', report.deadLetterDuplicates.length],
    ]),
    'Steps (last delivery of every message)',
    table(
      [
        'step',
        'done',
        'absent',
        'not-enabled',
        'failed',
        'removed',
        'verified',
        'transferred',
        'destroyed',
        'residual',
      ],
      PLAN_STEPS.map((step) => {
        const tally = report.steps[step];
        return [
          step,
          tally.done,
          tally.absent,
          tally.notEnabled,
          tally.failed,
          tally.removed,
          tally.verified,
          tally.transferred,
          tally.destroyed,
          formatCounts(tally.residual),
        ];
      }),
    ),
    'Personal data',
    keyValues([
      [
        'users seeded per kind',
        DATA_KINDS.map((kind) => `${kind} ${report.data.seededKinds[kind]}`).join(', '),
      ],
      ['users with every kind', report.data.usersWithEveryKind],
      ['erased users read back', report.data.checkedUsers],
      [
        '(user, step) checks',
        `${report.data.checkedSteps} checked, ${report.data.waivedSteps} waived (an injected answer lied)`,
      ],
      [
        'data left behind',
        report.data.problems.length === 0 ? 'none beyond the residuals' : report.data.problems.length,
      ],
    ]),
    'Receipts',
    keyValues([
      [
        'bus events',
        `${receipts.busCompleted} Completed, ${receipts.busFailed} Failed (${formatCounts(receipts.busByOutcome)})`,
      ],
      ['PutEvents calls / refused entries', `${receipts.putEventsCalls} / ${receipts.refusedEntries}`],
      ['task tokens', `${receipts.tokens} (${receipts.expiredTasks} timed out before the run)`],
      ['task callbacks', formatCounts(receipts.callbacks)],
      ['heartbeats', receipts.heartbeats],
      ['tasks by final status', formatCounts(receipts.tasksByStatus)],
      ['EventBridge faults queued', formatCounts(receipts.faults.eventBridge)],
      ['Step Functions faults queued', formatCounts(receipts.faults.stepFunctions)],
      [
        'dead letters without receipt',
        `${receipts.deadLettersWithoutReceipt} (ReceiptsUndelivered metric ${receipts.receiptsUndeliveredMetric})`,
      ],
    ]),
    'Chat API calls',
    keyValues([
      ['requests', `${calls.total} (logged ${calls.logged})`],
      ['limiter 60007s', calls.counters.throttled],
      [
        'faults injected',
        `${calls.counters.faultsInjected} (${calls.doomedCalls} scripted for doomed accounts, ` +
          `${calls.scheduled} family-code faults scheduled)`,
      ],
      ['faults by kind', formatCounts(calls.faultsByKind)],
    ]),
    table(
      ['command', 'calls', 'faults', 'busiest second', 'budget'],
      [...calls.perCommand]
        .sort((a, b) => a.command.localeCompare(b.command))
        .map((window) => [
          window.command,
          window.total,
          calls.faultsByCommand[window.command] ?? 0,
          window.calls,
          window.budget,
        ]),
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
          `${calls.oldKeyRejections} answered 70009, then ${calls.newKeyAccepted} OK`,
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
      ['secrets in logs, DLQ, receipts', report.leaks.lines === 0 ? 'none' : report.leaks.labels.join(', ')],
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
