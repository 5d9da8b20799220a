/**
 * What `npm start` prints: readable sections (records, friend lists, DLQ, summary), no raw JSON. Every
 * function returns lines, so the layout is testable without a terminal. Text that came from an event
 * body or a queue goes through `displayText` first.
 */

import type { DrainResult } from '../../sim/aws/eventSourceMapping.ts';
import { type AuditLine, type AuditOutcome, FINAL_OUTCOMES } from './auditLog.ts';
import type { QueueKind } from './eventFiles.ts';
import type { ErasedUserChange, NeighbourChange, NeighbourLink } from './friendListChanges.ts';
import type { FullPlanReport } from './fullPlanRun.ts';
import type { DeadLetterView, DemoRecord, QueueRunReport } from './queueRun.ts';
import { displayText, shorten } from './terminal.ts';
import { nothingLost, type RunVerdict } from './verdict.ts';

/** Erased users shown in detail; a large custom file gets a count for the rest. */
const MAX_ERASED_USERS_SHOWN = 12;
/** Remaining one-way entries listed by name before "… and N more". */
const MAX_REMAINING_SHOWN = 12;
const BODY_PREVIEW_CHARS = 72;
/** Records listed one by one before a large run switches to listing only the remarkable ones. */
const MAX_RECORDS_SHOWN = 60;
/** Record locations named per kind of problem in the summary. */
const MAX_LOCATIONS_SHOWN = 5;

const QUEUE_TITLE: Record<QueueKind, string> = { standard: 'Standard queue', fifo: 'FIFO queue' };

/** Pads every column but the last to its widest cell. */
function columns(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

const user = (userId: string) => (userId === '' ? '"" (empty)' : displayText(userId));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The opening lines: what runs, and how user IDs are shown. */
export function headerLines(
  files: readonly { name: string; queue: QueueKind }[],
  instances: number,
): string[] {
  const listed = (queue: QueueKind) =>
    files
      .filter((file) => file.queue === queue)
      .map((file) => file.name)
      .join(', ');
  return [
    'chat-erasure, local run: the real bundle (dist/handler.mjs) on loopback stand-ins',
    '  Chat API simulator, SQS (fauxqs) with the erasure queue and its DLQ, Secrets Manager, EventBridge and',
    '  Step Functions (receipts); all on 127.0.0.1.',
    `  No AWS or Tencent account is used. ${plural(instances, 'warm Lambda instance')} poll the queue.`,
    '  User IDs: the function logs a pseudonym (LOG_USER_ID=pseudonym, its default). The plain userId shown',
    '  after "=" is read from the event body by this demo; the function itself never logs it.',
    '  Each body is sent as a new message: the messageIds and receive counts in the files are not reused.',
    ...(['standard', 'fifo'] as const)
      .filter((queue) => listed(queue) !== '')
      .map((queue) => `  ${QUEUE_TITLE[queue]}: ${listed(queue)}`),
    '',
  ];
}

function outcomeText(record: DemoRecord): string {
  const last = record.audit.at(-1);
  if (last === undefined) return 'NO OUTCOME';
  return FINAL_OUTCOMES.has(last.outcome) ? last.outcome : `${last.outcome} (pending)`;
}

function userCell(record: DemoRecord, last: AuditLine | undefined): string {
  const logged = last?.user;
  const plain = record.plainUserId === undefined ? undefined : user(record.plainUserId);
  if (logged === undefined && plain === undefined) return '(no userId in body)';
  return `user ${logged ?? '(not logged)'}${plain === undefined ? '' : ` = ${plain}`}`;
}

const errorCodeText = (line: AuditLine) =>
  line.errorCode === undefined ? '' : ` (ErrorCode ${line.errorCode})`;

function failureText(line: AuditLine): string {
  const reason = line.failureReason ?? line.outcome;
  return `${reason}: ${displayText(line.error ?? 'no error message')}${errorCodeText(line)}`;
}

function recordDetails(record: DemoRecord): string[] {
  const last = record.audit.at(-1);
  const details: string[] = [];
  const earlier = record.audit.slice(0, -1);
  if (earlier.length > 0) {
    details.push(
      `earlier deliveries: ${earlier.map((line) => `${line.outcome}${errorCodeText(line)}`).join(', ')}`,
    );
  }
  for (const warning of last?.warnings ?? []) details.push(`warning: ${displayText(warning)}`);
  if (last === undefined) details.push('the function logged nothing for this record');
  else if (last.outcome === 'dead-lettered' || last.outcome === 'retry') details.push(failureText(last));
  return details;
}

/**
 * The records to list: all of a small run; for a large one the first {@link MAX_RECORDS_SHOWN}, then only
 * the ones that did not end erased or absent (the interesting ones), up to as many again.
 */
function recordsToShow(records: readonly DemoRecord[]): { shown: Set<DemoRecord>; hidden: DemoRecord[] } {
  if (records.length <= MAX_RECORDS_SHOWN) return { shown: new Set(records), hidden: [] };
  const unremarkable = (record: DemoRecord) => {
    const outcome = record.audit.at(-1)?.outcome;
    return outcome === 'erased' || outcome === 'absent';
  };
  const rest = records.slice(MAX_RECORDS_SHOWN);
  const shown = new Set([
    ...records.slice(0, MAX_RECORDS_SHOWN),
    ...rest.filter((record) => !unremarkable(record)).slice(0, MAX_RECORDS_SHOWN),
  ]);
  return { shown, hidden: records.filter((record) => !shown.has(record)) };
}

function recordLines(report: QueueRunReport): string[] {
  const { shown, hidden } = recordsToShow(report.records);
  const records = report.records.filter((record) => shown.has(record));
  const rows = records.map((record) => {
    const last = record.audit.at(-1);
    return [
      String(record.position).padStart(2),
      outcomeText(record),
      ...(report.queue === 'fifo' ? [`group ${displayText(record.groupId ?? '')}`] : []),
      last === undefined ? '(no audit line)' : `request ${displayText(last.requestId)}`,
      userCell(record, last),
    ];
  });
  const formatted = columns(rows, '    ');
  const lines = ['Records (outcome, requestId and user as the function logged them)'];
  records.forEach((record, index) => {
    if (record.file !== records[index - 1]?.file) lines.push(`  ${record.file}`);
    lines.push(formatted[index] as string);
    for (const detail of recordDetails(record)) lines.push(`         ${detail}`);
  });
  if (hidden.length > 0) {
    lines.push(
      `  … ${plural(hidden.length, 'more record')} not listed: ${countsText(outcomeCounts(hidden))}`,
    );
  }
  return [...lines, ''];
}

function linkTitle(link: NeighbourLink, erasedUser: string): string {
  switch (link) {
    case 'two-way':
      return 'two-way friends, removed both ways';
    case 'listed-by-erased':
      return `only on ${erasedUser}'s list, gone with it`;
    case 'holds-one-way':
      return `hold ${erasedUser} one-way`;
  }
}

function neighbourText(neighbour: NeighbourChange, erasedUser: string): string {
  const counts = `${user(neighbour.userId)} ${neighbour.listBefore} -> ${neighbour.listAfter}`;
  if (neighbour.alsoErased) return `${counts} (also erased)`;
  if (neighbour.link === 'holds-one-way') {
    return neighbour.stillHoldsErased ? `${counts}, still lists ${erasedUser}: NOT erased` : counts;
  }
  if (neighbour.stillHoldsErased) return `${counts}, STILL lists ${erasedUser} (unexpected)`;
  return neighbour.link === 'two-way' ? counts : `${counts} (never listed ${erasedUser})`;
}

function erasedUserLines(change: ErasedUserChange): string[] {
  const name = user(change.userId);
  const lines = [`  ${name}: ${change.listBefore} -> ${change.listAfter}, erased`];
  for (const link of ['two-way', 'listed-by-erased', 'holds-one-way'] as const) {
    const neighbours = change.neighbours.filter((neighbour) => neighbour.link === link);
    if (neighbours.length === 0) continue;
    lines.push(
      `    ${linkTitle(link, name)}: ${neighbours.map((neighbour) => neighbourText(neighbour, name)).join('; ')}`,
    );
  }
  if (change.neighbours.length === 0) lines.push('    (no friends before the run)');
  return lines;
}

/** `items` joined with ", ", `perLine` to a line. */
function wrapList(items: readonly string[], perLine: number, indent: string): string[] {
  const lines: string[] = [];
  for (let start = 0; start < items.length; start += perLine) {
    lines.push(`${indent}${items.slice(start, start + perLine).join(', ')}`);
  }
  return lines;
}

function friendListLines(report: QueueRunReport): string[] {
  if (report.friendLists.length === 0) return ['Friend lists: no account was erased in this run.', ''];
  const lines = [
    'Friend lists (entries on each list: before -> after the whole run; several users may be erased)',
  ];
  for (const change of report.friendLists.slice(0, MAX_ERASED_USERS_SHOWN))
    lines.push(...erasedUserLines(change));
  const hidden = report.friendLists.length - MAX_ERASED_USERS_SHOWN;
  if (hidden > 0) lines.push(`  … and ${plural(hidden, 'more erased user')}`);

  const remaining = report.friendLists.flatMap((change) =>
    change.heldByAfter.map((holder) => `${user(holder)} -> ${user(change.userId)}`),
  );
  if (remaining.length === 0) {
    lines.push("  No entry toward an erased user remains on anyone's list.");
  } else {
    const more = remaining.length - MAX_REMAINING_SHOWN;
    lines.push(
      `  NOT erased: ${plural(remaining.length, 'one-way entry', 'one-way entries')} that other users hold toward erased users remain:`,
      ...wrapList(remaining.slice(0, MAX_REMAINING_SHOWN), 4, '    '),
      ...(more > 0 ? [`    … and ${more} more`] : []),
      "  friend_delete_all with Delete_Type_Both walks only the erased user's own list, and Tencent offers no",
      '  reverse lookup, so an entry someone else holds one-way toward the erased user stays on their list.',
    );
  }
  return [...lines, ''];
}

function deadLetterLines(report: QueueRunReport): string[] {
  const lines = [`Dead-letter queue ${report.dlqName}: ${plural(report.deadLetters.length, 'message')}`];
  const bySource = new Map(report.records.map((record, index) => [record.messageId, { record, index }]));
  const sourceOf = (letter: DeadLetterView) => bySource.get(letter.attributes['source-message-id'] ?? '');
  // In the order of the records they came from (SQS hands them back in no particular order).
  const letters = [...report.deadLetters].sort(
    (a, b) =>
      (sourceOf(a)?.index ?? Number.MAX_SAFE_INTEGER) - (sourceOf(b)?.index ?? Number.MAX_SAFE_INTEGER),
  );
  for (const letter of letters) {
    const attribute = (name: string) => letter.attributes[name];
    const source = sourceOf(letter)?.record;
    const origin = source === undefined ? 'unknown source record' : `${source.file} #${source.position}`;
    const reason = attribute('failure-reason');
    if (reason === undefined) {
      lines.push(`  ${origin}: no failure-reason attribute (moved there by the queue's redrive policy)`);
    } else {
      const code = attribute('error-code');
      lines.push(
        `  ${origin}: failure-reason ${displayText(reason)}, error-message "${displayText(attribute('error-message') ?? '')}"${code === undefined ? '' : `, error-code ${displayText(code)}`}`,
        `     request-id ${displayText(attribute('request-id') ?? '?')}, attempts ${displayText(attribute('attempts') ?? '?')}, body ${displayText(shorten(letter.body.replace(/\s+/g, ' '), BODY_PREVIEW_CHARS))}`,
      );
    }
  }
  return [...lines, ''];
}

/** Final outcome counts of a run's records (`pending` = retry at the end; `none` = no audit line). */
export function outcomeCounts(records: readonly DemoRecord[]): Record<AuditOutcome | 'none', number> {
  const counts: Record<AuditOutcome | 'none', number> = {
    erased: 0,
    absent: 0,
    'dead-lettered': 0,
    retry: 0,
    continued: 0,
    none: 0,
  };
  for (const record of records) counts[record.audit.at(-1)?.outcome ?? 'none'] += 1;
  return counts;
}

const countsText = (counts: Record<AuditOutcome | 'none', number>) =>
  `erased ${counts.erased}, absent ${counts.absent}, dead-lettered ${counts['dead-lettered']}, retry ${counts.retry}` +
  (counts.continued > 0 ? `, continued ${counts.continued}` : '') +
  (counts.none > 0 ? `, NO OUTCOME ${counts.none}` : '');

/** Everything about one queue's run. */
export function queueRunLines(report: QueueRunReport): string[] {
  const files = new Set(report.records.map((record) => record.file)).size;
  const named = report.seed.accounts.length - report.seed.bystanders.length;
  return [
    `━━ ${QUEUE_TITLE[report.queue]} ${report.queueName}: ${plural(report.records.length, 'record')} from ${plural(files, 'file')} ━━`,
    `Seeded ${plural(report.seed.accounts.length, 'account')} (${named} named by valid events, bystanders ${report.seed.bystanders.join(', ')}) and ${plural(report.seed.friendships.length, 'friendship')}.`,
    '',
    ...ingressLines(report),
    ...recordLines(report),
    ...friendListLines(report),
    ...deadLetterLines(report),
    ...receiptLines(report.receipts, report.receiptBus),
  ];
}

/** What the signed webhook answered, when the run posted its bodies through it. */
function ingressLines(report: QueueRunReport): string[] {
  if (report.ingress === undefined) return [];
  const answers = report.ingress.answers;
  const accepted = answers.filter((answer) => answer.status === 202).length;
  const refused = answers
    .map((answer, index) => ({ answer, record: report.records[index] }))
    .filter(({ answer }) => answer.status !== 202);
  return [
    `Webhook ingress (dist/ingress.mjs behind a Function URL stand-in, ${report.ingress.url}): each body POSTed, signed`,
    `  202 accepted and enqueued: ${accepted}`,
    ...refused.map(({ answer, record }) => {
      const body = answer.body as { error?: string; message?: string };
      return `  ${answer.status} ${displayText(body.error ?? '')}${body.message === undefined ? '' : ` (${displayText(body.message)})`}: ${record?.file ?? '?'} #${record?.position ?? '?'}`;
    }),
    ...(refused.length > 0
      ? [
          '  The refused bodies were then sent straight to SQS, as any producer could, to show how the function dead-letters them.',
        ]
      : []),
    '',
  ];
}

/** The receipts the pipeline got: counts by detail type and outcome, and the first one in full. */
export function receiptLines(
  receipts: readonly { detailType: string; detail: Record<string, unknown> }[],
  bus: string,
): string[] {
  if (receipts.length === 0) return [`Receipts on the EventBridge bus ${bus}: none`, ''];
  const byKind = new Map<string, number>();
  for (const { detailType, detail } of receipts) {
    const key = `${detailType} (${String(detail.outcome)}${detail.failureReason === undefined ? '' : `, ${String(detail.failureReason)}`})`;
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }
  const first = receipts[0] as { detailType: string; detail: Record<string, unknown> };
  return [
    `Receipts on the EventBridge bus ${bus}: ${plural(receipts.length, 'event')} (Source chat-erasure)`,
    ...[...byKind].map(([kind, count]) => `  ${count} × ${kind}`),
    `  The first one, as a pipeline receives it (DetailType "${first.detailType}"):`,
    ...JSON.stringify(first.detail, null, 2)
      .split('\n')
      .map((line) => `    ${displayText(line)}`),
    '',
  ];
}

/** The full-plan run: each step's result, the user's data kind by kind, what stays, and the receipt. */
export function fullPlanLines(report: FullPlanReport): string[] {
  const last = report.audit.at(-1);
  const steps = Object.entries(last?.steps ?? {}).map(([step, result]) => {
    const extras = Object.entries(result)
      .filter(([key]) => !['result', 'removed', 'verified'].includes(key))
      .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
    return [
      step,
      result.result,
      `removed ${result.removed}`,
      result.verified ? 'verified' : step === 'kick' ? '(no read-back)' : 'NOT verified',
      extras.join(', '),
    ];
  });
  const kinds = report.kinds.map((kind) => [
    kind.kind,
    `${kind.before} -> ${kind.after}`,
    kind.after === 0 ? 'erased' : (kind.residual ?? 'LEFT'),
  ]);
  const receipt = report.receipts[0];
  return [
    `━━ Full plan: ERASURE_STEPS=${report.steps} ━━`,
    `One event for ${user(report.userId)}, a user with data of every kind: ${last?.outcome ?? 'NO OUTCOME'} in ${seconds(report.drainMs)}.`,
    'Steps (in the plan’s fixed order)',
    ...columns(steps, '  '),
    `Data the simulator holds about ${user(report.userId)} (before -> after)`,
    ...columns(kinds, '  '),
    'NOT erased, by design (no API reaches them):',
    `  one-way friend entries held by others: ${report.heldByOthers.friendOf.map(user).join(', ') || 'none'}`,
    `  blocklist entries held by others: ${report.heldByOthers.blockedBy.map(user).join(', ') || 'none'}`,
    `  the other side of ${plural(report.heldByOthers.peerConversations, 'conversation')} and the user's messages in groups (roaming storage expires them)`,
    ...(receipt === undefined
      ? ['Receipt: none arrived (NOT expected)']
      : [`Receipt: ${receipt.detailType}, residual: ${(receipt.detail.residual as string[]).join('; ')}`]),
    '',
  ];
}

function trafficText(report: QueueRunReport): string {
  const { chat, drainMs } = report;
  const commands = Object.entries(chat.byCommand)
    .map(([command, count]) => `${command} ${count}`)
    .join(', ');
  const rate = drainMs > 0 ? (chat.calls / (drainMs / 1000)).toFixed(1) : '0';
  return (
    `Chat API ${plural(chat.calls, 'call')}${commands === '' ? '' : ` (${commands})`}, ${chat.throttled} throttled, ` +
    `peak ${chat.peakPerSecond} in a 1-s window (simulator limit ${report.chatCallsPerSecond}/s); ${rate} calls/s over the ${seconds(drainMs)} drain (stopped: ${report.drain.stoppedBy})`
  );
}

const STOP_REASON: Record<DrainResult['stoppedBy'], string> = {
  empty: 'the queue was empty',
  idle: 'the pollers went idle',
  maxDuration: 'the drain reached its time bound',
  aborted: 'the run was interrupted',
};

function locations(records: readonly DemoRecord[]): string {
  const named = records.slice(0, MAX_LOCATIONS_SHOWN).map((record) => `${record.file} #${record.position}`);
  const more = records.length - MAX_LOCATIONS_SHOWN;
  return more > 0 ? `${named.join(', ')}, … and ${more} more` : named.join(', ');
}

function verdictLines(report: QueueRunReport, verdict: RunVerdict): string[] {
  const stopped = STOP_REASON[report.drain.stoppedBy];
  const lines: string[] = [];
  if (verdict.unprocessed.length > 0) {
    lines.push(
      `    ${plural(verdict.unprocessed.length, 'record')} never processed (${stopped} while they were queued or in flight): ${locations(verdict.unprocessed)}`,
    );
  }
  if (verdict.awaitingRetry.length > 0) {
    lines.push(
      `    ${plural(verdict.awaitingRetry.length, 'record')} back on the queue for a retry when the drain stopped (${stopped}): ${locations(verdict.awaitingRetry)}`,
    );
  }
  if (verdict.missingFromDlq.length > 0) {
    lines.push(
      `    ${plural(verdict.missingFromDlq.length, 'record')} logged as dead-lettered but NOT in the DLQ: ${locations(verdict.missingFromDlq)}`,
    );
  }
  if (verdict.malformedAuditLines > 0) {
    lines.push(
      `    ${plural(verdict.malformedAuditLines, "'erasure' log line")} without a key the audit contract names`,
    );
  }
  return lines;
}

/** One finished queue run and its verdict. */
export interface JudgedRun {
  report: QueueRunReport;
  verdict: RunVerdict;
}

/**
 * The closing summary over every queue run, and the overall verdict.
 * @param skipped Queue runs that never started (e.g. interrupted before them), one sentence each.
 */
export function summaryLines(
  runs: readonly JudgedRun[],
  skipped: readonly string[],
  wallMs: number,
): string[] {
  const lines = ['Summary'];
  for (const { report, verdict } of runs) {
    lines.push(
      `  ${QUEUE_TITLE[report.queue]}: ${plural(report.records.length, 'record')}: ${countsText(outcomeCounts(report.records))}; DLQ ${plural(report.deadLetters.length, 'message')}`,
      `    Lambda: ${plural(report.instances, 'warm instance')} (cold starts ${seconds(report.coldStartMs)}), ${plural(report.drain.invocations, 'invocation')}, ${report.drain.handlerErrors} failed`,
      `    ${trafficText(report)}`,
      ...verdictLines(report, verdict),
    );
  }
  lines.push(...skipped.map((sentence) => `  ${sentence}`));
  const all = runs.flatMap(({ report }) => report.records);
  const calls = runs.reduce((sum, { report }) => sum + report.chat.calls, 0);
  lines.push(
    `  Total: ${plural(all.length, 'record')}: ${countsText(outcomeCounts(all))}; ${plural(calls, 'Chat API call')}; wall time ${seconds(wallMs)}`,
  );
  if (skipped.length === 0 && runs.every(({ verdict }) => nothingLost(verdict))) {
    lines.push(
      'Nothing lost: every record ended erased, absent or dead-lettered (and every dead-lettered one is in the DLQ).',
    );
  } else {
    lines.push('NOT every record reached a final outcome in this run: see above.');
  }
  return lines;
}
