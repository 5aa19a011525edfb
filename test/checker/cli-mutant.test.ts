// `npm run check -- --mutant ID` runs the search docs/bug-zoo.md states its figures with (the
// mutant's bounds, BFS with symmetry): the states it explores and the trace it prints are the
// numbers in that row of the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
