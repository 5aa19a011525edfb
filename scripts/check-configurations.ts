// Runs the standard configurations exhaustively and compares each with its golden counts
// (spec/golden-counts.md): `npm run check:full` runs them all, `-- --suite test` only the small
// ones. Prints the table for the closing note: configuration, states, time, states/s.
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { bfs } from '../src/checker/bfs.ts';
import { parallelBfs } from '../src/checker/parallel-bfs.ts';
import { raftModel, raftModelSpec } from '../src/checker/raft/model.ts';
import { configurations } from '../src/checker/raft/configurations.ts';
import type { CheckResult } from '../src/checker/result.ts';

const { values } = parseArgs({ options: { suite: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('usage: npm run check:full [-- --suite test|full] [--workers N]\nRuns each standard configuration exhaustively (BFS) and compares it with spec/golden-counts.md; exit 1 on a difference or a violation.');
  process.exit(0);
}
if (values.suite !== undefined && values.suite !== 'test' && values.suite !== 'full') { console.error(`--suite must be test or full, got "${values.suite}"`); process.exit(2); }
const workers = values.workers === undefined ? availableParallelism() : Number(values.workers);
if (!Number.isInteger(workers) || workers < 1) { console.error(`--workers must be a whole number ≥ 1, got "${values.workers}"`); process.exit(2); }

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
