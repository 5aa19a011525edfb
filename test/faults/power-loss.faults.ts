// The power-loss model of test/runtime/power-loss.test.ts with longer workloads, smaller blocks
// and many more crash states per point (npm run test:faults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPowerLoss } from '../support/power-loss-property.ts';

test('power loss at any point of long workloads, many crash states each', async () => {
  const tally = await checkPowerLoss({
    bounds: { blockBytes: 16, exhaustiveBlocks: 6, sampledCombinations: 24, statesPerPoint: 128 },
    runs: 150, maxActions: 20, seed: Number(process.env['POWER_LOSS_SEED'] ?? 11),
  });
  console.log(`power loss: ${JSON.stringify(tally)}`);
  assert.equal(tally.refused, 0);
  assert.ok(tally.gaveUnderWay > 0);
});
