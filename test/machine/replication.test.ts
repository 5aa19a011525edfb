import { test } from 'node:test';
import assert from 'node:assert/strict';
import { log, logIndex, nodeId, term, type AppendEntriesReply } from '../../src/machine/index.ts';
import { ae, aeReply, entries, has, leader, logOf, nodeIn, position, run, rvReply, sentOf, step } from '../support/build.ts';

const T = term;
const I = logIndex;
const termsOf = (l: ReturnType<typeof logOf>) => l.entries.map((e) => e.term);
const reply = (effects: Parameters<typeof sentOf>[0]): AppendEntriesReply => sentOf(effects, 'AppendEntriesReply')[0]!;

test('AE.1 an AppendEntries from an older term is refused with our term and changes nothing', () => {
  const f = nodeIn('follower', { currentTerm: T(3), terms: [1] });
  const r = step(f, ae({ term: T(2), prevLogIndex: I(1), prevLogTerm: T(1), entries: entries([2], 2) }));
  assert.equal(r.state, f.state);
  assert.deepEqual([reply(r.effects).success, reply(r.effects).term], [false, 3]);
  assert.equal(has(r.effects, 'resetElectionTimer'), false);
});

test('AE.2 refused when the log has no entry at prevLogIndex', () => {
  const r = step(nodeIn('follower', { currentTerm: T(2), terms: [1] }), ae({ term: T(2), prevLogIndex: I(3), prevLogTerm: T(2) }));
  assert.equal(reply(r.effects).success, false);
  assert.equal(r.state.log.entries.length, 1);
});

test('AE.2 refused when the entry at prevLogIndex has another term', () => {
  const r = step(nodeIn('follower', { currentTerm: T(3), terms: [1, 2] }), ae({ term: T(3), prevLogIndex: I(2), prevLogTerm: T(3) }));
  assert.equal(reply(r.effects).success, false);
});

test('F.2 any AppendEntries of the current term restarts the election timer, even a refused one', () => {
  const r = step(nodeIn('follower', { currentTerm: T(2) }), ae({ term: T(2), prevLogIndex: I(4), prevLogTerm: T(2) }));
  assert.equal(reply(r.effects).success, false);
  assert.ok(has(r.effects, 'resetElectionTimer'));
});

test('FB.1 with no entry at prevLogIndex, the refusal points just past our last entry', () => {
  const r = step(nodeIn('follower', { currentTerm: T(2), terms: [1, 1] }), ae({ term: T(2), prevLogIndex: I(6), prevLogTerm: T(2) }));
  assert.deepEqual([reply(r.effects).conflictIndex, reply(r.effects).conflictTerm], [3, 0]);
});

test('FB.1 with a conflicting entry, the refusal names its term and the first index of that term', () => {
  const r = step(nodeIn('follower', { currentTerm: T(4), terms: [1, 2, 2, 2] }), ae({ term: T(4), prevLogIndex: I(4), prevLogTerm: T(3) }));
  assert.deepEqual([reply(r.effects).conflictIndex, reply(r.effects).conflictTerm], [2, 2]);
});

test('AE.3 a conflicting entry is deleted with all that follow it, then AE.4 the new ones appended', () => {
  const r = step(nodeIn('follower', { currentTerm: T(3), terms: [1, 1, 2, 2] }),
    ae({ term: T(3), prevLogIndex: I(2), prevLogTerm: T(1), entries: entries([3], 3) }));
  assert.deepEqual(termsOf(r.state.log), [1, 1, 3]);
  assert.deepEqual([reply(r.effects).success, reply(r.effects).matchIndex], [true, 3]);
});

test('AE.3 entries that agree are kept: a late, shorter AppendEntries never truncates the log', () => {
  const f = nodeIn('follower', { currentTerm: T(1), terms: [1, 1, 1] });
  const r = step(f, ae({ term: T(1), prevLogIndex: I(0), prevLogTerm: T(0), entries: entries([1]) }));
  assert.equal(r.state.log, f.state.log);
  assert.equal(reply(r.effects).matchIndex, 1, 'the reply claims only what this request proved');
  assert.equal(has(r.effects, 'persist'), false, 'nothing changed, nothing to persist');
});

test('AE.4 new entries are appended after prevLogIndex', () => {
  const r = step(nodeIn('follower', { currentTerm: T(1), terms: [1] }), ae({ term: T(1), prevLogIndex: I(1), prevLogTerm: T(1), entries: entries([1, 1], 2) }));
  assert.deepEqual(r.state.log.entries.map((e) => e.command), ['c1', 'c2', 'c3']);
});

test('P.1 appended entries are durable before the reply that acknowledges them', () => {
  const r = step(nodeIn('follower', { currentTerm: T(1) }), ae({ term: T(1), entries: entries([1]) }));
  assert.ok(position(r.effects, 'persist') >= 0 && position(r.effects, 'persist') < position(r.effects, 'send'));
});

test('AE.5 commitIndex follows leaderCommit, capped at the last new entry', () => {
  const f = nodeIn('follower', { currentTerm: T(1), terms: [1, 1, 1, 1] });
  const capped = step(f, ae({ term: T(1), prevLogIndex: I(1), prevLogTerm: T(1), entries: entries([1], 2), leaderCommit: I(4) }));
  assert.equal(capped.state.commitIndex, 2, 'entries 3 and 4 were not vouched for by this request');
  const full = step(f, ae({ term: T(1), prevLogIndex: I(4), prevLogTerm: T(1), leaderCommit: I(3) }));
  assert.equal(full.state.commitIndex, 3);
});

test('AE.5 commitIndex never decreases', () => {
  const f = nodeIn('follower', { currentTerm: T(1), terms: [1, 1, 1], commitIndex: I(3), lastApplied: I(3) });
  const r = step(f, ae({ term: T(1), prevLogIndex: I(1), prevLogTerm: T(1), leaderCommit: I(3) }));
  assert.equal(r.state.commitIndex, 3);
});

test('S.1 newly committed entries are applied in order, once', () => {
  const f = nodeIn('follower', { currentTerm: T(1) });
  const r1 = step(f, ae({ term: T(1), entries: entries([1, 1, 1]), leaderCommit: I(2) }));
  assert.deepEqual(r1.effects.filter((e) => e.type === 'applyEntries'), [{ type: 'applyEntries', first: 1, entries: entries([1, 1]) }]);
  assert.equal(r1.state.lastApplied, 2);
  const r2 = step(r1, ae({ term: T(1), prevLogIndex: I(3), prevLogTerm: T(1), leaderCommit: I(3) }));
  assert.deepEqual(r2.effects.filter((e) => e.type === 'applyEntries'), [{ type: 'applyEntries', first: 3, entries: entries([1], 3) }]);
});

test('S.2 a leader that receives AppendEntries of a newer term steps down and follows', () => {
  const r = step(leader({ currentTerm: T(1), terms: [1] }), ae({ term: T(2), from: nodeId(3), prevLogIndex: I(1), prevLogTerm: T(1) }));
  assert.equal(r.role, 'follower');
  assert.equal(reply(r.effects).success, true);
});

test('S.2 a leader steps down on an AppendEntries reply of a newer term', () => {
  const r = step(leader({ currentTerm: T(1) }), aeReply({ term: T(3), success: false }));
  assert.deepEqual([r.role, r.state.currentTerm, r.state.votedFor], ['follower', 3, null]);
  assert.deepEqual(r.effects, [{ type: 'persist' }], 'a follower does not act on a reply to the leader it was');
});

test('P.3 and L.1 a new leader sets nextIndex past its log, matchIndex to 0 (its own to its last index), and sends empty AppendEntries', () => {
  const candidate = step(nodeIn('follower', { currentTerm: T(1), terms: [1, 1] }), { type: 'ElectionTimeout' });
  const r = step(candidate, rvReply({ term: T(2), from: nodeId(2) }));
  assert.equal(r.role, 'leader');
  assert.deepEqual(r.state.matchIndex, { 1: 2, 2: 0, 3: 0 }, 'its own log was made durable before it asked for votes');
  assert.deepEqual(r.state.nextIndex, { 2: 3, 3: 3 });
  const heartbeats = sentOf(r.effects, 'AppendEntries');
  assert.deepEqual(heartbeats.map((m) => [m.to, m.prevLogIndex, m.prevLogTerm, m.entries.length]), [[2, 2, 1, 0], [3, 2, 1, 0]]);
  assert.ok(has(r.effects, 'resetHeartbeatTimer'));
});

test('L.1 a leader sends heartbeats when they are due', () => {
  const r = step(leader({ currentTerm: T(2), terms: [1] }), { type: 'HeartbeatDue' });
  assert.equal(sentOf(r.effects, 'AppendEntries').length, 2);
  assert.ok(has(r.effects, 'resetHeartbeatTimer'));
});

test('L.2 a proposed command is appended in the current term, made durable, and sent at once', () => {
  const r = step(leader({ currentTerm: T(2), terms: [1] }), { type: 'Propose', commands: ['x', 'y'] });
  assert.deepEqual(r.state.log.entries.slice(1), [{ term: 2, command: 'x' }, { term: 2, command: 'y' }]);
  assert.ok(position(r.effects, 'persist') < position(r.effects, 'send'));
  assert.deepEqual(sentOf(r.effects, 'AppendEntries').map((m) => [m.to, m.prevLogIndex, m.entries.length]), [[2, 1, 2], [3, 1, 2]]);
});

test('L.2 an empty proposal does nothing', () => {
  const l = leader({ currentTerm: T(2) });
  assert.deepEqual(step(l, { type: 'Propose', commands: [] }).effects, []);
});

test('L.2 a one-node leader commits and applies a proposal at once', () => {
  const solo = step(nodeIn('follower', {}, 1), { type: 'ElectionTimeout' });
  const r = step(solo, { type: 'Propose', commands: ['x'] });
  assert.equal(r.state.commitIndex, 1);
  assert.deepEqual(r.effects.filter((e) => e.type === 'applyEntries'), [{ type: 'applyEntries', first: 1, entries: [{ term: 1, command: 'x' }] }]);
});

test('L.3 entries from nextIndex are sent, and pipelined: the next send starts after them', () => {
  const l = leader({ currentTerm: T(2), terms: [1, 2, 2], nextIndex: { 2: I(2), 3: I(4) } });
  const r = step(l, { type: 'HeartbeatDue' });
  const [to2, to3] = sentOf(r.effects, 'AppendEntries');
  assert.deepEqual([to2!.prevLogIndex, to2!.prevLogTerm, to2!.entries.map((e) => e.term)], [1, 1, [2, 2]]);
  assert.deepEqual([to3!.prevLogIndex, to3!.entries.length], [3, 0]);
  assert.deepEqual(r.state.nextIndex, { 2: 4, 3: 4 });
});

test('L.4 a successful reply sets matchIndex from what it proves and nextIndex past it', () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2, 2], nextIndex: { 2: I(4), 3: I(4) } });
  const r = step(l, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.deepEqual([r.state.matchIndex[2], r.state.nextIndex[2]], [2, 4]);
});

test('R.1 a late success reply never moves matchIndex back, and replies of another term are ignored', () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2, 2], matchIndex: { 2: I(3), 3: I(0) } });
  assert.equal(step(l, aeReply({ term: T(2), matchIndex: I(1) })).state, l.state);
  assert.equal(step(l, aeReply({ term: T(1), from: nodeId(3), matchIndex: I(3) })).state, l.state);
});

test('L.5 a refused AppendEntries moves nextIndex back and retries at once', () => {
  const l = leader({ currentTerm: T(3), terms: [1, 1, 3], nextIndex: { 2: I(4), 3: I(4) } });
  const r = step(l, aeReply({ term: T(3), from: nodeId(2), success: false, conflictIndex: I(2), conflictTerm: T(0) }));
  assert.equal(r.state.nextIndex[2], 4, 'after sending 2..3 nextIndex is past them again');
  const [retry] = sentOf(r.effects, 'AppendEntries');
  assert.deepEqual([retry!.to, retry!.prevLogIndex, retry!.entries.length], [2, 1, 2]);
});

test('FB.2 the leader skips to after its own last entry of the conflicting term', () => {
  const l = leader({ currentTerm: T(5), terms: [1, 2, 2, 2, 4, 5] });
  const r = step(l, aeReply({ term: T(5), from: nodeId(2), success: false, conflictIndex: I(2), conflictTerm: T(2) }));
  assert.equal(sentOf(r.effects, 'AppendEntries')[0]!.prevLogIndex, 4);
});

test('FB.2 the leader without the conflicting term retries at the follower\'s first index of it', () => {
  const l = leader({ currentTerm: T(5), terms: [1, 4, 4, 5] });
  const r = step(l, aeReply({ term: T(5), from: nodeId(2), success: false, conflictIndex: I(2), conflictTerm: T(3) }));
  assert.equal(sentOf(r.effects, 'AppendEntries')[0]!.prevLogIndex, 1);
});

test('FB.2 a late refusal never moves nextIndex to or below matchIndex', () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2, 2], matchIndex: { 2: I(3), 3: I(0) }, nextIndex: { 2: I(4), 3: I(1) } });
  const r = step(l, aeReply({ term: T(2), from: nodeId(2), success: false, conflictIndex: I(1), conflictTerm: T(0) }));
  assert.equal(sentOf(r.effects, 'AppendEntries')[0]!.prevLogIndex, 3);
});

test('FB.2 backtracking reaches agreement in one round trip per conflicting term', () => {
  let l = run(leader({ currentTerm: T(6), terms: [1, 1, 4, 4, 6] }));
  let f = run(nodeIn('follower', { id: nodeId(2), currentTerm: T(6), terms: [1, 1, 2, 2, 2, 3, 3, 3] }));
  let rounds = 0;
  l = step(l, { type: 'HeartbeatDue' });
  let pending = sentOf(l.effects, 'AppendEntries').filter((m) => m.to === 2);
  while (pending.length > 0 && rounds < 10) {
    rounds++;
    f = step(f, pending[0]!);
    const answer = sentOf(f.effects, 'AppendEntriesReply')[0]!;
    if (answer.success) break;
    l = step(l, answer);
    pending = sentOf(l.effects, 'AppendEntries');
  }
  assert.deepEqual(f.state.log.entries.map((e) => e.term), [1, 1, 4, 4, 6]);
  assert.ok(rounds <= 3, `took ${rounds} round trips`);
});

test('L.6 an entry of the current term commits once a majority holds it', () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2] }, 5);
  const one = step(l, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.equal(one.state.commitIndex, 0);
  const two = step(one, aeReply({ term: T(2), from: nodeId(3), matchIndex: I(1) }));
  assert.equal(two.state.commitIndex, 1);
  assert.deepEqual(two.effects.filter((e) => e.type === 'applyEntries'), [{ type: 'applyEntries', first: 1, entries: entries([2]) }]);
});

test('L.6 an entry of an earlier term is not committed by counting replicas (Figure 8)', () => {
  const l = leader({ currentTerm: T(4), terms: [1, 2] });
  const r = step(l, aeReply({ term: T(4), from: nodeId(2), matchIndex: I(2) }));
  assert.equal(r.state.commitIndex, 0);
  const withOwn = run(r, { type: 'Propose', commands: ['now'] }, aeReply({ term: T(4), from: nodeId(2), matchIndex: I(3) }));
  assert.equal(withOwn.state.commitIndex, 3, 'earlier entries commit with one of the current term');
});

test('F.1 a follower answers AppendEntries from the leader and RequestVote from candidates', () => {
  const f = nodeIn('follower', { currentTerm: T(1) });
  assert.equal(sentOf(step(f, ae({ term: T(1) })).effects, 'AppendEntriesReply').length, 1);
  assert.equal(sentOf(step(f, { type: 'RequestVote', term: T(1), from: nodeId(3), to: nodeId(1), lastLogIndex: I(0), lastLogTerm: T(0) }).effects, 'RequestVoteReply').length, 1);
});

test('entries below the receiver\'s snapshot are skipped as committed, later ones appended', () => {
  const f = nodeIn('follower', { currentTerm: T(1), log: logOf([1], 3, 1), commitIndex: I(3), lastApplied: I(3) });
  const r = step(f, ae({ term: T(1), prevLogIndex: I(1), prevLogTerm: T(1), entries: entries([1, 1, 1, 1, 1], 2) }));
  assert.equal(reply(r.effects).success, true);
  assert.equal(log.lastIndex(r.state.log), 6);
  assert.equal(r.state.log.snapshotIndex, 3);
});

/** A leader of term 2 that writes its new entries in parallel with sending them (PW.1). */
const parallelLeader = (size = 3) => {
  const l = leader({ currentTerm: T(2), terms: [2] }, size);
  return { ...l, state: { ...l.state, leaderWritesInParallel: true } };
};
const durable = (index: number, t = 2) => ({ type: 'LogDurable' as const, term: T(t), index: I(index) });

test('PW.1 the leader sends new entries while its own write is under way, and asks to hear when it lands', () => {
  const r = step(parallelLeader(), { type: 'Propose', commands: ['x'] });
  assert.equal(has(r.effects, 'persist'), false, 'no persist holds back the sends');
  assert.deepEqual(r.effects[0], { type: 'persistInParallel', term: 2, index: 2 });
  assert.deepEqual(sentOf(r.effects, 'AppendEntries').map((m) => [m.to, m.entries.length]), [[2, 1], [3, 1]]);
  assert.equal(r.state.matchIndex[1], 1, 'the leader does not count the new entry for itself yet');
});

test('PW.1 the leader counts itself in the majority only through what its storage reported durable', () => {
  const proposed = step(parallelLeader(), { type: 'Propose', commands: ['x'] });
  const acked = step(proposed, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.equal(acked.state.commitIndex, 1, 'entry 2 is on one follower only: the leader has not written it yet');
  const landed = step(acked, durable(2));
  assert.deepEqual([landed.state.matchIndex[1], landed.state.commitIndex], [2, 2]);
  assert.deepEqual(landed.effects.filter((e) => e.type === 'applyEntries').map((e) => e.type === 'applyEntries' && e.first), [2]);
  const withoutLeader = run(proposed, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }), aeReply({ term: T(2), from: nodeId(3), matchIndex: I(2) }));
  assert.equal(withoutLeader.state.commitIndex, 2, 'a majority of followers commits without the leader');
});

test('PW.1 a landing reported for another term, or past the log, is ignored', () => {
  const proposed = step(parallelLeader(), { type: 'Propose', commands: ['x'] });
  assert.equal(step(proposed, durable(2, 1)).state, proposed.state);
  assert.equal(step(proposed, durable(5)).state, proposed.state);
  assert.equal(step(step(proposed, durable(2)), durable(1)).state.matchIndex[1], 2, 'never moves back');
});

test('PW.1 and P.1 a follower of such a leader still persists before it replies', () => {
  const f = nodeIn('follower', { currentTerm: T(2), terms: [2] });
  const r = step({ ...f, state: { ...f.state, leaderWritesInParallel: true } }, ae({ term: T(2), prevLogIndex: I(1), prevLogTerm: T(2), entries: entries([2], 2) }));
  assert.ok(position(r.effects, 'persist') >= 0 && position(r.effects, 'persist') < position(r.effects, 'send'));
  assert.equal(has(r.effects, 'persistInParallel'), false);
});

test('CP.1 when its commitIndex moves, a leader that announces commits sends it to every follower at once', () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2] });
  const announcing = { ...l, state: { ...l.state, announceCommits: true } };
  const r = step(announcing, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.equal(r.state.commitIndex, 2);
  assert.deepEqual(sentOf(r.effects, 'AppendEntries').map((m) => [m.to, m.leaderCommit, m.entries.length]), [[2, 2, 0], [3, 2, 0]]);
  assert.ok(position(r.effects, 'applyEntries') < position(r.effects, 'send'), 'the leader applies first, so what its service proposes then can carry the commit');
  assert.deepEqual(sentOf(step(announcing, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(0) })).effects, 'AppendEntries'), [], 'nothing moved, nothing sent');
  assert.deepEqual(sentOf(step(l, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) })).effects, 'AppendEntries'), [], 'without the option, the next heartbeat tells them');
});

/** A leader of term 2 whose followers hold nothing yet, probing them (FC.1). */
const probingLeader = () => {
  const l = leader({ currentTerm: T(2), terms: [2, 2] });
  return { ...l, state: { ...l.state, probeUntilMatch: true, probing: { 2: true, 3: true } } };
};

test('FC.1 a new leader that probes holds back new entries from every follower until one AppendEntries to it succeeds', () => {
  const candidate = step(nodeIn('follower', { currentTerm: T(1), terms: [1, 1] }), { type: 'ElectionTimeout' });
  const won = step({ ...candidate, state: { ...candidate.state, probeUntilMatch: true } }, rvReply({ term: T(2), from: nodeId(2) }));
  assert.deepEqual(won.state.probing, { 2: true, 3: true });
  const proposed = step(won, { type: 'Propose', commands: ['x'] });
  assert.deepEqual(sentOf(proposed.effects, 'AppendEntries'), [], 'the probes are in flight: nothing more goes');
  const matched = step(proposed, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.deepEqual(matched.state.probing, { 2: false, 3: true });
  assert.deepEqual(sentOf(matched.effects, 'AppendEntries').map((m) => [m.to, m.prevLogIndex, m.entries.length]), [[2, 2, 1]], 'what was held back goes once it matches');
  assert.deepEqual(sentOf(step(matched, { type: 'Propose', commands: ['y'] }).effects, 'AppendEntries').map((m) => m.to), [2], 'and it is pipelined to from then on');
});

test('FC.1 after a refusal the leader keeps one AppendEntries in flight, resent by heartbeats, until one succeeds', () => {
  const l = probingLeader();
  const refused = step({ ...l, state: { ...l.state, probing: { 2: false, 3: false } } }, aeReply({ term: T(2), from: nodeId(2), success: false, conflictIndex: I(1), conflictTerm: T(0) }));
  assert.deepEqual([refused.state.probing?.[2], refused.state.nextIndex[2]], [true, 1], 'the retry does not move nextIndex past what it sent');
  assert.deepEqual(sentOf(refused.effects, 'AppendEntries').map((m) => [m.prevLogIndex, m.entries.length]), [[0, 2]]);
  assert.deepEqual(sentOf(step(refused, { type: 'Propose', commands: ['x'] }).effects, 'AppendEntries').map((m) => m.to), [3]);
  const beat = step(refused, { type: 'HeartbeatDue' });
  assert.deepEqual(sentOf(beat.effects, 'AppendEntries').filter((m) => m.to === 2).map((m) => [m.prevLogIndex, m.entries.length]), [[0, 2]], 'the heartbeat resends the probe');
  assert.equal(step(beat, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) })).state.probing?.[2], false);
});

test('FC.2 new entries wait while a follower has maxInflightAppends AppendEntries unacknowledged, and go when one is', () => {
  const l = leader({ currentTerm: T(2), terms: [2] });
  let r = step({ ...l, state: { ...l.state, maxInflightAppends: 2, inflight: {} } }, { type: 'Propose', commands: ['a'] });
  r = step(r, { type: 'Propose', commands: ['b'] });
  assert.deepEqual(r.state.inflight, { 2: [2, 3], 3: [2, 3] });
  const full = step(r, { type: 'Propose', commands: ['c'] });
  assert.deepEqual(sentOf(full.effects, 'AppendEntries'), [], 'both windows are full');
  const acked = step(full, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(2) }));
  assert.deepEqual(acked.state.inflight?.[2], [3, 4], 'the acknowledgement freed the first; what waited went');
  assert.deepEqual(sentOf(acked.effects, 'AppendEntries').map((m) => [m.to, m.prevLogIndex, m.entries.length]), [[2, 3, 1]]);
  const refused = step(full, aeReply({ term: T(2), from: nodeId(3), success: false, conflictIndex: I(2), conflictTerm: T(0) }));
  assert.deepEqual(refused.state.inflight?.[3], [4], 'a refusal empties the window before the retry');
});

/** A leader of term 2 whose followers hold its one entry, capping AppendEntries at `max` bytes, a command's bytes its length. */
const cappedLeader = (max: number) => {
  const l = leader({ currentTerm: T(2), terms: [2] });
  return { ...l, state: { ...l.state, maxAppendBytes: { max, entryBytes: (e: { command: unknown }) => String(e.command).length } } };
};
const appendsTo = (effects: Parameters<typeof sentOf>[0], to: number) =>
  sentOf(effects, 'AppendEntries').filter((m) => m.to === to).map((m) => [m.prevLogIndex, m.entries.map((e) => e.command).join('|')]);

test('FC.3 entries go in AppendEntries of at most maxAppendBytes each, and an entry larger than that alone', () => {
  const r = step(cappedLeader(4), { type: 'Propose', commands: ['ab', 'cd', 'e', 'fghijk', 'l'] });
  assert.deepEqual(appendsTo(r.effects, 2), [[1, 'ab|cd'], [3, 'e'], [4, 'fghijk'], [5, 'l']]);
  assert.deepEqual(r.state.nextIndex[2], 7);
  assert.deepEqual(appendsTo(step(cappedLeader(100), { type: 'Propose', commands: ['ab', 'cd', 'e'] }).effects, 2), [[1, 'ab|cd|e']], 'what fits goes in one');
});

test('FC.3 with FC.2 and FC.1, capped AppendEntries stop at the window and at a probe, and the rest follows acknowledgements', () => {
  const l = cappedLeader(2);
  const windowed = { ...l, state: { ...l.state, maxInflightAppends: 2, inflight: {}, probeUntilMatch: true, probing: { 2: false, 3: true } } };
  const r = step(windowed, { type: 'Propose', commands: ['a', 'b', 'c', 'd', 'e', 'f'] });
  assert.deepEqual(appendsTo(r.effects, 2), [[1, 'a|b'], [3, 'c|d']], 'two in flight: the window is full');
  assert.deepEqual(appendsTo(r.effects, 3), [], 'the probed follower hears nothing more until its probe is answered');
  const acked = step(r, aeReply({ term: T(2), from: nodeId(2), matchIndex: I(3) }));
  assert.deepEqual(appendsTo(acked.effects, 2), [[5, 'e|f']]);
  const probeOk = step(r, aeReply({ term: T(2), from: nodeId(3), matchIndex: I(1) }));
  assert.deepEqual(appendsTo(probeOk.effects, 3), [[1, 'a|b'], [3, 'c|d']], 'a matched probe lets the capped AppendEntries pipeline up to the window');
  const beat = step(r, { type: 'HeartbeatDue' });
  assert.deepEqual(appendsTo(beat.effects, 3), [[1, 'a|b']], 'a heartbeat to a probed follower carries one capped AppendEntries');
});
