// Runs the standard configurations exhaustively and compares each with its golden counts
// (spec/golden-counts.md): `npm run check:full` runs them all, `-- --suite test` only the small
// ones. Prints the table for the closing note: configuration, states, time, states/s.
import { availableParallelism } from 'node:os';
import { bfs } from '../src/checker/bfs.ts';
import { parallelBfs } from '../src/checker/parallel-bfs.ts';
import { raftModel, raftModelSpec } from '../src/checker/raft/model.ts';
import { configurations } from '../src/checker/raft/configurations.ts';
import type { CheckResult } from '../src/checker/result.ts';
import { commandLine, refuse, wholeNumber } from './command-line.ts';

const values = commandLine(`usage: npm run check:full [-- --suite test|full] [--workers N]
Runs each standard configuration exhaustively (BFS) and compares it with spec/golden-counts.md;
exit 1 on a difference or a violation.
  --suite S     test: only the small configurations; full: only the large ones (default: all)
  --workers N   BFS threads (default: all cores; 1: single-threaded)`, { suite: { type: 'string' }, workers: { type: 'string' } });
if (values.suite !== undefined && values.suite !== 'test' && values.suite !== 'full') refuse(`--suite must be test or full, got "${values.suite}"`);
const workers = wholeNumber('workers', values.workers, { min: 1, fallback: availableParallelism() });

const fmt = (n: number) => n.toLocaleString('en-US');
let failed = false;
console.log(`workers: ${workers}`);
console.log('| configuration | symmetry | distinct | generated | depth | seconds | distinct/s | verdict |');
console.log('|---|---|---|---|---|---|---|---|');
for (const c of configurations.filter((c) => values.suite === undefined || c.suite === values.suite)) {
  const r: CheckResult<unknown, unknown> = workers === 1
    ? bfs(raftModel(c))
    : await parallelBfs(raftModelSpec({ bounds: c.bounds, symmetry: c.symmetry }), { workers });
  const golden = r.distinct === c.golden.distinct && r.generated === c.golden.generated && r.maxDepth === c.golden.maxDepth;
  const verdict = r.violation ? `VIOLATED ${r.violation.property}` : !r.complete ? 'INCOMPLETE' : golden ? 'holds; golden' : `holds; GOLDEN DIFFERS (want ${fmt(c.golden.distinct)}/${fmt(c.golden.generated)}/${c.golden.maxDepth})`;
  if (r.violation || !r.complete || !golden) failed = true;
  console.log(`| ${c.name} | ${c.symmetry ? 'yes' : 'no'} | ${fmt(r.distinct)} | ${fmt(r.generated)} | ${r.maxDepth} | ${r.seconds.toFixed(1)} | ${fmt(Math.round(r.distinct / r.seconds))} | ${verdict} |`);
}
process.exitCode = failed ? 1 : 0;
