// test/runtime/slow-storage.test.ts with more seeds, longer runs, more crashes and longer stalls
// (npm run test:faults). SLOW_STORAGE_SEEDS=n sets how many seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStorageRun } from '../support/slow-storage-run.ts';

test('on a slow disk with frequent crashes, across many seeds, every effect follows the machine’s order and waits for its persist', async () => {
  const seeds = Number(process.env['SLOW_STORAGE_SEEDS'] ?? 30);
  for (let seed = 1; seed <= seeds; seed++) {
    const run = await slowStorageRun(seed, { durationMs: 20_000, storage: { delayMs: { min: 0, max: 60 }, stallEvery: 10, stallMs: 900 }, crashEveryMs: 400 });
    assert.deepEqual(run.violations, [], `seed ${seed}`);
    assert.deepEqual(run.fatal, [], `seed ${seed}`);
    assert.ok(run.recovered, `seed ${seed}: no command committed after the crashes stopped`);
    if (seed === seeds) console.log(`last seed ${seed}: ${JSON.stringify({ ...run, violations: run.violations.length, fatal: run.fatal.length })}`);
  }
});
