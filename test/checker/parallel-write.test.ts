// PW.1 in the model: a leader's own write stays outstanding while its AppendEntries travel, lands
// by an action of its own, and a crash before that loses it. Walked by hand through the cluster
// model (the same nextCluster the searches run), so each situation is shown to be reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStepper, log, type Message } from '../../src/machine/index.ts';
import { enabledActions, initialCluster, nextCluster, writeOutstanding, type ClusterAction, type ClusterState } from '../../src/checker/raft/cluster.ts';
import { configurationNamed } from '../../src/checker/raft/configurations.ts';
import { raftProperties } from '../../src/checker/raft/properties.ts';

const bounds = configurationNamed('parallel-write-3')!.bounds;
const step = deriveStepper();

function act(s: ClusterState, a: ClusterAction): ClusterState {
  const next = nextCluster(s, a, bounds, step);
  assert.ok(next, `${a.kind} leaves the bounds`);
  for (const p of raftProperties) if (p.expectation === 'always') assert.ok(p.holds(next), `${p.name} after ${a.kind}`);
  return next;
}
const deliver = (s: ClusterState, which: (m: Message) => boolean): ClusterState => {
  const message = s.network.findIndex(which);
  assert.ok(message >= 0, 'no such message in flight');
  return act(s, { kind: 'deliver', message, crashAtPersist: false });
};
const deliverAll = (s: ClusterState, type: Message['type']): ClusterState => {
  while (s.network.some((m) => m.type === type)) s = deliver(s, (m) => m.type === type);
  return s;
};

/** Node 1 leads term 1 with both followers' votes, and a client command proposed to it. */
function proposed(): ClusterState {
  let s = act(initialCluster(bounds), { kind: 'timeout', node: 0, crashAtPersist: false });
  s = deliverAll(deliverAll(s, 'RequestVote'), 'RequestVoteReply');
  s = deliverAll(deliverAll(s, 'AppendEntries'), 'AppendEntriesReply');
  assert.equal(s.nodes[0]!.role, 'leader');
  return act(s, { kind: 'propose', node: 0 });
}

test('PW.1 the leader\'s AppendEntries leave while its own write is outstanding, and the write lands by an action of its own', () => {
  const s = proposed();
  const leader = s.nodes[0]!;
  assert.ok(writeOutstanding(leader));
  assert.equal(log.lastIndex(leader.durable.log), 0, 'nothing of the new entry is durable on the leader yet');
  assert.equal(s.network.filter((m) => m.type === 'AppendEntries' && m.entries.length === 1).length, 2);
  assert.ok(enabledActions(s, bounds).some((a) => a.kind === 'land' && a.node === 0));
  const landed = act(s, { kind: 'land', node: 0 });
  assert.equal(writeOutstanding(landed.nodes[0]!), false);
  assert.equal(landed.nodes[0]!.state.matchIndex[1], 1, 'the leader now counts itself for the entry');
});

test('PW.1 a majority of followers commits without the leader\'s write, and the entry survives the leader crashing before it lands', () => {
  let s = deliverAll(deliverAll(proposed(), 'AppendEntries'), 'AppendEntriesReply');
  assert.equal(s.nodes[0]!.state.commitIndex, 1);
  assert.ok(writeOutstanding(s.nodes[0]!));
  s = act(s, { kind: 'crash', node: 0 });
  assert.equal(log.lastIndex(s.nodes[0]!.state.log), 0, 'the crash lost the leader\'s write');
  assert.deepEqual(s.nodes.slice(1).map((n) => log.lastIndex(n.durable.log)), [1, 1]);
});

test('PW.1 with one follower\'s acknowledgement the entry is not committed until the leader\'s write lands', () => {
  let s = deliver(proposed(), (m) => m.type === 'AppendEntries' && m.to === 2);
  s = deliver(s, (m) => m.type === 'AppendEntriesReply');
  assert.equal(s.nodes[0]!.state.commitIndex, 0);
  assert.equal(act(s, { kind: 'land', node: 0 }).nodes[0]!.state.commitIndex, 1);
});
