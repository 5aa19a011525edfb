import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logIndex, nodeId, term, type Message, type NodeId } from '../../src/machine/index.ts';
import { SimulatedClock } from '../../src/runtime/clock.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { messageSize } from '../../src/runtime/message-size.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import type { Transport } from '../../src/runtime/transport.ts';

const [A, B, C] = [nodeId(1), nodeId(2), nodeId(3)];

const heartbeat = (from: NodeId, to: NodeId, entries: string[] = []): Message => ({
  type: 'AppendEntries', term: term(1), from, to, prevLogIndex: logIndex(0), prevLogTerm: term(0),
  entries: entries.map((command) => ({ term: term(1), command })), leaderCommit: logIndex(0),
});
const reply = (from: NodeId, to: NodeId): Message => ({
  type: 'AppendEntriesReply', term: term(1), from, to, success: true, matchIndex: logIndex(0), conflictIndex: logIndex(0), conflictTerm: term(0),
});

interface Received { at: number; message: Message }

function setup(seed = 1, ids: NodeId[] = [A, B, C]) {
  const clock = new SimulatedClock();
  const net = new MemoryNetwork(clock, seededRandom(seed));
  const inbox = new Map<NodeId, Received[]>();
  const ends = new Map<NodeId, Transport>();
  const attach = (id: NodeId) => {
    const t = net.attach(id);
    t.onMessage((message) => inbox.get(id)!.push({ at: clock.now(), message }));
    ends.set(id, t);
    return t;
  };
  for (const id of ids) {
    inbox.set(id, []);
    attach(id);
    net.connect(id);
  }
  return { clock, net, inbox, ends, attach, got: (id: NodeId) => inbox.get(id)!.length };
}

describe('MemoryNetwork', () => {
  it('delivers reliably at once, but never inside send()', () => {
    const { clock, ends, got } = setup();
    ends.get(A)!.send(heartbeat(A, B));
    assert.equal(got(B), 0);
    clock.advance(0);
    assert.equal(got(B), 1);
  });

  it('a disconnected node is cut off from everyone, and keeps its place when reconnected', () => {
    const { clock, net, ends, got } = setup();
    net.disconnect(B);
    ends.get(A)!.send(heartbeat(A, B));
    ends.get(B)!.send(heartbeat(B, C));
    net.disconnect(C);
    ends.get(C)!.send(heartbeat(C, B)); // both disconnected: still no link
    clock.advance(10);
    assert.deepEqual([got(B), got(C)], [0, 0]);
    net.connect(B);
    ends.get(A)!.send(heartbeat(A, B));
    clock.advance(10);
    assert.equal(got(B), 1);
  });

  it('partitions into groups; a node outside every group hears no one', () => {
    const { clock, net, ends, got } = setup(1, [A, B, C, nodeId(4)]);
    net.partition([[A, B], [C]]);
    ends.get(A)!.send(heartbeat(A, B));
    ends.get(A)!.send(heartbeat(A, C));
    ends.get(nodeId(4))!.send(heartbeat(nodeId(4), A));
    clock.advance(1);
    assert.deepEqual([got(A), got(B), got(C)], [0, 1, 0]);
    net.heal();
    ends.get(A)!.send(heartbeat(A, C));
    clock.advance(1);
    assert.equal(got(C), 1);
  });

  it('a crashed incarnation gets nothing, not even what was already under way; the new one does', () => {
    const { clock, net, ends, attach, got, inbox } = setup();
    net.setLinkRule(A, B, { delayMs: { min: 5, max: 5 } });
    ends.get(A)!.send(heartbeat(A, B));
    net.crash(B);
    clock.advance(10);
    assert.equal(got(B), 0);
    attach(B);
    ends.get(A)!.send(heartbeat(A, B));
    clock.advance(10);
    assert.equal(inbox.get(B)!.length, 1);
    assert.equal(inbox.get(B)![0]!.at, 15);
  });

  it('unreliable: about 10 % of requests and 10 % of replies lost, requests delayed 0–26 ms', () => {
    const { clock, net, ends, inbox } = setup(3);
    net.setReliable(false);
    const n = 5000;
    for (let i = 0; i < n; i++) {
      ends.get(A)!.send(heartbeat(A, B));
      ends.get(A)!.send(reply(A, C));
    }
    clock.advance(100);
    const requests = inbox.get(B)!;
    const replies = inbox.get(C)!;
    assert.ok(Math.abs(requests.length / n - 0.9) < 0.02, `requests delivered ${requests.length}`);
    assert.ok(Math.abs(replies.length / n - 0.9) < 0.02, `replies delivered ${replies.length}`);
    assert.ok(requests.every((r) => r.at >= 0 && r.at <= 26));
    assert.ok(new Set(requests.map((r) => r.at)).size === 27);
    assert.ok(replies.every((r) => r.at === 0));
  });

  it('long reordering: two thirds of the replies wait 200–2199 ms, requests do not', () => {
    const { clock, net, ends, inbox } = setup(4);
    net.setLongReordering(true);
    const n = 3000;
    for (let i = 0; i < n; i++) ends.get(A)!.send(reply(A, C));
    ends.get(A)!.send(heartbeat(A, B));
    clock.advance(3000);
    const late = inbox.get(C)!.filter((r) => r.at > 0);
    assert.equal(inbox.get(C)!.length, n);
    assert.ok(Math.abs(late.length / n - 2 / 3) < 0.03, `late ${late.length}`);
    assert.ok(late.every((r) => r.at >= 200 && r.at <= 2199));
    assert.equal(inbox.get(B)![0]!.at, 0);
  });

  it('duplicates, and applies per-link loss, delay and blocking', () => {
    const { clock, net, ends, got, inbox } = setup(5);
    net.setDuplication(1);
    ends.get(A)!.send(heartbeat(A, B));
    clock.advance(100);
    assert.equal(got(B), 2);
    net.setDuplication(0);
    net.setLinkRule(A, C, { blocked: true });
    ends.get(A)!.send(heartbeat(A, C));
    ends.get(C)!.send(heartbeat(C, A)); // one-way: C → A still works
    clock.advance(1);
    assert.deepEqual([got(C), got(A)], [0, 1]);
    net.setLinkRule(A, C, { loss: 0.5, delayMs: { min: 40, max: 60 } });
    for (let i = 0; i < 1000; i++) ends.get(A)!.send(heartbeat(A, C));
    clock.advance(100);
    const arrived = inbox.get(C)!;
    assert.ok(Math.abs(arrived.length - 500) < 60, `arrived ${arrived.length}`);
    assert.ok(arrived.every((r) => r.at >= 141 && r.at <= 161));
    net.setLinkRule(A, C, null);
  });

  it('counts like labrpc: RPCs sent even to the unreachable, RPCs received per incarnation, reply bytes on delivery', () => {
    const { clock, net, ends, attach } = setup();
    net.disconnect(C);
    const hb = heartbeat(A, B, ['x'.repeat(100)]);
    ends.get(A)!.send(hb);
    ends.get(A)!.send(heartbeat(A, C));
    ends.get(B)!.send(reply(B, A));
    ends.get(B)!.send(reply(B, C)); // lost: its bytes do not count
    clock.advance(1);
    assert.equal(net.rpcTotal(), 2);
    assert.equal(net.rpcCount(B), 1);
    assert.equal(net.rpcCount(C), 0);
    assert.equal(net.bytesTotal(), messageSize(hb) + messageSize(heartbeat(A, C)) + messageSize(reply(B, A)));
    assert.ok(messageSize(hb) > 100 && messageSize(hb) < 120);
    assert.deepEqual(net.trafficOf(A), { sent: { messages: 2, bytes: messageSize(hb) + messageSize(heartbeat(A, C)) }, received: { messages: 1, bytes: messageSize(reply(B, A)) } });
    attach(B);
    assert.equal(net.rpcCount(B), 0);
  });

  it('is a function of its seed', () => {
    const run = (seed: number) => {
      const { clock, net, ends, inbox } = setup(seed);
      net.setReliable(false);
      net.setLongReordering(true);
      for (let i = 0; i < 200; i++) ends.get(A)!.send(i % 2 === 0 ? heartbeat(A, B, [String(i)]) : reply(A, B));
      clock.advance(5000);
      return inbox.get(B)!.map((r) => `${r.at}:${r.message.type}:${r.message.type === 'AppendEntries' ? String(r.message.entries[0]!.command) : ''}`);
    };
    assert.deepEqual(run(9), run(9));
    assert.notDeepEqual(run(9), run(10));
  });
});
