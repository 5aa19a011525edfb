// A few short Lab 3 scenarios on the real clock, so the timing code (realClock, setImmediate
// batching, real timers) runs too. They run side by side to keep the suite short.
import { describe, it } from 'node:test';
import { scenarios } from './lab/scenarios.ts';
import { runScenario } from './lab/run.ts';

const onRealClock = ['TestBasicAgree3B', 'TestPersist33C', 'TestSnapshotInit3D'];

describe('Lab 3 on the real clock', { concurrency: true }, () => {
  for (const scenario of scenarios.filter((s) => onRealClock.includes(s.name))) {
    it(scenario.name, async () => {
      await runScenario(scenario, 1, 'real');
    });
  }
});
