// The model checker's command line: `npm start` runs the default configuration; `npm run check
// -- --help` lists the bounds, strategies and mutants.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resourceUsage } from 'node:process';
import { parseArgs } from 'node:util';
import { bfs } from './bfs.ts';
import { parallelBfs } from './parallel-bfs.ts';
import { dfs } from './dfs.ts';
import { simulate } from './simulate.ts';
import type { CheckResult, Progress } from './result.ts';
import type { Bounds, ClusterAction, ClusterState } from './raft/cluster.ts';
import { raftModel, raftModelSpec } from './raft/model.ts';
import { mutantNamed, mutants } from './raft/mutants.ts';
import { replayTrace, traceFile, traceText } from './raft/trace.ts';
import type { TraceFile } from './trace-format.ts';
import { configurationNamed, configurations, defaultBounds } from './raft/configurations.ts';

const HELP = `usage: npm run check -- [options]

Explores every interleaving of a small Raft cluster, stepping the shipped machines, and checks
Raft's safety properties (spec/properties.md). Exit code: 0 all properties hold within the bounds,
1 a property is violated (the trace is printed), 2 bad arguments.

configuration:
  --config NAME        start from a named configuration (spec/golden-counts.md)   [default]
  --list-configs       list the named configurations
bounds (override the configuration's; shown: the default configuration, npm start):
  --nodes N            cluster size (3 or 5)                                  [${defaultBounds.nodes}]
  --max-term N         no node goes past this term                           [${defaultBounds.maxTerm}]
  --proposals N        client proposals (log entries) in the whole run      [${defaultBounds.proposals}]
  --max-in-flight N    messages in flight at once                            [${defaultBounds.maxInFlight}]
  --drops N            messages the network may lose                         [${defaultBounds.drops}]
  --duplicates N       messages the network may duplicate                    [${defaultBounds.duplicates}]
  --crashes N          crash-and-restarts (also between a persist and what follows it) [${defaultBounds.crashes}]
  --snapshots N        snapshots the service may take                        [${defaultBounds.snapshots}]
search:
  --strategy S         bfs (shortest traces), dfs (little memory), simulate (random walks)
                       [bfs; simulate for a mutant whose bounds are too large for bfs]
  --workers N          threads for bfs, each owning a share of the states (1: single-threaded)  [all cores: ${availableParallelism()}]
  --symmetry           count states equal up to renaming node ids once
  --max-states N       stop after N distinct states (the result says it is incomplete)
  --max-depth N        do not go deeper than N steps
  --walks N --depth N --seed N   for --strategy simulate  [1000, 200, 1; a mutant's own]
bugs:
  --mutant NAME        check a bug-zoo mutant instead of the shipped rules (name or id, e.g. Z2)
  --list-mutants       list the mutants
output:
  --json PATH          write a violation's trace as JSON (raft-ts-trace/1, for the viewer)
  --replay PATH        replay a trace file step by step through the model it names, and say
                       which property fails where (exit 1 if one does)
  --help`;

function fail(message: string): never {
  console.error(`raft check: ${message}\n(see --help)`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        nodes: { type: 'string' }, 'max-term': { type: 'string' }, proposals: { type: 'string' }, 'max-in-flight': { type: 'string' },
        drops: { type: 'string' }, duplicates: { type: 'string' }, crashes: { type: 'string' }, snapshots: { type: 'string' },
        strategy: { type: 'string' }, symmetry: { type: 'boolean', default: false },
        workers: { type: 'string' },
        'max-states': { type: 'string' }, 'max-depth': { type: 'string' },
        walks: { type: 'string' }, depth: { type: 'string' }, seed: { type: 'string' },
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
  for (const c of configurations) console.log(`${c.name.padEnd(14)} ${c.about}`);
  process.exit(0);
}

const count = (name: string, raw: string | undefined, fallback: number, min = 0): number => {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) fail(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return Number(raw);
};

const mutant = values.mutant === undefined ? undefined : (mutantNamed(values.mutant) ?? fail(`unknown mutant "${values.mutant}"; --list-mutants shows them`));
const config = values.config === undefined ? undefined : (configurationNamed(values.config) ?? fail(`unknown configuration "${values.config}"; --list-configs shows them`));
if (config && mutant) fail('give --config or --mutant, not both (a mutant has its own bounds)');
const start = mutant?.bounds ?? config?.bounds ?? defaultBounds;
const bounds: Bounds = {
  nodes: count('nodes', values.nodes, start.nodes, 1),
  maxTerm: count('max-term', values['max-term'], start.maxTerm, 1),
  proposals: count('proposals', values.proposals, start.proposals),
  maxInFlight: count('max-in-flight', values['max-in-flight'], start.maxInFlight, 1),
  drops: count('drops', values.drops, start.drops),
  duplicates: count('duplicates', values.duplicates, start.duplicates),
  crashes: count('crashes', values.crashes, start.crashes),
  snapshots: count('snapshots', values.snapshots, start.snapshots),
};
if (bounds.nodes > 7) fail('--nodes above 7 is not supported (node ids are bits of a 32-bit mask)');
const strategy = values.strategy ?? (mutant?.simulation ? 'simulate' : 'bfs');
if (strategy !== 'bfs' && strategy !== 'dfs' && strategy !== 'simulate') fail(`--strategy must be bfs, dfs or simulate, got "${strategy}"`);
const maxStates = values['max-states'] === undefined ? undefined : count('max-states', values['max-states'], 0, 1);
const maxDepth = values['max-depth'] === undefined ? undefined : count('max-depth', values['max-depth'], 0, 1);

const workers = count('workers', values.workers, availableParallelism(), 1);
const symmetry = values.symmetry || (config?.symmetry ?? false);
const model = raftModel({ bounds, overrides: mutant?.overrides, symmetry });
const tty = process.stderr.isTTY;
const onProgress = tty ? (p: Progress) => {
  process.stderr.write(`\r${p.distinct.toLocaleString('en-US')} distinct, ${p.generated.toLocaleString('en-US')} generated, depth ${p.depth}, queue ${p.queued.toLocaleString('en-US')}, ${Math.round(p.distinct / p.seconds).toLocaleString('en-US')} states/s, ${p.seconds.toFixed(0)} s   `);
} : undefined;

const what = mutant ? `mutant ${mutant.id} ${mutant.name} (${mutant.bug})` : 'the shipped machines';
console.log(`Checking ${what}`);
console.log(`bounds: ${Object.entries(bounds).map(([k, v]) => `${k}=${v}`).join(' ')}; strategy=${strategy}${strategy === 'bfs' ? ` workers=${workers}` : ''}${symmetry ? ' symmetry' : ''}${maxStates ? ` max-states=${maxStates}` : ''}${maxDepth ? ` max-depth=${maxDepth}` : ''}`);

const result: CheckResult<ClusterState, ClusterAction> = strategy === 'simulate'
  ? simulate(model, { walks: count('walks', values.walks, mutant?.simulation?.walks ?? 1000, 1), depth: count('depth', values.depth, mutant?.simulation?.depth ?? 200, 1), seed: count('seed', values.seed, mutant?.simulation?.seed ?? 1), onProgress })
  : strategy === 'dfs' ? dfs(model, { maxStates, maxDepth, onProgress })
  : workers === 1 ? bfs(model, { maxStates, maxDepth, onProgress })
  : await parallelBfs(raftModelSpec({ bounds, mutant: mutant?.id, symmetry }), { workers, maxStates, maxDepth, onProgress });
if (tty) process.stderr.write('\r\x1b[K');

const fmt = (n: number) => n.toLocaleString('en-US');
console.log(`${result.complete ? 'explored the whole bounded state space' : result.violation ? 'stopped at the first violation' : strategy === 'simulate' ? 'random walks (not exhaustive)' : 'stopped early: INCOMPLETE'}`);
console.log(`distinct states ${fmt(result.distinct)}, generated ${fmt(result.generated)}, max depth ${result.maxDepth}, ${result.seconds.toFixed(2)} s, ${fmt(Math.round(result.distinct / Math.max(result.seconds, 1e-9)))} distinct states/s`);
if (result.peakBytes !== undefined) {
  const perState = (bytes: number) => (bytes / Math.max(1, result.distinct)).toFixed(1);
  console.log(`memory: ${perState(result.peakBytes)} bytes per distinct state in the search's arrays and tables at their peak (${fmt(Math.round(result.peakBytes / 2 ** 20))} MiB); process peak RSS ${perState(resourceUsage().maxRSS * 1024)} bytes per state`);
}
for (const p of model.properties) {
  if (p.expectation === 'always') {
    const broken = result.violation?.property === p.name;
    console.log(`  always    ${p.name.padEnd(22)} ${broken ? 'VIOLATED' : result.violation ? 'not violated before the stop' : result.complete ? 'holds' : 'holds in what was explored'}`);
  } else {
    const path = result.reached.get(p.name);
    console.log(`  sometimes ${p.name.padEnd(22)} ${path ? `reached in ${path.actions.length} steps` : 'NOT REACHED: these bounds do not exercise it'}`);
  }
}
if (result.violation) {
  const { property, path } = result.violation;
  console.log(`\n${property} violated after ${path.actions.length} steps:`);
  console.log(traceText(path));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(traceFile(model, path, property, bounds, { strategy, symmetry, mutant: mutant?.name ?? 'none' }), null, 1));
    console.log(`\ntrace written to ${values.json}`);
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
  const number = (k: keyof Bounds) => (typeof b[k] === 'number' ? b[k] : fail(`${path}: bounds.${k} is missing`));
  const bounds: Bounds = {
    nodes: number('nodes'), maxTerm: number('maxTerm'), proposals: number('proposals'), maxInFlight: number('maxInFlight'),
    drops: number('drops'), duplicates: number('duplicates'), crashes: number('crashes'), snapshots: number('snapshots'),
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
