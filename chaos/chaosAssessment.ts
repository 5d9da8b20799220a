/**
 * The verdict of a chaos run: from what the run recorded (the deliveries and the mapping's invocations, the
 * function's logs, the simulator's requests and data, the DLQ, the receipts), every promise of DESIGN.md
 * checked and counted into a {@link ChaosReport}: broken promises (violations), chaos that did not happen
 * (unexercised), and things worth a look (findings).
 */
import type { DrainResult, InvocationInfo } from '../sim/aws/eventSourceMapping.ts';
import { FunctionTimeoutError } from '../sim/aws/eventSourceMapping.ts';
import type { QueueCounts } from '../sim/aws/sqsStandIn.ts';
import type { RequestLogEntry, SimulatorCounters } from '../sim/chat-api/index.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { busiestWindowPerCommand, type CommandWindow } from './callBudget.ts';
import type { ChaosSettings } from './chaosOptions.ts';
import type { ChaosWindowsReport } from './chaosWindows.ts';
import { type ChaosEventKind, type ChaosWorkload, type Doom, USER_ID_PATTERN } from './chaosWorkload.ts';
import { doomFault, FAULT_KINDS, type FaultKind, faultKindOf } from './chatFaultMix.ts';
import { type DataJudgement, judgePersonalData } from './dataVerdicts.ts';
import type { DeliveryLog } from './deliveryLog.ts';
import {
  type AuditLine,
  type DeadLetterCopy,
  ERASURE_STATES,
  type ErasureState,
  FAILURE_REASONS,
  type InvocationRecord,
  judgeMessages,
  MESSAGE_STATES,
  type MessageState,
  type StepResult,
} from './messageVerdicts.ts';
import {
  commandBudget,
  PLAN_COMMANDS,
  PLAN_STEPS,
  type PlanProfile,
  type PlanStep,
  stepsOf,
} from './planCatalog.ts';
import type { ReceiptFaultsReport } from './receiptFaults.ts';
import { ReceiptLog } from './receiptLog.ts';
import { COMPLETED, FAILED, judgeReceipts } from './receiptVerdicts.ts';
import { ChatCallIndex } from './requestSubjects.ts';
import { findSecretLeaks, linesMatching } from './secretLeaks.ts';
import { DATA_KINDS, type DataKind } from './userDataSeed.ts';

/** One step's results over the records that ended (their last delivery's audit line). */
export interface StepTally {
  done: number;
  absent: number;
  notEnabled: number;
  failed: number;
  removed: number;
  verified: number;
  transferred: number;
  destroyed: number;
  residual: Record<string, number>;
}

export interface ChaosReport {
  settings: Omit<ChaosSettings, 'onProgress'> & { redriveMaxReceiveCount: number };
  durationMs: number;
  drain: DrainResult & { handlerTimeouts: number; handlerFailures: number; cutByDeadline: number };
  /** The plan each warm instance ran. */
  plans: { instance: number; name: string; steps: string; groupOwnerPolicy: string }[];
  /** Erasures (events) by final state, overall and per event kind. */
  states: Record<ErasureState, number>;
  statesByKind: Partial<Record<ChaosEventKind, Record<ErasureState, number>>>;
  /** Every SQS message (events' own and continuations) by final state. */
  messages: Record<MessageState, number>;
  continuations: { erasuresContinued: number; messages: number; longestChain: number; severalEnds: number };
  deadLetterReasons: Record<string, number>;
  /** Dead-lettered doomed accounts, by doom and reason. */
  doomed: Partial<Record<Doom | 'receipt-throttled', Record<string, number>>>;
  /** Messages with more than one DLQ copy: each copy's reason and attempts. */
  deadLetterDuplicates: string[];
  deleteShortfalls: number;
  steps: Record<PlanStep, StepTally>;
  /** Erasures finished with nothing left, by the plan of the instance that finished them. */
  finishedByPlan: Record<string, number>;
  data: DataJudgement & { seededKinds: Record<DataKind, number>; usersWithEveryKind: number };
  receipts: {
    busCompleted: number;
    busFailed: number;
    busByOutcome: Record<string, number>;
    putEventsCalls: number;
    refusedEntries: number;
    tokens: number;
    expiredTasks: number;
    callbacks: Record<string, number>;
    heartbeats: number;
    tasksByStatus: Record<string, number>;
    faults: ReceiptFaultsReport;
    receiptsUndeliveredMetric: number;
    deadLettersWithoutReceipt: number;
  };
  calls: {
    total: number;
    logged: number;
    counters: SimulatorCounters;
    faultsByKind: Partial<Record<FaultKind, number>>;
    faultsByCommand: Record<string, number>;
    perCommand: CommandWindow[];
    /** Calls for the doomed accounts that met their scripted fault (not in faultsByKind). */
    doomedCalls: number;
    /** Family-code faults queued by the schedule (counted in faultsByKind once a request met them). */
    scheduled: number;
    /** Real 70009 answers after the key rotation, and answers OK after it (only the new key passes). */
    oldKeyRejections: number;
    newKeyAccepted: number;
  };
  windows: ChaosWindowsReport;
  queueLeft: QueueCounts;
  leaks: { labels: string[]; lines: number; plainUserIdLines: number };
  /** Broken promises: the run fails if there is any. */
  violations: string[];
  /** Chaos that did not happen (a window that never bit, a fault kind never injected): a weak run. */
  unexercised: string[];
  /** Worth a look, not broken. */
  findings: string[];
}

/** At most this many per-message problems are listed one by one. */
const LISTED_PROBLEMS = 25;

/** Everything a run recorded, for the assessment. */
export interface ChaosRunRecord {
  settings: ChaosSettings;
  redriveMaxReceiveCount: number;
  callBudgets: Readonly<Record<string, number>>;
  workload: ChaosWorkload;
  /** The task token of each event that carries one, by event index. */
  tokens: ReadonlyMap<number, string>;
  world: ErasureWorld;
  messageIds: string[];
  requests: RequestLogEntry[];
  invocations: InvocationInfo[];
  deliveries: DeliveryLog;
  /** The plan of each warm instance, by instance index. */
  profiles: PlanProfile[];
  drainResult: DrainResult;
  deadLetters: DeadLetterCopy[];
  queueLeft: QueueCounts;
  windows: ChaosWindowsReport;
  receiptFaults: ReceiptFaultsReport;
  /** One-shot Chat faults the schedule queued (chatFaultSchedule.ts). */
  scheduledChatFaults: number;
  receiptBus: string;
  durationMs: number;
  secretKeys: string[];
}

/**
 * @example
 * const report = assessChaosRun({ settings, workload, world, messageIds, requests, invocations, … });
 * report.violations; // [] when every promise held
 */
export function assessChaosRun(run: ChaosRunRecord): ChaosReport {
  const { settings, world, requests, workload } = run;
  const { onProgress: _onProgress, ...printable } = settings;
  const counters = world.chat.counters;
  const audit = readAudit(world);
  const calls = new ChatCallIndex(requests, workload.data.groupAccounts);
  const receipts = new ReceiptLog(
    world.events.events({ bus: run.receiptBus }),
    world.events.calls(),
    world.stepFunctions.calls(),
  );
  const judgement = judgeMessages({
    events: workload.events,
    messageIds: run.messageIds,
    deliveries: run.deliveries,
    audit: audit.lines,
    invocations: run.invocations.map(toInvocationRecord),
    deadLetters: run.deadLetters,
    calls,
    receipts,
    profileOf: (instance) => run.profiles[instance] as PlanProfile,
    hasAccount: (id) => world.chat.hasAccount(id),
    maxReceives: settings.maxReceives,
  });
  const { erasures } = judgement;
  const receiptsUndeliveredMetric = sumMetric(world, 'ReceiptsUndelivered');
  const receiptJudgement = judgeReceipts({
    erasures,
    receipts,
    tokens: run.tokens,
    receiptsUndelivered: receiptsUndeliveredMetric,
    sdkAppId: world.adminSecret.sdkAppId,
    taskOf: (token) => world.stepFunctions.task(token),
  });
  const finished = new Map<string, Set<PlanStep>>();
  for (const erasure of erasures) {
    const { expected } = erasure.event;
    if (expected.type !== 'erasable') continue;
    for (const profile of erasure.finishedBy) {
      const steps = finished.get(expected.userId) ?? new Set<PlanStep>();
      for (const step of stepsOf(profile)) steps.add(step);
      finished.set(expected.userId, steps);
    }
  }
  const dataJudgement = judgePersonalData({
    finished,
    chat: world.chat,
    data: workload.data,
    callsAbout: (userId) => calls.about(userId),
    admin: world.adminSecret.adminIdentifier,
    adminFriend: workload.adminFriend,
  });

  const violations: string[] = [];
  const problems = erasures.flatMap((erasure) => [
    ...erasure.problems.map((problem) => ({
      kind: problem,
      text: `event #${erasure.event.index} (${erasure.event.kind}): ${problem}`,
    })),
    ...erasure.messages.flatMap((message) =>
      message.problems.map((problem) => ({
        kind: problem,
        text:
          `event #${erasure.event.index} (${erasure.event.kind}), message ${message.messageId}` +
          `${message.continuation > 0 ? ` (continuation ${message.continuation})` : ''}: ${problem}`,
      })),
    ),
  ]);
  listSome(violations, problems);
  violations.push(...judgement.strays, ...receiptJudgement.problems);
  listSome(
    violations,
    dataJudgement.problems.map((problem) => ({
      kind: problem.replace(/^[^:]*: /, ''),
      text: problem,
    })),
  );

  const handlerTimeouts = run.invocations.filter((info) => info.error instanceof FunctionTimeoutError).length;
  const handlerFailures = run.invocations.filter(
    (info) => info.error !== undefined && !(info.error instanceof FunctionTimeoutError),
  ).length;
  if (handlerTimeouts > 0) violations.push(`${handlerTimeouts} invocations ran past their function timeout`);
  if (handlerFailures > 0) {
    const reasons = run.invocations
      .filter((info) => info.error !== undefined && !(info.error instanceof FunctionTimeoutError))
      .slice(0, 3)
      .map((info) =>
        info.error instanceof Error ? `${info.error.name}: ${info.error.message}` : String(info.error),
      );
    violations.push(`${handlerFailures} invocations threw or answered malformed (${reasons.join('; ')})`);
  }
  if (run.drainResult.stoppedBy !== 'empty')
    violations.push(`the drain stopped by ${run.drainResult.stoppedBy}`);
  const left = run.queueLeft.visible + run.queueLeft.notVisible + run.queueLeft.delayed;
  if (left > 0)
    violations.push(`${left} messages left on the erasure queue (${JSON.stringify(run.queueLeft)})`);
  if (requests.length !== counters.received) {
    violations.push(`request log incomplete: kept ${requests.length} of ${counters.received} requests`);
  }

  const perCommand = busiestWindowPerCommand(requests, (command) =>
    commandBudget(command, settings.callBudgetPerSecond, run.callBudgets),
  );
  for (const window of perCommand) {
    if (window.calls > window.budget) {
      violations.push(`${window.command}: ${window.calls} calls in one second, budget ${window.budget}`);
    }
  }
  if (counters.throttled > 0)
    violations.push(`the simulator's limiter answered 60007 ${counters.throttled} times`);
  violations.push(...adminChecks(run));

  const secrecy = checkSecrecy(run, receipts);
  if (secrecy.lines > 0) {
    violations.push(
      `secrets in ${secrecy.lines} log lines, DLQ attributes or receipts: ${secrecy.labels.join(', ')}`,
    );
  }
  if (secrecy.plainUserIdLines > 0) {
    violations.push(`${secrecy.plainUserIdLines} function log lines hold a userId in plain text`);
  }

  const doomCall = doomCallMatcher(workload.doomed, settings.chatTimeoutMs);
  const injected = requests.filter((request) => request.fault !== undefined && !doomCall(request));
  const faultsByKind = tally(injected.map((request) => faultKindOf(request.fault as string)));
  const faultsByCommand = tally(injected.map((request) => `${request.service}/${request.command}`));
  const rotationAt = run.windows.keyRotation.epochMs ?? Number.POSITIVE_INFINITY;
  const afterRotation = requests.filter(
    (request) => request.fault === undefined && request.receivedAtMs >= rotationAt,
  );

  const states = zeroes(ERASURE_STATES);
  const statesByKind: ChaosReport['statesByKind'] = {};
  const messages = zeroes(MESSAGE_STATES);
  const doomed: ChaosReport['doomed'] = {};
  const stepTallies = Object.fromEntries(PLAN_STEPS.map((step) => [step, emptyTally()])) as Record<
    PlanStep,
    StepTally
  >;
  const finishedByPlan: Record<string, number> = {};
  let severalEnds = 0;
  let longestChain = 0;
  for (const erasure of erasures) {
    states[erasure.state]++;
    const row = statesByKind[erasure.event.kind] ?? zeroes(ERASURE_STATES);
    statesByKind[erasure.event.kind] = row;
    row[erasure.state]++;
    if (erasure.ends > 1) severalEnds++;
    longestChain = Math.max(longestChain, erasure.messages.length - 1);
    for (const profile of erasure.finishedBy)
      finishedByPlan[profile.name] = (finishedByPlan[profile.name] ?? 0) + 1;
    const { expected } = erasure.event;
    const doomKey =
      expected.type === 'erasable' && expected.doom !== undefined
        ? expected.doom
        : erasure.event.receiptThrottled
          ? 'receipt-throttled'
          : undefined;
    if (doomKey !== undefined && erasure.state === 'dead-lettered') {
      const reasons = doomed[doomKey] ?? {};
      doomed[doomKey] = reasons;
      const reason = erasure.failureReason ?? '?';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    for (const message of erasure.messages) {
      messages[message.state]++;
      for (const [name, result] of Object.entries(message.finalAudit?.steps ?? {})) {
        const tally = stepTallies[name as PlanStep];
        if (tally !== undefined) addStep(tally, result);
      }
    }
  }
  const allMessages = [...judgement.messages.values()];
  const seededKinds = Object.fromEntries(DATA_KINDS.map((kind) => [kind, 0])) as Record<DataKind, number>;
  let usersWithEveryKind = 0;
  for (const kinds of workload.data.kinds.values()) {
    for (const kind of kinds) seededKinds[kind]++;
    if (kinds.size === DATA_KINDS.length) usersWithEveryKind++;
  }
  const tasksByStatus = tally(
    [...run.tokens.values()].map((token) => world.stepFunctions.task(token)?.status ?? 'unknown'),
  );

  const report: ChaosReport = {
    settings: { ...printable, redriveMaxReceiveCount: run.redriveMaxReceiveCount },
    durationMs: run.durationMs,
    drain: { ...run.drainResult, handlerTimeouts, handlerFailures, cutByDeadline: audit.cutByDeadline },
    plans: run.profiles.map((profile, instance) => ({
      instance,
      name: profile.name,
      steps: profile.erasureSteps ?? '(unset: friends)',
      groupOwnerPolicy: profile.groupOwnerPolicy,
    })),
    states,
    statesByKind,
    messages,
    continuations: {
      erasuresContinued: erasures.filter((erasure) => erasure.continued > 0).length,
      messages: allMessages.filter((message) => message.continuation > 0).length,
      longestChain,
      severalEnds,
    },
    deadLetterReasons: tally(
      allMessages.flatMap((message) =>
        message.state === 'dead-lettered' && message.failureReason ? [message.failureReason] : [],
      ),
    ),
    doomed,
    deadLetterDuplicates: allMessages
      .filter((message) => message.deadLetters.length > 1)
      .map((message) =>
        message.deadLetters
          .map(
            (copy) => `${copy.attributes['failure-reason']?.value} after ${copy.attributes.attempts?.value}`,
          )
          .join(', '),
      ),
    deleteShortfalls: judgement.deleteShortfalls,
    steps: stepTallies,
    finishedByPlan,
    data: { ...dataJudgement, seededKinds, usersWithEveryKind },
    receipts: {
      busCompleted: receipts.busReceipts.filter((receipt) => receipt.detailType === COMPLETED).length,
      busFailed: receipts.busReceipts.filter((receipt) => receipt.detailType === FAILED).length,
      busByOutcome: tally(
        receipts.busReceipts.map((receipt) =>
          receipt.detail.outcome === 'dead-lettered'
            ? `dead-lettered (${String(receipt.detail.failureReason)})`
            : String(receipt.detail.outcome),
        ),
      ),
      putEventsCalls: receipts.putEventsCalls,
      refusedEntries: receipts.refusedEntries,
      tokens: run.tokens.size,
      expiredTasks: workload.events.filter((event) => event.task?.expired).length,
      callbacks: tally(receipts.taskCallbacks.map((callback) => `${callback.operation} ${callback.answer}`)),
      heartbeats: receipts.heartbeats.length,
      tasksByStatus,
      faults: run.receiptFaults,
      receiptsUndeliveredMetric,
      deadLettersWithoutReceipt: receiptJudgement.deadLettersWithoutReceipt,
    },
    calls: {
      total: counters.received,
      logged: requests.length,
      counters,
      faultsByKind,
      faultsByCommand,
      perCommand,
      doomedCalls: requests.filter(doomCall).length,
      scheduled: run.scheduledChatFaults,
      oldKeyRejections: afterRotation.filter((request) => request.errorCode === 70009).length,
      newKeyAccepted: afterRotation.filter((request) => request.errorCode === 0).length,
    },
    windows: run.windows,
    queueLeft: run.queueLeft,
    leaks: secrecy,
    violations,
    unexercised: [],
    findings: [],
  };
  report.unexercised = unexercised(report, run);
  report.findings = findings(report);
  return report;
}

/**
 * Lists at most LISTED_PROBLEMS problems: the first of each kind before the rest, so that a long run of one
 * kind (receipts missing after an outage, say) never hides another kind from the report.
 */
export function listSome(into: string[], problems: readonly { kind: string; text: string }[]): void {
  const seen = new Set<string>();
  const firsts: string[] = [];
  const rest: string[] = [];
  for (const { kind, text } of problems) {
    // Counts and attempts do not make another kind ("followers left: 2" is "followers left: 1").
    const key = kind.replace(/\d+/g, 'N');
    if (seen.has(key)) rest.push(text);
    else {
      seen.add(key);
      firsts.push(text);
    }
  }
  into.push(...[...firsts, ...rest].slice(0, LISTED_PROBLEMS));
  if (problems.length > LISTED_PROBLEMS) into.push(`… and ${problems.length - LISTED_PROBLEMS} more`);
}

function emptyTally(): StepTally {
  return {
    done: 0,
    absent: 0,
    notEnabled: 0,
    failed: 0,
    removed: 0,
    verified: 0,
    transferred: 0,
    destroyed: 0,
    residual: {},
  };
}

function addStep(tally: StepTally, result: StepResult): void {
  if (result.result === 'done') tally.done++;
  else if (result.result === 'absent') tally.absent++;
  else if (result.result === 'not-enabled') tally.notEnabled++;
  else if (result.result === 'failed') tally.failed++;
  tally.removed += result.removed ?? 0;
  if (result.verified === true) tally.verified++;
  tally.transferred += result.transferred ?? 0;
  tally.destroyed += result.destroyed ?? 0;
  for (const [kind, count] of Object.entries(result.residual ?? {})) {
    tally.residual[kind] = (tally.residual[kind] ?? 0) + count;
  }
}

/** Whether a request met the scripted fault of a doomed account (not part of the random chaos). */
function doomCallMatcher(doomed: ReadonlyMap<string, Doom>, chatTimeoutMs: number) {
  return (request: RequestLogEntry): boolean => {
    const from = (request.body as { From_Account?: unknown } | undefined)?.From_Account;
    const doom = typeof from === 'string' ? doomed.get(from) : undefined;
    if (doom === undefined || request.fault === undefined) return false;
    const fault = doomFault(from as string, doom, chatTimeoutMs);
    return fault.command === `${request.service}/${request.command}`;
  };
}

/**
 * Secret keys (before and after the rotation) and every UserSig the simulator received, searched for in the
 * function's log lines, the DLQ attributes, the continuations' attributes and every receipt; made-up userIds
 * searched for in plain text in the logs.
 */
function checkSecrecy(run: ChaosRunRecord, receipts: ReceiptLog): ChaosReport['leaks'] {
  const userSigs = [...new Set(run.requests.flatMap((request) => request.query.usersig ?? []))];
  const secrets = [
    { label: 'admin secret key', value: run.secretKeys[0] as string },
    { label: 'rotated secret key', value: run.secretKeys[1] as string },
    ...userSigs.map((value) => ({ label: 'UserSig', value })),
  ];
  const lines = [
    ...run.world.functionLogs,
    ...run.deadLetters.map((copy) => JSON.stringify(copy.attributes)),
    ...run.deliveries.deliveries.flatMap((delivery) =>
      delivery.records.map((record) => JSON.stringify(record.attributes)),
    ),
    ...receipts.busReceipts.map((receipt) => receipt.text),
    ...receipts.taskCallbacks.map((callback) => `${callback.error ?? ''} ${callback.text}`),
  ];
  const leaks = findSecretLeaks(lines, secrets);
  return {
    labels: [...new Set(leaks.map((leak) => leak.label))],
    lines: leaks.length,
    plainUserIdLines: linesMatching(run.world.functionLogs, USER_ID_PATTERN).length,
  };
}

/** The `erasure` audit lines, and how many records the deadline sent back before their first call. */
function readAudit(world: ErasureWorld): { lines: AuditLine[]; cutByDeadline: number } {
  const records = world.logRecords().filter((record) => record.message === 'erasure');
  const lines = records.flatMap((record): AuditLine[] =>
    typeof record.messageId === 'string'
      ? [
          {
            outcome: String(record.outcome),
            messageId: record.messageId,
            awsRequestId: String(record.function_request_id),
            ...(record.steps !== null && typeof record.steps === 'object'
              ? { steps: record.steps as Record<string, StepResult> }
              : {}),
          },
        ]
      : [],
  );
  const cutByDeadline = records.filter(
    (record) => record.outcome === 'retry' && String(record.error).startsWith('not started'),
  ).length;
  return { lines, cutByDeadline };
}

/** The sum of one EMF metric over every metrics line the function wrote. */
function sumMetric(world: ErasureWorld, name: string): number {
  let sum = 0;
  for (const record of world.logRecords()) {
    if (record._aws === undefined) continue;
    const value = record[name];
    if (typeof value === 'number') sum += value;
    else if (Array.isArray(value)) for (const item of value) sum += typeof item === 'number' ? item : 0;
  }
  return sum;
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

/** The admin is never erased: no removal of the plan names it as the account being erased. */
function adminChecks(run: ChaosRunRecord): string[] {
  const admin = run.world.adminSecret.adminIdentifier;
  const erasing = run.requests.filter((request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    switch (`${request.service}/${request.command}`) {
      case 'sns/friend_delete_all':
      case 'sns/black_list_delete':
      case 'recentcontact/delete':
      case 'profile/portrait_set':
        return body.From_Account === admin;
      case 'im_open_login_svc/kick':
        return body.UserID === admin;
      case 'im_open_login_svc/account_delete':
        return JSON.stringify(body.DeleteItem ?? []).includes(JSON.stringify(admin));
      default:
        return false;
    }
  });
  return erasing.length > 0 ? [`${erasing.length} removals named the admin as the account to erase`] : [];
}

function unexercised(report: ChaosReport, run: ChaosRunRecord): string[] {
  const missing = FAULT_KINDS.filter((kind) => (report.calls.faultsByKind[kind] ?? 0) === 0).map(
    (kind) => `no ${kind} fault was injected`,
  );
  const busy = report.calls.perCommand.filter((window) => window.total >= 100);
  for (const window of busy) {
    if ((report.calls.faultsByCommand[window.command] ?? 0) === 0)
      missing.push(`${window.command} met no fault in ${window.total} calls`);
  }
  const { dlqOutage, secretsOutage } = report.windows;
  if (run.settings.dlqOutageMs > 0 && dlqOutage.hits === 0)
    missing.push('the DLQ outage refused no SendMessage');
  if (run.settings.secretsOutageMs > 0 && secretsOutage.hits === 0) {
    missing.push('the Secrets Manager outage refused no request');
  }
  if (report.calls.newKeyAccepted === 0) missing.push('no call was accepted after the key rotation');
  if (report.drain.returnedForRetry === 0) missing.push('no record went back for retry');
  if (report.continuations.messages === 0) missing.push('no long plan was continued');
  for (const reason of FAILURE_REASONS) {
    if ((report.deadLetterReasons[reason] ?? 0) === 0)
      missing.push(`no record was dead-lettered as ${reason}`);
  }
  for (const profile of new Set(run.profiles)) {
    if ((report.finishedByPlan[profile.name] ?? 0) === 0)
      missing.push(`the ${profile.name} plan finished no erasure`);
  }
  for (const step of PLAN_STEPS) {
    const tally = report.steps[step];
    if (tally.done === 0 || (step !== 'kick' && tally.removed === 0))
      missing.push(`the ${step} step never removed anything`);
  }
  if (report.steps.groups.transferred === 0) missing.push('no group was handed over');
  if (report.steps.groups.destroyed === 0) missing.push('no group was destroyed');
  if ((report.steps.groups.residual['avchatroom-memberships'] ?? 0) === 0)
    missing.push('no AVChatRoom residual was reported');
  if (report.data.usersWithEveryKind === 0) missing.push('no user had data of every kind');
  const { receipts } = report;
  if (Object.keys(receipts.faults.eventBridge).length === 0)
    missing.push('no EventBridge fault was injected');
  if (Object.keys(receipts.faults.stepFunctions).length === 0)
    missing.push('no Step Functions fault was injected');
  if (receipts.refusedEntries === 0) missing.push('EventBridge refused no receipt');
  if (receipts.heartbeats === 0) missing.push('no task heard a heartbeat');
  if (!Object.keys(receipts.callbacks).some((key) => key.endsWith('TaskTimedOut')))
    missing.push('no receipt met a closed task');
  return missing;
}

function findings(report: ChaosReport): string[] {
  const notes: string[] = [];
  if (report.states.backstop > 0) {
    notes.push(
      `${report.states.backstop} erasures were moved by the queue's redrive backstop (maxReceiveCount ` +
        `${report.settings.redriveMaxReceiveCount}) and reached the DLQ without our attributes`,
    );
  }
  if (report.deadLetterDuplicates.length > 0) {
    notes.push(
      `${report.deadLetterDuplicates.length} messages have more than one DLQ copy (a send that succeeded after ` +
        `the function gave up on it): ${report.deadLetterDuplicates.slice(0, 5).join('; ')}`,
    );
  }
  if (report.deleteShortfalls > 0)
    notes.push(`${report.deleteShortfalls} DeleteMessageBatch calls removed too few`);
  if (report.continuations.severalEnds > 0) {
    notes.push(
      `${report.continuations.severalEnds} erasures ended more than once (a continuation sent twice)`,
    );
  }
  if (report.data.waivedSteps > 0) {
    notes.push(
      `${report.data.waivedSteps} (user, step) data checks were waived: an injected answer lied about them`,
    );
  }
  const quiet = PLAN_COMMANDS.filter((command) => (report.calls.faultsByCommand[command] ?? 0) === 0);
  if (quiet.length > 0) notes.push(`commands that met no fault: ${quiet.join(', ')}`);
  return notes;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function tally<K extends string>(keys: readonly K[]): Partial<Record<K, number>> & Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts as Partial<Record<K, number>> & Record<string, number>;
}
