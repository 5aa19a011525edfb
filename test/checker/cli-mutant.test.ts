// `npm run check -- --mutant ID` runs the search docs/bug-zoo.md states its figures with (the
// mutant's bounds, BFS with symmetry): the states it explores and the trace it prints are the
// numbers in that row of the page. A swarm walk's break found while healing prints the walk's own bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mutantNamed } from '../../src/checker/raft/mutants.ts';
import { raftSwarmSpace } from '../../src/checker/raft/model.ts';
import { swarmChoices } from '../../src/checker/raft/configurations.ts';
import { swarm } from '../../src/checker/swarm.ts';
import { HEALING_MARKER } from '../../src/checker/raft/trace.ts';

const root = new URL('../..', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', ...args], { encoding: 'utf8', cwd: root });
const zoo = readFileSync(`${root}docs/bug-zoo.md`, 'utf8');

for (const id of ['Z6', 'Z8']) {
  test(`--mutant ${id} explores the states and prints the trace length docs/bug-zoo.md gives`, () => {
    const row = new RegExp(`^\\| ${id} \\| [^|]+ \\| [^|]+ \\| [^|]+ \\| (\\d+) \\| (\\w+) \\| ([\\d,]+) \\| [\\d.]+ \\| BFS, symmetry \\|`, 'm').exec(zoo);
    assert.ok(row, `docs/bug-zoo.md has no BFS-with-symmetry row for ${id}`);
    const [, steps, property, states] = row;
    const r = cli('--mutant', id, '--workers', '1');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^bounds: .* symmetry$/m);
    assert.match(r.stdout, new RegExp(`^distinct states ${states},`, 'm'));
    assert.match(r.stdout, new RegExp(`^${property} violated after ${steps} steps`, 'm'));
  });
}

test('a safety break found while healing (Z15, walk 1) prints the walk\'s own bounds, what healing lifted, and where faults stop', () => {
  const z15 = mutantNamed('Z15') ?? assert.fail('no mutant Z15');
  const drawn = swarm(raftSwarmSpace(swarmChoices, z15.overrides), { seed: 1, depth: 200, walk: 1 }).failure?.drawn ?? assert.fail('walk 1 finds no Z15');
  const r = cli('--strategy', 'swarm', '--mutant', 'Z15', '--seed', '1', '--walk', '1', '--no-shrink', '--workers', '1');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const bounds = /^walk 1: bounds (.*?); mix/m.exec(r.stdout) ?? assert.fail(r.stdout);
  assert.equal(bounds[1], Object.entries(drawn).map(([k, v]) => `${k}=${v}`).join(' '));
  assert.doesNotMatch(r.stdout, new RegExp(String(Number.MAX_SAFE_INTEGER)));
  assert.match(r.stdout, /^found while healing, which lifted maxTerm, proposals, maxInFlight /m);
  const lines = r.stdout.split('\n');
  const marker = lines.indexOf(HEALING_MARKER);
  assert.ok(marker > 0, 'no line marks where faults stop');
  assert.match(lines[marker - 1]!, /^200\. /);
  assert.match(lines[marker + 1]!, /^201\. /);
});
