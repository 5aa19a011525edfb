// Runs one lab scenario under one seed, on the simulated clock (deterministic: the seed replays
// it) or the real one. A failure names the seed and the command that replays it.
import { realClock, SimulatedClock } from '../../../src/runtime/clock.ts';
import { seededRandom } from '../../../src/runtime/random.ts';
import type { LabEnv } from './config.ts';
import type { Scenario } from './scenarios.ts';

export type ClockKind = 'simulated' | 'real';

export interface RunResult {
  /** Virtual (or real) seconds the scenario took. */
  readonly seconds: number;
  /** RPCs and bytes over the whole run: with the same seed, the same numbers. */
  readonly rpcs: number;
  readonly bytes: number;
}

export const replayCommand = (scenario: Scenario, seed: number): string =>
  `npm run test:soak -- --scenario ${scenario.name} --seed ${seed}`;

/** A faulty Raft to run instead of ours (see lab3-mutants.test.ts). */
export type Variant = Pick<LabEnv, 'stepper' | 'timings'>;

export async function runScenario(scenario: Scenario, seed: number, kind: ClockKind = 'simulated', variant: Variant = {}): Promise<RunResult> {
  const clock = kind === 'simulated' ? new SimulatedClock() : realClock;
  const env: LabEnv = { ...variant, clock, random: seededRandom(seed) };
  const t0 = clock.now();
  try {
    if (clock instanceof SimulatedClock) {
      await clock.run(() => scenario.run(env), () => env.lab?.fatal ?? undefined);
    } else {
      await untilFatal(scenario.run(env), env);
    }
    if (env.lab?.fatal) throw env.lab.fatal;
    return { seconds: (clock.now() - t0) / 1000, rpcs: env.lab?.rpcTotal() ?? 0, bytes: env.lab?.bytesTotal() ?? 0 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = ((clock.now() - t0) / 1000).toFixed(3);
    throw new Error(`${scenario.name} failed with seed ${seed} (${kind} clock) at ${at} s: ${message}\n  replay: ${replayCommand(scenario, seed)}`, { cause: error });
  } finally {
    env.lab?.cleanup();
  }
}

/** On the real clock an apply error must also stop the script, as the lab's log.Fatalf does. */
async function untilFatal(script: Promise<void>, env: LabEnv): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const fatal = new Promise<never>((_, reject) => {
    timer = setInterval(() => { if (env.lab?.fatal) reject(env.lab.fatal); }, 20);
  });
  try {
    await Promise.race([script, fatal]);
  } finally {
    clearInterval(timer);
  }
}
