// Runs every Lab 3 scenario under many seeds in simulated time and reports failures by seed.
//   npm run test:soak                         200 seeds per scenario, from seed 1
//   npm run test:soak -- --seeds 500 --from 1000
//   npm run test:soak -- --scenario TestFigure83C --seed 17     replay one run, full error
import { commandLine, refuse, wholeNumber } from '../../../scripts/command-line.ts';
import { scenarios } from './scenarios.ts';
import { runScenario } from './run.ts';

const values = commandLine(`usage: npm run test:soak [-- --seeds N] [--from S] [--scenario NAME] [--seed S] [--clock simulated|real]
Runs every Lab 3 scenario (or --scenario NAME) under --seeds seeds from --from (default 200 from 1),
or the one --seed with its full error, and reports the failures by seed.`, {
  seeds: { type: 'string' }, from: { type: 'string' }, seed: { type: 'string' }, scenario: { type: 'string' }, clock: { type: 'string' },
});
const clock = values.clock ?? 'simulated';
if (clock !== 'simulated' && clock !== 'real') refuse(`--clock must be simulated or real, got "${clock}"`);
const chosen = scenarios.filter((s) => values.scenario === undefined || s.name === values.scenario);
if (chosen.length === 0) refuse(`no scenario named ${values.scenario}`);
const from = wholeNumber('from', values.from, { min: 0, fallback: 1 });
const seeds = values.seed !== undefined
  ? [wholeNumber('seed', values.seed, { min: 0 })]
  : Array.from({ length: wholeNumber('seeds', values.seeds, { min: 1, fallback: 200 }) }, (_, i) => from + i);

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
