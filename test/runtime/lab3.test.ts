// Every Lab 3 scenario in simulated time, under several seeds. A failure prints its seed and the
// command that replays it. LAB_SEEDS=n runs n seeds per scenario (default 4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scenarios } from './lab/scenarios.ts';
import { runScenario } from './lab/run.ts';

const seedCount = Number(process.env['LAB_SEEDS'] ?? 4);
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);

for (const part of ['3A', '3B', '3C', '3D'] as const) {
  describe(`Lab ${part}`, () => {
    for (const scenario of scenarios.filter((s) => s.part === part)) {
      it(`${scenario.name} (seeds ${seeds[0]}..${seeds.at(-1)})`, async () => {
        for (const seed of seeds) await runScenario(scenario, seed);
      });
    }
  });
}

describe('Lab 3 runs replay', () => {
  it('the same seed gives the same run (unreliable, long reordering, crashes)', async () => {
    for (const name of ['TestFigure8Unreliable3C', 'TestSnapshotInstallUnCrash3D']) {
      const scenario = scenarios.find((s) => s.name === name)!;
      const first = await runScenario(scenario, 7);
      assert.deepEqual(await runScenario(scenario, 7), first);
      assert.notDeepEqual(await runScenario(scenario, 8), first);
    }
  });
});
