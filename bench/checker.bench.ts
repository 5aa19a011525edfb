// The model checker's figure of merit, distinct states per second, on one fixed configuration:
//   bfs            single-threaded exhaustive BFS (fingerprints, visited set, properties)
//   parallel bfs   the same search on worker threads, each owning a share of the states (its
//                  CPU-seconds count every thread of the process)
//   simulate       random walks over the same model: stepping, successors and properties but no
//                  fingerprint and no visited set, the floor BFS's per-state overhead sits on
// All in one run, so the numbers compare under the same machine load (printed, with CPU time:
// on a shared machine states per CPU-second moves less than states per wall-second). Bytes/state
// is the searches' own accounting of their arrays and tables at their peak (visited set, parent
// links, frontier, packing tables), over the distinct states.
// Run: npm run bench:checker   (options: --config NAME, --workers N, --rounds N, --max-states N)
import { loadavg } from 'node:os';
import { bfs } from '../src/checker/bfs.ts';
import { parallelBfs } from '../src/checker/parallel-bfs.ts';
import type { CheckResult } from '../src/checker/result.ts';
import { simulate } from '../src/checker/simulate.ts';
import type { Bounds } from '../src/checker/raft/cluster.ts';
import { configurationNamed } from '../src/checker/raft/configurations.ts';
import { raftModel, raftModelSpec } from '../src/checker/raft/model.ts';
import { commandLine, refuse, wholeNumber } from '../scripts/command-line.ts';

const values = commandLine(`usage: npm run bench:checker [-- --config NAME] [--workers N] [--rounds N] [--max-states N]
Single-threaded BFS, parallel BFS (--workers threads, default 2) and random simulation on one
configuration (default: 3 nodes, terms <= 2, one entry, 4 in flight, no faults: 618,936 distinct
states), --rounds times (default 1), each search stopped after --max-states if given.`, {
  config: { type: 'string' }, workers: { type: 'string' }, rounds: { type: 'string' }, 'max-states': { type: 'string' },
});

/** 3 nodes, terms <= 2, one entry, 4 messages in flight, no faults: 618,936 distinct states, no symmetry. */
const benchBounds: Bounds = { nodes: 3, maxTerm: 2, proposals: 1, maxInFlight: 4, drops: 0, duplicates: 0, crashes: 0, snapshots: 0 };
const named = values.config === undefined ? undefined : configurationNamed(values.config);
if (values.config !== undefined && named === undefined) refuse(`no configuration named ${values.config}; npm run check -- --list-configs shows them`);
const bounds = named?.bounds ?? benchBounds;
const symmetry = named?.symmetry ?? false;
const workers = wholeNumber('workers', values.workers, { min: 1, fallback: 2 });
const rounds = wholeNumber('rounds', values.rounds, { min: 1, fallback: 1 });
const maxStates = values['max-states'] === undefined ? undefined : wholeNumber('max-states', values['max-states'], { min: 1 });

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const rate = (n: number, seconds: number) => `${Math.round(n / seconds).toLocaleString('en-US').padStart(9)}/s`;

function line(name: string, r: CheckResult<unknown, unknown>, cpuSeconds: number | undefined): void {
  const cpu = cpuSeconds === undefined ? '' : `   per CPU-second: ${rate(r.distinct, cpuSeconds)} distinct`;
  const bytes = r.peakBytes === undefined ? '' : `   ${(r.peakBytes / r.distinct).toFixed(1)} bytes/state`;
  console.log(`${name.padEnd(16)} distinct ${r.distinct.toLocaleString('en-US').padStart(11)}  ${r.seconds.toFixed(2).padStart(7)} s  `
    + `distinct ${rate(r.distinct, r.seconds)}  generated ${rate(r.generated, r.seconds)}${bytes}${cpu}`);
}

const cpuSince = (start: NodeJS.CpuUsage) => { const u = process.cpuUsage(start); return (u.user + u.system) / 1e6; };

console.log(`bounds: ${JSON.stringify(bounds)} symmetry=${symmetry}${maxStates === undefined ? '' : ` max-states=${maxStates}`}`);
console.log(`load average at start: ${load()} (2 cores shared with other work: compare rows of one run, not runs)`);
const model = raftModel({ bounds, symmetry });
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) console.log(`round ${round}`);
  let cpu = process.cpuUsage();
  const single = bfs(model, { maxStates });
  line('bfs', single, cpuSince(cpu));
  cpu = process.cpuUsage();
  const parallel = await parallelBfs(raftModelSpec({ bounds, symmetry }), { workers, maxStates });
  line(`parallel bfs ×${workers}`, parallel, cpuSince(cpu));
  // As many steps as the BFS generated, in walks as deep as its deepest level.
  cpu = process.cpuUsage();
  const walks = Math.ceil(single.generated / Math.max(1, single.maxDepth));
  const sim = simulate(model, { walks, depth: Math.max(1, single.maxDepth), seed: 1 });
  line('simulate', sim, cpuSince(cpu));
  console.log(`bfs distinct/s ÷ simulate steps/s: ${((single.distinct / single.seconds) / (sim.generated / sim.seconds)).toFixed(3)}`);
}
console.log(`load average at end: ${load()}; process peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
