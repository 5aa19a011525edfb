// What the viewer shows for each step: the statechart transition it took (event, roles, guard,
// handlers, as recorded while stepping the machine), and the Figure 2 rules those handlers implement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { traceFile } from '../../src/checker/raft/trace.ts';
import { raftModel } from '../../src/checker/raft/model.ts';
import { initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from '../../src/checker/raft/cluster.ts';
import { deriveStepper } from '../../src/machine/index.ts';
import { figure2Rules, rulesExercised } from '../../viewer/rules.ts';
import { TracePlayer } from '../../viewer/trace-player.ts';
import { LiveCluster } from '../../viewer/live-cluster.ts';

const bounds: Bounds = { nodes: 3, maxTerm: 2, proposals: 0, maxInFlight: 4, drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };
const rules = figure2Rules(readFileSync(new URL('../../docs/figure2.md', import.meta.url), 'utf8'));

/** A trace of an election: node 1 times out, node 2 votes for it, node 1 counts the vote and leads. */
function electionTrace(): string {
  const step = deriveStepper();
  const states: ClusterState[] = [initialCluster(bounds)];
  const actions: ClusterAction[] = [];
  const act = (a: ClusterAction) => { actions.push(a); states.push(nextCluster(states.at(-1)!, a, bounds, step)!); };
  act({ kind: 'timeout', node: 0, crashAtPersist: false });
  act({ kind: 'deliver', message: states.at(-1)!.network.findIndex((m) => m.to === 2), crashAtPersist: false });
  act({ kind: 'deliver', message: states.at(-1)!.network.findIndex((m) => m.type === 'RequestVoteReply'), crashAtPersist: false });
  return JSON.stringify(traceFile(raftModel({ bounds }), { states, actions }, null, bounds));
}

test('a replayed trace knows the transition each step took, and the Figure 2 rules it exercised', () => {
  const p = TracePlayer.parse(electionTrace());
  assert.deepEqual(p.takenAt(0), []);
  assert.deepEqual(p.takenAt(1), [{ node: 1, event: 'ElectionTimeout', from: 'follower', to: 'candidate', guard: null, handlers: ['startElection'] }]);
  assert.deepEqual(p.takenAt(2), [{ node: 2, event: 'RequestVote', from: 'follower', to: 'follower', guard: 'hasNewerTerm', handlers: ['adoptTerm', 'handleRequestVote'] }]);
  assert.deepEqual(p.takenAt(3), [{ node: 1, event: 'RequestVoteReply', from: 'candidate', to: 'leader', guard: 'winsElection', handlers: ['countVote', 'becomeLeader'] }]);
  p.seek(3);
  assert.deepEqual(p.frame().taken, p.takenAt(3));
  const ids = (k: number) => rulesExercised(p.takenAt(k), rules).map((r) => r.id);
  assert.deepEqual(ids(1), ['C.1']);
  assert.ok(ids(2).includes('RV.2') && ids(2).includes('S.2'), ids(2).join(' '));
  assert.deepEqual(ids(3), ['C.2', 'L.1']);
});

test('a trace the model does not reproduce gets no transitions past the first step that differs', () => {
  const file = JSON.parse(electionTrace()) as { steps: { action: string }[] };
  file.steps[2]!.action = 'something else';
  const p = TracePlayer.parse(JSON.stringify(file));
  assert.equal(p.takenAt(1).length, 1);
  assert.deepEqual([p.takenAt(2), p.takenAt(3)], [[], []]);
});

test('docs/figure2.md gives every rule its text, and the handlers that implement them', () => {
  assert.ok(rules.length >= 30, `${rules.length} rules`);
  const ae = rules.find((r) => r.id === 'AE.2')!;
  assert.match(ae.text, /prevLogIndex/);
  assert.ok(ae.implementedBy.includes('handleAppendEntries'));
});

test('the live cluster records the transitions of its last action', () => {
  const c = new LiveCluster(3, 1);
  while (!c.taken.some((t) => t.event === 'ElectionTimeout')) assert.ok(c.stepOnce());
  assert.deepEqual(c.frame().taken.map((t) => [t.from, t.to, t.handlers.join()]), [['follower', 'candidate', 'startElection']]);
});
