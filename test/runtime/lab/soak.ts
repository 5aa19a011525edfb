// Runs every Lab 3 scenario under many seeds in simulated time and reports failures by seed.
//   npm run test:soak                         200 seeds per scenario, from seed 1
//   npm run test:soak -- --seeds 500 --from 1000
//   npm run test:soak -- --scenario TestFigure83C --seed 17     replay one run, full error
import { parseArgs } from 'node:util';
import { scenarios } from './scenarios.ts';
import { runScenario, type ClockKind } from './run.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    scenario: { type: 'string' },
    clock: { type: 'string', default: 'simulated' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('usage: npm run test:soak -- [--seeds N] [--from S] [--scenario NAME] [--seed S] [--clock simulated|real]');
  process.exit(0);
}
const clock = values.clock as ClockKind;
if (clock !== 'simulated' && clock !== 'real') throw new Error('--clock is simulated or real');
const chosen = scenarios.filter((s) => values.scenario === undefined || s.name === values.scenario);
if (chosen.length === 0) throw new Error(`no scenario named ${values.scenario}`);
const seeds = values.seed !== undefined
  ? [Number(values.seed)]
  : Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.from) + i);

const started = performance.now();
let runs = 0;
const failures: { scenario: string; seed: number; message: string }[] = [];
for (const scenario of chosen) {
  const t0 = performance.now();
  let virtual = 0;
  const failedSeeds: number[] = [];
  for (const seed of seeds) {
    runs++;
    try {
      virtual += (await runScenario(scenario, seed, clock)).seconds;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failedSeeds.push(seed);
      failures.push({ scenario: scenario.name, seed, message });
      if (seeds.length === 1) console.error(error);
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${scenario.name.padEnd(34)} ${String(seeds.length - failedSeeds.length).padStart(5)}/${seeds.length} passed  ${secs.padStart(6)} s real, ${virtual.toFixed(0).padStart(7)} s virtual${failedSeeds.length > 0 ? `  FAILED seeds: ${failedSeeds.join(' ')}` : ''}`);
}
console.log(`\n${runs} runs (${chosen.length} scenarios x ${seeds.length} seeds ${seeds[0]}..${seeds.at(-1)}, ${clock} clock), ${failures.length} failed, ${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const f of failures) console.log(`\n${f.message}`);
process.exitCode = failures.length > 0 ? 1 : 0;
