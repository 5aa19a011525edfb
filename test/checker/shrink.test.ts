// Shrinking: a swarm walk's long trace becomes a short one that breaks the same property, first,
// replays from a trace file, and from which no single step can be left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { swarm } from '../../src/checker/swarm.ts';
import { keyReplayer, shrink } from '../../src/checker/shrink.ts';
import { simulate } from '../../src/checker/simulate.ts';
import { raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { swarmChoices } from '../../src/checker/raft/configurations.ts';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import { replayTrace, traceFile } from '../../src/checker/raft/trace.ts';
import { toyModel } from '../support/toy-model.ts';

const found = (id: string, seed: number) => {
  // Safety traces are what is shrunk: without the recovery check, which finds Z9's stall first.
  const { recovery: _, ...space } = raftSwarmSpace(swarmChoices, mutantNamed(id)!.overrides);
  const r = swarm(space, { seed, depth: 200, walks: 2000 });
  assert.ok(r.violation && r.failure, `${id} found from seed ${seed}`);
  return { violation: r.violation, model: r.failure.model, bounds: r.failure.config };
};

for (const [id, seed] of [['Z8', 1], ['Z9', 1], ['Z13', 1]] as const) {
  test(`${id}: the shrunk trace breaks the same property first, is no longer, is 1-minimal, and shrinking is deterministic`, () => {
    const { violation, model } = found(id, seed);
    const s = shrink(model, violation);
    assert.equal(s.property, violation.property);
    assert.equal(s.from, violation.path.actions.length);
    assert.ok(s.path.actions.length <= violation.path.actions.length);
    assert.ok(s.minimal, 'shrinking finished within its replays');
    const broken = (k: number) => model.properties.find((p) => p.expectation === 'always' && !p.holds(s.path.states[k]!))?.name;
    assert.equal(broken(s.path.actions.length), violation.property);
    for (let k = 0; k < s.path.actions.length; k++) assert.equal(broken(k), undefined, `state ${k} breaks nothing`);

    const replayer = keyReplayer(model, s.path.states[0]!, s.property)!;
    const keys = s.path.actions.map((a, k) => replayer.keyOf(s.path.states[k]!, a));
    assert.equal(replayer.replay(keys)?.path.actions.length, keys.length);
    for (let k = 0; k < keys.length; k++) assert.equal(replayer.replay(keys.filter((_, j) => j !== k)), undefined, `step ${k + 1} can be left out`);

    assert.deepEqual(shrink(model, violation).path.actions, s.path.actions);
  });
}

test('a shrunk trace replays from its trace file, in the bounds of the walk that found it', () => {
  const { violation, model, bounds } = found('Z8', 1);
  const s = shrink(model, violation);
  const file = JSON.parse(JSON.stringify(traceFile(model, s.path, s.property, bounds)));
  const replayed = replayTrace(model, file);
  assert.equal(replayed.violated, violation.property);
  assert.equal(replayed.path.actions.length, s.path.actions.length);
});

test('shrinking a plain simulation trace works too; a model without actionKey is left as it is', () => {
  const toy = toyModel({ processes: 3, atomic: false });
  const r = simulate(toy, { walks: 50, depth: 10, seed: 7 });
  assert.ok(r.violation);
  const s = shrink(toy, r.violation);
  assert.equal(s.minimal, false);
  assert.equal(s.path, r.violation.path);
});

test('the CLI prints the shrunk trace, writes it as JSON, and --replay exits 1 at the violation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raft-shrink-'));
  try {
    const json = join(dir, 'trace.json');
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', ...args], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    const run = cli('--strategy', 'swarm', '--mutant', 'Z8', '--seed', '1', '--walks', '2000', '--json', json);
    assert.equal(run.status, 1, run.stderr);
    const shrunk = /(\w+) violated after (\d+) steps \(shrunk from (\d+) to (\d+) steps\)/.exec(run.stdout);
    assert.ok(shrunk, run.stdout);
    assert.match(run.stdout, /rerun it alone: npm run check -- --strategy swarm --seed 1 --walk \d+ --mutant Z8/);
    const replay = cli('--replay', json);
    assert.equal(replay.status, 1, replay.stderr);
    assert.match(replay.stdout, new RegExp(`replayed ${shrunk[4]} steps: ${shrunk[1]} violated at the last`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
