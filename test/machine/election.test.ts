import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logIndex, nodeId, term } from '../../src/machine/index.ts';
import { has, logOf, nodeIn, position, run, rv, rvReply, sentOf, step } from '../support/build.ts';

const T = term;

test('RV.1 a RequestVote from an older term is refused and not counted as contact', () => {
  const r = step(nodeIn('follower', { currentTerm: T(3) }), rv({ term: T(2) }));
  assert.deepEqual(sentOf(r.effects, 'RequestVoteReply'), [rvReply({ term: T(3), from: nodeId(1), to: nodeId(2), voteGranted: false })]);
  assert.equal(r.state.votedFor, null);
  assert.equal(has(r.effects, 'resetElectionTimer'), false);
});

test('RV.2 a vote is granted when not yet given in this term, and again to the same candidate', () => {
  const first = step(nodeIn('follower', { currentTerm: T(1) }), rv({ term: T(1), from: nodeId(2) }));
  assert.equal(first.state.votedFor, 2);
  assert.equal(sentOf(first.effects, 'RequestVoteReply')[0]!.voteGranted, true);
  const again = step(first, rv({ term: T(1), from: nodeId(2) }));
  assert.equal(sentOf(again.effects, 'RequestVoteReply')[0]!.voteGranted, true);
});

test('RV.2 a vote already given to another candidate in this term is refused', () => {
  const voted = nodeIn('follower', { currentTerm: T(1), votedFor: nodeId(3) });
  const r = step(voted, rv({ term: T(1), from: nodeId(2) }));
  assert.equal(sentOf(r.effects, 'RequestVoteReply')[0]!.voteGranted, false);
  assert.equal(r.state.votedFor, 3);
});

test('F.2 granting a vote restarts the election timer; refusing one does not', () => {
  const granted = step(nodeIn('follower', { currentTerm: T(1) }), rv({ term: T(1) }));
  assert.ok(has(granted.effects, 'resetElectionTimer'));
  const refused = step(nodeIn('follower', { currentTerm: T(1), votedFor: nodeId(3) }), rv({ term: T(1) }));
  assert.equal(has(refused.effects, 'resetElectionTimer'), false);
});

test('P.1 a granted vote is made durable before the reply leaves', () => {
  const r = step(nodeIn('follower', { currentTerm: T(1) }), rv({ term: T(1) }));
  assert.ok(position(r.effects, 'persist') >= 0);
  assert.ok(position(r.effects, 'persist') < position(r.effects, 'send'));
});

test('ER.1 a candidate whose last term is older is refused even with a longer log', () => {
  const voter = nodeIn('follower', { currentTerm: T(3), log: logOf([1, 3]) });
  const r = step(voter, rv({ term: T(3), lastLogIndex: logIndex(5), lastLogTerm: T(2) }));
  assert.equal(sentOf(r.effects, 'RequestVoteReply')[0]!.voteGranted, false);
});

test('ER.1 with equal last terms, a shorter log is refused and an equal or longer one granted', () => {
  const voter = nodeIn('follower', { currentTerm: T(3), log: logOf([1, 2, 2]) });
  const shorter = step(voter, rv({ term: T(3), lastLogIndex: logIndex(2), lastLogTerm: T(2) }));
  assert.equal(sentOf(shorter.effects, 'RequestVoteReply')[0]!.voteGranted, false);
  const equal = step(voter, rv({ term: T(3), lastLogIndex: logIndex(3), lastLogTerm: T(2) }));
  assert.equal(sentOf(equal.effects, 'RequestVoteReply')[0]!.voteGranted, true);
});

test('ER.1 a candidate whose last term is newer is granted even with a shorter log', () => {
  const voter = nodeIn('follower', { currentTerm: T(3), log: logOf([1, 1, 1]) });
  const r = step(voter, rv({ term: T(3), lastLogIndex: logIndex(1), lastLogTerm: T(2) }));
  assert.equal(sentOf(r.effects, 'RequestVoteReply')[0]!.voteGranted, true);
});

test('S.2 a newer term in a RequestVote is adopted, the old vote dropped, then the vote decided', () => {
  const r = step(nodeIn('follower', { currentTerm: T(1), votedFor: nodeId(3) }), rv({ term: T(4), from: nodeId(2) }));
  assert.equal(r.state.currentTerm, 4);
  assert.equal(r.state.votedFor, 2);
  assert.deepEqual(sentOf(r.effects, 'RequestVoteReply')[0], rvReply({ term: T(4), from: nodeId(1), to: nodeId(2), voteGranted: true }));
});

test('S.2 a leader or candidate that sees a newer term in any message becomes a follower of that term', () => {
  for (const role of ['leader', 'candidate'] as const) {
    for (const m of [rv({ term: T(5) }), rvReply({ term: T(5), voteGranted: false })]) {
      const r = step(nodeIn(role, { currentTerm: T(2), votedFor: nodeId(1) }), m);
      assert.equal(r.role, 'follower', `${role} on ${m.type}`);
      assert.equal(r.state.currentTerm, 5);
      assert.ok(has(r.effects, 'persist'), 'the new term is durable');
    }
  }
});

test('C.1 on an election timeout a follower becomes a candidate: new term, own vote, timer, RequestVote to all others', () => {
  const r = step(nodeIn('follower', { currentTerm: T(2), log: logOf([1, 2]) }), { type: 'ElectionTimeout' });
  assert.equal(r.role, 'candidate');
  assert.equal(r.state.currentTerm, 3);
  assert.equal(r.state.votedFor, 1);
  assert.deepEqual(r.state.votesGranted, [1]);
  assert.ok(has(r.effects, 'resetElectionTimer'));
  assert.ok(position(r.effects, 'persist') < position(r.effects, 'send'), 'term and vote durable before asking (P.1)');
  assert.deepEqual(sentOf(r.effects, 'RequestVote').map((m) => [m.to, m.term, m.lastLogIndex, m.lastLogTerm]), [[2, 3, 2, 2], [3, 3, 2, 2]]);
});

test('F.2 a follower converts to candidate when its election timer fires', () => {
  assert.equal(step(nodeIn('follower'), { type: 'ElectionTimeout' }).role, 'candidate');
});

test('C.2 a candidate becomes leader once a majority has voted for it', () => {
  const candidate = step(nodeIn('follower', {}, 5), { type: 'ElectionTimeout' });
  const two = step(candidate, rvReply({ from: nodeId(2) }));
  assert.equal(two.role, 'candidate');
  const three = step(two, rvReply({ from: nodeId(3) }));
  assert.equal(three.role, 'leader');
});

test('C.2 a one-node cluster elects itself on its first timeout', () => {
  const r = step(nodeIn('follower', {}, 1), { type: 'ElectionTimeout' });
  assert.equal(r.role, 'leader');
  assert.equal(r.state.currentTerm, 1);
});

test('R.1 a candidate counts each voter once, and ignores refusals and votes of other terms', () => {
  const candidate = step(nodeIn('follower', { currentTerm: T(1) }, 5), { type: 'ElectionTimeout' });
  const r = run(candidate,
    rvReply({ term: T(2), from: nodeId(2) }),
    rvReply({ term: T(2), from: nodeId(2) }),
    rvReply({ term: T(1), from: nodeId(3) }),
    rvReply({ term: T(2), from: nodeId(4), voteGranted: false }));
  assert.equal(r.role, 'candidate');
  assert.deepEqual(r.state.votesGranted, [1, 2]);
});

test('C.3 a candidate that hears AppendEntries from a leader of its term becomes its follower', () => {
  const candidate = step(nodeIn('follower', { currentTerm: T(1) }), { type: 'ElectionTimeout' });
  const r = step(candidate, { type: 'AppendEntries', term: T(2), from: nodeId(3), to: nodeId(1), prevLogIndex: logIndex(0), prevLogTerm: T(0), entries: [], leaderCommit: logIndex(0) });
  assert.equal(r.role, 'follower');
  assert.equal(r.state.currentTerm, 2);
  assert.equal(r.state.votedFor, 1, 'the vote of this term stands');
});

test('C.3 a candidate ignores AppendEntries of an older term and stays a candidate', () => {
  const candidate = step(nodeIn('follower', { currentTerm: T(1) }), { type: 'ElectionTimeout' });
  const r = step(candidate, { type: 'AppendEntries', term: T(1), from: nodeId(3), to: nodeId(1), prevLogIndex: logIndex(0), prevLogTerm: T(0), entries: [], leaderCommit: logIndex(0) });
  assert.equal(r.role, 'candidate');
  assert.equal(sentOf(r.effects, 'AppendEntriesReply')[0]!.success, false);
});

test('C.4 a candidate whose election times out starts a new election in the next term', () => {
  const candidate = step(nodeIn('follower'), { type: 'ElectionTimeout' });
  const r = step(candidate, { type: 'ElectionTimeout' });
  assert.equal(r.role, 'candidate');
  assert.equal(r.state.currentTerm, 2);
  assert.deepEqual(r.state.votesGranted, [1]);
  assert.equal(sentOf(r.effects, 'RequestVote').length, 2);
});

test('C.2 votes from the previous election do not carry into the next', () => {
  const first = run(nodeIn('follower', {}, 5), { type: 'ElectionTimeout' }, rvReply({ from: nodeId(2) }));
  const second = run(first, { type: 'ElectionTimeout' }, rvReply({ term: T(2), from: nodeId(3) }));
  assert.equal(second.role, 'candidate');
  assert.deepEqual(second.state.votesGranted, [1, 3]);
});

test('F.1 a leader refuses votes in its own term and keeps leading', () => {
  const r = step(nodeIn('leader', { currentTerm: T(2), votedFor: nodeId(1) }), rv({ term: T(2) }));
  assert.equal(r.role, 'leader');
  assert.equal(sentOf(r.effects, 'RequestVoteReply')[0]!.voteGranted, false);
});

test('the statechart ignores events a role has no rule for', () => {
  for (const [role, event] of [
    ['leader', { type: 'ElectionTimeout' }],
    ['follower', { type: 'HeartbeatDue' }],
    ['candidate', { type: 'Propose', commands: ['x'] }],
  ] as const) {
    const node = nodeIn(role, { currentTerm: T(1) });
    const r = step(node, event);
    assert.equal(r.state, node.state);
    assert.deepEqual(r.effects, []);
  }
});
