// The power-loss model of test/runtime/power-loss.test.ts with longer workloads, smaller blocks
// and more crash states per point, and a power loss at every operation of each restart (npm run
// test:faults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPowerLoss } from '../support/power-loss-property.ts';

// Without preallocation, and with it in small chunks (raft node preallocates its WAL).
for (const preallocateBytes of [0, 512]) {
  test(`power loss at any point of long workloads, many crash states each (preallocation: ${preallocateBytes} bytes)`, async () => {
    const tally = await checkPowerLoss({
      bounds: { blockBytes: 16, exhaustiveBlocks: 6, sampledCombinations: 24, statesPerPoint: 64 },
      runs: 60, maxActions: 16, seed: Number(process.env['POWER_LOSS_SEED'] ?? 11), everyRestartPoint: true, preallocateBytes,
    });
    console.log(`power loss: ${JSON.stringify(tally)}`);
    assert.equal(tally.refused, 0);
    assert.ok(tally.gaveUnderWay > 0);
  });
}
