// The model checker's command line: `npm start` runs the portfolio (exhaustive, then swarm
// walks, within a budget); `npm run check -- --help` lists the bounds, strategies and mutants.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resourceUsage } from 'node:process';
import { parseArgs } from 'node:util';
import { bfs } from './bfs.ts';
import { parallelBfs } from './parallel-bfs.ts';
import { dfs } from './dfs.ts';
import { simulate } from './simulate.ts';
import { shrinkWalk, swarm } from './swarm.ts';
import { shrink } from './shrink.ts';
import { portfolio, portfolioSummary, type PortfolioPlan } from './portfolio.ts';
import type { Model, Property } from './model.ts';
import type { CheckResult, Progress, Violation } from './result.ts';
import type { Bounds, ClusterAction, ClusterState, NumericBound } from './raft/cluster.ts';
import { raftModel, raftModelSpec, raftSwarmSpace, raftSwarmSpec } from './raft/model.ts';
import { raftProperties } from './raft/properties.ts';
import { mutantNamed, mutants } from './raft/mutants.ts';
import { counterexampleText, replayTrace, traceFile, traceText } from './raft/trace.ts';
import { RECOVERS_AFTER_FAULTS } from './raft/recovery.ts';
import type { TraceFile } from './trace-format.ts';
import {
  boundsNamed, defaultBounds, namedBounds, portfolioStages, swarmChoices, type BoundsChoices,
} from './raft/configurations.ts';

const HELP = `usage: npm start [-- options]          (the portfolio, within a budget)
       npm run check -- [options]
       raft check [options]               (npm run check, from the installed package)

Checks Raft's safety properties (spec/properties.md) on a small cluster that steps the shipped
machines. Exit code: 0 no property is violated, 1 a property is violated (the trace is printed),
2 bad arguments.

strategy:
  --strategy S         portfolio  npm start: on one core, exhaustive BFS of the stages ${portfolioStages.map((c) => c.name).join(', ')}
                                  (--list-configs) for up to 60% of the budget (a stage is stopped past
                                  1.5 GiB resident), then swarm walks; on the other cores, swarm walks
                                  from the start; the first violation anyone finds stops them all
                       bfs        every state within the bounds, shortest traces  [default for npm run check]
                       dfs        every state within the bounds, little memory
                       simulate   random walks within the bounds
                       swarm      random walks, each drawing its own bounds (from the swarm choices below,
                                  a bound given on the command line pins it) and its own mix of actions
portfolio:
  --budget SECONDS     wall-clock time for all its searches (shrinking a violation comes on top)  [300]
configuration (bfs, dfs, simulate):
  --config NAME        start from a named configuration (spec/golden-counts.md)   [default]
  --list-configs       list the named configurations
bounds (override the configuration's; shown: the default configuration):
  --nodes N            cluster size (3 or 5)                                  [${defaultBounds.nodes}]
  --max-term N         no node goes past this term                           [${defaultBounds.maxTerm}]
  --proposals N        client proposals (log entries) in the whole run      [${defaultBounds.proposals}]
  --max-in-flight N    messages in flight at once                            [${defaultBounds.maxInFlight}]
  --drops N            messages the network may lose                         [${defaultBounds.drops}]
  --duplicates N       messages the network may duplicate                    [${defaultBounds.duplicates}]
  --crashes N          crash-and-restarts (also between a persist and what follows it) [${defaultBounds.crashes}]
  --snapshots N        snapshots the service may take                        [${defaultBounds.snapshots}]
  swarm draws each walk's bounds from: ${choicesText(swarmChoices)}
search:
  --workers N          threads: for bfs, each owning a share of the states (1: single-threaded); for the
                       portfolio, one runs the exhaustive stages and the others swarm walks  [all cores: ${availableParallelism()}]
  --symmetry           count states equal up to renaming node ids once
  --reduction          sleep sets: of actions that commute, take one order (same states and
                       verdicts, fewer successors generated; bfs on one thread only: docs/checker.md)
  --max-states N       stop after N distinct states (the result says it is incomplete)
  --max-depth N        do not go deeper than N steps
  --seed N             simulate, swarm, portfolio: the seed (the same seed, the same walks)  [1]
  --depth N            simulate, swarm, portfolio: steps per walk at most     [200]
  --walks N            simulate: walks [1000]; swarm: stop after N walks
  --time SECONDS       swarm: stop after this long                             [60 unless --walks]
  --walk W             swarm: run walk W of the seed only (a violation names its walk)
  --no-shrink          print a random walk's violation as found, not shrunk
  --without PROPERTY   bfs, dfs, simulate: leave an always-property out of the check (repeatable): what
                       shows that a property is the only one to catch a mutant
bugs:
  --mutant NAME        check a bug-zoo mutant instead of the shipped rules (name or id, e.g. Z2);
                       bfs/dfs/simulate use its bounds and symmetry, as docs/bug-zoo.md does;
                       swarm and the portfolio their own
  --list-mutants       list the mutants
output:
  --json PATH          write a violation's trace as JSON (raft-ts-trace/1, for the viewer and --replay)
  --replay PATH        replay a trace file step by step through the model it names, and say
                       which property fails where (exit 1 if one does)
  --help`;

/** A command line the checker cannot run: one line on stderr, exit code 2. */
function fail(message: string): never {
  console.error(`raft check: ${message.split('\n')[0]} (see --help)`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        nodes: { type: 'string' }, 'max-term': { type: 'string' }, proposals: { type: 'string' }, 'max-in-flight': { type: 'string' },
        drops: { type: 'string' }, duplicates: { type: 'string' }, crashes: { type: 'string' }, snapshots: { type: 'string' },
        strategy: { type: 'string' }, symmetry: { type: 'boolean', default: false }, reduction: { type: 'boolean', default: false },
        workers: { type: 'string' },
        'max-states': { type: 'string' }, 'max-depth': { type: 'string' },
        walks: { type: 'string' }, depth: { type: 'string' }, seed: { type: 'string' },
        time: { type: 'string' }, walk: { type: 'string' }, budget: { type: 'string' }, 'no-shrink': { type: 'boolean', default: false }, without: { type: 'string', multiple: true },
        config: { type: 'string' }, 'list-configs': { type: 'boolean', default: false },
        mutant: { type: 'string' }, 'list-mutants': { type: 'boolean', default: false }, json: { type: 'string' }, replay: { type: 'string' }, help: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
})();

if (values.help) { console.log(HELP); process.exit(0); }
if (values.replay !== undefined) replay(values.replay);
if (values['list-mutants']) {
  for (const m of mutants) console.log(`${m.id.padEnd(4)} ${m.name.padEnd(28)} breaks ${(m.breaks ?? 'nothing on its own').padEnd(20)} ${m.bug}`);
  process.exit(0);
}

if (values['list-configs']) {
  for (const c of namedBounds) console.log(`${c.name.padEnd(20)} ${c.about}`);
  process.exit(0);
}

const count = (name: string, raw: string | undefined, fallback: number, min = 0): number => {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) fail(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return Number(raw);
};

const mutant = values.mutant === undefined ? undefined : (mutantNamed(values.mutant) ?? fail(`unknown mutant "${values.mutant}"; --list-mutants shows them`));
const config = values.config === undefined ? undefined : (boundsNamed(values.config) ?? fail(`unknown configuration "${values.config}"; --list-configs shows them`));
if (config && mutant) fail('give --config or --mutant, not both (a mutant has its own bounds)');
const strategy = values.strategy ?? 'bfs';
if (strategy !== 'bfs' && strategy !== 'dfs' && strategy !== 'simulate' && strategy !== 'swarm' && strategy !== 'portfolio') {
  fail(`--strategy must be portfolio, bfs, dfs, simulate or swarm, got "${strategy}"`);
}
const boundFlags = { nodes: 'nodes', maxTerm: 'max-term', proposals: 'proposals', maxInFlight: 'max-in-flight', drops: 'drops', duplicates: 'duplicates', crashes: 'crashes', snapshots: 'snapshots' } as const;
const minimum = (k: NumericBound) => (k === 'nodes' || k === 'maxTerm' || k === 'maxInFlight' ? 1 : 0);
/** The bounds given on the command line. */
const pinned = Object.fromEntries((Object.keys(boundFlags) as (NumericBound)[]).flatMap((k) => {
  const raw = values[boundFlags[k]];
  return raw === undefined ? [] : [[k, count(boundFlags[k], raw, 0, minimum(k))]];
})) as Partial<Bounds>;
if ((pinned.nodes ?? 0) > 7) fail('--nodes above 7 is not supported (node ids are bits of a 32-bit mask)');
const onlyFor = (flags: readonly (keyof typeof values)[], strategies: readonly string[]) => {
  for (const f of flags) if (values[f] !== undefined && values[f] !== false && !strategies.includes(strategy)) fail(`--${f} is for --strategy ${strategies.join(' or ')}`);
};
onlyFor(['time', 'walk'], ['swarm']);
onlyFor(['walks'], ['simulate', 'swarm']);
onlyFor(['budget'], ['portfolio']);
onlyFor(['max-states', 'max-depth'], ['bfs', 'dfs']);
onlyFor(['without'], ['bfs', 'dfs', 'simulate']);
if (strategy === 'portfolio' && (config || Object.keys(pinned).length > 0 || values.symmetry)) fail('the portfolio runs its own bounds: no --config, bounds or --symmetry');
if (strategy === 'swarm' && config) fail('swarm draws its own bounds: pin one with its flag (e.g. --nodes 3), not --config');

const reduction = values.reduction;
if (reduction && strategy !== 'bfs') fail('--reduction is for --strategy bfs');
const workers = count('workers', values.workers, reduction ? 1 : availableParallelism(), 1);
if (reduction && workers !== 1) fail('--reduction runs single-threaded: leave out --workers or give --workers 1');
const seed = count('seed', values.seed, 1);
const depth = count('depth', values.depth, 200, 1);
const shrinking = !values['no-shrink'];
const tty = process.stderr.isTTY;
const progressLine = (p: Progress, unit: string) => {
  process.stderr.write(`\r${p.distinct.toLocaleString('en-US')} ${unit}, depth ${p.depth}, ${unit === 'steps' ? `walks ${p.queued.toLocaleString('en-US')}` : `queue ${p.queued.toLocaleString('en-US')}`}, ${Math.round(p.distinct / p.seconds).toLocaleString('en-US')} ${unit}/s, ${p.seconds.toFixed(0)} s   `);
};
const clearProgress = () => { if (tty) process.stderr.write('\r\x1b[K'); };
const what = mutant ? `mutant ${mutant.id} ${mutant.name} (${mutant.bug})` : 'the shipped machines';
const fmt = (n: number) => n.toLocaleString('en-US');
const boundsText = (b: Bounds) => Object.entries(b).map(([k, v]) => `${k}=${v}`).join(' ');

if (strategy === 'portfolio') await runPortfolio();
else if (strategy === 'swarm') runSwarm();
else await runSearch(strategy);

async function runSearch(strategy: 'bfs' | 'dfs' | 'simulate'): Promise<void> {
  const bounds: Bounds = { ...(mutant?.bounds ?? config?.bounds ?? defaultBounds), ...pinned };
  const maxStates = values['max-states'] === undefined ? undefined : count('max-states', values['max-states'], 0, 1);
  const maxDepth = values['max-depth'] === undefined ? undefined : count('max-depth', values['max-depth'], 0, 1);
  // A mutant is searched as docs/bug-zoo.md states its figures: its bounds, with symmetry.
  const symmetry = values.symmetry || (config?.symmetry ?? mutant !== undefined);
  const without = values.without ?? [];
  for (const name of without) if (!raftProperties.some((p) => p.name === name && p.expectation === 'always')) fail(`--without names no always-property: "${name}" (spec/properties.md)`);
  const model = raftModel({ bounds, overrides: mutant?.overrides, symmetry, without });
  if (without.length > 0) console.log(`left out of the check: ${without.join(', ')}`);
  const onProgress = tty ? (p: Progress) => progressLine(p, 'distinct') : undefined;
  console.log(`Checking ${what}`);
  console.log(`bounds: ${boundsText(bounds)}; strategy=${strategy}${strategy === 'bfs' ? ` workers=${workers}` : ''}${symmetry ? ' symmetry' : ''}${reduction ? ' reduction' : ''}${maxStates ? ` max-states=${maxStates}` : ''}${maxDepth ? ` max-depth=${maxDepth}` : ''}`);

  const result: CheckResult<ClusterState, ClusterAction> = strategy === 'simulate'
    ? simulate(model, { walks: count('walks', values.walks, 1000, 1), depth, seed, onProgress })
    : strategy === 'dfs' ? dfs(model, { maxStates, maxDepth, onProgress })
    : workers === 1 ? bfs(model, { maxStates, maxDepth, onProgress, reduction })
    : await parallelBfs(raftModelSpec({ bounds, mutant: mutant?.id, symmetry, without }), { workers, maxStates, maxDepth, onProgress });
  clearProgress();

  console.log(`${result.complete ? 'explored the whole bounded state space' : result.violation ? 'stopped at the first violation' : strategy === 'simulate' ? 'random walks (not exhaustive)' : 'stopped early: INCOMPLETE'}`);
  console.log(`distinct states ${fmt(result.distinct)}, generated ${fmt(result.generated)}, max depth ${result.maxDepth}, ${result.seconds.toFixed(2)} s, ${fmt(Math.round(result.distinct / Math.max(result.seconds, 1e-9)))} distinct states/s`);
  if (result.peakBytes !== undefined) {
    const perState = (bytes: number) => (bytes / Math.max(1, result.distinct)).toFixed(1);
    console.log(`memory: ${perState(result.peakBytes)} bytes per distinct state in the search's arrays and tables at their peak (${fmt(Math.round(result.peakBytes / 2 ** 20))} MiB); process peak RSS ${perState(resourceUsage().maxRSS * 1024)} bytes per state`);
  }
  printProperties(model.properties, result);
  if (result.violation) report(model, strategy === 'simulate' ? shrunk(model, result.violation) : result.violation, bounds, { strategy, symmetry });
}

function runSwarm(): void {
  const choices: BoundsChoices = { ...swarmChoices, ...Object.fromEntries(Object.entries(pinned).map(([k, v]) => [k, [v]])) };
  const walk = values.walk === undefined ? undefined : count('walk', values.walk, 0);
  const walks = values.walks === undefined ? undefined : count('walks', values.walks, 0, 1);
  const seconds = values.time === undefined ? (walks === undefined ? 60 : undefined) : count('time', values.time, 0, 1);
  console.log(`Checking ${what}`);
  console.log(`strategy=swarm seed=${seed} ${walk === undefined ? `${walks === undefined ? '' : `walks=${walks} `}${seconds === undefined ? '' : `time=${seconds}s `}` : `walk=${walk} `}depth=${depth}; bounds drawn from ${choicesText(choices)}`);
  const space = raftSwarmSpace(choices, mutant?.overrides);
  const result = swarm(space, { seed, depth, walks, seconds, walk, onProgress: tty ? (p) => progressLine(p, 'steps') : undefined });
  clearProgress();
  console.log(`${fmt(result.walks)} walks (not exhaustive), ${fmt(result.generated)} steps, longest walk ${result.maxDepth} steps, ${result.seconds.toFixed(2)} s`);
  const failure = result.failure;
  printProperties(raftProperties, result, result.reachedIn, space.recovery?.property);
  if (result.violation === undefined || failure === undefined) return;
  console.log(`\nfound by walk ${failure.walk} of seed ${seed} (rerun it alone: npm run check -- --strategy swarm --seed ${seed} --walk ${failure.walk}${mutant ? ` --mutant ${mutant.id}` : ''}${depth === 200 ? '' : ` --depth ${depth}`}${Object.entries(pinned).map(([k, v]) => ` --${boundFlags[k as NumericBound]} ${v}`).join('')})`);
  console.log(`walk ${failure.walk}: bounds ${boundsText(failure.drawn)}; mix ${[...failure.weights].map(([k, w]) => `${k} ${w === 0 ? 'left out' : w.toFixed(2)}`).join(', ')}`);
  const v = shrinking ? shrinkWalk(space, failure, result.violation) : result.violation;
  if (failure.config !== failure.drawn) {
    // The lifted numbers (a cap of 2^53 in flight) say less than which bounds healing lifted; --json keeps them, to replay.
    const lifted = (Object.keys(failure.drawn) as (keyof Bounds)[]).filter((k) => failure.drawn[k] !== failure.config[k]);
    console.log(`found while healing, which lifted ${lifted.join(', ')} (its trace runs in those lifted bounds: shrinking and --json keep to them)${v.healedFrom === undefined ? '; shrinking mixed the walk\'s steps with healing\'s, so no line marks where faults stop' : ''}`);
  }
  report(failure.model, v, failure.config, { strategy: 'swarm', seed, walk: failure.walk });
}

async function runPortfolio(): Promise<void> {
  const budget = count('budget', values.budget, 300, 1);
  const plan: PortfolioPlan<Bounds> = {
    seconds: budget, exhaustiveShare: 0.6, memoryBytes: 1.5 * 2 ** 30,
    stages: portfolioStages.map((c) => ({ name: c.name, spec: raftModelSpec({ bounds: c.bounds, mutant: mutant?.id, symmetry: c.symmetry }), config: c.bounds })),
    swarm: { space: raftSwarmSpec({ choices: swarmChoices, mutant: mutant?.id }), seed, depth, threads: Math.max(0, workers - 1) },
    shrink: shrinking,
    onProgress: tty ? (phase, p) => progressLine(p, phase === 'swarm' ? 'steps' : 'distinct') : undefined,
  };
  console.log(`Checking ${what}: a portfolio within ${budget} s on ${workers} threads`);
  console.log(`exhaustive BFS with symmetry, one stage after another, for up to ${Math.round(budget * plan.exhaustiveShare)} s (a stage is stopped past ${(plan.memoryBytes / 2 ** 30).toFixed(1)} GiB resident), then swarm walks (seed ${seed + plan.swarm.threads})`);
  if (plan.swarm.threads > 0) console.log(`meanwhile swarm walks on ${plan.swarm.threads} other thread${plan.swarm.threads === 1 ? '' : 's'} (seed ${seed}${plan.swarm.threads > 1 ? `–${seed + plan.swarm.threads - 1}` : ''}), up to ${depth} steps each`);
  const result = await portfolio<ClusterState, ClusterAction, Bounds>(plan);
  clearProgress();
  for (const line of portfolioSummary(result, boundsText, choicesText(swarmChoices))) console.log(line);
  const v = result.violation;
  if (v === undefined) return;
  if (v.walk !== undefined) console.log(`\nfound by swarm walk ${v.walk.walk} of seed ${v.walk.seed} (rerun it alone: npm run check -- --strategy swarm --seed ${v.walk.seed} --walk ${v.walk.walk}${mutant ? ` --mutant ${mutant.id}` : ''}${depth === 200 ? '' : ` --depth ${depth}`})`);
  report(v.model, v, v.config, { strategy: `portfolio ${v.phase}`, ...(v.walk === undefined ? {} : { seed: v.walk.seed, walk: v.walk.walk }) });
}

function choicesText(c: BoundsChoices): string {
  const values = (v: readonly (number | boolean)[]) => (v.length > 2 && v.every((x, i) => i === 0 || x === Number(v[i - 1]) + 1) ? `${v[0]}–${v.at(-1)}` : v.join(' or '));
  return (Object.keys(c) as (keyof BoundsChoices)[]).map((k) => `${k} ${values(c[k])}`).join(', ');
}

function shrunk(model: Model<ClusterState, ClusterAction>, violation: Violation<ClusterState, ClusterAction>): Violation<ClusterState, ClusterAction> & { from?: number } {
  return shrinking ? shrink(model, violation) : violation;
}

function printProperties(properties: readonly Property<ClusterState>[], result: CheckResult<ClusterState, ClusterAction>, reachedIn?: ReadonlyMap<string, number>, recovery?: string): void {
  for (const p of properties) {
    if (p.expectation === 'always') {
      const broken = result.violation?.property === p.name;
      console.log(`  always    ${p.name.padEnd(22)} ${broken ? 'VIOLATED' : result.violation ? 'not violated before the stop' : result.complete ? 'holds' : 'holds in what was explored'}`);
    } else {
      const path = result.reached.get(p.name);
      const walk = reachedIn?.get(p.name);
      console.log(`  sometimes ${p.name.padEnd(22)} ${path ? `reached in ${path.actions.length} steps${walk === undefined ? '' : ` (walk ${walk})`}` : 'NOT REACHED: these bounds do not exercise it'}`);
    }
  }
  if (recovery !== undefined) console.log(`  liveness  ${recovery.padEnd(22)} ${result.violation?.property === recovery ? 'VIOLATED' : result.violation ? 'not violated before the stop' : 'holds after every walk run (healed, bounded)'}`);
  // A bare "holds" would overclaim when the bounds never reached what a bug needs: say so.
  const unreached = properties.filter((p) => p.expectation === 'sometimes' && result.reached.get(p.name) === undefined).map((p) => p.name);
  const scope = result.complete ? 'within these bounds' : result.strategy === 'simulate' || result.strategy === 'swarm' ? 'in the walks run' : 'in what was explored (incomplete)';
  console.log(result.violation ? `verdict: ${result.violation.property} VIOLATED`
    : `verdict: no violation ${scope}${unreached.length ? `; coverage incomplete: ${unreached.join(', ')} not reached` : '; every sometimes property reached'}`);
}

/** Prints a violation's trace (saying how much it was shrunk), writes it with --json, and sets exit code 1. */
function report(model: Model<ClusterState, ClusterAction>, v: Violation<ClusterState, ClusterAction> & { from?: number }, bounds: Bounds, extra: Record<string, string | number | boolean>): void {
  console.log(`\n${v.property} violated after ${v.path.actions.length} steps${v.from === undefined ? '' : ` (shrunk from ${v.from} to ${v.path.actions.length} steps)`}:`);
  console.log(counterexampleText(v.path, v.healedFrom, v.property === RECOVERS_AFTER_FAULTS));
  if (values.json && !raftProperties.some((p) => p.name === v.property)) {
    // Its healing runs past the walk's bounds, which a trace file's replay keeps to.
    console.log(`\nno trace written to ${values.json}: a ${v.property} trace replays by its walk (--seed, --walk), not from a file`);
  } else if (values.json) {
    writeFileSync(values.json, JSON.stringify(traceFile(model, v.path, v.property, bounds, { ...extra, mutant: mutant?.name ?? 'none' }), null, 1));
    console.log(`\ntrace written to ${values.json} (replay: npm run check -- --replay ${values.json})`);
  }
  process.exitCode = 1;
}

function replay(path: string): never {
  let file: TraceFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as TraceFile;
  } catch (e) {
    fail(`cannot read the trace ${path}: ${(e as Error).message}`);
  }
  if (file?.format !== 'raft-ts-trace/1' || typeof file.bounds !== 'object' || !Array.isArray(file.choices)) {
    fail(`${path} is not a raft-ts-trace/1 file with bounds and choices (write one with --json)`);
  }
  const b = file.bounds;
  const number = (k: NumericBound) => (typeof b[k] === 'number' ? b[k] : fail(`${path}: bounds.${k} is missing`));
  const bounds: Bounds = {
    nodes: number('nodes'), maxTerm: number('maxTerm'), proposals: number('proposals'), maxInFlight: number('maxInFlight'),
    drops: number('drops'), duplicates: number('duplicates'), crashes: number('crashes'), snapshots: number('snapshots'),
    ...(b.leaderWritesInParallel === true ? { leaderWritesInParallel: true } : {}),
    ...(b.flowControl === true ? { flowControl: true } : {}),
  };
  const mutantName = typeof b.mutant === 'string' && b.mutant !== 'none' ? b.mutant : undefined;
  const replayModel = raftModel({ bounds, overrides: mutantName === undefined ? undefined : (mutantNamed(mutantName) ?? fail(`${path}: unknown mutant ${mutantName}`)).overrides });
  try {
    const { path: steps, violated } = replayTrace(replayModel, file);
    console.log(traceText(steps));
    console.log(violated === null ? `replayed ${steps.actions.length} steps: every property holds` : `replayed ${steps.actions.length} steps: ${violated} violated at the last`);
    process.exit(violated === null ? 0 : 1);
  } catch (e) {
    fail(`${path}: ${(e as Error).message}`);
  }
}
