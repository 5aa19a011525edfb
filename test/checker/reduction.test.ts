// Sleep sets (docs/checker.md, "Sleep sets") against the full search, on every configuration small
// enough to run both: the test configurations and each bug-zoo mutant at its own bounds (with
// symmetry, as the mutant tests run them). The reduction claims the same states at the same
// depths, so the same verdict, the same shortest trace length and the same "sometimes"
// properties reached; only fewer successors generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfs } from '../../src/checker/bfs.ts';
import { raftModel, type RaftModelOptions } from '../../src/checker/raft/model.ts';
import { configurations } from '../../src/checker/raft/configurations.ts';
import { mutants } from '../../src/checker/raft/mutants.ts';
import { toyModel } from '../support/toy-model.ts';

/** Mutants whose exhaustive BFS takes well over ten seconds here. */
const tooLarge = new Set(['Z1', 'Z17']);

function compare(name: string, options: RaftModelOptions): { full: number; reduced: number } {
  const full = bfs(raftModel(options));
  const reduced = bfs(raftModel(options), { reduction: true });
  assert.equal(reduced.violation?.property, full.violation?.property, `${name}: verdict`);
  assert.equal(reduced.violation?.path.actions.length, full.violation?.path.actions.length, `${name}: length of the shortest counterexample`);
  assert.equal(reduced.complete, full.complete, `${name}: completeness`);
  if (full.complete) {
    assert.equal(reduced.distinct, full.distinct, `${name}: distinct states`);
    assert.equal(reduced.maxDepth, full.maxDepth, `${name}: depth`);
    const reached = (r: typeof full) => [...r.reached].filter(([, path]) => path !== undefined).map(([p, path]) => `${p} in ${path!.actions.length}`);
    assert.deepEqual(reached(reduced), reached(full), `${name}: sometimes-properties reached, and how soon`);
  }
  assert.ok(reduced.generated <= full.generated, `${name}: the reduction generated more`);
  return { full: full.generated, reduced: reduced.generated };
}

for (const c of configurations.filter((c) => c.suite === 'test')) {
  test(`sleep sets: ${c.name} gives the full search's states, depth, verdict and coverage, generating fewer`, () => {
    const { full, reduced } = compare(c.name, c);
    assert.ok(reduced < full, `${c.name}: nothing pruned`);
  });
}

// A mutant held to a swarm walk (Mutant.walk) has the walk's bounds, far past any BFS here.
const compared = mutants.filter((m) => !tooLarge.has(m.id) && m.walk === undefined);
const notCompared = mutants.filter((m) => !compared.includes(m)).map((m) => m.id);
test(`sleep sets: every mutant gives the full search's verdict and trace length (compared: ${compared.map((m) => m.id).join(' ')}; not: ${notCompared.join(' ')})`, () => {
  for (const m of compared) compare(`mutant ${m.id}`, { bounds: m.bounds, overrides: m.overrides, symmetry: true });
});

test('a model that cannot tell which actions commute is refused the reduction, not searched in full silently', () => {
  assert.throws(() => bfs(toyModel({ processes: 2, atomic: true }), { reduction: true }), /no sleep sets/);
});
