// `npm run demo` reads as a story: each step says in words what it saved to disk (one note per
// step, however many persist effects it had), and the run ends with all three nodes agreeing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('the demo says what each step saved, once per step, and ends in agreement', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/election-and-replication.ts'], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /persisted/);
  // A voter adopts the term and records its vote in one step, which asks to persist twice.
  assert.match(r.stdout, /node 2 follower .* RequestVote\(term 1, .*\[saved term 1, vote for node 1 to disk\]$/m);
  assert.match(r.stdout, /node 2 follower .* AppendEntries\(term 1, prev 0\/0, 2 entries.*\[saved log through index 2 to disk\]$/m);
  assert.equal(r.stdout.match(/saved .* to disk.*saved/g), null, 'a step with two notes of what it saved');
  assert.match(r.stdout, /All three nodes committed and applied both commands\./);
});
