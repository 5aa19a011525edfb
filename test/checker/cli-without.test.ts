// `--without PROPERTY`: the check runs with that property left out, which is how the claim "only
// this property catches that mutant" is shown from the command line; a name that is no property
// is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/checker/cli.ts', ...args], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });

test('--without leaves a property out: P3 is then found by nothing, and found again with it', () => {
  const without = cli('--mutant', 'P3', '--workers', '1', '--without', 'PromisesAreDurable');
  assert.equal(without.status, 0, without.stdout + without.stderr);
  assert.match(without.stdout, /left out of the check: PromisesAreDurable/);
  assert.match(without.stdout, /^explored the whole bounded state space/m);
  const with_ = cli('--mutant', 'P3', '--workers', '1');
  assert.equal(with_.status, 1);
  assert.match(with_.stdout, /PromisesAreDurable violated after/);
});

test('--without refuses a name that is no always-property', () => {
  const r = cli('--mutant', 'P3', '--without', 'a leader is elected');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--without names no always-property: "a leader is elected"/);
});
