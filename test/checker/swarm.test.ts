// Swarm walks: reproducible from the seed, each walk rerunnable alone by its number, and able to
// find bug-zoo mutants at bounds wider than any exhaustive search here reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shrinkWalk, swarm } from '../../src/checker/swarm.ts';
import { shrink } from '../../src/checker/shrink.ts';
import { raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { swarmChoices } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import type { Bounds, ClusterAction, ClusterState } from '../../src/checker/raft/cluster.ts';
import type { Path } from '../../src/checker/result.ts';
import { toyModel } from '../support/toy-model.ts';

const mutant = (id: string) => mutantNamed(id) ?? assert.fail(`no mutant ${id}`);
const space = (id?: string) => raftSwarmSpace(swarmChoices, id === undefined ? undefined : mutant(id).overrides);
const descriptions = (path: Path<ClusterState, ClusterAction>) => path.actions.map((a, k) => `${a.kind} ${JSON.stringify(path.states[k]!.network[('message' in a) ? a.message : -1] ?? null)}`);

test('the same seed gives the same walks: same steps, same sometimes-properties reached, same violation', () => {
  const run = () => swarm(space('Z10'), { seed: 4, depth: 200, walks: 400 });
  const a = run(), b = run();
  assert.ok(a.violation, 'Z10 is found within 400 walks of seed 4');
  assert.deepEqual([a.walks, a.generated, a.failure?.walk, a.failure?.config], [b.walks, b.generated, b.failure?.walk, b.failure?.config]);
  assert.deepEqual(descriptions(a.violation.path), descriptions(b.violation!.path));
  assert.deepEqual(a.reachedIn, b.reachedIn);
});

test('a different seed draws different walks', () => {
  const a = swarm(space(), { seed: 1, depth: 50, walks: 20 });
  const b = swarm(space(), { seed: 2, depth: 50, walks: 20 });
  assert.notEqual(a.generated, b.generated);
});

test('--walk W reruns exactly the walk that found a violation, by itself', () => {
  const all = swarm(space('Z10'), { seed: 4, depth: 200, walks: 400 });
  assert.ok(all.violation && all.failure);
  const one = swarm(space('Z10'), { seed: 4, depth: 200, walk: all.failure.walk });
  assert.equal(one.walks, 1);
  assert.equal(one.violation?.property, all.violation.property);
  assert.deepEqual(one.failure?.config, all.failure.config);
  assert.deepEqual(descriptions(one.violation.path), descriptions(all.violation.path));
});

test('walks differ in their bounds and in their mix of actions: some leave a fault out that their bounds allow', () => {
  const walks = Array.from({ length: 40 }, (_, walk) => {
    let bounds: Bounds | undefined;
    const taken = new Set<string>();
    let steps = 0;
    const base = space();
    swarm({
      ...base,
      model: (b: Bounds) => {
        bounds = b;
        const m = base.model(b);
        return { ...m, next: (s: ClusterState, a: ClusterAction) => { const n = m.next(s, a); if (n) { taken.add(m.actionKind!(a)); steps++; } return n; } };
      },
    }, { seed: 5, depth: 100, walk });
    return { bounds: bounds!, taken, steps };
  });
  assert.deepEqual(new Set(walks.map((w) => w.bounds.nodes)), new Set([3, 5]));
  assert.ok(new Set(walks.map((w) => JSON.stringify(w.bounds))).size >= 30, 'nearly every walk draws bounds of its own');
  assert.ok(walks.some((w) => w.bounds.drops > 0 && w.steps >= 100 && !w.taken.has('drop')), 'a walk of 100 steps that may drop and never does');
  assert.ok(walks.some((w) => w.taken.has('drop')));
});

test('a walk stops early when nothing in its mix is enabled (a toy model whose processes finish)', () => {
  const r = swarm({ draw: () => 2, model: (processes: number) => toyModel({ processes, atomic: true }) }, { seed: 1, depth: 100, walks: 5 });
  assert.equal(r.maxDepth, 2);
  assert.equal(r.generated, 10);
  assert.equal(r.reached.get('all done')?.actions.length, 2);
});

for (const id of ['Z2', 'Z3', 'Z10', 'Z13']) {
  test(`swarm finds mutant ${id} (${mutant(id).name}) breaking ${mutant(id).breaks} within 3,000 walks of seed 1`, () => {
    const r = swarm(space(id), { seed: 1, depth: 200, walks: 3000 });
    assert.equal(r.violation?.property, mutant(id).breaks);
  });
}

test('swarm finds Z1 (figure8-commit): walk 48,778 of seed 1, as docs/checker.md says, rerun by itself', () => {
  const r = swarm(space('Z1'), { seed: 1, depth: 200, walk: 48_778 });
  assert.equal(r.violation?.property, 'CommittedSurvivesElection');
  assert.equal(r.violation.path.actions.length, 60);
});

test('a walk\'s violation is made shorter by resampling its bounds than by shrinking it as found (Z30, seed 1, walk 40: 77 steps, 64 shrunk as found, 38 as docs/checker.md says)', () => {
  const s = space('Z30');
  const r = swarm(s, { seed: 1, depth: 200, walk: 40 });
  assert.equal(r.violation?.path.actions.length, 77);
  const asFound = shrink(r.failure!.model, r.violation);
  const best = shrinkWalk(s, r.failure!, r.violation);
  assert.equal(asFound.path.actions.length, 64);
  assert.equal(best.path.actions.length, 38);
  assert.equal(best.property, r.violation.property);
  assert.equal(best.from, 77);
});
