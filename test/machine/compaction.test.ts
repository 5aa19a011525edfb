import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIndex, nodeId, persistentStateOf, term } from '../../src/machine/index.ts';
import { has, is, leader, logOf, nodeIn, position, run, sentOf, step } from '../support/build.ts';

const T = term;
const I = logIndex;
const data = (n: number) => new Uint8Array([n]);

test('SN.1 a snapshot from the service replaces the applied log prefix and is made durable', () => {
  const f = nodeIn('follower', { currentTerm: T(2), terms: [1, 1, 2, 2], commitIndex: I(3), lastApplied: I(3) });
  const r = step(f, { type: 'Snapshot', index: I(2), data: data(2) });
  assert.deepEqual([r.state.log.snapshotIndex, r.state.log.snapshotTerm], [2, 1]);
  assert.deepEqual(r.state.log.entries.map((e) => e.command), ['c3', 'c4']);
  assert.deepEqual(r.state.snapshot, data(2));
  assert.deepEqual(r.effects, [{ type: 'persist' }]);
});

test('SN.1 a snapshot of what is not yet applied, or not newer than the current one, is ignored', () => {
  const f = nodeIn('leader', { currentTerm: T(2), log: logOf([2, 2], 2, 1), commitIndex: I(3), lastApplied: I(3) });
  for (const index of [I(1), I(2), I(4)]) {
    const r = step(f, { type: 'Snapshot', index, data: data(9) });
    assert.equal(r.state, f.state, `index ${index}`);
  }
});

test('IS.1 an InstallSnapshot from an older term is refused at once, and the reply claims to hold nothing', () => {
  const f = nodeIn('follower', { currentTerm: T(3) });
  const r = step(f, is({ term: T(2), lastIncludedIndex: I(5), lastIncludedTerm: T(2) }));
  assert.equal(r.state, f.state);
  const [reply] = sentOf(r.effects, 'InstallSnapshotReply');
  assert.equal(reply!.term, 3);
  // Found by the checker's PromisesAreDurable: a refused snapshot's index, sent back under our
  // newer term, would let a sender that leads that term set matchIndex past what we hold.
  assert.equal(reply!.matchIndex, 0);
});

test('IS.5 the received snapshot replaces the one we hold, and is durable before the reply', () => {
  const f = nodeIn('follower', { currentTerm: T(2), log: logOf([1], 1, 1), snapshot: data(1), commitIndex: I(1), lastApplied: I(1) });
  const r = step(f, is({ term: T(2), lastIncludedIndex: I(5), lastIncludedTerm: T(2), data: data(5) }));
  assert.deepEqual(r.state.snapshot, data(5));
  assert.deepEqual([r.state.log.snapshotIndex, r.state.log.snapshotTerm], [5, 2]);
  assert.ok(position(r.effects, 'persist') < position(r.effects, 'send'));
  assert.deepEqual(sentOf(r.effects, 'InstallSnapshotReply')[0]!.matchIndex, 5);
});

test('IS.6 log entries after a matching last included entry are kept', () => {
  const f = nodeIn('follower', { currentTerm: T(2), terms: [1, 1, 2, 2] });
  const r = step(f, is({ term: T(2), lastIncludedIndex: I(2), lastIncludedTerm: T(1) }));
  assert.deepEqual(r.state.log.entries.map((e) => e.command), ['c3', 'c4']);
  assert.equal(r.state.log.snapshotIndex, 2);
});

test('IS.7 without a matching last included entry the whole log is discarded', () => {
  const f = nodeIn('follower', { currentTerm: T(3), terms: [1, 1, 2, 2] });
  const r = step(f, is({ term: T(3), lastIncludedIndex: I(3), lastIncludedTerm: T(3) }));
  assert.deepEqual(r.state.log, { snapshotIndex: 3, snapshotTerm: 3, entries: [] });
  const shorter = step(nodeIn('follower', { currentTerm: T(3), terms: [1] }), is({ term: T(3), lastIncludedIndex: I(4), lastIncludedTerm: T(2) }));
  assert.deepEqual(shorter.state.log, { snapshotIndex: 4, snapshotTerm: 2, entries: [] });
});

test('IS.8 the service is reset to the snapshot, and commit and apply positions move to it', () => {
  const f = nodeIn('follower', { currentTerm: T(2), terms: [1] });
  const r = step(f, is({ term: T(2), lastIncludedIndex: I(4), lastIncludedTerm: T(2), data: data(4) }));
  assert.deepEqual(r.effects.filter((e) => e.type === 'applySnapshot'), [{ type: 'applySnapshot', index: 4, term: 2, data: data(4) }]);
  assert.deepEqual([r.state.commitIndex, r.state.lastApplied], [4, 4]);
  assert.ok(has(r.effects, 'resetElectionTimer'), 'F.2: it came from the current leader');
});

test('SN.2 a snapshot not past our commitIndex is ignored but acknowledged', () => {
  const f = nodeIn('follower', { currentTerm: T(2), terms: [1, 1, 2], commitIndex: I(3), lastApplied: I(3) });
  const r = step(f, is({ term: T(2), lastIncludedIndex: I(2), lastIncludedTerm: T(1) }));
  assert.equal(r.state, f.state);
  assert.equal(sentOf(r.effects, 'InstallSnapshotReply')[0]!.matchIndex, 2);
  assert.equal(has(r.effects, 'applySnapshot'), false);
});

test('SN.3 a leader sends its snapshot to a follower that needs compacted entries', () => {
  const l = leader({ currentTerm: T(2), log: logOf([2], 3, 1), snapshot: data(3), commitIndex: I(3), lastApplied: I(3), nextIndex: { 2: I(2), 3: I(5) } });
  const r = step(l, { type: 'HeartbeatDue' });
  const [snap] = sentOf(r.effects, 'InstallSnapshot');
  assert.deepEqual([snap!.to, snap!.lastIncludedIndex, snap!.lastIncludedTerm, snap!.data], [2, 3, 1, data(3)]);
  assert.equal(r.state.nextIndex[2], 4);
});

test('SN.3 the follower counts as matching through the snapshot once it replies', () => {
  const l = leader({ currentTerm: T(2), log: logOf([2], 3, 1), commitIndex: I(3), lastApplied: I(3) });
  const r = step(l, { type: 'InstallSnapshotReply', term: T(2), from: nodeId(2), to: nodeId(1), matchIndex: I(3) });
  assert.deepEqual([r.state.matchIndex[2], r.state.nextIndex[2]], [3, 5]);
  const stale = step(l, { type: 'InstallSnapshotReply', term: T(1), from: nodeId(2), to: nodeId(1), matchIndex: I(3) });
  assert.equal(stale.state, l.state, 'R.1: a reply of another term is ignored');
});

test('C.3 a candidate that receives a snapshot from the leader of its term follows it', () => {
  const c = step(nodeIn('follower', { currentTerm: T(1) }), { type: 'ElectionTimeout' });
  assert.equal(step(c, is({ term: T(2), lastIncludedIndex: I(2), lastIncludedTerm: T(2) })).role, 'follower');
  assert.equal(step(c, is({ term: T(1) })).role, 'candidate');
});

test('P.2 a restart keeps term, vote and log, and resets volatile and role state', () => {
  const before = run(nodeIn('follower', { currentTerm: T(1) }), { type: 'ElectionTimeout' },
    { type: 'RequestVoteReply', term: T(2), from: nodeId(2), to: nodeId(1), voteGranted: true },
    { type: 'Propose', commands: ['x'] },
    { type: 'AppendEntriesReply', term: T(2), from: nodeId(2), to: nodeId(1), success: true, matchIndex: I(1), conflictIndex: I(0), conflictTerm: T(0) });
  assert.equal(before.role, 'leader');
  assert.equal(before.state.commitIndex, 1);
  const r = step(before, { type: 'Restart', persisted: persistentStateOf(before.state) });
  assert.equal(r.role, 'follower');
  assert.deepEqual([r.state.currentTerm, r.state.votedFor, r.state.log], [2, 1, before.state.log]);
  assert.deepEqual([r.state.commitIndex, r.state.lastApplied, r.state.nextIndex, r.state.matchIndex], [0, 0, {}, {}]);
  assert.deepEqual(r.effects, [{ type: 'resetElectionTimer' }]);
});

test('SN.4 a restart with a snapshot hands it to the service first; applying resumes after it', () => {
  const persisted = { currentTerm: T(3), votedFor: null, log: logOf([3, 3], 4, 2), snapshot: data(4) };
  const r = step(nodeIn('candidate', { currentTerm: T(3) }), { type: 'Restart', persisted });
  assert.deepEqual(r.effects.filter((e) => e.type === 'applySnapshot'), [{ type: 'applySnapshot', index: 4, term: 2, data: data(4) }]);
  assert.deepEqual([r.state.commitIndex, r.state.lastApplied], [4, 4]);
  const next = step(r, { type: 'AppendEntries', term: T(3), from: nodeId(2), to: nodeId(1), prevLogIndex: I(6), prevLogTerm: T(3), entries: [], leaderCommit: I(6) });
  assert.deepEqual(next.effects.filter((e) => e.type === 'applyEntries').map((e) => e.type === 'applyEntries' && e.first), [5]);
});
