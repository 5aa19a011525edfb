// The leader's side of one command's latency: its own write runs in parallel with replication
// (PW.1), and followers hear of each commit at once (CP.1). Simulated clock, hand-driven storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIndex, nodeId, term, type Message, type PersistentState } from '../../src/machine/index.ts';
import { SimulatedClock } from '../../src/runtime/clock.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { labTimings, RaftNode, type Applied } from '../../src/runtime/node.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import type { Storage } from '../../src/runtime/storage.ts';
import { EffectOrderChecker } from '../support/effect-order-checker.ts';

/** Saves that complete when the test says so, once `held` is set. */
class HeldStorage implements Storage {
  held = false;
  saved: PersistentState | null = null;
  readonly pending: (() => void)[] = [];
  load(): null { return null; }
  save(state: PersistentState): void | Promise<void> {
    if (!this.held) { this.saved = state; return; }
    return new Promise((resolve) => this.pending.push(() => { this.saved = state; resolve(); }));
  }
  size(): number { return 0; }
}

test('PW.1 the leader sends a command\'s AppendEntries before its own save of it resolves, and counts itself once it has', async () => {
  const clock = new SimulatedClock();
  const sent: Message[] = [];
  let receive: (m: Message) => void = () => {};
  const storage = new HeldStorage();
  const applied: Applied[] = [];
  const node = new RaftNode(nodeId(1), [nodeId(2), nodeId(3)], { send: (m) => sent.push(m), onMessage: (h) => { receive = h; }, close: () => {} }, storage, {
    clock, random: seededRandom(1), timings: labTimings, apply: (a) => applied.push(a),
  });
  clock.advance(labTimings.electionTimeoutMs.max);
  const vote = sent.find((m) => m.type === 'RequestVote')!;
  receive({ type: 'RequestVoteReply', term: vote.term, from: nodeId(2), to: nodeId(1), voteGranted: true });
  assert.ok(node.getState().isLeader);
  const ok = (from: number, matchIndex: number): Message => ({ type: 'AppendEntriesReply', term: vote.term, from: nodeId(from), to: nodeId(1), success: true, matchIndex: logIndex(matchIndex), conflictIndex: logIndex(0), conflictTerm: term(0) });
  receive(ok(2, 0));
  receive(ok(3, 0)); // both followers match: no longer probed (FC.1), so entries go to them at once
  storage.held = true;
  sent.length = 0;
  node.start('x');
  clock.advance(0);
  assert.equal(storage.pending.length, 1, 'the leader\'s save of the entry is under way');
  assert.deepEqual(sent.filter((m) => m.type === 'AppendEntries').map((m) => m.type === 'AppendEntries' && m.entries.length), [1, 1], 'and its AppendEntries have left');
  receive(ok(2, 1));
  assert.equal(applied.length, 0, 'one follower alone is not a majority while the leader\'s own write is under way');
  storage.pending.shift()!();
  await Promise.resolve();
  assert.deepEqual(applied.map((a) => a.index), [1], 'once its write lands the leader counts itself and applies');
  node.kill();
});

test('PW.1 with a storage that writes synchronously, the leader\'s AppendEntries leave before its own write starts', () => {
  const clock = new SimulatedClock();
  const sent: Message[] = [];
  let receive: (m: Message) => void = () => {};
  /** Each save's view of the AppendEntries sent with entries so far. */
  const sentAtSave: number[] = [];
  const storage: Storage = {
    load: () => null,
    save: () => { sentAtSave.push(sent.filter((m) => m.type === 'AppendEntries' && m.entries.length > 0).length); },
    size: () => 0,
  };
  const node = new RaftNode(nodeId(1), [nodeId(2), nodeId(3)], { send: (m) => sent.push(m), onMessage: (h) => { receive = h; }, close: () => {} }, storage, {
    clock, random: seededRandom(1), timings: labTimings, apply: () => {},
  });
  clock.advance(labTimings.electionTimeoutMs.max);
  const vote = sent.find((m) => m.type === 'RequestVote')!;
  receive({ type: 'RequestVoteReply', term: vote.term, from: nodeId(2), to: nodeId(1), voteGranted: true });
  for (const from of [2, 3]) receive({ type: 'AppendEntriesReply', term: vote.term, from: nodeId(from), to: nodeId(1), success: true, matchIndex: logIndex(0), conflictIndex: logIndex(0), conflictTerm: term(0) });
  sentAtSave.length = 0;
  node.start('x');
  clock.advance(0);
  assert.deepEqual(sentAtSave, [2], 'one save, called once both AppendEntries carrying the entry had gone');
  node.kill();
});

test('CP.1 every follower applies a command long before the next heartbeat is due', () => {
  const clock = new SimulatedClock();
  const random = seededRandom(3);
  const net = new MemoryNetwork(clock, random.fork());
  const ids = [1, 2, 3, 4, 5].map(nodeId);
  const appliedAt: number[][] = ids.map(() => []);
  const nodes = ids.map((id, i) => {
    const transport = net.attach(id);
    net.connect(id);
    return new RaftNode(id, ids.filter((x) => x !== id), transport, new MemoryStorage(), {
      clock, random: random.fork(), timings: labTimings, apply: (a) => { if (a.type === 'command') appliedAt[i]!.push(clock.now()); },
    });
  });
  clock.advance(5000);
  const leader = nodes.find((n) => n.getState().isLeader)!;
  const proposedAt = clock.now();
  leader.start('x');
  clock.advance(labTimings.heartbeatIntervalMs / 2);
  const latest = Math.max(...appliedAt.map((at) => at[0] ?? Infinity));
  assert.ok(latest - proposedAt < labTimings.heartbeatIntervalMs / 2, `the last node applied ${latest - proposedAt} ms after the proposal`);
  for (const n of nodes) n.kill();
});

test('CP.1 a command the service proposes on applying the last carries its commit: one AppendEntries per follower per command', () => {
  const clock = new SimulatedClock();
  const random = seededRandom(4);
  const net = new MemoryNetwork(clock, random.fork());
  const ids = [1, 2, 3].map(nodeId);
  const checkers = ids.map((id) => new EffectOrderChecker(`node ${id}`));
  const appliedBy = ids.map(() => 0);
  const COMMANDS = 20;
  const nodes: RaftNode[] = ids.map((id, i) => {
    const transport = checkers[i]!.transport(net.attach(id));
    net.connect(id);
    // Saves complete at once, and tell the checker so.
    const storage: Storage = { load: () => null, save: (state) => { checkers[i]!.saveStarted(state); checkers[i]!.saveDurable(); }, size: () => 0 };
    return new RaftNode(id, ids.filter((x) => x !== id), transport, storage, {
      clock, random: random.fork(), timings: labTimings, stepper: checkers[i]!.stepper(),
      apply: (a) => {
        checkers[i]!.applied(a);
        if (a.type !== 'command') return;
        appliedBy[i]!++;
        // A closed-loop client at one request in flight: the next command as soon as the last is applied.
        if (nodes[i]!.getState().isLeader && a.command !== COMMANDS) nodes[i]!.start(Number(a.command) + 1);
      },
    });
  });
  clock.advance(5000);
  assert.deepEqual(checkers.map((c) => c.violation?.message), [undefined, undefined, undefined]);
  const leader = nodes.find((n) => n.getState().isLeader)!;
  const rpcs = net.rpcTotal();
  leader.start(1);
  clock.advance(labTimings.heartbeatIntervalMs / 2);
  assert.deepEqual(appliedBy, [COMMANDS, COMMANDS, COMMANDS], 'every node applied every command before a heartbeat');
  assert.equal(net.rpcTotal() - rpcs, 2 * COMMANDS + 2, 'each command\'s entries to each follower, carrying the last commit; one announcement of the last');
  for (const c of checkers) c.finish();
  for (const n of nodes) n.kill();
});
