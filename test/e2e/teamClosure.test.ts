/**
 * A whole team closing at once (an organisation offboarding): every member's data names the others —
 * friends, blocklists, follows both ways, conversations, and groups each member owns with the others as
 * its longest-standing members — and their erasures run at the same time in two instances, with the full
 * plan and the default `transfer` policy. Through the real bundle against the simulator, without faults:
 * every erasure ends erased (a delivery may be retried when another erasure changed what it was acting
 * on, never dead-lettered), and nothing of any member is left but what DESIGN makes done for the item.
 */
import { describe, expect, it } from 'vitest';
import { FULL_PLAN } from '../../sim/planSeeds.ts';
import { event, lambdaContext, lastOutcome, readDeadLetters, sqsEvent, worldsPerTest } from './support.ts';

const startWorld = worldsPerTest({ functionEnv: { ERASURE_STEPS: FULL_PLAN } });

const TEAM = Array.from({ length: 12 }, (_, i) => `team_${i}`);
/** Members who stay: each group's newest member, so the groups outlive the team. */
const STAYING = ['team_stays_0', 'team_stays_1'];
/** Deliveries per erasure before the test gives up (the function's MAX_RECEIVES is 5). */
const ROUNDS = 5;

function seedTeam() {
  const next = (i: number) => TEAM[(i + 1) % TEAM.length] as string;
  return {
    accounts: [...TEAM, ...STAYING],
    friendships: TEAM.map((user, i): [string, string, 'both'] => [user, next(i), 'both']),
    blocklist: TEAM.map((user, i) => ({ owner: user, blocked: next(i) })),
    follows: TEAM.flatMap((follower) =>
      [...TEAM, ...STAYING].filter((other) => other !== follower).map((followee) => ({ follower, followee })),
    ),
    conversations: TEAM.map((user, i) => ({ owner: user, peer: next(i), messages: 2, peerMessages: 2 })),
    groups: TEAM.map((owner, i) => ({
      groupId: `team-g-${i}`,
      type: 'Public' as const,
      owner,
      members: [
        { account: owner, role: 'Owner' as const, joinTime: 1_700_000_000 },
        // The other members joined in team order after the owner; the staying ones joined last.
        ...TEAM.filter((member) => member !== owner).map((account, k) => ({
          account,
          joinTime: 1_700_000_100 + k,
        })),
        ...STAYING.map((account, k) => ({ account, joinTime: 1_800_000_000 + k })),
      ],
    })),
  };
}

describe('a whole team closing at once', () => {
  it('erases every member, in two instances at the same time, leaving nothing of theirs behind', async () => {
    const w = await startWorld();
    w.chat.seed(seedTeam());
    const instances = [await w.startInstance(), await w.startInstance()];
    const outcomes = new Map<string, string[]>();
    let pending = [...TEAM];
    for (let round = 1; round <= ROUNDS && pending.length > 0; round++) {
      const halves = [pending.filter((_, i) => i % 2 === 0), pending.filter((_, i) => i % 2 === 1)];
      const batches = halves.map((users) => ({
        users,
        batch: sqsEvent(
          w,
          users.map((userId) => event({ userId })),
          round,
        ),
      }));
      await Promise.all(
        batches.map(({ batch }, i) =>
          batch.Records.length === 0 ? undefined : instances[i]?.handler(batch, lambdaContext()),
        ),
      );
      for (const { users, batch } of batches) {
        batch.Records.forEach((record, i) => {
          const user = users[i] as string;
          const outcome = String(lastOutcome(w, record.messageId)?.outcome);
          outcomes.set(user, [...(outcomes.get(user) ?? []), outcome]);
        });
      }
      pending = pending.filter((user) => outcomes.get(user)?.at(-1) === 'retry');
    }

    // Every erasure ended erased; a retry is allowed (another member's erasure changed a group under it).
    for (const user of TEAM) {
      expect(outcomes.get(user)?.at(-1), `${user}: ${outcomes.get(user)?.join(' → ')}`).toBe('erased');
    }
    expect((await readDeadLetters(w)).size).toBe(0);

    for (const user of TEAM) {
      const left = w.chat.personalDataOf(user);
      expect(left.accountExists, user).toBe(false);
      expect(left.friends, user).toEqual([]);
      expect(left.blocklist, user).toEqual([]);
      expect(left.following, user).toEqual([]);
      // A follower deleted before it could be acted on is done for that item (DESIGN.md "Absent").
      expect(
        left.followers.filter((follower) => w.chat.hasAccount(follower)),
        user,
      ).toEqual([]);
      expect(left.conversations, user).toEqual([]);
      expect(left.groups, user).toEqual([]);
      expect(left.ownedGroups, user).toEqual([]);
    }
    // Handed over, not destroyed: every group lives on with a member who stays as its owner.
    for (const [i] of TEAM.entries()) {
      expect(STAYING).toContain(w.chat.groupOf(`team-g-${i}`)?.owner);
    }
  });
});
