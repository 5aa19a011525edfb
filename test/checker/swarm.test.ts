// Swarm walks: reproducible from the seed, each walk rerunnable alone by its number, and able to
// find bug-zoo mutants at bounds wider than any exhaustive search here reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shrinkWalk, swarm } from '../../src/checker/swarm.ts';
import { shrink } from '../../src/checker/shrink.ts';
import { raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { drawBounds, swarmChoices } from '../../src/checker/raft/configurations.ts';
import { seededRandom } from '../../src/checker/random.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import type { Bounds, ClusterAction, ClusterState } from '../../src/checker/raft/cluster.ts';
import type { Path } from '../../src/checker/result.ts';
import { toyModel } from '../support/toy-model.ts';

const mutant = (id: string) => mutantNamed(id) ?? assert.fail(`no mutant ${id}`);
const space = (id?: string) => raftSwarmSpace(swarmChoices, id === undefined ? undefined : mutant(id).overrides);
const descriptions = (path: Path<ClusterState, ClusterAction>) => path.actions.map((a, k) => `${a.kind} ${JSON.stringify(path.states[k]!.network[('message' in a) ? a.message : -1] ?? null)}`);

test('the same seed gives the same walks: same steps, same sometimes-properties reached, same violation', () => {
  const run = () => swarm(space('Z10'), { seed: 3, depth: 200, walks: 400 });
  const a = run(), b = run();
  assert.ok(a.violation, 'Z10 is found within 400 walks of seed 3');
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
  const all = swarm(space('Z10'), { seed: 3, depth: 200, walks: 400 });
  assert.ok(all.violation && all.failure);
  const one = swarm(space('Z10'), { seed: 3, depth: 200, walk: all.failure.walk });
  assert.equal(one.walks, 1);
  assert.equal(one.violation?.property, all.violation.property);
  assert.deepEqual(one.failure?.config, all.failure.config);
  assert.deepEqual(descriptions(one.violation.path), descriptions(all.violation.path));
});

/** Walks 0 to count − 1 of `seed`, each with the bounds it drew, the kinds of action it took, its steps and whether a leader of it probed a follower (FC.1). */
function observedWalks(seed: number, count: number) {
  return Array.from({ length: count }, (_, walk) => {
    let bounds: Bounds | undefined;
    const taken = new Set<string>();
    let steps = 0;
    let probed = false;
    const base = space();
    swarm({
      ...base,
      model: (b: Bounds) => {
        bounds = b;
        const m = base.model(b);
        return {
          ...m,
          next: (s: ClusterState, a: ClusterAction) => {
            const n = m.next(s, a);
            if (n) {
              taken.add(m.actionKind!(a));
              steps++;
              probed ||= n.nodes.some((node) => node.role === 'leader' && Object.values(node.state.probing ?? {}).includes(true));
            }
            return n;
          },
        };
      },
    }, { seed, depth: 100, walk });
    return { bounds: bounds!, taken, steps, probed };
  });
}

test('walks differ in their bounds and in their mix of actions: some leave a fault out that their bounds allow', () => {
  const walks = observedWalks(5, 40);
  assert.deepEqual(new Set(walks.map((w) => w.bounds.nodes)), new Set([3, 5]));
  assert.ok(new Set(walks.map((w) => JSON.stringify(w.bounds))).size >= 30, 'nearly every walk draws bounds of its own');
  assert.ok(walks.some((w) => w.bounds.drops > 0 && w.steps >= 100 && !w.taken.has('drop')), 'a walk of 100 steps that may drop and never does');
  assert.ok(walks.some((w) => w.taken.has('drop')));
});

test('walks run the leaders both ways: as RaftNode runs them (a leader\'s own write lands later, PW.1; a leader probes, FC.1) and with neither option', () => {
  const walks = observedWalks(5, 40);
  assert.ok(walks.some((w) => w.bounds.leaderWritesInParallel === true && w.taken.has('land')), 'a leader\'s parallel write lands');
  assert.ok(walks.some((w) => w.bounds.flowControl === true && w.probed), 'a leader keeps one AppendEntries in flight to a follower not known to match');
  assert.ok(walks.some((w) => w.bounds.leaderWritesInParallel === false && w.bounds.flowControl === false && w.steps > 0));
  assert.ok(walks.every((w) => w.bounds.flowControl === true || !w.probed), 'no leader probes without flow control');
  assert.ok(walks.every((w) => w.bounds.leaderWritesInParallel === true || !w.taken.has('land')), 'no write lands later without PW.1');
});

test('pinning one bound, numeric or one of the leader\'s options, leaves every other bound\'s draw as it was', () => {
  for (const [bound, pinned] of [['nodes', [5]], ['crashes', [0]], ['leaderWritesInParallel', [true]], ['flowControl', [false]]] as const) {
    for (let seed = 0; seed < 20; seed++) {
      const free = drawBounds(swarmChoices, seededRandom(seed));
      const pin = drawBounds({ ...swarmChoices, [bound]: pinned }, seededRandom(seed));
      assert.deepEqual(pin, { ...free, [bound]: pinned[0] }, `${bound} pinned, seed ${seed}`);
    }
  }
});

test('a walk stops early when nothing in its mix is enabled (a toy model whose processes finish)', () => {
  const r = swarm({ draw: () => 2, model: (processes: number) => toyModel({ processes, atomic: true }) }, { seed: 1, depth: 100, walks: 5 });
  assert.equal(r.maxDepth, 2);
  assert.equal(r.generated, 10);
  assert.equal(r.reached.get('all done')?.actions.length, 2);
});

for (const id of ['Z2', 'Z3', 'Z10', 'Z13', 'Z31']) {
  test(`swarm finds mutant ${id} (${mutant(id).name}) breaking ${mutant(id).breaks} within 3,000 walks of seed 1`, () => {
    const r = swarm(space(id), { seed: 1, depth: 200, walks: 3000 });
    assert.equal(r.violation?.property, mutant(id).breaks);
  });
}

test('swarm finds Z1 (figure8-commit): walk 1,919 of seed 1, as docs/checker.md says, rerun by itself', () => {
  const r = swarm(space('Z1'), { seed: 1, depth: 200, walk: 1_919 });
  assert.equal(r.violation?.property, 'CommittedSurvivesElection');
  assert.equal(r.violation.path.actions.length, 98);
});

test('a walk\'s violation is made shorter by resampling its bounds than by shrinking it as found (Z24, seed 1, walk 387: 31 steps, 18 shrunk as found, 16 as docs/checker.md says)', () => {
  const s = space('Z24');
  const r = swarm(s, { seed: 1, depth: 200, walk: 387 });
  assert.equal(r.violation?.path.actions.length, 31);
  const asFound = shrink(r.failure!.model, r.violation);
  const best = shrinkWalk(s, r.failure!, r.violation);
  assert.equal(asFound.path.actions.length, 18);
  assert.equal(best.path.actions.length, 16);
  assert.equal(best.property, r.violation.property);
  assert.equal(best.from, 31);
});
