/**
 * One queue's part of `npm start`: a fresh erasure world (the real bundle on the loopback stand-ins),
 * seeded with the users the events name, fed the events, drained by the event-source-mapping poller with
 * two warm instances, and read back: the function's audit lines, the friend lists before and after, the
 * DLQ. The world is closed on every path, errors and Ctrl-C included.
 */
import { randomBytes } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { DrainResult } from '../../sim/aws/eventSourceMapping.ts';
import { postSignedEvent, startFunctionUrlServer } from '../../sim/aws/functionUrlServer.ts';
import type { ChatApiSimulator, RequestLogEntry } from '../../sim/chat-api/index.ts';
import { DEMO_ADMIN_SECRET, type ErasureWorld, startErasureWorld } from '../../sim/erasureWorld.ts';
import { parseAccountClosure } from '../../src/erasure/accountClosureEvent.ts';
import { type AuditLine, auditTrail } from './auditLog.ts';
import { type DemoSeed, demoFriendGraph } from './demoFriendGraph.ts';
import type { EventFile, QueueKind } from './eventFiles.ts';
import { type ErasedUserChange, type FriendLists, friendListChanges } from './friendListChanges.ts';

/** Warm Lambda instances polling the queue: the template's MaxConcurrency default. */
export const DEMO_INSTANCES = 2;
/** The simulator's per-second call limit: Tencent's documented 200 calls/s per app. */
export const CHAT_CALLS_PER_SECOND = 200;
/** The EventBridge bus the demo's receipts go to (RECEIPT_EVENT_BUS). */
export const DEMO_RECEIPT_BUS = 'chat-erasure-receipts';
const INGRESS_BUNDLE = new URL('../../dist/ingress.mjs', import.meta.url);
const INGRESS_SECRET = 'chat-erasure/ingress-signing-keys';

/** What the webhook ingress answered for one body. */
export interface IngressAnswer {
  status: number;
  /** `invalid-event` etc. for a refusal; the requestId/messageId for a 202. */
  body: unknown;
}

export interface QueueRunOptions {
  queue: QueueKind;
  files: readonly EventFile[];
  /** Echo the function's raw JSON log lines as they are written. */
  verbose: boolean;
  /** Ctrl-C: stops the drain; the run still reads back what happened and closes the world. */
  signal: AbortSignal;
  /** Hard bound on the drain. */
  maxDrainMs: number;
}

/** One enqueued message and what the function said about it. */
export interface DemoRecord {
  file: string;
  /** 1-based position in its file. */
  position: number;
  /** The messageId SQS gave it in this run (the file's own ids are not reused). */
  messageId: string;
  body: string;
  groupId?: string;
  /**
   * The userId the body names (a refused one included), read by this demo with the function's own parser.
   * The function itself logs only the pseudonym.
   */
  plainUserId?: string;
  /** The function's audit lines for this record, oldest first. */
  audit: AuditLine[];
}

/** One DLQ message as the function (or the queue's redrive) left it. */
export interface DeadLetterView {
  body: string;
  /** The DLQ message attributes by name (String and Number values). */
  attributes: Record<string, string>;
}

export interface ChatTraffic {
  /** Every request the simulator received (retries and throttled ones included). */
  calls: number;
  throttled: number;
  byCommand: Record<string, number>;
  /** Most call starts in any sliding 1-s window. */
  peakPerSecond: number;
}

export interface QueueRunReport {
  queue: QueueKind;
  /** Warm Lambda instances that polled the queue. */
  instances: number;
  queueName: string;
  dlqName: string;
  seed: DemoSeed;
  records: DemoRecord[];
  friendLists: ErasedUserChange[];
  deadLetters: DeadLetterView[];
  drain: DrainResult;
  drainMs: number;
  /** Importing the bundle into each instance (cold starts), before the drain. */
  coldStartMs: number;
  chat: ChatTraffic;
  /** The simulator's per-second call limit in this run. */
  chatCallsPerSecond: number;
  /** `erasure` log lines missing a contract key. */
  malformedAuditLines: number;
  /** The standard-queue run posts its bodies through the signed webhook first: its answers, by record. */
  ingress?: { url: string; answers: IngressAnswer[] };
  /** The EventBridge bus receipts went to, and what it received. */
  receiptBus: string;
  receipts: { detailType: string; detail: Record<string, unknown> }[];
}

function plainUserIdOf(body: string): string | undefined {
  const parsed = parseAccountClosure(body, {
    messageId: 'npm-start',
    protectedUserIds: new Set([DEMO_ADMIN_SECRET.adminIdentifier]),
  });
  return parsed.valid ? parsed.userId : parsed.rejectedUserId;
}

/** The userIds a valid event names: the accounts to seed. Refused ones are not imported. */
function seedableUserIds(bodies: readonly string[]): string[] {
  return bodies.flatMap((body) => {
    const parsed = parseAccountClosure(body, {
      messageId: 'npm-start',
      protectedUserIds: new Set([DEMO_ADMIN_SECRET.adminIdentifier]),
    });
    return parsed.valid ? [parsed.userId] : [];
  });
}

const snapshot = (chat: ChatApiSimulator, accounts: readonly string[]): FriendLists =>
  new Map(accounts.map((account) => [account, chat.friendsOf(account)]));

function peakPerSecond(requests: readonly RequestLogEntry[]): number {
  const starts = requests.map((request) => request.receivedAtMs).sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  starts.forEach((start, last) => {
    while ((starts[first] as number) <= start - 1000) first += 1;
    peak = Math.max(peak, last - first + 1);
  });
  return peak;
}

function chatTraffic(chat: ChatApiSimulator): ChatTraffic {
  const requests = chat.requests;
  const byCommand: Record<string, number> = {};
  for (const request of requests) {
    const command = request.command === '' ? '(other path)' : request.command;
    byCommand[command] = (byCommand[command] ?? 0) + 1;
  }
  const counters = chat.counters;
  return {
    calls: counters.received,
    throttled: counters.throttled,
    byCommand,
    peakPerSecond: peakPerSecond(requests),
  };
}

function deadLetterView(message: Message): DeadLetterView {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return { body: message.Body ?? '', attributes };
}

/**
 * @example
 * const report = await runQueue({ queue: 'standard', files, verbose: false, signal, maxDrainMs: 30_000 });
 * report.records[0]?.audit.at(-1)?.outcome; // 'erased'
 */
export async function runQueue(options: QueueRunOptions): Promise<QueueRunReport> {
  const fifo = options.queue === 'fifo';
  const messages = options.files.flatMap((file) =>
    file.messages.map((message, index) => ({ file: file.name, position: index + 1, ...message })),
  );
  const world = await startErasureWorld({
    fifo,
    chatCallsPerSecond: CHAT_CALLS_PER_SECOND,
    echoFunctionLogs: options.verbose,
    receiptBus: DEMO_RECEIPT_BUS,
  });
  try {
    const seed = demoFriendGraph(seedableUserIds(messages.map((message) => message.body)));
    world.chat.seed({ accounts: seed.accounts, friendships: seed.friendships });
    const before = snapshot(world.chat, seed.accounts);

    const bodies = messages.map((message) => message.body);
    // Standard queue: each body goes through the signed webhook first, as a DSR platform would send it;
    // what the webhook refuses is then sent straight to SQS (as any queue producer could), so the demo
    // still shows how the function dead-letters it. FIFO samples keep their own message groups: direct.
    const ingress = fifo ? undefined : await postThroughIngress(world, bodies);
    const direct = await world.enqueue(
      ingress === undefined ? bodies : bodies.filter((_, index) => ingress.answers[index]?.status !== 202),
      fifo ? { groupOf: (index) => messages[index]?.groupId ?? 'default' } : {},
    );
    const messageIds = bodies.map((_, index) => {
      const answer = ingress?.answers[index];
      return answer?.status === 202
        ? String((answer.body as { messageId: string }).messageId)
        : (direct.shift() as string);
    });
    // Cold starts first, so the drain's time and call rate measure warm instances at work.
    const coldStarted = performance.now();
    while (world.instances.length < DEMO_INSTANCES) world.instances.push(await world.startInstance());
    const coldStartMs = performance.now() - coldStarted;
    const drainStarted = performance.now();
    const drain = await world.drain({
      instances: DEMO_INSTANCES,
      reuseInstances: true,
      maxDurationMs: options.maxDrainMs,
      signal: options.signal,
    });
    const drainMs = performance.now() - drainStarted;

    const after = snapshot(world.chat, seed.accounts);
    const trail = auditTrail(world.logRecords());
    const records: DemoRecord[] = messages.map((message, index) => {
      const messageId = messageIds[index] as string;
      const plainUserId = plainUserIdOf(message.body);
      return {
        file: message.file,
        position: message.position,
        messageId,
        body: message.body,
        ...(message.groupId !== undefined && { groupId: message.groupId }),
        ...(plainUserId !== undefined && { plainUserId }),
        audit: trail.byMessage.get(messageId) ?? [],
      };
    });
    const erasedUserIds = records.flatMap((record) =>
      record.audit.at(-1)?.outcome === 'erased' && record.plainUserId !== undefined
        ? [record.plainUserId]
        : [],
    );
    return {
      queue: options.queue,
      instances: DEMO_INSTANCES,
      queueName: world.queue.name,
      dlqName: world.dlq.name,
      seed,
      records,
      friendLists: friendListChanges(before, after, erasedUserIds),
      deadLetters: (await world.sqs.readAll(world.dlq.url)).map(deadLetterView),
      drain,
      drainMs,
      coldStartMs,
      chat: chatTraffic(world.chat),
      chatCallsPerSecond: CHAT_CALLS_PER_SECOND,
      malformedAuditLines: trail.malformed,
      ...(ingress === undefined ? {} : { ingress }),
      receiptBus: DEMO_RECEIPT_BUS,
      receipts: world.events
        .events({ bus: DEMO_RECEIPT_BUS })
        .map((event) => ({ detailType: event.detailType, detail: event.detail })),
    };
  } finally {
    await world.close();
  }
}

/**
 * Posts every body through the webhook ingress (the built `dist/ingress.mjs` behind a Function URL
 * stand-in on loopback, signed with a fresh demo key kept in the Secrets Manager stand-in) and returns
 * the answers, in order.
 */
async function postThroughIngress(
  world: ErasureWorld,
  bodies: readonly string[],
): Promise<{ url: string; answers: IngressAnswer[] }> {
  const key = randomBytes(32).toString('hex');
  world.secrets.setSecret(INGRESS_SECRET, JSON.stringify({ signingKeys: [key] }));
  // The ingress reads its configuration at import, from the environment the world set up.
  process.env.ERASURE_QUEUE_URL = world.queue.url;
  process.env.INGRESS_SECRET_ID = INGRESS_SECRET;
  try {
    const { handler } = (await import(`${INGRESS_BUNDLE.href}?demo=${Date.now()}`)) as {
      handler: Parameters<typeof startFunctionUrlServer>[0]['handler'];
    };
    const server = await startFunctionUrlServer({ handler });
    try {
      const answers: IngressAnswer[] = [];
      for (const body of bodies) {
        const answer = await postSignedEvent(server.url, body, key);
        answers.push({ status: answer.status, body: answer.body });
      }
      return { url: `${server.url}/erasures`, answers };
    } finally {
      await server.close();
    }
  } finally {
    delete process.env.ERASURE_QUEUE_URL;
    delete process.env.INGRESS_SECRET_ID;
  }
}
