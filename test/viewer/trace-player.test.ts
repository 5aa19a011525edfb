// Replaying a counterexample the checker writes: forwards, backwards, the violation at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceFile } from '../../src/checker/raft/trace.ts';
import { raftModel } from '../../src/checker/raft/model.ts';
import { initialCluster, nextCluster, type Bounds, type ClusterAction, type ClusterState } from '../../src/checker/raft/cluster.ts';
import { deriveStepper } from '../../src/machine/index.ts';
import { TracePlayer } from '../../viewer/trace-player.ts';

const bounds: Bounds = { nodes: 3, maxTerm: 2, proposals: 0, maxInFlight: 4, drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };

function twoStepTrace(): string {
  const step = deriveStepper();
  const s0 = initialCluster(bounds);
  const a: ClusterAction = { kind: 'timeout', node: 0, crashAtPersist: false };
  const s1: ClusterState = nextCluster(s0, a, bounds, step)!;
  return JSON.stringify(traceFile(raftModel({ bounds }), { states: [s0, s1], actions: [a] }, 'SomeProperty', bounds));
}

test('a trace steps forwards and backwards and shows the violated property only at its end', () => {
  const p = TracePlayer.parse(twoStepTrace());
  assert.equal(p.last, 1);
  assert.equal(p.frame().violated, null);
  assert.match(p.frame().caption, /initial state/);
  p.seek(5);
  assert.equal(p.position, 1);
  const end = p.frame();
  assert.equal(end.violated, 'SomeProperty');
  assert.match(end.caption, /node 1 election timeout/);
  assert.equal(end.step.nodes[0]!.role, 'candidate');
  assert.deepEqual(end.progress, [0.5, 0.5], 'one RequestVote on each link, drawn half-way');
  p.seek(p.position - 1);
  assert.equal(p.frame().step.nodes[0]!.role, 'follower');
});

test('a file that is not a trace is refused with a reason', () => {
  assert.throws(() => TracePlayer.parse('{"format":"other"}'), /raft-ts-trace\/1/);
  assert.throws(() => TracePlayer.parse('{"format":"raft-ts-trace/1","steps":[]}'), /no steps/);
});
