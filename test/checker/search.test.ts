// The search strategies on a model small enough to count independently: exact distinct counts,
// shortest counterexamples, honest incompleteness, and visited sets that behave like a Set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bfs } from '../../src/checker/bfs.ts';
import { dfs } from '../../src/checker/dfs.ts';
import { simulate } from '../../src/checker/simulate.ts';
import { parallelBfs } from '../../src/checker/parallel-bfs.ts';
import { FingerprintSet, Hasher } from '../../src/checker/fingerprint-set.ts';
import { naiveCount, toyModel, type ToyOptions } from '../support/toy-model.ts';

const spec = (options: ToyOptions) => ({ module: new URL('../support/toy-model.ts', import.meta.url).href, factory: 'toyModel', options });

test('BFS, DFS and parallel BFS count exactly the distinct states a naive Set-based search counts', async () => {
  for (const processes of [1, 2, 3, 4]) {
    const options = { processes, atomic: true };
    const expected = naiveCount(toyModel(options));
    assert.equal(bfs(toyModel(options)).distinct, expected, `bfs, ${processes} processes`);
    assert.equal(dfs(toyModel(options)).distinct, expected, `dfs, ${processes} processes`);
    const parallel = await parallelBfs(spec(options), { workers: 2 });
    assert.equal(parallel.distinct, expected, `parallel bfs, ${processes} processes`);
    assert.ok(parallel.complete);
  }
});

test('BFS finds the lost update with a shortest trace (read, read, write, write); DFS and parallel BFS find it too', async () => {
  const model = toyModel({ processes: 2, atomic: false });
  const r = bfs(model);
  assert.equal(r.violation?.property, 'NoLostUpdate');
  assert.equal(r.violation.path.actions.length, 4);
  const last = r.violation.path.states.at(-1)!;
  assert.equal(last.x, 1);
  assert.equal(dfs(model).violation?.property, 'NoLostUpdate');
  const p = await parallelBfs<unknown, unknown>(spec({ processes: 2, atomic: false }), { workers: 2 });
  assert.equal(p.violation?.property, 'NoLostUpdate');
  assert.equal(p.violation.path.actions.length, 4);
});

test('a correct model reports its sometimes-properties reached and the search complete', () => {
  const r = bfs(toyModel({ processes: 3, atomic: true }));
  assert.equal(r.violation, undefined);
  assert.ok(r.complete);
  assert.equal(r.reached.get('all done')?.actions.length, 3);
});

test('a search stopped by maxStates or maxDepth says it is incomplete', async () => {
  const model = toyModel({ processes: 4, atomic: true });
  assert.equal(bfs(model, { maxStates: 3 }).complete, false);
  assert.equal(dfs(model, { maxStates: 3 }).complete, false);
  const shallow = bfs(model, { maxDepth: 1 });
  assert.equal(shallow.maxDepth, 1);
  assert.equal((await parallelBfs(spec({ processes: 4, atomic: true }), { workers: 2, maxDepth: 1 })).maxDepth, 1);
  assert.equal((await parallelBfs(spec({ processes: 4, atomic: true }), { workers: 2, maxStates: 3 })).complete, false);
  assert.equal(shallow.reached.get('all done'), undefined);
});

test('simulation replays from its seed and never claims completeness', () => {
  const model = toyModel({ processes: 3, atomic: false });
  const a = simulate(model, { walks: 50, depth: 10, seed: 7 });
  const b = simulate(model, { walks: 50, depth: 10, seed: 7 });
  assert.equal(a.complete, false);
  assert.deepEqual(a.violation?.path.actions, b.violation?.path.actions);
  assert.equal(a.violation?.property, 'NoLostUpdate');
});

const fingerprints = fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })), { maxLength: 300 });

test('FingerprintSet behaves like a Set of (hi, lo) pairs, across growth', () => {
  fc.assert(fc.property(fingerprints, (pairs) => {
    const set = new FingerprintSet(4);
    const reference = new Set<string>();
    for (const [hi, lo] of pairs) {
      const key = `${hi}:${lo}`;
      assert.equal(set.insert(hi * 0x1000193, lo * 0x9e3779b1), !reference.has(key));
      reference.add(key);
    }
    assert.equal(set.size, reference.size);
  }));
});

test('Hasher: equal inputs give equal digests; a changed word changes the digest', () => {
  fc.assert(fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 20 }), fc.nat(19), (words, at) => {
    const h = (ws: number[]) => { const x = new Hasher().reset(); for (const w of ws) x.add(w); return x.digest(); };
    assert.deepEqual(h(words), h([...words]));
    const changed = [...words];
    changed[at % words.length] = changed[at % words.length]! + 1;
    assert.notDeepEqual(h(changed), h(words));
  }));
});
