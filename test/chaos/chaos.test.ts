import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busiestWindow, busiestWindowPerCommand } from '../../chaos/callBudget.ts';
import { listSome } from '../../chaos/chaosAssessment.ts';
import { parseCallBudgets } from '../../chaos/chaosOptions.ts';
import { formatChaosReport } from '../../chaos/chaosReport.ts';
import { type ChaosReport, runChaos } from '../../chaos/chaosRun.ts';
import {
  buildChaosWorkload,
  CHAOS_EVENT_KINDS,
  type ChaosEvent,
  taskTokenPlaceholder,
} from '../../chaos/chaosWorkload.ts';
import { chatFaultMix, doomFault, FAULT_KINDS, faultKindOf, isLyingFault } from '../../chaos/chatFaultMix.ts';
import { scheduledFaults } from '../../chaos/chatFaultSchedule.ts';
import { type ChatView, judgePersonalData, waivedSteps } from '../../chaos/dataVerdicts.ts';
import { DeliveryLog } from '../../chaos/deliveryLog.ts';
import {
  type AuditLine,
  type DeadLetterCopy,
  FAILURE_REASONS,
  type InvocationRecord,
  type JudgeInput,
  judgeMessages,
  latestCopy,
} from '../../chaos/messageVerdicts.ts';
import {
  commandBudget,
  PLAN_COMMANDS,
  PLAN_PROFILES,
  PLAN_STEPS,
  type PlanStep,
} from '../../chaos/planCatalog.ts';
import { ReceiptLog } from '../../chaos/receiptLog.ts';
import { judgeReceipts } from '../../chaos/receiptVerdicts.ts';
import { ChatCallIndex, subjectsOf } from '../../chaos/requestSubjects.ts';
import { findSecretLeaks, linesMatching } from '../../chaos/secretLeaks.ts';
import type { SeededData } from '../../chaos/userDataSeed.ts';
import { DATA_KINDS } from '../../chaos/userDataSeed.ts';
import type { PutEventsCall, RecordedEvent } from '../../sim/aws/eventBridgeStandIn.ts';
import type { TaskCall } from '../../sim/aws/stepFunctionsStandIn.ts';
import { describeFault } from '../../sim/chat-api/faults.ts';
import { type PersonalData, type RequestLogEntry, startChatApiSimulator } from '../../sim/chat-api/index.ts';
import { parseAccountClosure } from '../../src/erasure/accountClosureEvent.ts';

describe('the chaos workload', () => {
  const workload = buildChaosWorkload({ seed: 42, events: 2000, adminIdentifier: 'administrator' });

  it('is the same for the same seed and differs for another', () => {
    const again = buildChaosWorkload({ seed: 42, events: 2000, adminIdentifier: 'administrator' });
    const other = buildChaosWorkload({ seed: 43, events: 2000, adminIdentifier: 'administrator' });
    expect(again.events.map((event) => event.body)).toEqual(workload.events.map((event) => event.body));
    expect(again.data.seed).toEqual(workload.data.seed);
    expect(other.events.map((event) => event.body)).not.toEqual(workload.events.map((event) => event.body));
  });

  it('has every kind of event, and unique bodies SQS accepts', () => {
    expect(new Set(workload.events.map((event) => event.kind))).toEqual(new Set(CHAOS_EVENT_KINDS));
    expect(new Set(workload.events.map((event) => event.body)).size).toBe(2000);
    // The fauxqs stand-in accepts #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD only.
    for (const { body } of workload.events) expect(body).toMatch(/^[\t\n\r\u0020-\ud7ff\ue000-\ufffd]*$/);
  });

  it('expects of each event what the real parser makes of it, task token included', () => {
    for (const event of workload.events) {
      const parsed = parseAccountClosure(event.body, { messageId: 'm-1' });
      if (event.kind === 'invalid-admin') {
        // The parser holds no secret: the admin is refused per call, before anything is sent.
        expect(parsed, event.body).toMatchObject({ valid: true, userId: 'administrator' });
      } else if (event.expected.type === 'invalid') {
        expect(parsed, event.body).toMatchObject({ valid: false, reason: event.expected.reason });
      } else {
        expect(parsed, event.body).toMatchObject({ valid: true, userId: event.expected.userId });
      }
      expect(parsed.requestId, event.body).toBe(event.requestId ?? 'm-1');
      expect(parsed.taskToken, event.body).toBe(
        event.task === undefined ? undefined : taskTokenPlaceholder(event.index),
      );
    }
    const tasks = workload.events.filter((event) => event.task !== undefined);
    expect(tasks.length).toBeGreaterThan(300);
    expect(tasks.some((event) => event.task?.expired)).toBe(true);
    expect(tasks.some((event) => event.expected.type === 'invalid')).toBe(true);
  });

  it('seeds a simulator with data of every kind, for the erasable accounts only', async () => {
    const chat = await startChatApiSimulator({
      sdkAppId: 1400000000,
      secretKey: 'k',
      customProfileTags: [
        'Tag_Profile_Custom_Hobby',
        { tag: 'Tag_Profile_Custom_Score', type: 'integer' },
        'Tag_Profile_Custom_Team',
      ],
    });
    try {
      chat.seed(workload.data.seed);
      for (const event of workload.events) {
        if (event.expected.type === 'erasable') expect(chat.hasAccount(event.expected.userId)).toBe(true);
        if (event.expected.type === 'absent') expect(chat.hasAccount(event.expected.userId)).toBe(false);
      }
      expect(chat.friendsOf('administrator')).toContain(workload.adminFriend);
      const rich = [...workload.data.kinds].find(
        ([, kinds]) => kinds.size === DATA_KINDS.length,
      )?.[0] as string;
      const data = chat.personalDataOf(rich);
      expect(data.friends.length).toBeGreaterThan(0);
      expect(data.friendLists.length).toBeGreaterThan(0);
      expect(data.blocklist.length).toBeGreaterThan(0);
      expect(data.heldByOthers.blockedBy.length).toBeGreaterThan(0);
      expect(data.following.length + data.followers.length).toBeGreaterThan(1);
      expect(data.conversations.length).toBeGreaterThan(0);
      expect(data.contactGroups.length).toBeGreaterThan(0);
      expect(data.ownedGroups.length).toBe(2);
      expect(data.groups.some((group) => group.type === 'AVChatRoom' && group.role !== 'Owner')).toBe(true);
      // Each doomed account has a bystander friend, whom nobody erases: its doom cannot be undone by others.
      for (const [userId] of workload.doomed) {
        expect(
          chat.friendsOf(userId).some((friend) => friend.startsWith('chaos-b-')),
          userId,
        ).toBe(true);
      }
    } finally {
      await chat.close();
    }
  });
});

describe('the Chat faults', () => {
  it('cover every fault kind between the random mix and the schedule', () => {
    const kinds = [...chatFaultMix(1000), ...scheduledFaults(true)].map((fault) =>
      faultKindOf(describeFault(fault)),
    );
    expect(new Set(kinds)).toEqual(new Set(FAULT_KINDS));
    for (const fault of chatFaultMix(1000))
      if (fault.type === 'delay') expect(fault.ms).toBeGreaterThan(1000);
  });

  it('schedule every command of the plan, and the lies ("does not exist", "not enabled") in the first round only', () => {
    const commands = new Set(scheduledFaults(true).flatMap((fault) => fault.command ?? []));
    expect(commands).toEqual(new Set(PLAN_COMMANDS));
    const later = scheduledFaults(false).map((fault) => faultKindOf(describeFault(fault)));
    expect(later).not.toContain('absent code');
    expect(later).not.toContain('not-enabled code');
    expect(later).toContain('gone code');
  });

  it('doom an account for good, and tell lies from other faults', () => {
    expect(doomFault('chaos-u-1', 'timeout', 1000)).toMatchObject({
      type: 'delay',
      ms: 2000,
      fromAccount: 'chaos-u-1',
    });
    expect(doomFault('chaos-u-1', 'unverified', 1000)).toMatchObject({
      type: 'ignore',
      command: 'sns/friend_delete_all',
    });
    expect(faultKindOf('error-code:10002')).toBe('transient code');
    expect(faultKindOf('error-code:30001:OK')).toBe('disagreeing answer');
    expect(faultKindOf('item-error:30006')).toBe('item-error');
    expect(['error-code:40003', 'error-code:51013', 'ignore', 'error-code:30006'].map(isLyingFault)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('waive the data checks a lie may have cut short', () => {
    const call = (command: string, fault: string) =>
      ({ service: command.split('/')[0], command: command.split('/')[1], fault }) as RequestLogEntry;
    expect(waivedSteps([call('profile/portrait_get', 'error-code:40003')])).toEqual(
      new Set(['profile', 'account']),
    );
    expect(waivedSteps([call('follow/follow_get', 'error-code:30005')])).toEqual(new Set(['follows']));
    expect(
      waivedSteps([call('im_open_login_svc/kick', 'ignore'), call('sns/friend_delete_all', 'ignore')]),
    ).toEqual(new Set(['kick']));
    expect(waivedSteps([call('group_open_http_svc/destroy_group', 'error-code:10010')])).toEqual(
      new Set(['groups']),
    );
    expect(waivedSteps([call('sns/black_list_delete', 'item-error:31704')])).toEqual(new Set(['blocklist']));
    expect(waivedSteps([call('sns/black_list_delete', 'item-error:30006')]).size).toBe(0);
  });
});

describe('the rate-budget check', () => {
  it('counts the busiest half-open second, per command, against that command’s budget', () => {
    expect(busiestWindow([])).toEqual({ calls: 0 });
    expect(busiestWindow([0, 10, 20, 1011])).toEqual({ calls: 3, firstArrivalMs: 0 });
    expect(busiestWindow([0, 999, 1000, 1001]).calls).toBe(3);
    const at = (command: string, receivedAtMs: number) => ({ service: 'sns', command, receivedAtMs });
    const windows = busiestWindowPerCommand(
      [at('friend_get', 0), at('friend_get', 5), at('group_get', 6)],
      () => 1,
    );
    expect(windows).toEqual([
      { command: 'sns/friend_get', budget: 1, total: 2, calls: 2, firstArrivalMs: 0 },
      { command: 'sns/group_get', budget: 1, total: 1, calls: 1, firstArrivalMs: 6 },
    ]);
  });

  it('reads CALL_BUDGETS as DESIGN.md does, and caps the account commands at 100', () => {
    expect(parseCallBudgets('account_delete=50, follow/follow_delete=100')).toEqual({
      'im_open_login_svc/account_delete': 50,
      'follow/follow_delete': 100,
    });
    expect(parseCallBudgets('delete=5')).toEqual({ 'recentcontact/delete': 5 }); // the only `…/delete`
    expect(() => parseCallBudgets('friend_add=5')).toThrow(RangeError); // not a command of the plan
    expect(() => parseCallBudgets('friend_get')).toThrow(RangeError);
    expect(commandBudget('im_open_login_svc/account_check', 2000, {})).toBe(100);
    expect(
      commandBudget('im_open_login_svc/account_check', 2000, { 'im_open_login_svc/account_check': 50 }),
    ).toBe(50);
    expect(commandBudget('sns/friend_get', 2000, {})).toBe(2000);
  });
});

describe('whose erasure a Chat request served', () => {
  const groups = new Map([['g1', new Set(['owner', 'member'])]]);
  it('reads the accounts a body names, and a group’s accounts when it names none', () => {
    expect(subjectsOf({ body: { From_Account: 'f', To_Account: ['u'] } }, groups)).toEqual(['f', 'u']);
    expect(subjectsOf({ body: { DeleteItem: [{ UserID: 'u' }] } }, groups)).toEqual(['u']);
    expect(subjectsOf({ body: { GroupId: 'g1', MemberToDel_Account: ['u'] } }, groups)).toEqual(['u']);
    expect(subjectsOf({ body: { GroupId: 'g1' } }, groups)).toEqual(['owner', 'member']);
    expect(subjectsOf({ body: 'not json' }, groups)).toEqual([]);
  });
});

describe('the secrecy check', () => {
  const userSig = 'eJw1jk0LgjAYx79Lz1c2tX05g*3SIyuS9sTLoaA1ltpFq-xu7_ahjXqPfLpUbaQw';

  it('finds a UserSig anywhere in a line, also URL-encoded', () => {
    const lines = [
      '{"level":"INFO","message":"erasure","outcome":"erased"}',
      `{"url":"https://host/v4/sns/friend_delete_all?usersig=${userSig}&random=1"}`,
      `GET /x?usersig=${userSig.replace('*', '%2A')}`,
    ];
    expect(findSecretLeaks(lines, [{ label: 'UserSig', value: userSig }])).toEqual([
      { label: 'UserSig', line: 1 },
      { label: 'UserSig', line: 2 },
    ]);
    expect(() => findSecretLeaks(['x'], [{ label: 'key', value: 'short' }])).toThrow(RangeError);
    expect(linesMatching(['{"user":"6fd78051ce306b0c"}', '{"user":"chaos-u-17"}'], /chaos-[ugb]-/g)).toEqual([
      1,
    ]);
  });
});

/** A small world for the judges: one event per body, delivered as the tests say. */
function fixture(events: ChaosEvent[]) {
  const deliveries = new DeliveryLog();
  const audit: AuditLine[] = [];
  const invocations: InvocationRecord[] = [];
  let requestCounter = 0;
  const deliver = (
    instance: number,
    records: {
      messageId: string;
      body: string;
      receiveCount?: number;
      attributes?: Record<string, string>;
    }[],
    outcomes: Record<string, string>,
  ) => {
    const awsRequestId = `r${++requestCounter}`;
    const event = {
      Records: records.map((record) => ({
        messageId: record.messageId,
        body: record.body,
        attributes: { ApproximateReceiveCount: String(record.receiveCount ?? 1), SentTimestamp: '1000' },
        messageAttributes: Object.fromEntries(
          Object.entries(record.attributes ?? {}).map(([name, value]) => [
            name,
            { stringValue: value, dataType: 'String' },
          ]),
        ),
      })),
    } as unknown as SQSEvent;
    deliveries.record(instance, awsRequestId, 3000, event);
    const returned = records.map((record) => record.messageId).filter((id) => outcomes[id] === 'retry');
    for (const record of records)
      audit.push({
        awsRequestId,
        messageId: record.messageId,
        outcome: outcomes[record.messageId] ?? 'retry',
      });
    invocations.push({
      awsRequestId,
      messageIds: records.map((record) => record.messageId),
      returnedMessageIds: returned,
      outcome: returned.length === 0 ? 'success' : 'partial',
      deletedCount: records.length - returned.length,
    });
  };
  const judge = (overrides: Partial<JudgeInput> = {}) =>
    judgeMessages({
      events,
      messageIds: events.map((event) => `m${event.index}`),
      deliveries,
      audit,
      invocations,
      deadLetters: [],
      calls: new ChatCallIndex([], new Map()),
      receipts: new ReceiptLog([], [], []),
      profileOf: (instance) => PLAN_PROFILES[instance] ?? PLAN_PROFILES[0],
      hasAccount: () => true,
      maxReceives: 4,
      ...overrides,
    } as JudgeInput);
  return { deliver, judge, deliveries };
}

const erasable = (index: number, extra: Partial<ChaosEvent> = {}): ChaosEvent => ({
  index,
  kind: 'valid',
  body: JSON.stringify({ userId: `chaos-u-${index}`, requestId: `dsr-${index}`, chaosSeq: index }),
  expected: { type: 'erasable', userId: `chaos-u-${index}` },
  requestId: `dsr-${index}`,
  ...extra,
});

const deadLetter = (
  event: ChaosEvent,
  messageId: string,
  attributes: Record<string, string>,
): DeadLetterCopy => ({
  body: event.body,
  attributes: Object.fromEntries(
    Object.entries({
      'source-message-id': messageId,
      'erasure-id': `m${event.index}`,
      'request-id': event.requestId ?? `m${event.index}`,
      'failed-at': '2026-11-25T10:00:00.000Z',
      attempts: '1',
      ...attributes,
    }).map(([name, value]) => [
      name,
      { dataType: name === 'attempts' || name === 'error-code' ? 'Number' : 'String', value },
    ]),
  ),
});

const okCall = (user: string, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  receivedAtMs: 1,
  remotePort: 1,
  method: 'POST',
  service: 'sns',
  command: 'friend_get',
  query: {},
  body: { From_Account: user },
  httpStatus: 200,
  errorCode: 0,
  ...extra,
});

describe('judging messages and erasures', () => {
  it('follows an erasure across a continuation to its end', () => {
    const event = erasable(0);
    const { deliver, judge } = fixture([event]);
    deliver(0, [{ messageId: 'm0', body: event.body }], { m0: 'continued' });
    const carried = {
      'erasure-id': 'm0',
      'request-id': 'dsr-0',
      'first-sent-at': '1970-01-01T00:00:01.000Z',
      continuation: '1',
    };
    deliver(0, [{ messageId: 'c1', body: event.body, attributes: carried }], { c1: 'erased' });
    const [erasure] = judge().erasures;
    expect(erasure).toMatchObject({ state: 'erased', continued: 1, ends: 1 });
    expect(
      erasure?.messages.map((message) => [
        message.messageId,
        message.continuation,
        message.state,
        message.problems,
      ]),
    ).toEqual([
      ['m0', 0, 'continued', []],
      ['c1', 1, 'erased', []],
    ]);
    expect(erasure?.finishedBy).toEqual([PLAN_PROFILES[0]]);
  });

  it('calls an erasure whose continuation never came lost, and checks what a continuation carries', () => {
    const [a, b] = [erasable(0), erasable(1)];
    const { deliver, judge } = fixture([a, b]);
    deliver(
      0,
      [
        { messageId: 'm0', body: a.body },
        { messageId: 'm1', body: b.body },
      ],
      { m0: 'continued', m1: 'continued' },
    );
    deliver(
      0,
      [
        {
          messageId: 'c1',
          body: b.body,
          attributes: { 'erasure-id': 'm9', 'request-id': 'x', continuation: '1' },
        },
      ],
      {
        c1: 'erased',
      },
    );
    const [lost, carried] = judge().erasures;
    expect(lost?.state).toBe('lost');
    expect(lost?.messages[0]?.problems).toEqual([
      'continued, but its continuation never reached the function',
    ]);
    expect(carried?.messages[1]?.problems).toEqual([
      'continuation: erasure-id is not the first messageId of the erasure',
      'continuation: request-id x',
      'continuation: first-sent-at is not ISO-8601',
    ]);
  });

  it('calls a message never deleted lost, and one deleted as erased and also dead-lettered "in both"', () => {
    const [a, b] = [erasable(0), erasable(1)];
    const { deliver, judge } = fixture([a, b]);
    deliver(0, [{ messageId: 'm1', body: b.body }], { m1: 'erased' });
    const verdict = judge({
      deadLetters: [
        deadLetter(b, 'm1', { 'failure-reason': 'permanent-error', 'error-message': 'HTTP 404' }),
      ],
    });
    expect(verdict.erasures.map((erasure) => erasure.state)).toEqual(['lost', 'in both']);
    expect(verdict.erasures[1]?.messages[0]?.problems).toContain('final state: in both');
  });

  it('checks a dead letter against DESIGN.md: body, attributes and a reason the Chat API justified', () => {
    const [a, b, c] = [erasable(0), erasable(1), erasable(2)];
    const { deliver, judge } = fixture([a, b, c]);
    deliver(
      1,
      [
        { messageId: 'm0', body: a.body, receiveCount: 2 },
        { messageId: 'm1', body: b.body },
        { messageId: 'm2', body: c.body, receiveCount: 4 },
      ],
      {
        m0: 'dead-lettered',
        m1: 'dead-lettered',
        m2: 'dead-lettered',
      },
    );
    const { erasures } = judge({
      calls: new ChatCallIndex([okCall('chaos-u-1', { errorCode: 30001 })], new Map()),
      deadLetters: [
        {
          ...deadLetter(a, 'm0', {
            'failure-reason': 'retries-exhausted',
            'error-message': 'timeout',
            attempts: '2',
          }),
          body: `${a.body} `,
        },
        deadLetter(b, 'm1', {
          'failure-reason': 'permanent-error',
          'error-message': 'x',
          'error-code': '30001',
          'erasure-id': 'zz',
        }),
        deadLetter(c, 'm2', {
          'failure-reason': 'unverified',
          'error-message': 'still listed',
          attempts: '4',
          'failed-step': 'friends',
        }),
      ],
    });
    expect(erasures[0]?.messages[0]?.problems).toEqual([
      'DLQ copy: body differs from the message sent',
      'DLQ copy: retries-exhausted after 2 attempts (MAX_RECEIVES 4)',
    ]);
    expect(erasures[1]?.messages[0]?.problems).toEqual([
      'DLQ copy: erasure-id zz, expected the first messageId of the erasure',
    ]);
    expect(erasures[2]?.messages[0]?.problems).toEqual([
      'unverified, but no write for this account was ignored or failed by item (failed-step friends, error-message "still listed")',
    ]);
  });

  it('allows absent only when the account is gone or the API said so, and never for a doomed account erased', () => {
    const [a, b] = [
      erasable(0),
      erasable(1, { expected: { type: 'erasable', userId: 'chaos-u-1', doom: 'unverified' } }),
    ];
    const { deliver, judge } = fixture([a, b]);
    deliver(
      0,
      [
        { messageId: 'm0', body: a.body },
        { messageId: 'm1', body: b.body },
      ],
      { m0: 'absent', m1: 'erased' },
    );
    const problems = judge().erasures.map((erasure) => erasure.messages[0]?.problems);
    expect(problems).toEqual([
      ['reported absent, but the account exists and no answer said otherwise'],
      ['an account whose every delivery fails (unverified) ended erased'],
    ]);
    const lied = judge({
      calls: new ChatCallIndex(
        [okCall('chaos-u-0', { fault: 'error-code:30003', errorCode: 30003 })],
        new Map(),
      ),
    });
    expect(lied.erasures[0]?.messages[0]?.problems).toEqual([]);
  });
});

describe('judging receipts', () => {
  const busEvent = (
    detail: Record<string, unknown>,
    detailType = 'Chat Erasure Completed',
  ): RecordedEvent => ({
    eventId: 'e',
    bus: 'b',
    source: 'chat-erasure',
    detailType,
    detail,
    detailText: JSON.stringify(detail),
    resources: [],
    time: '',
  });
  const detail = (messageId: string, outcome: string, extra: Record<string, unknown> = {}) => ({
    version: '1',
    erasureId: 'm0',
    requestId: 'dsr-0',
    messageId,
    outcome,
    residual: [],
    completedAt: '2026-11-25T10:00:00.000Z',
    attempts: 1,
    ...extra,
  });

  it('wants a completion receipt for an erased record, on the bus and to its task', () => {
    const event = erasable(0);
    const { deliver, judge } = fixture([event]);
    deliver(1, [{ messageId: 'm0', body: event.body }], { m0: 'erased' });
    const receipts = new ReceiptLog(
      [
        busEvent(
          detail('m0', 'erased', { steps: { friends: { result: 'done', removed: 1, verified: true } } }),
        ),
      ],
      [],
      [],
    );
    const { erasures } = judge({ receipts });
    expect(
      judgeReceipts({ erasures, receipts, tokens: new Map(), receiptsUndelivered: 0, sdkAppId: 1 }).problems,
    ).toEqual([]);
    expect(erasures[0]?.messages[0]?.problems).toEqual([]);

    const withToken = judge({ receipts });
    judgeReceipts({
      erasures: withToken.erasures,
      receipts,
      tokens: new Map([[0, 'tok']]),
      receiptsUndelivered: 0,
      sdkAppId: 1,
      taskOf: () => ({ status: 'failed', error: 'ChatErasure.permanent-error' }),
    });
    expect(withToken.erasures[0]?.messages[0]?.problems).toEqual([
      'receipts: ended erased without a delivered SendTaskSuccess',
    ]);
    expect(withToken.erasures[0]?.problems).toEqual(['task failed for an erasure that ended erased']);
  });

  it('finds a missing receipt, a wrong one, one for a record returned for retry, and details that do not fit', () => {
    const [a, b] = [erasable(0), erasable(1)];
    const { deliver, judge } = fixture([a, b]);
    deliver(0, [{ messageId: 'm0', body: a.body }], { m0: 'retry' });
    deliver(
      0,
      [
        { messageId: 'm0', body: a.body, receiveCount: 2 },
        { messageId: 'm1', body: b.body },
      ],
      { m0: 'erased', m1: 'continued' },
    );
    const receipts = new ReceiptLog(
      [
        busEvent(detail('m0', 'erased', { attempts: 1, user: 'chaos-u-0' })),
        busEvent(detail('m1', 'erased', { erasureId: 'm1', requestId: 'dsr-1' })),
      ],
      [],
      [],
    );
    const { erasures } = judge({ receipts });
    judgeReceipts({ erasures, receipts, tokens: new Map(), receiptsUndelivered: 0, sdkAppId: 1 });
    expect(erasures[0]?.messages[0]?.problems).toEqual([
      'receipts: bus Chat Erasure Completed: user is not a pseudonym',
      'receipts: bus Chat Erasure Completed: holds a userId in plain text',
      'receipts: a receipt (erased) for a delivery that ended retry',
      'receipts: ended erased without a receipt on the bus',
    ]);
    expect(erasures[1]?.messages[0]?.problems).toEqual([
      'continued, but its continuation never reached the function',
      'receipts: a receipt (erased) for a delivery that ended continued',
    ]);
  });

  it('lets a refused receipt send a record back for retry, and counts dead letters whose receipt is missing', () => {
    const [a, b] = [erasable(0), erasable(1)];
    const { deliver, judge } = fixture([a, b]);
    deliver(0, [{ messageId: 'm0', body: a.body }], { m0: 'retry' });
    deliver(
      0,
      [
        { messageId: 'm0', body: a.body, receiveCount: 2 },
        { messageId: 'm1', body: b.body },
      ],
      { m0: 'erased', m1: 'dead-lettered' },
    );
    const refused: PutEventsCall = {
      target: 'AWSEvents.PutEvents',
      contentType: '',
      input: { Entries: [{ Detail: JSON.stringify(detail('m0', 'erased')) }] },
      status: 400,
      errorCode: 'ThrottlingException',
    };
    const task: TaskCall = {
      operation: 'SendTaskSuccess',
      target: '',
      contentType: '',
      input: { taskToken: 'tok', output: JSON.stringify(detail('m0', 'erased')) },
      status: 200,
    };
    // The second delivery's SendTaskSuccess finds the task closed by the first: delivered, nobody waits.
    const again: TaskCall = {
      ...task,
      input: { taskToken: 'tok', output: JSON.stringify(detail('m0', 'erased', { attempts: 2 })) },
      status: 400,
      errorCode: 'TaskTimedOut',
    };
    const receipts = new ReceiptLog(
      [busEvent(detail('m0', 'erased', { attempts: 2 }))],
      [refused],
      [task, again],
    );
    const { erasures } = judge({
      receipts,
      deadLetters: [
        deadLetter(b, 'm1', { 'failure-reason': 'permanent-error', 'error-message': 'HTTP 404' }),
      ],
      calls: new ChatCallIndex([okCall('chaos-u-1', { httpStatus: 404 })], new Map()),
    });
    const verdict = judgeReceipts({
      erasures,
      receipts,
      tokens: new Map([[0, 'tok']]),
      receiptsUndelivered: 0,
      sdkAppId: 1,
    });
    expect(erasures[0]?.messages[0]?.problems).toEqual([]);
    expect(verdict.problems).toEqual([
      '1 dead-lettered records lack a receipt, but ReceiptsUndelivered counts only 0',
    ]);
  });
});

describe('several DLQ copies of one message', () => {
  it('judges the record by the copy of the delivery that ended it, whatever order the DLQ returns them in', () => {
    const copy = (reason: string, attempts: number) => ({
      body: '{}',
      attributes: {
        'failure-reason': { dataType: 'String', value: reason },
        attempts: { dataType: 'Number', value: String(attempts) },
      },
    });
    // Delivery 4's DLQ send succeeded after the function gave up on it; delivery 5 dead-lettered it again.
    const early = copy('retries-exhausted', 4);
    const late = copy('unverified', 5);
    expect(latestCopy([early, late])).toBe(late);
    expect(latestCopy([late, early])).toBe(late);
    expect(latestCopy([])).toBeUndefined();
  });
});

describe('listing violations', () => {
  it('shows the first of each kind before the rest, and counts what it leaves out', () => {
    const receipts = Array.from({ length: 30 }, (_, i) => ({
      kind: 'no receipt',
      text: `#${i}: no receipt`,
    }));
    const listed: string[] = [];
    const counted = { kind: 'followers left: 2', text: '#31: followers left: 2' };
    listSome(listed, [...receipts, { kind: 'lost', text: '#30: lost' }, counted]);
    expect(listed.slice(0, 3)).toEqual(['#0: no receipt', '#30: lost', '#31: followers left: 2']);
    // A count does not make another kind.
    const again: string[] = [];
    listSome(again, [{ kind: 'followers left: 1', text: 'a' }, counted, { kind: 'lost', text: 'b' }]);
    expect(again).toEqual(['a', 'b', '#31: followers left: 2']);
    expect(listed).toHaveLength(26);
    expect(listed.at(-1)).toBe('… and 7 more');
  });
});

describe('judging personal data', () => {
  const empty = (userId: string): PersonalData => ({
    userId,
    accountExists: true,
    kicks: 1,
    friends: [],
    friendLists: [],
    blocklist: [],
    following: [],
    followers: [],
    conversations: [],
    unlistedConversations: [],
    contactGroups: [],
    groups: [],
    ownedGroups: [],
    groupMessages: [{ groupId: 'g', messages: 3 }],
    profile: { Tag_Profile_IM_AllowType: 'AllowType_Type_NeedConfirm', Tag_Profile_Custom_Team: 'blue' },
    heldByOthers: {
      friendOf: ['holder'],
      blockedBy: ['b'],
      conversations: [{ owner: 'p', messages: 2, listed: true }],
    },
  });
  const data = {
    seed: {},
    bystanders: ['chaos-b-0'],
    oneWayHolders: new Map([['u', new Set(['holder'])]]),
    groupAccounts: new Map(),
    bystanderGroups: ['cb-0-public'],
    kinds: new Map(),
  } as unknown as SeededData;
  const view = (left: PersonalData): ChatView => ({
    personalDataOf: () => left,
    hasAccount: () => true,
    groupOf: () => ({}),
    friendsOf: () => ['chaos-b-0'],
  });
  const judge = (left: PersonalData, steps: PlanStep[], calls: RequestLogEntry[] = []) =>
    judgePersonalData({
      finished: new Map([['u', new Set(steps)]]),
      chat: view(left),
      data,
      callsAbout: () => calls,
      admin: 'administrator',
      adminFriend: 'chaos-b-0',
    });
  const everyStep: PlanStep[] = [...PLAN_STEPS];

  it('accepts the documented residuals', () => {
    const left = { ...empty('u'), accountExists: false };
    left.groups = [{ groupId: 'live', type: 'AVChatRoom', role: 'Member', joinTime: 1 }];
    // A follower whose own list the step found gone (its follow_delete answered 30003) is done for that
    // item (DESIGN.md "Absent"); one the step never found gone is not excused.
    const foundGone = {
      service: 'follow',
      command: 'follow_delete',
      body: { From_Account: 'deleted-follower', To_Account: ['u'] },
      errorCode: 30003,
    } as RequestLogEntry;
    left.followers = ['deleted-follower'];
    expect(judge(left, everyStep, [foundGone]).problems).toEqual([]);
    left.followers = ['deleted-follower', 'missed-follower'];
    expect(judge(left, ['follows'], [foundGone]).problems).toEqual([
      'u: erased by a plan with follows, but followers left: 1',
    ]);
    // An injected 30003 is a lie, not a deleted follower (and waives the step instead).
    expect(judge(left, ['follows'], [{ ...foundGone, fault: 'error-code:30003' }]).waivedSteps).toBe(1);
  });

  it('finds what a step should have removed, by the steps of the plans that erased the user', () => {
    const left: PersonalData = {
      ...empty('u'),
      kicks: 0,
      friends: ['f'],
      heldByOthers: { friendOf: ['holder', 'partner'], blockedBy: [], conversations: [] },
      blocklist: ['x'],
      followers: ['y'],
      unlistedConversations: [{ type: 'C2C', with: 'p', messages: 1, pinned: false, msgTime: 1 }],
      groups: [{ groupId: 'g', type: 'Public', role: 'Member', joinTime: 1 }],
      ownedGroups: ['own'],
      profile: { Tag_Profile_IM_Nick: 'n', Tag_Profile_Custom_Score: 4 },
    };
    expect(judge(left, ['friends']).problems).toEqual([
      'u: erased by a plan with friends, but friends on its own list left: 1',
      'u: erased by a plan with friends, but two-way partners holding it left: 1',
    ]);
    expect(judge(left, everyStep).problems).toHaveLength(10);
    // A lie about the profile ("does not exist") waives the profile and account checks.
    const lie = { service: 'profile', command: 'portrait_get', fault: 'error-code:40003' } as RequestLogEntry;
    const waived = judge(left, everyStep, [lie]);
    expect(waived.waivedSteps).toBe(2);
    expect(waived.problems.some((problem) => problem.includes('profile'))).toBe(false);
  });
});

describe('the chaos run, fixed seed (issues 5, 9, 10)', () => {
  const events = 500;
  let report: ChaosReport;
  let summary: string;

  beforeAll(async () => {
    // ≈ 30 s here; the bound leaves room for a machine several times slower (a drain cut short by it
    // would report records as lost, a fault of the run, not of the function).
    report = await runChaos({ events, seed: 20261125, instances: 4, maxDurationMs: 150_000 });
    summary = formatChaosReport(report);
  }, 170_000);

  afterAll(() => {
    // The summary is the first thing to read when an assertion below fails.
    if (report !== undefined && report.violations.length + report.unexercised.length > 0)
      console.log(summary);
  });

  it('breaks no promise', () => {
    expect(report.violations, summary).toEqual([]);
  });

  it('accounts for every erasure across continuations: none lost, none in both', () => {
    expect(report.states.lost).toBe(0);
    expect(report.states['in both']).toBe(0);
    expect(
      report.states.erased + report.states.absent + report.states['dead-lettered'] + report.states.backstop,
    ).toBe(events);
    expect(report.messages.lost + report.messages['in both']).toBe(0);
    expect(report.continuations.messages).toBeGreaterThan(0);
    expect(report.queueLeft).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect(report.drain.stoppedBy).toBe('empty');
  });

  it('runs every plan and every step, on users with data of every kind, and leaves only the residuals', () => {
    for (const plan of report.plans) expect(report.finishedByPlan[plan.name], plan.name).toBeGreaterThan(0);
    expect(report.plans.map((plan) => plan.name)).toEqual(PLAN_PROFILES.map((profile) => profile.name));
    expect(report.data.usersWithEveryKind).toBeGreaterThan(0);
    expect(report.data.checkedUsers).toBeGreaterThan(events / 3);
    expect(report.data.problems).toEqual([]);
    expect(report.steps.groups.transferred).toBeGreaterThan(0);
    expect(report.steps.groups.destroyed).toBeGreaterThan(0);
  });

  it('dead-letters with every reason, doomed accounts never erased', () => {
    for (const reason of FAILURE_REASONS) {
      expect(report.deadLetterReasons[reason], reason).toBeGreaterThan(0);
    }
    // (A doomed account is erased only when an injected "does not exist" stops its plan: the verdicts check it.)
    for (const doom of ['transient', 'timeout', 'unverified', 'receipt-throttled'] as const) {
      expect(Object.keys(report.doomed[doom] ?? {}), doom).not.toHaveLength(0);
    }
    expect(report.doomed.unverified?.unverified).toBeGreaterThan(0);
    expect(report.doomed['receipt-throttled']?.['receipt-undelivered']).toBeGreaterThan(0);
  });

  it('delivers receipts to the bus and to tasks, through their faults', () => {
    expect(report.receipts.busCompleted).toBeGreaterThanOrEqual(report.states.erased + report.states.absent);
    expect(report.receipts.busFailed).toBeGreaterThan(0);
    expect(report.receipts.refusedEntries).toBeGreaterThan(0);
    expect(report.receipts.tasksByStatus.succeeded).toBeGreaterThan(0);
    expect(report.receipts.tasksByStatus.failed).toBeGreaterThan(0);
    expect(report.receipts.heartbeats).toBeGreaterThan(0);
  });

  it('stays inside every command’s budget and never trips the limiter', () => {
    for (const window of report.calls.perCommand)
      expect(window.calls, window.command).toBeLessThanOrEqual(window.budget);
    expect(report.calls.counters.throttled).toBe(0);
    expect(report.calls.logged).toBe(report.calls.total);
  });

  it('writes no secret key, UserSig or plain userId to the logs, the DLQ or a receipt', () => {
    expect(report.leaks).toEqual({ labels: [], lines: 0, plainUserIdLines: 0 });
  });

  it('really was chaotic: every fault kind on every command, both outages, the rotation, deadlines', () => {
    expect(report.unexercised).toEqual([]);
    expect(report.drain.returnedForRetry).toBeGreaterThan(0);
    expect(report.drain.handlerTimeouts).toBe(0);
  });
});

describe('a sabotaged chaos run', () => {
  it('is caught: skipped invocations lose records, receipts sent elsewhere are missing, data left behind is found', async () => {
    const report = await runChaos({
      events: 250,
      seed: 5,
      instances: 4,
      maxDurationMs: 100_000,
      sabotage: ['skip-invocations', 'wrong-bus', 'restore-data'],
    });
    const text = report.violations.join('\n');
    expect(report.states.lost).toBeGreaterThan(0);
    expect(text).toContain('final state: lost');
    expect(text).toContain('without a receipt on the bus');
    expect(text).toMatch(/erased by a plan with friends, but friends on its own list left/);
  }, 120_000);
});
