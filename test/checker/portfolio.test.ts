// The portfolio (npm start): exhaustive stages that say honestly how far they got, swarm walks
// beside them on another thread and after them on the main one; every property gets a verdict,
// unreached sometimes-properties are listed, and a violation stops everything, shrunk when the
// walks found it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portfolio, portfolioSummary, type PortfolioPlan } from '../../src/checker/portfolio.ts';
import { raftModelSpec, raftSwarmSpace, raftSwarmSpec } from '../../src/checker/raft/model.ts';
import { swarm } from '../../src/checker/swarm.ts';
import { configurationNamed, portfolioStages, swarmChoices, type BoundsChoices } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import type { Bounds, ClusterAction, ClusterState } from '../../src/checker/raft/cluster.ts';

// Budgets are generous and the walks counted, so that a loaded machine changes no outcome.
const plan = (stages: { name: string; bounds: Bounds }[], options: { mutant?: string; memoryBytes?: number; walks?: number; threads?: number; choices?: BoundsChoices } = {}): PortfolioPlan<Bounds> => ({
  seconds: 600, exhaustiveShare: 0.5, memoryBytes: options.memoryBytes ?? 2 ** 31,
  stages: stages.map(({ name, bounds }) => ({ name, spec: raftModelSpec({ bounds, mutant: options.mutant, symmetry: true }), config: bounds })),
  swarm: { space: raftSwarmSpec({ choices: options.choices ?? swarmChoices, mutant: options.mutant }), seed: 1, depth: 100, walks: options.walks ?? 200, threads: options.threads ?? 0 },
  shrink: true,
});
const run = (p: PortfolioPlan<Bounds>) => portfolio<ClusterState, ClusterAction, Bounds>(p);
const text = (b: Bounds) => JSON.stringify(b);
const stage = (name: string) => ({ name, bounds: configurationNamed(name)!.bounds });

test('stages, then walks on the main thread and beside it on another: every property has a verdict and coverage is reported', async () => {
  const r = await run(plan([stage('election-3'), stage('replication-3')], { threads: 1 }));
  assert.deepEqual(r.stages.map((s) => s.complete), [true, true]);
  assert.deepEqual(r.walks.map((w) => [w.seed, w.walks]), [[1, 200], [2, 200]]);
  assert.equal(r.violation, undefined);
  assert.ok(r.peakRssBytes > 0);
  const lines = portfolioSummary(r, text, 'the swarm choices');
  assert.match(lines[0]!, new RegExp(`exhaustive election-3: .*complete, ${r.stages[0]!.distinct.toLocaleString('en-US')} distinct states`));
  for (const prop of r.properties) assert.ok(lines.some((l) => l.includes(prop.name)), prop.name);
  assert.ok(lines.some((l) => /ElectionSafety +holds \(exhaustive: election-3, replication-3; no violation in 400 sampled walks\)/.test(l)));
  // Neither stage has a fault: the walks must reach what they cannot.
  assert.ok(lines.some((l) => /a crashed node recovers +reached by swarm seed/.test(l)));
  assert.match(lines.at(-1)!, /^verdict: no violation/);
});

test('a stage stopped by its memory limit says it is incomplete and how deep it got; unreached properties are listed', async () => {
  const r = await run(plan([{ name: 'big', bounds: portfolioStages.at(-1)!.bounds }], { memoryBytes: 0, walks: 20, choices: { ...swarmChoices, snapshots: [0] } }));
  const [big] = r.stages;
  assert.equal(big!.complete, false);
  assert.equal(big!.stoppedBy, 'memory');
  const lines = portfolioSummary(r, text, 'no snapshots');
  assert.match(lines[0]!, /exhaustive big: .*exhaustive up to depth \d+ only, incomplete \(stopped by memory/);
  assert.ok(lines.some((l) => /holds \(exhaustive: big to depth \d+;/.test(l)));
  if (big!.reached.get('a snapshot is installed') === undefined) assert.match(lines.at(-1)!, /coverage incomplete: .*a snapshot is installed/);
  else assert.match(lines.at(-1)!, /^verdict: no violation/);
});

test('a violation an exhaustive stage finds stops the portfolio, with its shortest trace', async () => {
  const r = await run(plan([{ name: 'zoo', bounds: mutantNamed('Z2')!.bounds }], { mutant: 'Z2', threads: 1, walks: 100_000 }));
  assert.equal(r.violation?.phase, 'zoo');
  assert.equal(r.violation.property, mutantNamed('Z2')!.breaks);
  assert.equal(r.violation.from, undefined);
  assert.equal(r.walks.length, 1, 'the thread of walks reports, and no walks follow on the main thread');
});

for (const threads of [0, 1]) {
  test(`a violation only the walks reach is found by them (${threads === 0 ? 'on the main thread' : 'on another thread, and replayed'}) and shrunk`, async () => {
    // Z10 needs entries, and election-3 has none: only the walks can find it.
    const r = await run(plan([stage('election-3')], { mutant: 'Z10', walks: 3000, threads }));
    assert.ok(r.stages[0]!.complete);
    assert.equal(r.violation?.phase, 'swarm');
    assert.equal(r.violation.property, mutantNamed('Z10')!.breaks);
    // With a thread beside the main one, either may find it first: which walk is reported may
    // vary, but it is named, and it replays on its own.
    const { seed, walk } = r.violation.walk!;
    const again = swarm(raftSwarmSpace(swarmChoices, mutantNamed('Z10')!.overrides), { seed, depth: 100, walk });
    assert.equal(again.violation?.property, r.violation.property);
    assert.ok(r.violation.from !== undefined && r.violation.path.actions.length <= r.violation.from);
  });
}
