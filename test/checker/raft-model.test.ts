// The Raft model under the checker: golden state counts, BFS/DFS/parallel agreement, symmetry
// that changes counts but no verdict, bounds that reach every "sometimes" behaviour, and traces
// that replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bfs } from '../../src/checker/bfs.ts';
import { dfs } from '../../src/checker/dfs.ts';
import { simulate } from '../../src/checker/simulate.ts';
import { parallelBfs } from '../../src/checker/parallel-bfs.ts';
import { raftModel, raftModelSpec } from '../../src/checker/raft/model.ts';
import { configurationNamed, configurations } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import { replayTrace, traceFile } from '../../src/checker/raft/trace.ts';
import type { ClusterAction, ClusterState } from '../../src/checker/raft/cluster.ts';
import type { CheckResult } from '../../src/checker/result.ts';

const named = (name: string) => configurationNamed(name) ?? assert.fail(`no configuration ${name}`);

/** Single-threaded BFS of each test configuration, run once and shared by the tests that read it. */
const explored = new Map<string, CheckResult<ClusterState, ClusterAction>>();
const bfsOf = (name: string) => explored.get(name) ?? explored.set(name, bfs(raftModel(named(name)))).get(name)!;

for (const c of configurations.filter((c) => c.suite === 'test')) {
  test(`golden counts: ${c.name} (${c.about})`, () => {
    const r = bfsOf(c.name);
    assert.ok(r.complete);
    assert.equal(r.violation, undefined, `the shipped machines violate ${r.violation?.property}`);
    assert.deepEqual({ distinct: r.distinct, generated: r.generated, maxDepth: r.maxDepth }, c.golden);
  });
}

test('spec/golden-counts.md lists every configuration with the numbers the code holds', () => {
  const doc = readFileSync(new URL('../../spec/golden-counts.md', import.meta.url), 'utf8');
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const c of configurations) {
    const row = doc.split('\n').find((line) => line.startsWith(`| ${c.name} |`));
    assert.ok(row, `spec/golden-counts.md has no row for ${c.name}`);
    for (const n of [c.golden.distinct, c.golden.generated]) assert.ok(row.includes(fmt(n)), `${c.name}: ${fmt(n)} missing from its row`);
  }
});

test('BFS and DFS agree on the distinct-state count of every test configuration', () => {
  for (const c of configurations.filter((c) => c.suite === 'test')) {
    assert.equal(dfs(raftModel(c)).distinct, c.golden.distinct, c.name);
  }
});

test('parallel BFS on 2 workers counts exactly what single-threaded BFS counts', async () => {
  const c = named('faults-3');
  const r = await parallelBfs(raftModelSpec(c), { workers: 2 });
  assert.ok(r.complete);
  assert.deepEqual({ distinct: r.distinct, generated: r.generated, maxDepth: r.maxDepth }, c.golden);
});

test('parallel BFS on 2 workers finds a mutant\'s violation after as few steps as single-threaded BFS', async () => {
  for (const id of ['Z2', 'Z6', 'Z7']) {
    const m = mutantNamed(id)!;
    const single = bfs(raftModel({ bounds: m.bounds, overrides: m.overrides }));
    const parallel = await parallelBfs<ClusterState, ClusterAction>(raftModelSpec({ bounds: m.bounds, mutant: id }), { workers: 2 });
    assert.equal(parallel.violation?.property, single.violation?.property, id);
    assert.equal(parallel.violation?.path.actions.length, single.violation?.path.actions.length, `${id}: BFS depth of the first violation`);
  }
});

test('symmetry reduction shrinks the count but changes no verdict, for the shipped rules and for mutants', () => {
  const c = named('faults-3');
  const plain = bfsOf(c.name);
  const reduced = bfs(raftModel({ ...c, symmetry: true }));
  assert.ok(reduced.distinct < plain.distinct / 4, `${reduced.distinct} vs ${plain.distinct}`);
  assert.equal(reduced.violation, undefined);
  assert.deepEqual([...reduced.reached].map(([k, v]) => [k, v?.actions.length]), [...plain.reached].map(([k, v]) => [k, v?.actions.length]));
  for (const id of ['Z2', 'Z3', 'Z9']) {
    const m = mutantNamed(id)!;
    const a = bfs(raftModel({ bounds: m.bounds, overrides: m.overrides }));
    const b = bfs(raftModel({ bounds: m.bounds, overrides: m.overrides, symmetry: true }));
    assert.equal(b.violation?.property, a.violation?.property, id);
    assert.equal(b.violation?.path.actions.length, a.violation?.path.actions.length, `${id}: BFS depth of the first violation`);
  }
});

test('the faults-3 bounds reach the four classic sometimes-properties: a leader, a commit, an installed snapshot, a recovered crash', () => {
  const r = bfsOf('faults-3');
  for (const name of ['a leader is elected', 'an entry is committed', 'a snapshot is installed', 'a crashed node recovers']) {
    assert.ok(r.reached.get(name), `${name} not reached`);
  }
});

test('every coverage situation is reachable: faults-3 exhaustively and a seeded simulation at wider bounds reach them all between them', () => {
  const exhaustive = bfsOf('faults-3');
  const bounds = { nodes: 3, maxTerm: 4, proposals: 3, maxInFlight: 6, drops: 2, duplicates: 2, crashes: 2, snapshots: 2 };
  const sampled = simulate(raftModel({ bounds }), { walks: 2000, depth: 80, seed: 1 });
  assert.equal(sampled.violation, undefined, `the shipped machines violate ${sampled.violation?.property}`);
  for (const [name, path] of exhaustive.reached) assert.ok(path ?? sampled.reached.get(name), `${name} reached by neither`);
});

test('a counterexample trace file replays through the model to the same violation', () => {
  const m = mutantNamed('Z3')!;
  const model = raftModel({ bounds: m.bounds, overrides: m.overrides });
  const r = bfs(model);
  assert.ok(r.violation);
  const file = JSON.parse(JSON.stringify(traceFile(model, r.violation.path, r.violation.property, m.bounds)));
  const replayed = replayTrace(model, file);
  assert.equal(replayed.violated, m.breaks);
  assert.equal(replayed.path.actions.length, r.violation.path.actions.length);
  assert.deepEqual(replayed.path.states.at(-1)!.nodes, r.violation.path.states.at(-1)!.nodes);
  const tampered = { ...file, choices: file.choices.slice(0, -1) };
  assert.equal(replayTrace(model, tampered).violated, null);
});
