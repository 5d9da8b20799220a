/**
 * The verdict of a chaos run: from what the run recorded (the mapping's invocations, the function's logs,
 * the simulator's request log and graph, the DLQ), every promise of DESIGN.md checked and counted into a
 * {@link ChaosReport}: broken promises (violations), chaos that did not happen (unexercised), and things
 * worth a look (findings).
 */
import type { DrainResult, InvocationInfo } from '../sim/aws/eventSourceMapping.ts';
import { FunctionTimeoutError } from '../sim/aws/eventSourceMapping.ts';
import type { QueueCounts } from '../sim/aws/sqsStandIn.ts';
import type { RequestLogEntry, SimulatorCounters } from '../sim/chat-api/index.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { type BusiestWindow, busiestWindow } from './callBudget.ts';
import type { ChaosSettings } from './chaosOptions.ts';
import type { ChaosWindowsReport } from './chaosWindows.ts';
import { type ChaosEventKind, type ChaosWorkload, USER_ID_PATTERN } from './chaosWorkload.ts';
import { type FaultKind, faultKindOf } from './chatFaultMix.ts';
import {
  type AuditLine,
  type DeadLetterCopy,
  FINAL_STATES,
  type FinalState,
  type InvocationRecord,
  judgeEvents,
} from './eventVerdicts.ts';
import { findSecretLeaks, linesMatching } from './secretLeaks.ts';

export interface ChaosReport {
  settings: Omit<ChaosSettings, 'onProgress'> & { redriveMaxReceiveCount: number };
  durationMs: number;
  drain: DrainResult & { handlerTimeouts: number; handlerFailures: number; cutByDeadline: number };
  /** Events by final state, overall and per event kind. */
  states: Record<FinalState, number>;
  statesByKind: Partial<Record<ChaosEventKind, Record<FinalState, number>>>;
  deadLetterReasons: Record<string, number>;
  /** Dead-lettered events whose account had been erased anyway (an answer lost to a timeout, a duplicate). */
  alreadyErased: number;
  invalidDuringSecretsOutage: number;
  /** Events with more than one DLQ copy. */
  deadLetterDuplicates: number;
  deleteShortfalls: number;
  calls: {
    total: number;
    logged: number;
    counters: SimulatorCounters;
    faultsByKind: Partial<Record<FaultKind, number>>;
    busiestWindow: BusiestWindow;
    /** Calls for the doomed accounts (each met its scripted fault; not in faultsByKind). */
    doomedCalls: number;
    /**
     * Real 70009 answers after the key rotation (a UserSig of the old key; how many depends on timing:
     * the secret is cached for at most 1 s), and answers OK after it (only the new key passes).
     */
    oldKeyRejections: number;
    newKeyErasures: number;
  };
  windows: ChaosWindowsReport;
  queueLeft: QueueCounts;
  leaks: { labels: string[]; lines: number; plainUserIdLines: number };
  /** Broken promises: the run fails if there is any. */
  violations: string[];
  /** Chaos that did not happen (a window that never bit, a fault kind never injected): a weak run. */
  unexercised: string[];
  /** Worth a look, not broken: backstop moves, duplicates in the DLQ. */
  findings: string[];
}

/** Fault kinds every run of a reasonable size must have injected. */
const EXPECTED_FAULT_KINDS: FaultKind[] = [
  'transient code',
  'throttling code',
  'HTTP 5xx / 408',
  'HTTP 4xx',
  'delay past timeout',
  'reset',
  'malformed body',
  're-sign code',
  'permanent code',
  'disagreeing answer',
];

/** At most this many per-event problems are listed one by one. */
const LISTED_PROBLEMS = 25;

/** Everything a run recorded, for the assessment. */
export interface ChaosRunRecord {
  settings: ChaosSettings;
  redriveMaxReceiveCount: number;
  workload: ChaosWorkload;
  world: ErasureWorld;
  messageIds: string[];
  requests: RequestLogEntry[];
  invocations: InvocationInfo[];
  drainResult: DrainResult;
  deadLetters: DeadLetterCopy[];
  queueLeft: QueueCounts;
  windows: ChaosWindowsReport;
  durationMs: number;
  secretKeys: string[];
}

/**
 * @example
 * const report = assessChaosRun({ settings, workload, world, messageIds, requests, invocations, … });
 * report.violations; // [] when every promise held
 */
export function assessChaosRun(run: ChaosRunRecord): ChaosReport {
  const { settings, world, requests } = run;
  const { onProgress: _onProgress, ...printable } = settings;
  const counters = world.chat.counters;
  const audit = readAudit(world);
  const judgement = judgeEvents({
    events: run.workload.events,
    messageIds: run.messageIds,
    oneWayHolders: run.workload.oneWayHolders,
    graph: world.chat,
    requests,
    audit: audit.lines,
    invocations: run.invocations.map(toInvocationRecord),
    deadLetters: run.deadLetters,
    maxReceives: settings.maxReceives,
  });
  const { verdicts } = judgement;

  const violations: string[] = [];
  const problems = verdicts.flatMap((verdict) =>
    verdict.problems.map(
      (problem) => `event #${verdict.event.index} (${verdict.event.kind}, ${verdict.messageId}): ${problem}`,
    ),
  );
  violations.push(...problems.slice(0, LISTED_PROBLEMS));
  if (problems.length > LISTED_PROBLEMS) violations.push(`… and ${problems.length - LISTED_PROBLEMS} more`);
  violations.push(...judgement.strayDeadLetters);

  const handlerTimeouts = run.invocations.filter((info) => info.error instanceof FunctionTimeoutError).length;
  const handlerFailures = run.invocations.filter(
    (info) => info.error !== undefined && !(info.error instanceof FunctionTimeoutError),
  ).length;
  if (handlerTimeouts > 0) violations.push(`${handlerTimeouts} invocations ran past their function timeout`);
  if (handlerFailures > 0) violations.push(`${handlerFailures} invocations threw or answered malformed`);
  if (run.drainResult.stoppedBy !== 'empty')
    violations.push(`the drain stopped by ${run.drainResult.stoppedBy}`);
  const left = run.queueLeft.visible + run.queueLeft.notVisible + run.queueLeft.delayed;
  if (left > 0)
    violations.push(`${left} messages left on the erasure queue (${JSON.stringify(run.queueLeft)})`);
  if (requests.length !== counters.received) {
    violations.push(`request log incomplete: kept ${requests.length} of ${counters.received} requests`);
  }

  const window = busiestWindow(requests.map((request) => request.receivedAtMs));
  if (window.calls > settings.callBudgetPerSecond) {
    violations.push(`${window.calls} calls in one second, budget ${settings.callBudgetPerSecond}`);
  }
  if (counters.throttled > 0)
    violations.push(`the simulator's limiter answered 60007 ${counters.throttled} times`);
  violations.push(...adminChecks(run));

  const secrecy = checkSecrecy(run);
  if (secrecy.lines > 0) {
    violations.push(`secrets in ${secrecy.lines} log lines or DLQ attributes: ${secrecy.labels.join(', ')}`);
  }
  if (secrecy.plainUserIdLines > 0) {
    violations.push(`${secrecy.plainUserIdLines} function log lines hold a userId in plain text`);
  }

  const isDoomed = (request: RequestLogEntry) =>
    run.workload.doomed.has(String((request.body as { From_Account?: unknown } | undefined)?.From_Account));
  const faultsByKind = tally(
    requests.flatMap((request) => (request.fault && !isDoomed(request) ? [faultKindOf(request.fault)] : [])),
  );
  const doomedCalls = requests.filter(isDoomed).length;
  const rotationAt = run.windows.keyRotation.epochMs ?? Number.POSITIVE_INFINITY;
  const afterRotation = requests.filter(
    (request) => request.fault === undefined && request.receivedAtMs >= rotationAt,
  );
  const oldKeyRejections = afterRotation.filter((request) => request.errorCode === 70009).length;
  const newKeyErasures = afterRotation.filter((request) => request.errorCode === 0).length;

  const zeroStates = () =>
    Object.fromEntries(FINAL_STATES.map((state) => [state, 0])) as Record<FinalState, number>;
  const states = zeroStates();
  const statesByKind: ChaosReport['statesByKind'] = {};
  for (const verdict of verdicts) {
    states[verdict.state]++;
    const row = statesByKind[verdict.event.kind] ?? zeroStates();
    statesByKind[verdict.event.kind] = row;
    row[verdict.state]++;
  }
  const report: ChaosReport = {
    settings: { ...printable, redriveMaxReceiveCount: run.redriveMaxReceiveCount },
    durationMs: run.durationMs,
    drain: { ...run.drainResult, handlerTimeouts, handlerFailures, cutByDeadline: audit.cutByDeadline },
    states,
    statesByKind,
    deadLetterReasons: tally(
      verdicts.flatMap((verdict) => (verdict.failureReason ? [verdict.failureReason] : [])),
    ),
    alreadyErased: verdicts.filter((verdict) => verdict.alreadyErased).length,
    invalidDuringSecretsOutage: verdicts.filter((verdict) => verdict.invalidDuringSecretsOutage).length,
    deadLetterDuplicates: verdicts.filter((verdict) => verdict.deadLetterCopies > 1).length,
    deleteShortfalls: judgement.deleteShortfalls,
    calls: {
      total: counters.received,
      logged: requests.length,
      counters,
      faultsByKind,
      busiestWindow: window,
      doomedCalls,
      oldKeyRejections,
      newKeyErasures,
    },
    windows: run.windows,
    queueLeft: run.queueLeft,
    leaks: secrecy,
    violations,
    unexercised: unexercised(run, faultsByKind, newKeyErasures, audit.cutByDeadline),
    findings: [],
  };
  report.findings = findings(report);
  return report;
}

/**
 * Secret keys (before and after the rotation) and every UserSig the simulator received, searched for in the
 * function's log lines and the DLQ attributes; made-up userIds searched for in plain text in the logs.
 */
function checkSecrecy(run: ChaosRunRecord): ChaosReport['leaks'] {
  const userSigs = [...new Set(run.requests.flatMap((request) => request.query.usersig ?? []))];
  const secrets = [
    { label: 'admin secret key', value: run.secretKeys[0] as string },
    { label: 'rotated secret key', value: run.secretKeys[1] as string },
    ...userSigs.map((value) => ({ label: 'UserSig', value })),
  ];
  const deadLetterLines = run.deadLetters.map((copy) => JSON.stringify(copy.attributes));
  const leaks = findSecretLeaks([...run.world.functionLogs, ...deadLetterLines], secrets);
  return {
    labels: [...new Set(leaks.map((leak) => leak.label))],
    lines: leaks.length,
    plainUserIdLines: linesMatching(run.world.functionLogs, USER_ID_PATTERN).length,
  };
}

/** The `erasure` audit lines, and how many records the deadline sent back before their call could start. */
function readAudit(world: ErasureWorld): { lines: AuditLine[]; cutByDeadline: number } {
  const records = world.logRecords().filter((record) => record.message === 'erasure');
  const lines = records.flatMap((record) =>
    typeof record.messageId === 'string'
      ? [
          {
            outcome: String(record.outcome),
            messageId: record.messageId,
            awsRequestId: String(record.function_request_id),
          },
        ]
      : [],
  );
  const cutByDeadline = records.filter(
    (record) => record.outcome === 'retry' && String(record.error).startsWith('not started'),
  ).length;
  return { lines, cutByDeadline };
}

function toInvocationRecord(info: InvocationInfo): InvocationRecord {
  return {
    awsRequestId: info.awsRequestId,
    messageIds: info.messageIds,
    returnedMessageIds: info.returnedMessageIds,
    outcome: info.outcome,
    deletedCount: info.deletedCount,
  };
}

/** The admin is never erased: its own friendship survives and no friend_delete_all names it. */
function adminChecks(run: ChaosRunRecord): string[] {
  const admin = run.world.adminSecret.adminIdentifier;
  const problems: string[] = [];
  if (!run.world.chat.friendsOf(admin).includes(run.workload.adminFriend)) {
    problems.push("the admin's own friendship was deleted");
  }
  const erasingAdmin = run.requests.filter(
    (request) => (request.body as { From_Account?: unknown } | undefined)?.From_Account === admin,
  );
  if (erasingAdmin.length > 0)
    problems.push(`${erasingAdmin.length} friend_delete_all calls named the admin`);
  return problems;
}

function unexercised(
  run: ChaosRunRecord,
  faults: Partial<Record<FaultKind, number>>,
  newKeyErasures: number,
  cutByDeadline: number,
): string[] {
  const missing = EXPECTED_FAULT_KINDS.filter((kind) => (faults[kind] ?? 0) === 0).map(
    (kind) => `no ${kind} fault was injected`,
  );
  const { dlqOutage, secretsOutage } = run.windows;
  if (run.settings.dlqOutageMs > 0 && dlqOutage.hits === 0)
    missing.push('the DLQ outage refused no SendMessage');
  if (run.settings.secretsOutageMs > 0 && secretsOutage.hits === 0) {
    missing.push('the Secrets Manager outage refused no request');
  }
  if (newKeyErasures === 0) missing.push('no erasure happened after the key rotation');
  if (run.drainResult.returnedForRetry === 0) missing.push('no record went back for retry');
  if (cutByDeadline === 0) missing.push('no record was sent back by the deadline before its call started');
  return missing;
}

function findings(report: ChaosReport): string[] {
  const notes: string[] = [];
  if (report.states.backstop > 0) {
    notes.push(
      `${report.states.backstop} messages were moved by the queue's redrive backstop (maxReceiveCount ` +
        `${report.settings.redriveMaxReceiveCount}) and reached the DLQ without our attributes`,
    );
  }
  if (report.deadLetterDuplicates > 0)
    notes.push(`${report.deadLetterDuplicates} events have more than one DLQ copy`);
  if (report.deleteShortfalls > 0)
    notes.push(`${report.deleteShortfalls} DeleteMessageBatch calls removed too few`);
  return notes;
}

function tally<K extends string>(keys: readonly K[]): Partial<Record<K, number>> & Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts as Partial<Record<K, number>> & Record<string, number>;
}
