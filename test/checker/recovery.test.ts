// The swarm walks' liveness check by healing (RecoversAfterFaults, src/checker/raft/recovery.ts):
// quiet on the shipped machines, and the only check that sees the bug zoo's stalls (Z45–Z47).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStepper, log } from '../../src/machine/index.ts';
import { bfs } from '../../src/checker/bfs.ts';
import { swarm } from '../../src/checker/swarm.ts';
import { raftModel, raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { swarmChoices } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import { initialCluster } from '../../src/checker/raft/cluster.ts';
import { heal, HEALING_STEPS_PER_NODE, RECOVERS_AFTER_FAULTS } from '../../src/checker/raft/recovery.ts';
import { seededRandom } from '../../src/checker/random.ts';
import { counterexampleText, HEALING_MARKER } from '../../src/checker/raft/trace.ts';

const mutant = (id: string) => mutantNamed(id) ?? assert.fail(`no mutant ${id}`);
const stalls = ['Z45', 'Z46', 'Z47'];

test('healing a fresh cluster elects a leader and commits the fresh command on every node, past maxTerm 0', () => {
  const bounds = { nodes: 3, maxTerm: 0, proposals: 0, maxInFlight: 0, drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };
  const { path, recovered } = heal(bounds, deriveStepper(), initialCluster(bounds), seededRandom(1));
  assert.ok(recovered);
  const end = path.states.at(-1)!;
  assert.deepEqual(end.history.applied, [1]);
  assert.ok(end.nodes.every((n) => n.state.commitIndex === 1 && n.serviceApplied === 1));
  assert.ok(path.actions.length < HEALING_STEPS_PER_NODE * bounds.nodes);
});

test('the shipped machines recover after each of 300 walks of seed 7', () => {
  const r = swarm(raftSwarmSpace(swarmChoices), { seed: 7, depth: 200, walks: 300 });
  assert.equal(r.walks, 300);
  assert.equal(r.violation, undefined, `${r.violation?.property} in walk ${r.failure?.walk}`);
});

for (const id of stalls) {
  test(`stall ${id} (${mutant(id).name}): no safety property breaks, exhaustively under Z44's bounds`, () => {
    const r = bfs(raftModel({ bounds: mutant('Z44').bounds, overrides: mutant(id).overrides, symmetry: true }));
    assert.ok(r.complete);
    assert.equal(r.violation, undefined, `${r.violation?.property}`);
  });

  test(`stall ${id} (${mutant(id).name}): its walk, safe to the end, fails to recover; without healing it passes`, () => {
    const space = raftSwarmSpace(swarmChoices, mutant(id).overrides);
    const found = swarm(space, { seed: 1, depth: 200, walk: mutant(id).walk });
    assert.equal(found.violation?.property, RECOVERS_AFTER_FAULTS);
    const { recovery: _, ...safetyOnly } = space;
    assert.equal(swarm(safetyOnly, { seed: 1, depth: 200, walk: mutant(id).walk }).violation, undefined);
  });
}

test('a stall prints its walk, a line where faults stop, the healing up to its last progress, and one line for the rest (Z46)', () => {
  const found = swarm(raftSwarmSpace(swarmChoices, mutant('Z46').overrides), { seed: 1, depth: 200, walk: mutant('Z46').walk });
  const v = found.violation ?? assert.fail('Z46 did not stall');
  const healedFrom = v.healedFrom ?? assert.fail('no healing recorded');
  const total = v.path.actions.length;
  const lines = counterexampleText(v.path, healedFrom, true).split('\n');
  assert.equal(lines[healedFrom], HEALING_MARKER);
  assert.ok(lines.length < total, `${lines.length} lines for ${total} steps`);
  const elided = /^ +… (\d+) further healing steps \((\d+)–(\d+)\) changed no node's term.*at the end: n1 /.exec(lines.at(-1)!) ?? assert.fail(lines.at(-1));
  const shown = Number(elided[2]) - 1;
  assert.deepEqual([Number(elided[1]), Number(elided[3])], [total - shown, total]);
  assert.equal(lines.length, shown + 2);
  assert.ok(shown > healedFrom, 'Z46 heals some way before it stalls');
  const ends = (k: number) => v.path.states[k]!.nodes.map((n) => [n.role, n.state.currentTerm, log.lastIndex(n.state.log), n.state.commitIndex, n.serviceApplied]);
  assert.deepEqual(ends(total), ends(shown));
  // Unshortened, as a safety break found while healing prints it: every step, the marker in place.
  assert.equal(counterexampleText(v.path, healedFrom, false).split('\n').length, total + 1);
});
