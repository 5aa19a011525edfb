// RaftNode on a slow disk: saves finish after random delays in simulated time, nodes crash at any
// moment (often in the middle of a save) and restart from what is on disk. An effect-order checker
// compares what each incarnation sends, saves and applies with what its machine gave, step by step.
// More seeds and longer runs: test/faults/slow-storage.faults.ts (npm run test:faults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStorageRun } from '../support/slow-storage-run.ts';
import type { SlowStorageOptions } from '../support/slow-storage.ts';

const disk: SlowStorageOptions = { delayMs: { min: 0, max: 30 }, stallEvery: 20, stallMs: 400 };

test('on a slow disk with crashes, every send and apply follows the machine’s order and waits for the persist before it', async () => {
  const seeds = process.env['SLOW_STORAGE_SEED'] ? [Number(process.env['SLOW_STORAGE_SEED'])] : [1, 2, 3, 4];
  for (const seed of seeds) {
    const run = await slowStorageRun(seed, { durationMs: 6000, storage: disk, crashEveryMs: 700 });
    console.log(`seed ${seed}: ${JSON.stringify({ ...run, violations: run.violations.length, fatal: run.fatal.length })}`);
    assert.deepEqual(run.violations, [], `seed ${seed}`);
    assert.deepEqual(run.fatal, [], `seed ${seed}`);
    assert.ok(run.recovered, `seed ${seed}: no command committed after the crashes stopped`);
    assert.ok(run.crashesMidSave > 0 && run.afterPersist > 0 && run.committed > 0, `seed ${seed}: the run did not exercise slow saves and crashes`);
  }
});

test('the checker catches a node that sends before its persist is durable (a disk that acknowledges early)', async () => {
  const run = await slowStorageRun(1, { durationMs: 2000, storage: { ...disk, acknowledgeEarly: true }, crashEveryMs: 100_000 });
  assert.ok(run.violations.some((v) => /before step \d+'s persist was durable/.test(v)), `no violation found: ${JSON.stringify(run.violations.slice(0, 3))}`);
});
