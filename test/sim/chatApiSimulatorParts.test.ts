/**
 * The simulator's pure parts without a network: friend-graph semantics (with properties over random
 * graphs), the sliding rate window, the fault queue and the seeded random faults.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultQueue, RandomFaultSource } from '../../sim/chat-api/faults.ts';
import { FriendGraph, mulberry32, SlidingRateWindow, UnknownAccountError } from '../../sim/chat-api/index.ts';

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const source = (addSource = 'AddSource_Type_Test') => ({ addSource, addTimeSeconds: 1_700_000_000 });

function graphWith(edges: [number, number][]): FriendGraph {
  const graph = new FriendGraph();
  for (const user of USERS) graph.importAccount(user);
  for (const [from, to] of edges) {
    const a = USERS[from] ?? '';
    const b = USERS[to] ?? '';
    if (a !== b && !graph.hasEdge(a, b)) graph.link(a, b, 'single');
  }
  return graph;
}

function edgeSet(graph: FriendGraph): Set<string> {
  return new Set(USERS.flatMap((user) => graph.friendsOf(user).map((friend) => `${user}->${friend}`)));
}

const edgesArbitrary = fc.array(
  fc.tuple(fc.integer({ min: 0, max: USERS.length - 1 }), fc.integer({ min: 0, max: USERS.length - 1 })),
  { maxLength: 30 },
);

describe('FriendGraph', () => {
  it('friend_add semantics: Both links two ways, Single one way; duplicates, self and unknown fail per item', () => {
    const graph = new FriendGraph();
    for (const user of ['a', 'b', 'c']) graph.importAccount(user);
    const results = graph.add(
      'a',
      [
        { toAccount: 'b', data: source() },
        { toAccount: 'b', data: source() },
        { toAccount: 'a', data: source() },
        { toAccount: 'ghost', data: source() },
      ],
      'Add_Type_Both',
    );
    expect(results.map((result) => result.code)).toEqual([0, 30001, 30001, 30003]);
    expect(results[1]?.info).toBe('Err_SNS_FriendAdd_Friend_Exist');
    expect(graph.add('a', [{ toAccount: 'c', data: source() }], 'Add_Type_Single')[0]?.code).toBe(0);
    expect(graph.friendsOf('a')).toEqual(['b', 'c']);
    expect(graph.friendsOf('b')).toEqual(['a']);
    expect(graph.friendsOf('c')).toEqual([]);
  });

  it('Add_Type_Both on top of a one-way reverse entry keeps that entry and its data', () => {
    const graph = new FriendGraph();
    for (const user of ['a', 'b']) graph.importAccount(user);
    graph.import('b', [{ toAccount: 'a', data: { ...source('AddSource_Type_Old'), remark: 'kept' } }]);
    graph.add('a', [{ toAccount: 'b', data: source() }], 'Add_Type_Both');
    expect(graph.check('a', 'b', 'CheckResult_Type_Both')).toBe('CheckResult_Type_BothWay');
    expect(graph.friendData('b', 'a')?.remark).toBe('kept');
  });

  it('friend_import is one-way and overwrites an existing entry', () => {
    const graph = new FriendGraph();
    for (const user of ['a', 'b']) graph.importAccount(user);
    graph.import('a', [{ toAccount: 'b', data: source('AddSource_Type_One') }]);
    expect(graph.import('a', [{ toAccount: 'b', data: source('AddSource_Type_Two') }])[0]?.code).toBe(0);
    expect(graph.friendData('a', 'b')?.addSource).toBe('AddSource_Type_Two');
    expect(graph.friendsOf('b')).toEqual([]);
  });

  it('enforces the friend limit per user (30010 for From, 30014 for the other side of a Both add)', () => {
    const graph = new FriendGraph(2);
    for (const user of ['a', 'b', 'c', 'd']) graph.importAccount(user);
    graph.link('a', 'b', 'single');
    graph.link('a', 'c', 'single');
    expect(graph.add('a', [{ toAccount: 'd', data: source() }], 'Add_Type_Single')[0]?.code).toBe(30010);
    expect(graph.add('d', [{ toAccount: 'a', data: source() }], 'Add_Type_Both')[0]?.code).toBe(30014);
    expect(graph.add('d', [{ toAccount: 'a', data: source() }], 'Add_Type_Single')[0]?.code).toBe(0);
  });

  it('re-importing an account keeps its list and merges its profile', () => {
    const graph = new FriendGraph();
    graph.importAccount('a', { nick: 'A' });
    graph.importAccount('b');
    graph.link('a', 'b', 'both');
    graph.importAccount('a', { faceUrl: 'https://example.com/a.png' });
    expect(graph.friendsOf('a')).toEqual(['b']);
    expect(graph.profileOf('a')).toEqual({ nick: 'A', faceUrl: 'https://example.com/a.png' });
  });

  it('the link helper refuses accounts that were never imported', () => {
    const graph = new FriendGraph();
    graph.importAccount('a');
    expect(() => graph.link('a', 'nobody', 'both')).toThrow(UnknownAccountError);
  });

  it('bumps the StandardSequence on every change to a list, and only that list', () => {
    const graph = new FriendGraph();
    for (const user of ['a', 'b']) graph.importAccount(user);
    expect(graph.sequenceOf('a')).toBe(0);
    graph.link('a', 'b', 'single');
    expect([graph.sequenceOf('a'), graph.sequenceOf('b')]).toEqual([1, 0]);
    graph.deleteAll('a', 'Delete_Type_Single');
    graph.deleteAll('a', 'Delete_Type_Single');
    expect(graph.sequenceOf('a')).toBe(2);
  });

  it('property: deleteAll removes exactly the documented edges (Single: own list; Both: + reverse of own list)', () => {
    fc.assert(
      fc.property(
        edgesArbitrary,
        fc.constantFrom('Delete_Type_Single', 'Delete_Type_Both'),
        (edges, deleteType) => {
          const graph = graphWith(edges);
          const before = edgeSet(graph);
          const ownList = graph.friendsOf('u0');
          const expected = new Set(
            [...before].filter((edge) => {
              if (edge.startsWith('u0->')) return false;
              const [owner] = edge.split('->');
              return !(
                deleteType === 'Delete_Type_Both' &&
                edge.endsWith('->u0') &&
                ownList.includes(owner ?? '')
              );
            }),
          );
          graph.deleteAll('u0', deleteType);
          expect(edgeSet(graph)).toEqual(expected);
          expect(graph.friendsOf('u0')).toEqual([]);
          // After Both, only one-way holders the erased user could not see still hold it.
          if (deleteType === 'Delete_Type_Both') {
            for (const holder of graph.holdersOf('u0')) expect(ownList).not.toContain(holder);
          }
        },
      ),
    );
  });

  it('property: friend_check relations agree with the two lists', () => {
    fc.assert(
      fc.property(edgesArbitrary, (edges) => {
        const graph = graphWith(edges);
        for (const a of USERS) {
          for (const b of USERS) {
            const ab = graph.hasEdge(a, b);
            const ba = graph.hasEdge(b, a);
            const both = graph.check(a, b, 'CheckResult_Type_Both');
            const single = graph.check(a, b, 'CheckResult_Type_Single');
            expect(both).toBe(
              ab && ba
                ? 'CheckResult_Type_BothWay'
                : ab
                  ? 'CheckResult_Type_AWithB'
                  : ba
                    ? 'CheckResult_Type_BWithA'
                    : 'CheckResult_Type_NoRelation',
            );
            expect(single).toBe(ab ? 'CheckResult_Type_AWithB' : 'CheckResult_Type_NoRelation');
            expect(graph.holdersOf(b).includes(a)).toBe(ab);
          }
        }
      }),
    );
  });

  it('property: following NextStartIndex until CompleteFlag reads the whole list once, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 }), (friends, pageSize) => {
        const graph = new FriendGraph();
        graph.importAccount('owner');
        const ids = Array.from({ length: friends }, (_, index) => `f${index}`);
        for (const id of ids) graph.importAccount(id);
        graph.import(
          'owner',
          ids.map((toAccount) => ({ toAccount, data: source() })),
        );
        const read: string[] = [];
        let start = 0;
        for (let pages = 0; pages <= friends + 1; pages += 1) {
          const page = graph.page('owner', start, pageSize);
          expect(page.friendNum).toBe(friends);
          read.push(...page.entries.map((entry) => entry.toAccount));
          if (page.complete) {
            expect(page.nextStartIndex).toBe(0);
            break;
          }
          expect(page.entries).toHaveLength(pageSize);
          start = page.nextStartIndex;
        }
        expect(read).toEqual(ids);
      }),
    );
  });
});

describe('SlidingRateWindow', () => {
  it('admits at most `limit` arrivals in any window (t - 1000, t]', () => {
    const window = new SlidingRateWindow(2);
    expect([0, 10, 20, 1011].map((t) => window.admit(t))).toEqual([true, true, false, true]);
  });

  it('counts rejected arrivals: a steady flood just above the limit stays throttled', () => {
    const window = new SlidingRateWindow(999);
    const admitted = Array.from({ length: 5000 }, (_, t) => window.admit(t)).filter(Boolean).length;
    expect(admitted).toBe(999);
    const exact = new SlidingRateWindow(1000);
    expect(Array.from({ length: 5000 }, (_, t) => exact.admit(t)).every(Boolean)).toBe(true);
  });

  it('property: no window of 1000 ms ever holds more than `limit` admitted arrivals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 80 }),
        (limit, gaps) => {
          const window = new SlidingRateWindow(limit);
          let t = 0;
          const admittedAt: number[] = [];
          for (const gap of gaps) {
            t += gap;
            if (window.admit(t)) admittedAt.push(t);
          }
          for (const start of admittedAt) {
            expect(admittedAt.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(
              limit,
            );
          }
        },
      ),
    );
  });

  it('accepts Infinity, refuses zero, negatives and fractions', () => {
    const window = new SlidingRateWindow(Number.POSITIVE_INFINITY);
    expect(Array.from({ length: 10_000 }, () => window.admit(0)).every(Boolean)).toBe(true);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new SlidingRateWindow(bad)).toThrow(RangeError);
  });
});

describe('faults', () => {
  const target = (command: string, fromAccount?: string) => ({ service: 'sns', command, fromAccount });

  it('FaultQueue serves the first matching fault, `times` uses each, Infinity for ever', () => {
    const queue = new FaultQueue();
    queue.push({ type: 'reset', command: 'friend_get', times: 2 });
    queue.push({ type: 'delay', ms: 10, fromAccount: 'bob', times: Number.POSITIVE_INFINITY });
    expect(queue.take(target('friend_delete_all', 'alice'))).toBeUndefined();
    expect(queue.take(target('friend_get', 'bob'))?.type).toBe('reset');
    expect(queue.take(target('friend_get', 'bob'))?.type).toBe('reset');
    for (let index = 0; index < 50; index += 1)
      expect(queue.take(target('friend_get', 'bob'))?.type).toBe('delay');
    expect(queue.pending()).toHaveLength(1);
    queue.clear();
    expect(queue.take(target('friend_get', 'bob'))).toBeUndefined();
  });

  it('mulberry32 is reproducible per seed and uniform enough', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(mulberry32(8)()).not.toBe(first[0]);
  });

  it('RandomFaultSource hits about `probability` of requests, picks among the faults, reproducibly', () => {
    const config = {
      seed: 99,
      probability: 0.3,
      faults: [{ type: 'reset' as const }, { type: 'error-code' as const, code: 30006 }],
    };
    const draw = () => {
      const faults = new RandomFaultSource(config);
      return Array.from({ length: 2000 }, () => faults.draw(target('friend_delete_all'))?.type ?? 'none');
    };
    const first = draw();
    expect(draw()).toEqual(first);
    const hits = first.filter((type) => type !== 'none').length;
    expect(hits).toBeGreaterThan(500);
    expect(hits).toBeLessThan(700);
    expect(new Set(first)).toEqual(new Set(['none', 'reset', 'error-code']));

    const never = new RandomFaultSource({ ...config, probability: 0 });
    const always = new RandomFaultSource({ ...config, probability: 1 });
    for (let index = 0; index < 200; index += 1) {
      expect(never.draw(target('friend_get'))).toBeUndefined();
      expect(always.draw(target('friend_get'))).toBeDefined();
    }
  });
});
