/**
 * The full-plan part of `npm start`: a fresh world whose function runs every step of the erasure plan
 * (ERASURE_STEPS = all eight), one demo user seeded with data of every kind, one event for it, and what
 * the simulator holds about that user before and after, kind by kind, beside the step results and the
 * receipt the pipeline got.
 */
import type { PersonalData } from '../../sim/chat-api/index.ts';
import { startErasureWorld } from '../../sim/erasureWorld.ts';
import { CUSTOM_TAGS, FULL_PLAN, SIMULATOR_CUSTOM_TAGS, seedFullUser } from '../../sim/planSeeds.ts';
import { type AuditLine, auditTrail } from './auditLog.ts';

export const FULL_PLAN_USER = 'demo_full';
const RECEIPT_BUS = 'chat-erasure-receipts';

/** One kind of personal data: how much the simulator held before and after the run. */
export interface DataKindChange {
  kind: string;
  before: number;
  after: number;
  /** What remains by design, when anything does. */
  residual?: string;
}

export interface FullPlanReport {
  userId: string;
  steps: string;
  audit: AuditLine[];
  kinds: DataKindChange[];
  /** What other users still hold about the user (out of reach of every API). */
  heldByOthers: { friendOf: string[]; blockedBy: string[]; peerConversations: number };
  receipts: { detailType: string; detail: Record<string, unknown> }[];
  drainMs: number;
}

const count = (data: PersonalData) => ({
  'friends (own list)': data.friends.length,
  'friend lists': data.friendLists.length,
  'blocklist (own)': data.blocklist.length,
  following: data.following.length,
  followers: data.followers.length,
  'conversations (own side, roaming messages cleared)':
    data.conversations.length + data.unlistedConversations.length,
  'conversation groups': data.contactGroups.length,
  'group memberships': data.groups.length,
  'groups owned': data.ownedGroups.length,
  'profile fields': Object.keys(data.profile).length,
  account: data.accountExists ? 1 : 0,
});

const RESIDUAL_BY_KIND: Record<string, string> = {
  'group memberships': 'an AVChatRoom the user only joined: it keeps no member list',
};

/**
 * @example
 * const report = await runFullPlan({ signal, maxDrainMs: 30_000, verbose: false });
 */
export async function runFullPlan(options: {
  signal: AbortSignal;
  maxDrainMs: number;
  verbose: boolean;
}): Promise<FullPlanReport> {
  const world = await startErasureWorld({
    chatCallsPerSecond: 200,
    receiptBus: RECEIPT_BUS,
    echoFunctionLogs: options.verbose,
    chatOptions: {
      customProfileTags: SIMULATOR_CUSTOM_TAGS,
    },
    functionEnv: { ERASURE_STEPS: FULL_PLAN, PROFILE_CUSTOM_TAGS: CUSTOM_TAGS },
  });
  try {
    seedFullUser(world.chat, FULL_PLAN_USER);
    const before = count(world.chat.personalDataOf(FULL_PLAN_USER));
    const [messageId] = await world.enqueue([
      JSON.stringify({
        userId: FULL_PLAN_USER,
        requestId: 'dsr-demo-full',
        occurredAt: new Date().toISOString(),
      }),
    ]);
    const started = performance.now();
    await world.drain({ instances: 1, maxDurationMs: options.maxDrainMs, signal: options.signal });
    const drainMs = performance.now() - started;
    const afterData = world.chat.personalDataOf(FULL_PLAN_USER);
    const after = count(afterData);
    const kinds = Object.entries(before).map(([kind, held]) => ({
      kind,
      before: held,
      after: after[kind as keyof typeof after],
      ...(RESIDUAL_BY_KIND[kind] !== undefined && after[kind as keyof typeof after] > 0
        ? { residual: RESIDUAL_BY_KIND[kind] }
        : {}),
    }));
    return {
      userId: FULL_PLAN_USER,
      steps: FULL_PLAN,
      audit: auditTrail(world.logRecords()).byMessage.get(messageId as string) ?? [],
      kinds,
      heldByOthers: {
        friendOf: afterData.heldByOthers.friendOf,
        blockedBy: afterData.heldByOthers.blockedBy,
        peerConversations: afterData.heldByOthers.conversations.length,
      },
      receipts: world.events
        .events({ bus: RECEIPT_BUS })
        .map((event) => ({ detailType: event.detailType, detail: event.detail })),
      drainMs,
    };
  } finally {
    await world.close();
  }
}
