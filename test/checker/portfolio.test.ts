// The portfolio (npm start): an exhaustive phase that says honestly how far it got, then swarm
// walks; every property gets a verdict, unreached sometimes-properties are listed, and a
// violation stops it, shrunk when the walks found it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portfolio, portfolioSummary, type PortfolioPlan } from '../../src/checker/portfolio.ts';
import { raftModelSpec, raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { configurationNamed, portfolioExhaustive, swarmChoices } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import type { Bounds, ClusterAction, ClusterState } from '../../src/checker/raft/cluster.ts';

// Budgets are generous and the walks counted, so that a loaded machine changes no outcome.
const plan = (bounds: Bounds, options: { mutant?: string; memoryBytes?: number; walks?: number } = {}): PortfolioPlan<ClusterState, ClusterAction, Bounds> => ({
  seconds: 600, exhaustiveShare: 0.5, memoryBytes: options.memoryBytes ?? 2 ** 31,
  exhaustive: { spec: raftModelSpec({ bounds, mutant: options.mutant, symmetry: true }), config: bounds, workers: 2, tableBits: 18 },
  swarm: { space: raftSwarmSpace(swarmChoices, options.mutant === undefined ? undefined : mutantNamed(options.mutant)!.overrides), seed: 1, depth: 100, walks: options.walks ?? 200 },
  shrink: true,
});
const text = (b: Bounds) => JSON.stringify(b);

test('both phases run: a complete exhaustive phase, then walks; every property has a verdict and coverage is reported', async () => {
  const p = plan(configurationNamed('election-3')!.bounds);
  const r = await portfolio(p);
  assert.ok(r.exhaustive.complete);
  assert.equal(r.swarm?.walks, 200);
  assert.equal(r.violation, undefined);
  assert.ok(r.peakRssBytes > 0);
  const lines = portfolioSummary(r, text, p, 'the swarm choices');
  assert.match(lines[0]!, new RegExp(`complete, ${r.exhaustive.distinct} distinct states`));
  for (const prop of r.properties) assert.ok(lines.some((l) => l.includes(prop.name)), prop.name);
  assert.ok(lines.some((l) => /ElectionSafety +holds \(exhaustive within the bounds above\); no violation in [\d,]+ sampled walks/.test(l)));
  // election-3 has no entries: the walks must reach what the exhaustive phase cannot.
  assert.ok(lines.some((l) => /an entry is committed +reached by swarm/.test(l)));
  assert.match(lines.at(-1)!, /^verdict: no violation/);
});

test('an exhaustive phase stopped by its memory limit says it is incomplete and how deep it got; unreached properties are listed', async () => {
  const p = { ...plan(portfolioExhaustive.bounds, { memoryBytes: 0 }), swarm: { space: raftSwarmSpace({ ...swarmChoices, snapshots: [0] }), seed: 1, depth: 50, walks: 20 } };
  const r = await portfolio(p);
  assert.equal(r.exhaustive.complete, false);
  assert.equal(r.exhaustive.stoppedBy, 'memory');
  const lines = portfolioSummary(r, text, p, 'no snapshots');
  assert.match(lines[0]!, /exhaustive up to depth \d+, incomplete \(stopped by memory/);
  assert.ok(lines.some((l) => /holds \(exhaustive within the bounds above, to depth \d+ only\)/.test(l)));
  if (r.exhaustive.reached.get('a snapshot is installed') === undefined) assert.match(lines.at(-1)!, /coverage incomplete: .*a snapshot is installed/);
  else assert.match(lines.at(-1)!, /^verdict: no violation/);
});

test('a violation the exhaustive phase finds stops the portfolio, with its shortest trace', async () => {
  const r = await portfolio(plan(mutantNamed('Z2')!.bounds, { mutant: 'Z2' }));
  assert.equal(r.violation?.phase, 'exhaustive');
  assert.equal(r.violation.property, mutantNamed('Z2')!.breaks);
  assert.equal(r.violation.from, undefined);
  assert.equal(r.swarm, undefined);
});

test('a violation only the walks reach is found by them and shrunk', async () => {
  // Z10 needs entries, and election-3 has none: only the walks can find it.
  const r = await portfolio(plan(configurationNamed('election-3')!.bounds, { mutant: 'Z10', walks: 3000 }));
  assert.ok(r.exhaustive.complete);
  assert.equal(r.violation?.phase, 'swarm');
  assert.equal(r.violation.property, 'StateMachineSafety');
  assert.ok(r.violation.walk !== undefined);
  assert.ok(r.violation.from !== undefined && r.violation.path.actions.length <= r.violation.from);
});
