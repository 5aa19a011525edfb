import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logIndex, nodeId, term, type Message, type PersistentState } from '../../src/machine/index.ts';
import { realClock, SimulatedClock } from '../../src/runtime/clock.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { labTimings, RaftNode, type Applied } from '../../src/runtime/node.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import type { Storage } from '../../src/runtime/storage.ts';
import type { Transport } from '../../src/runtime/transport.ts';

/** Counts saves, to see batching and merging. */
class CountingStorage extends MemoryStorage {
  saves = 0;
  override save(state: PersistentState): void {
    this.saves++;
    super.save(state);
  }
}

function cluster(size: number, seed: number, onApply?: (i: number, a: Applied, node: RaftNode) => void) {
  const clock = new SimulatedClock();
  const random = seededRandom(seed);
  const net = new MemoryNetwork(clock, random.fork());
  const ids = Array.from({ length: size }, (_, i) => nodeId(i + 1));
  const storages = ids.map(() => new CountingStorage());
  const applied: Applied[][] = ids.map(() => []);
  const nodes: RaftNode[] = [];
  const start = (i: number) => {
    const transport = net.attach(ids[i]!);
    net.connect(ids[i]!);
    const node: RaftNode = new RaftNode(ids[i]!, ids.filter((_, j) => j !== i), transport, storages[i]!, {
      clock, random: random.fork(), timings: labTimings,
      apply: (a) => { applied[i]!.push(a); onApply?.(i, a, node); },
    });
    nodes[i] = node;
  };
  ids.forEach((_, i) => start(i));
  const leaders = () => nodes.map((n, i) => (n.getState().isLeader ? i : -1)).filter((i) => i >= 0);
  return { clock, net, ids, storages, applied, nodes, start, leaders };
}

/** A transport the test drives by hand. */
function handTransport() {
  const sent: Message[] = [];
  let receive: (m: Message) => void = () => {};
  const transport: Transport = { send: (m) => sent.push(m), onMessage: (h) => { receive = h; }, close: () => {} };
  return { transport, sent, deliver: (m: Message) => receive(m) };
}

describe('RaftNode', () => {
  it('elects one leader within the lab’s 5 s and then sends at most 10 heartbeats a second per follower', () => {
    const c = cluster(3, 1);
    c.clock.advance(5000);
    assert.equal(c.leaders().length, 1);
    const t = c.nodes[0]!.getState().term;
    const before = c.ids.map((id) => c.net.rpcCount(id)).reduce((a, b) => a + b);
    c.clock.advance(10_000);
    const after = c.ids.map((id) => c.net.rpcCount(id)).reduce((a, b) => a + b);
    assert.ok(after - before <= 2 * 10 * 10, `${after - before} RPCs in 10 s`);
    assert.ok(after - before >= 2 * 10 * 9, `${after - before} RPCs in 10 s: heartbeats are missing`);
    assert.equal(c.nodes[0]!.getState().term, t);
  });

  it('a new leader comes within 5 s of the leader’s failure', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = cluster(5, seed);
      c.clock.advance(5000);
      const [old] = c.leaders();
      c.net.disconnect(c.ids[old!]!);
      const failedAt = c.clock.now();
      while (c.leaders().filter((i) => i !== old).length === 0 && c.clock.now() - failedAt < 5000) c.clock.advance(10);
      assert.ok(c.clock.now() - failedAt < 5000, `seed ${seed}: no new leader within 5 s`);
    }
  });

  it('start() in one task: consecutive indices, one persist and one AppendEntries per follower, then one announcing the commit (CP.1)', () => {
    const c = cluster(3, 2);
    c.clock.advance(3000);
    const [l] = c.leaders();
    const leader = c.nodes[l!]!;
    const saves = c.storages[l!]!.saves;
    const rpcs = c.net.rpcTotal();
    const results = Array.from({ length: 50 }, (_, i) => leader.start(`cmd${i}`));
    assert.ok(results.every((r) => r.isLeader));
    assert.deepEqual(results.map((r) => r.index), results.map((_, i) => results[0]!.index + i));
    c.clock.advance(0);
    assert.equal(c.storages[l!]!.saves - saves, 1);
    assert.equal(c.net.rpcTotal() - rpcs, 4, 'the batch to each follower, then its commit to each');
    const commands = (i: number) => c.applied[i]!.filter((a) => a.type === 'command').map((a) => a.type === 'command' && a.command);
    assert.deepEqual(commands(l!), results.map((_, i) => `cmd${i}`), 'the leader applies once the followers have answered');
    c.clock.advance(labTimings.heartbeatIntervalMs);
    for (const applied of c.applied) {
      assert.deepEqual(applied.filter((a) => a.type === 'command').map((a) => a.type === 'command' && a.command), results.map((_, i) => `cmd${i}`));
    }
  });

  it('FC.3 AppendEntries carry at most maxAppendBytes of entries as they take on the wire, a larger command alone, and all arrive', () => {
    const clock = new SimulatedClock();
    const random = seededRandom(5);
    const net = new MemoryNetwork(clock, random.fork());
    const ids = [1, 2, 3].map(nodeId);
    const sent: Message[] = [];
    const applied: unknown[][] = ids.map(() => []);
    const nodes = ids.map((id, i) => {
      const inner = net.attach(id);
      net.connect(id);
      const transport: Transport = { send: (m) => { sent.push(m); inner.send(m); }, onMessage: (h) => inner.onMessage(h), close: () => inner.close() };
      return new RaftNode(id, ids.filter((x) => x !== id), transport, new MemoryStorage(), {
        clock, random: random.fork(), timings: labTimings, maxAppendBytes: 64,
        apply: (a) => { if (a.type === 'command') applied[i]!.push(a.command); },
      });
    });
    clock.advance(5000);
    const leader = nodes.find((n) => n.getState().isLeader)!;
    // On the wire an entry is its term (1 byte here), its command's length (1 byte) and the command as JSON.
    const commands = ['a'.repeat(20), 'b'.repeat(20), 'c'.repeat(20), 'd'.repeat(100), 'e'.repeat(20)];
    sent.length = 0;
    for (const c of commands) leader.start(c);
    clock.advance(labTimings.heartbeatIntervalMs / 2);
    const follower = ids.find((_, i) => nodes[i] !== leader)!;
    const batches = sent.flatMap((m) => (m.type === 'AppendEntries' && m.to === follower && m.entries.length > 0 ? [m.entries.map((e) => String(e.command)[0]).join('')] : []));
    assert.deepEqual(batches, ['ab', 'c', 'd', 'e'], 'two 24-byte entries fit in 64 bytes, three do not; the 104-byte one goes alone');
    for (const a of applied) assert.deepEqual(a, commands);
    assert.throws(() => new RaftNode(nodeId(9), [], net.attach(nodeId(9)), new MemoryStorage(), { clock, apply: () => {}, maxAppendBytes: 0 }), RangeError);
    for (const n of nodes) n.kill();
  });

  it('a follower is told nothing and start() refuses', () => {
    const c = cluster(3, 3);
    c.clock.advance(3000);
    const follower = c.nodes.find((n) => !n.getState().isLeader)!;
    assert.equal(follower.start('x').isLeader, false);
  });

  it('holds back what depends on a persist until the save is done, and merges saves that pile up', async () => {
    const clock = new SimulatedClock();
    const saves: PersistentState[] = [];
    let finish: () => void = () => {};
    const slow: Storage = {
      load: () => null,
      save: (state) => { saves.push(state); return new Promise<void>((resolve) => { finish = resolve; }); },
      size: () => 0,
    };
    const hand = handTransport();
    new RaftNode(nodeId(1), [nodeId(2), nodeId(3)], hand.transport, slow, { clock, random: seededRandom(1), apply: () => {} });
    clock.advance(0);
    const vote = (from: number, t: number): Message => ({ type: 'RequestVote', term: term(t), from: nodeId(from), to: nodeId(1), lastLogIndex: logIndex(0), lastLogTerm: term(0) });
    hand.deliver(vote(2, 1));
    assert.equal(saves.length, 1);
    assert.equal(hand.sent.length, 0, 'the vote left before it was durable');
    hand.deliver(vote(3, 2));
    hand.deliver(vote(2, 3));
    assert.equal(saves.length, 1, 'a second save overlapped the first');
    finish();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(hand.sent.length, 1);
    assert.equal(saves.length, 2);
    assert.deepEqual([saves[1]!.currentTerm, saves[1]!.votedFor], [3, 2], 'the second save is the newest state');
    finish();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(hand.sent.map((m) => m.type === 'RequestVoteReply' && [m.term, m.voteGranted]), [[1, true], [2, true], [3, true]]);
    assert.equal(saves.length, 2, 'the third vote was covered by the second save');
  });

  it('takes snapshots from inside apply, and after a restart resumes at the snapshot index + 1', () => {
    const c = cluster(3, 4, (_, a, node) => {
      if (a.type === 'command' && a.index % 10 === 0) node.snapshot(a.index, new TextEncoder().encode(`through ${a.index}`));
    });
    c.clock.advance(3000);
    const [l] = c.leaders();
    for (let i = 1; i <= 25; i++) c.nodes[l!]!.start(i);
    c.clock.advance(500);
    const f = (l! + 1) % 3;
    assert.equal(c.storages[f]!.load()!.log.snapshotIndex, 20);
    c.nodes[f]!.kill();
    c.net.crash(c.ids[f]!);
    c.applied[f] = [];
    c.start(f);
    c.clock.advance(1000);
    const after = c.applied[f]!;
    assert.deepEqual(after[0], { type: 'snapshot', index: 20, term: c.storages[f]!.load()!.log.snapshotTerm, data: new TextEncoder().encode('through 20') });
    assert.deepEqual(after.slice(1).map((a) => a.index), [21, 22, 23, 24, 25]);
  });

  it('a killed node sends, applies and saves nothing more', () => {
    const c = cluster(3, 5);
    c.clock.advance(3000);
    const [l] = c.leaders();
    const node = c.nodes[l!]!;
    node.kill();
    const sent = c.net.trafficOf(c.ids[l!]!).sent.messages;
    const saves = c.storages[l!]!.saves;
    assert.equal(node.start('late').isLeader, false);
    c.clock.advance(3000);
    assert.equal(c.net.trafficOf(c.ids[l!]!).sent.messages, sent);
    assert.equal(c.storages[l!]!.saves, saves);
    assert.equal(c.leaders().filter((i) => i !== l).length, 1);
  });

  it('a one-node cluster leads and commits alone', () => {
    const c = cluster(1, 6);
    c.clock.advance(2000);
    assert.deepEqual(c.leaders(), [0]);
    c.nodes[0]!.start('solo');
    c.clock.advance(0);
    assert.deepEqual(c.applied[0], [{ type: 'command', index: 1, term: c.nodes[0]!.getState().term, command: 'solo' }]);
  });

  it('start() refuses a command above maxCommandBytes, as a follower and as leader, and appends nothing', () => {
    const clock = new SimulatedClock();
    const { transport } = handTransport();
    const storage = new MemoryStorage();
    const applied: Applied[] = [];
    const node = new RaftNode(nodeId(1), [], { ...transport, maxCommandBytes: 50 }, storage, {
      clock, random: seededRandom(7), timings: labTimings, apply: (a) => applied.push(a), maxCommandBytes: 20,
    });
    const tooLarge = { name: 'CommandTooLargeError', message: 'command of 21 bytes is larger than the maximum of 20 (maxCommandBytes); it was not proposed' };
    const at20 = 'x'.repeat(18); // JSON adds the two quotes
    assert.throws(() => node.start(`${at20}y`), tooLarge);
    clock.advance(2000);
    assert.equal(node.getState().isLeader, true);
    assert.throws(() => node.start(`${at20}y`), tooLarge);
    node.start(at20);
    clock.advance(0);
    assert.deepEqual(applied.map((a) => a.type === 'command' && a.command), [at20]);
    assert.deepEqual(storage.load()?.log.entries.map((e) => e.command), [at20]);
  });

  it('refuses a maxCommandBytes above what the transport carries in one entry', () => {
    const { transport } = handTransport();
    assert.throws(() => new RaftNode(nodeId(1), [], { ...transport, maxCommandBytes: 100 }, new MemoryStorage(), { apply: () => {}, maxCommandBytes: 101 }),
      /maxCommandBytes 101 is more than the 100 bytes the transport carries in one entry; a larger command could never be replicated/);
  });

  it('a message the transport can never send is fatal: the node stops and says why', () => {
    const clock = new SimulatedClock();
    const never = new Error('entry 1 takes 9999 bytes, more than one datagram carries');
    const transport: Transport = { send: () => { throw never; }, onMessage: () => {}, close: () => {} };
    const fatal: unknown[] = [];
    const node = new RaftNode(nodeId(1), [nodeId(2)], transport, new MemoryStorage(), {
      clock, random: seededRandom(8), timings: labTimings, apply: () => {}, onFatal: (e) => fatal.push(e),
    });
    clock.advance(2000); // the election timeout sends a RequestVote
    assert.deepEqual(fatal, [never]);
    assert.equal(node.start('after').isLeader, false);
  });

  it('the same seed gives the same run, event for event', () => {
    const trace = (seed: number) => {
      const events: string[] = [];
      const c = cluster(5, seed, (i, a) => events.push(`${i}@${c.clock.now()}:${a.index}`));
      c.net.setReliable(false);
      c.net.setLongReordering(true);
      c.clock.advance(3000);
      for (let k = 0; k < 200; k++) {
        for (const n of c.nodes) n.start(k);
        c.clock.advance(37);
        if (k % 50 === 0) c.net.disconnect(c.ids[k % 5]!);
        if (k % 50 === 25) c.net.connect(c.ids[(k - 25) % 5]!);
      }
      return { events, bytes: c.net.bytesTotal(), terms: c.nodes.map((n) => n.getState().term) };
    };
    const a = trace(11);
    assert.ok(a.events.length > 100);
    assert.deepEqual(trace(11), a);
    assert.notDeepEqual(trace(12).events, a.events);
  });

  it('on the real clock with a slow asynchronous storage: commits in order, with fewer saves than commands', async () => {
    const clock = realClock;
    const net = new MemoryNetwork(clock, seededRandom(1));
    const ids = [1, 2, 3].map(nodeId);
    let saves = 0;
    const applied: number[][] = ids.map(() => []);
    const nodes = ids.map((id, i) => {
      const memory = new MemoryStorage();
      const slow: Storage = {
        load: () => Promise.resolve(null),
        save: (state) => new Promise<void>((resolve) => { saves++; setTimeout(() => { memory.save(state); resolve(); }, 2); }),
        size: () => memory.size(),
      };
      net.connect(id);
      return new RaftNode(id, ids.filter((x) => x !== id), net.attach(id), slow, {
        clock, random: seededRandom(10 + i), apply: (a) => { if (a.type === 'command') applied[i]!.push(a.command as number); },
      });
    });
    let leader: RaftNode | undefined;
    while ((leader = nodes.find((n) => n.getState().isLeader)) === undefined) await clock.sleep(20);
    const savesBefore = saves;
    for (let k = 0; k < 100; k++) {
      leader.start(k);
      if (k % 10 === 9) await clock.sleep(1);
    }
    while (applied.some((a) => a.length < 100)) await clock.sleep(20);
    for (const a of applied) assert.deepEqual(a, Array.from({ length: 100 }, (_, k) => k));
    assert.ok(saves - savesBefore < 100, `${saves - savesBefore} saves for 100 commands on 3 nodes`);
    for (const n of nodes) n.kill();
  });
});
