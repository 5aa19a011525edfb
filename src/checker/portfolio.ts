// npm start: a portfolio of searches within one budget of time and memory, on all cores.
// On the main thread, exhaustive BFS of a list of stages (each proves every property within its
// bounds, or says how deep it got before its time ran out), then swarm walks for the rest of
// the budget; on the other threads, swarm walks (swarm.ts) at wider bounds from the start, each
// thread with a seed of its own. The one proves within small bounds, the other samples behaviour
// those bounds cannot reach. The first violation anyone finds stops them all; a swarm one is
// replayed from its walk number and shrunk (shrink.ts) before it is reported.
import { Worker } from 'node:worker_threads';
import { bfs } from './bfs.ts';
import { loadModel, type Model, type ModelSpec, type Property } from './model.ts';
import type { CheckResult, Progress, Violation } from './result.ts';
import { shrinkWalk, swarm, type SwarmResult } from './swarm.ts';
import { spaceFrom, type SwarmWorkerReport, type SwarmWorkerSetup } from './swarm-worker.ts';
import { workerScript } from './worker-script.ts';

export interface ExhaustiveStage<C> {
  readonly name: string;
  /** The model to search (its bounds and symmetry), as data. */
  readonly spec: ModelSpec;
  /** Its bounds, to print and to write into a trace file. */
  readonly config: C;
}

/**
 * A {@link portfolio} run: a wall-clock and memory budget, exhaustive stages to run first, and swarm
 * walks on worker threads for the whole budget.
 */
export interface PortfolioPlan<C> {
  /** Wall-clock seconds for everything but shrinking a violation. */
  readonly seconds: number;
  /** The part of `seconds` the exhaustive stages may take, together; the rest is walks only. */
  readonly exhaustiveShare: number;
  /** A stage is stopped when the process's resident memory passes this. */
  readonly memoryBytes: number;
  /** Run in order; a stage the time or memory stops is reported incomplete, and the next starts. */
  readonly stages: readonly ExhaustiveStage<C>[];
  readonly swarm: {
    /** A module and factory of the SwarmSpace to walk, as data (the threads build their own). */
    readonly space: ModelSpec;
    /** Thread k walks seed + k; the main thread, after the stages, seed + threads. */
    readonly seed: number;
    readonly depth: number;
    /** Threads beside the main one (0: walks on the main thread only, after the stages). */
    readonly threads: number;
    /** Each thread stops after this many walks even if time is left (tests). */
    readonly walks?: number;
  };
  /** Shrink a swarm walk's violation (shrink.ts) before it is reported. */
  readonly shrink: boolean;
  /** Called about once a second with the running phase (a stage's name, or "swarm"). */
  readonly onProgress?: (phase: string, p: Progress) => void;
}

export interface StageResult<S, A, C> extends CheckResult<S, A> {
  readonly stage: ExhaustiveStage<C>;
  /** Why an incomplete stage stopped. */
  readonly stoppedBy: 'time' | 'memory' | 'a violation elsewhere' | undefined;
}

/** What one thread of walks did (the main thread's walks, or a worker's). */
export interface WalkStream {
  readonly seed: number;
  readonly walks: number;
  readonly steps: number;
  readonly seconds: number;
  /** For each sometimes-property reached: the first walk that reached it and in how many steps. */
  readonly reached: ReadonlyMap<string, { readonly walk: number; readonly steps: number }>;
}

/** The violation a {@link portfolio} reports, with what is needed to print it, replay it and write a trace. */
export interface PortfolioViolation<S, A, C> extends Violation<S, A> {
  /** Steps before shrinking; absent when the path was not shrunk (a BFS path is shortest already). */
  readonly from?: number;
  /** The stage's name, or "swarm". */
  readonly phase: string;
  /** The configuration and model the path runs in (to print it and write a replayable trace). */
  readonly config: C;
  readonly model: Model<S, A>;
  /** The swarm walk that found it, and its seed. */
  readonly walk?: { readonly seed: number; readonly walk: number };
}

/** What a {@link portfolio} run did: each stage's result, each thread's walks, and the first violation, if any. */
export interface PortfolioResult<S, A, C> {
  readonly stages: readonly StageResult<S, A, C>[];
  readonly walks: readonly WalkStream[];
  readonly violation: PortfolioViolation<S, A, C> | undefined;
  readonly properties: readonly Property<S>[];
  /** The liveness property the swarm walks check at their end (SwarmSpace.recovery), if they do. */
  readonly recovery: string | undefined;
  /** Peak resident memory of the process, worker threads included. */
  readonly peakRssBytes: number;
  readonly seconds: number;
}

/**
 * Exhaustive BFS stages and swarm walks within one budget of time and memory, on all the threads
 * asked for; the first violation anyone finds stops them all (a swarm one is shrunk if asked).
 * `portfolioSummary` turns the result into the verdict, property by property.
 */
export async function portfolio<S, A, C>(plan: PortfolioPlan<C>): Promise<PortfolioResult<S, A, C>> {
  const started = performance.now();
  const deadline = started + plan.seconds * 1000;
  const exhaustiveDeadline = started + plan.seconds * plan.exhaustiveShare * 1000;
  const stopWord = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopWord);
  const stopped = () => Atomics.load(stop, 0) !== 0;
  const space = spaceFrom<S, A, C>((await import(plan.swarm.space.module)) as Record<string, unknown>, plan.swarm.space);

  const script = plan.swarm.threads > 0 ? await workerScript('swarm-worker', plan.swarm.space.module) : undefined;
  const threads = Array.from({ length: plan.swarm.threads }, (_, k) => runThread(script!, {
    space: plan.swarm.space, seed: plan.swarm.seed + k, depth: plan.swarm.depth, walks: plan.swarm.walks,
    seconds: Math.max(0, (deadline - performance.now()) / 1000), stop: stopWord,
  }));

  const stages: StageResult<S, A, C>[] = [];
  let violation: PortfolioViolation<S, A, C> | undefined;
  for (const stage of plan.stages) {
    if (stopped()) break;
    const model = await loadModel<S, A>(stage.spec);
    let stoppedBy: StageResult<S, A, C>['stoppedBy'];
    const r = bfs(model, {
      stop: () => {
        stoppedBy = stopped() ? 'a violation elsewhere' : performance.now() > exhaustiveDeadline ? 'time' : process.memoryUsage.rss() > plan.memoryBytes ? 'memory' : undefined;
        return stoppedBy !== undefined;
      },
      onProgress: plan.onProgress && ((p) => plan.onProgress!(stage.name, p)),
    });
    stages.push({ ...r, stage, stoppedBy: r.complete || r.violation ? undefined : stoppedBy });
    if (r.violation) {
      Atomics.store(stop, 0, 1);
      violation = { ...r.violation, phase: stage.name, config: stage.config, model };
      break;
    }
  }

  const walks: WalkStream[] = [];
  let own: SwarmResult<S, A, C> | undefined;
  const ownSeed = plan.swarm.seed + plan.swarm.threads;
  if (!stopped() && performance.now() < deadline) {
    own = swarm(space, {
      seed: ownSeed, depth: plan.swarm.depth, walks: plan.swarm.walks, seconds: (deadline - performance.now()) / 1000, stop: stopped,
      onProgress: plan.onProgress && ((p) => plan.onProgress!('swarm', p)),
    });
    if (own.violation) Atomics.store(stop, 0, 1);
    walks.push({
      seed: ownSeed, walks: own.walks, steps: own.generated, seconds: own.seconds,
      reached: new Map([...own.reachedIn].map(([name, walk]) => [name, { walk, steps: own!.reached.get(name)!.actions.length }])),
    });
  }
  const reports = await Promise.all(threads);
  reports.forEach((r, k) => walks.unshift({
    seed: plan.swarm.seed + k, walks: r.walks, steps: r.steps, seconds: r.seconds,
    reached: new Map(r.reached.map(([name, walk, steps]) => [name, { walk, steps }])),
  }));

  if (violation === undefined) {
    // A walk's violation: ours, else the first thread's that found one, replayed from its number.
    const found = own?.violation && own.failure ? { seed: ownSeed, walk: own.failure.walk, result: own }
      : reports.flatMap((r, k) => (r.failure ? [{ seed: plan.swarm.seed + k, walk: r.failure.walk, result: undefined }] : []))[0];
    if (found !== undefined) {
      const replayed = found.result ?? swarm(space, { seed: found.seed, depth: plan.swarm.depth, walk: found.walk });
      if (replayed.violation === undefined || replayed.failure === undefined) throw new Error(`walk ${found.walk} of seed ${found.seed} did not replay to its violation`);
      const path = plan.shrink ? shrinkWalk(space, replayed.failure, replayed.violation) : replayed.violation;
      violation = { ...path, phase: 'swarm', config: replayed.failure.config, model: replayed.failure.model, walk: { seed: found.seed, walk: found.walk } };
    }
  }
  // The stages and the walks check one system, so any of its models lists the properties.
  const properties = space.model(space.draw(() => 0)).properties;
  return { stages, walks, violation, properties, recovery: space.recovery?.property, peakRssBytes: process.resourceUsage().maxRSS * 1024, seconds: (performance.now() - started) / 1000 };
}

function runThread(script: URL, setup: SwarmWorkerSetup): Promise<SwarmWorkerReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: { setup } });
    worker.once('message', (r: SwarmWorkerReport) => { resolve(r); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`swarm worker exited with code ${code}`)); });
  });
}

/**
 * The verdict, property by property: what each exhaustive stage proved (within its bounds, to
 * the depth it finished), what the walks sampled, and which `sometimes` properties none reached.
 */
export function portfolioSummary<S, A, C>(r: PortfolioResult<S, A, C>, describe: (config: C) => string, sampledBounds: string): string[] {
  const fmt = (n: number) => n.toLocaleString('en-US');
  // Stopped while expanding a level, BFS has checked every state of the levels before it.
  const checkedDepth = (e: StageResult<S, A, C>) => (e.complete ? e.maxDepth : Math.max(0, e.maxDepth - 1));
  const perState = (e: StageResult<S, A, C>) => (e.peakBytes === undefined || e.distinct === 0 ? '' : `, ${(e.peakBytes / e.distinct).toFixed(0)} bytes a state`);
  const lines = r.stages.map((e) => `exhaustive ${e.stage.name}: ${describe(e.stage.config)}: ${e.complete ? `complete, ${fmt(e.distinct)} distinct states, depth ${e.maxDepth}, ${e.seconds.toFixed(0)} s${perState(e)}`
    : e.violation ? `stopped at a violation at depth ${e.violation.path.actions.length}, ${fmt(e.distinct)} distinct states`
    : `exhaustive up to depth ${checkedDepth(e)} only, incomplete (stopped by ${e.stoppedBy ?? 'an unknown cause'} after ${e.seconds.toFixed(0)} s), ${fmt(e.distinct)} distinct states${perState(e)}`}`);
  const walked = r.walks.reduce((n, w) => n + w.walks, 0);
  if (r.walks.length > 0) {
    lines.push(`sampled: ${fmt(walked)} swarm walks, ${fmt(r.walks.reduce((n, w) => n + w.steps, 0))} steps (${r.walks.map((w) => `seed ${w.seed}: walks 0–${Math.max(0, w.walks - 1)} in ${w.seconds.toFixed(0)} s`).join('; ')}); bounds drawn from ${sampledBounds}`);
  } else lines.push('sampled: nothing');
  lines.push(`peak memory: ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB resident; ${r.seconds.toFixed(0)} s in all`);
  const proven = r.stages.filter((e) => e.violation === undefined && e.distinct > 0).map((e) => (e.complete ? e.stage.name : `${e.stage.name} to depth ${checkedDepth(e)}`));
  const unreached: string[] = [];
  for (const p of r.properties) {
    if (p.expectation === 'always') {
      const verdict = r.violation?.property === p.name ? 'VIOLATED'
        : r.violation ? 'not violated before the stop'
        : `holds (exhaustive: ${proven.join(', ') || 'none'}; no violation in ${fmt(walked)} sampled walks)`;
      lines.push(`  always    ${p.name.padEnd(24)} ${verdict}`);
    } else {
      const where = [
        ...r.stages.flatMap((e) => { const path = e.reached.get(p.name); return path ? [`${e.stage.name} (${path.actions.length} steps)`] : []; }),
        ...r.walks.flatMap((w) => { const at = w.reached.get(p.name); return at ? [`swarm seed ${w.seed} (walk ${at.walk}, ${at.steps} steps)`] : []; }),
      ];
      if (where.length === 0) unreached.push(p.name);
      lines.push(`  sometimes ${p.name.padEnd(24)} ${where.length ? `reached by ${where.slice(0, 2).join(' and ')}` : 'NOT REACHED by any search'}`);
    }
  }
  if (r.recovery !== undefined) {
    lines.push(`  liveness  ${r.recovery.padEnd(24)} ${r.violation?.property === r.recovery ? 'VIOLATED' : r.violation ? 'not violated before the stop' : `holds after each of ${fmt(walked)} sampled walks (healed, bounded)`}`);
  }
  const v = r.violation;
  lines.push(v ? `verdict: ${v.property} VIOLATED (found by ${v.walk === undefined ? `the exhaustive stage ${v.phase}` : `swarm walk ${v.walk.walk} of seed ${v.walk.seed}`})`
    : `verdict: no violation${unreached.length ? `; coverage incomplete: ${unreached.join(', ')} not reached` : '; every sometimes property reached'}`);
  return lines;
}

