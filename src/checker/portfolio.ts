// npm start: a portfolio of searches within one budget of time and memory. First an exhaustive
// parallel BFS of fixed bounds, as deep as it gets in its share of the budget; then swarm walks
// (swarm.ts) at wider bounds for the rest. The one proves a property within small bounds (or
// says how far it got), the other samples behaviour the exhaustive bounds cannot reach. A
// violation stops the portfolio; a swarm one is shrunk (shrink.ts) before it is reported.
import { loadModel, type Model, type ModelSpec, type Property } from './model.ts';
import { parallelBfs } from './parallel-bfs.ts';
import type { CheckResult, Progress, Violation } from './result.ts';
import { shrink } from './shrink.ts';
import { swarm, type SwarmResult, type SwarmSpace } from './swarm.ts';

export interface PortfolioPlan<S, A, C> {
  /** Wall-clock seconds for both phases (shrinking a violation comes on top). */
  readonly seconds: number;
  /** The part of `seconds` the exhaustive phase may take before it is stopped. */
  readonly exhaustiveShare: number;
  /** The exhaustive phase is stopped when the process's resident memory passes this. */
  readonly memoryBytes: number;
  readonly exhaustive: { readonly spec: ModelSpec; readonly config: C; readonly workers: number; readonly tableBits?: number };
  /** `walks`: stop after this many even if time is left. */
  readonly swarm: { readonly space: SwarmSpace<S, A, C>; readonly seed: number; readonly depth: number; readonly walks?: number };
  /** Shrink a swarm walk's violation (shrink.ts) before it is reported. */
  readonly shrink: boolean;
  readonly onProgress?: (phase: 'exhaustive' | 'swarm', p: Progress) => void;
}

export interface PortfolioViolation<S, A, C> extends Violation<S, A> {
  /** Steps before shrinking; absent when the path was not shrunk (a BFS path is shortest already). */
  readonly from?: number;
  readonly phase: 'exhaustive' | 'swarm';
  /** The configuration and model the path runs in (to print it and write a replayable trace). */
  readonly config: C;
  readonly model: Model<S, A>;
  /** The swarm walk that found it. */
  readonly walk?: number;
}

export interface PortfolioResult<S, A, C> {
  readonly exhaustive: CheckResult<S, A> & { readonly stoppedBy: 'time' | 'memory' | 'table size' | undefined };
  /** Undefined when the exhaustive phase found a violation (the portfolio stops there). */
  readonly swarm: SwarmResult<S, A, C> | undefined;
  readonly violation: PortfolioViolation<S, A, C> | undefined;
  readonly properties: readonly Property<S>[];
  /** Peak resident memory of the process, worker threads included. */
  readonly peakRssBytes: number;
  readonly seconds: number;
}

/** How often the exhaustive phase's memory is looked at. */
const MEMORY_POLL_MS = 250;
/** The visited table's slots (2^bits) when the plan names none: parallelBfs's own default. */
const DEFAULT_TABLE_BITS = 25;
/** A full shared table cannot grow, so the phase stops cleanly short of it (the table refuses past 85%). */
const TABLE_FILL = 0.8;

export async function portfolio<S, A, C>(plan: PortfolioPlan<S, A, C>): Promise<PortfolioResult<S, A, C>> {
  const started = performance.now();
  const stop = new AbortController();
  let stoppedBy: 'time' | 'memory' | undefined;
  const halt = (why: 'time' | 'memory') => { if (stoppedBy === undefined) { stoppedBy = why; stop.abort(); } };
  const timer = setTimeout(() => halt('time'), plan.seconds * plan.exhaustiveShare * 1000);
  const poll = setInterval(() => { if (process.memoryUsage.rss() > plan.memoryBytes) halt('memory'); }, MEMORY_POLL_MS);
  let exhaustive: CheckResult<S, A>;
  const tableBits = plan.exhaustive.tableBits ?? DEFAULT_TABLE_BITS;
  const maxStates = Math.floor(TABLE_FILL * 2 ** tableBits);
  try {
    exhaustive = await parallelBfs<S, A>(plan.exhaustive.spec, {
      workers: plan.exhaustive.workers, tableBits, maxStates, signal: stop.signal,
      onProgress: plan.onProgress && ((p) => plan.onProgress!('exhaustive', p)),
    });
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
  }
  const exhaustiveModel = await loadModel<S, A>(plan.exhaustive.spec);
  const peak = () => process.resourceUsage().maxRSS * 1024;
  const done = (swarmResult: SwarmResult<S, A, C> | undefined, violation: PortfolioViolation<S, A, C> | undefined): PortfolioResult<S, A, C> => ({
    exhaustive: { ...exhaustive, stoppedBy: exhaustive.complete || exhaustive.violation ? undefined : (stoppedBy ?? (exhaustive.distinct >= maxStates ? 'table size' : undefined)) },
    swarm: swarmResult, violation, properties: exhaustiveModel.properties, peakRssBytes: peak(), seconds: (performance.now() - started) / 1000,
  });
  if (exhaustive.violation) {
    const { property, path } = exhaustive.violation;
    return done(undefined, { property, path, phase: 'exhaustive', config: plan.exhaustive.config, model: exhaustiveModel });
  }

  const left = plan.seconds - (performance.now() - started) / 1000;
  const sampled = swarm(plan.swarm.space, {
    seed: plan.swarm.seed, depth: plan.swarm.depth, walks: plan.swarm.walks, seconds: Math.max(0, left),
    onProgress: plan.onProgress && ((p) => plan.onProgress!('swarm', p)),
  });
  const failure = sampled.failure;
  if (sampled.violation === undefined || failure === undefined) return done(sampled, undefined);
  const found = plan.shrink ? shrink(failure.model, sampled.violation) : sampled.violation;
  return done(sampled, { ...found, phase: 'swarm', config: failure.config, model: failure.model, walk: failure.walk });
}

/**
 * The verdict, property by property: what the exhaustive phase proved (within its bounds, to
 * the depth it finished), what the walks sampled, and which `sometimes` properties neither reached.
 */
export function portfolioSummary<S, A, C>(r: PortfolioResult<S, A, C>, describe: (config: C) => string, plan: PortfolioPlan<S, A, C>, sampledBounds: string): string[] {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const e = r.exhaustive;
  const exhaustiveBounds = describe(plan.exhaustive.config);
  // Stopped while expanding a level, BFS has checked every state of the levels before it.
  const checkedDepth = e.complete ? e.maxDepth : Math.max(0, e.maxDepth - 1);
  const lines = [
    `exhaustive: ${exhaustiveBounds}, symmetry: ${e.complete ? `complete, ${fmt(e.distinct)} distinct states, depth ${e.maxDepth}`
      : e.violation ? `stopped at a violation at depth ${e.violation.path.actions.length}, ${fmt(e.distinct)} distinct states`
      : `exhaustive up to depth ${checkedDepth}, incomplete (stopped by ${e.stoppedBy ?? 'an unknown cause'} after ${e.seconds.toFixed(0)} s), ${fmt(e.distinct)} distinct states`}`,
  ];
  const s = r.swarm;
  if (s) lines.push(`sampled: ${fmt(s.walks)} swarm walks (seed ${s.seed}${s.walks > 0 ? `, walks 0–${s.walks - 1}` : ''}, up to ${plan.swarm.depth} steps each), ${fmt(s.generated)} steps in ${s.seconds.toFixed(0)} s; bounds drawn from ${sampledBounds}`);
  else lines.push('sampled: nothing (the exhaustive phase found a violation)');
  lines.push(`peak memory: ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB resident; ${r.seconds.toFixed(0)} s in all`);
  const unreached: string[] = [];
  for (const p of r.properties) {
    if (p.expectation === 'always') {
      const verdict = r.violation?.property === p.name ? 'VIOLATED'
        : r.violation ? 'not violated before the stop'
        : `holds (exhaustive within the bounds above${e.complete ? '' : `, to depth ${checkedDepth} only`})${s ? `; no violation in ${fmt(s.walks)} sampled walks` : ''}`;
      lines.push(`  always    ${p.name.padEnd(24)} ${verdict}`);
    } else {
      const byBfs = e.reached.get(p.name);
      const byWalk = s?.reachedIn.get(p.name);
      const where = [byBfs && `exhaustive (${byBfs.actions.length} steps)`, byWalk !== undefined && `swarm (walk ${byWalk}, ${s!.reached.get(p.name)!.actions.length} steps)`].filter(Boolean);
      if (where.length === 0) unreached.push(p.name);
      lines.push(`  sometimes ${p.name.padEnd(24)} ${where.length ? `reached by ${where.join(' and ')}` : 'NOT REACHED by either phase'}`);
    }
  }
  const v = r.violation;
  lines.push(v ? `verdict: ${v.property} VIOLATED (found by the ${v.phase} phase${v.walk === undefined ? '' : `, walk ${v.walk}`})`
    : `verdict: no violation${unreached.length ? `; coverage incomplete: ${unreached.join(', ')} not reached` : '; every sometimes property reached'}`);
  return lines;
}
