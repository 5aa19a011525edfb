// FileStorage under the power-loss model of the file system (test/support/power-loss-file-system.ts):
// at every point of a node's saves, each state a power loss may leave recovers what was
// acknowledged, and so does a process crash and restart followed by a power loss. A larger run is
// in test/faults/power-loss.faults.ts (npm run test:faults).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPowerLoss } from '../support/power-loss-property.ts';

test('after a power loss at any point of any saves, recovery gives the acknowledged state (or the one being saved), and never refuses', async () => {
  const tally = await checkPowerLoss({
    bounds: { blockBytes: 64, exhaustiveBlocks: 4, sampledCombinations: 6, statesPerPoint: 24 },
    runs: 25, maxActions: 8, seed: 11, everyRestartPoint: false,
  });
  console.log(`power loss: ${JSON.stringify(tally)}`);
  // A power loss never stops a restart: a record torn in any order of its blocks is the tail's.
  assert.equal(tally.refused, 0);
  assert.ok(tally.gaveUnderWay > 0, 'no crash state kept a save that was under way');
});

test('with WAL preallocation, as raft node runs: a power loss at any point recovers the acknowledged state (or the one being saved), and never refuses', async () => {
  // Chunks of 256 bytes, so the workloads grow the file many times; blocks of 64 land in any order.
  const tally = await checkPowerLoss({
    bounds: { blockBytes: 64, exhaustiveBlocks: 4, sampledCombinations: 6, statesPerPoint: 24 },
    runs: 25, maxActions: 8, seed: 12, everyRestartPoint: false, preallocateBytes: 256,
  });
  console.log(`power loss, preallocated: ${JSON.stringify(tally)}`);
  assert.equal(tally.refused, 0);
  assert.ok(tally.gaveUnderWay > 0, 'no crash state kept a save that was under way');
});
