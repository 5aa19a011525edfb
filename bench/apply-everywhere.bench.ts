// How long until every node has applied a command: 5 RaftNodes in one process on the in-memory
// transport and the real clock (lab timings: 100 ms heartbeats), no fsync. One command at a time;
// the next is proposed once all five have applied the last. Followers learn that an entry is
// committed from the leader's next AppendEntries, so this measures when that one leaves.
// Run: npx tsx bench/apply-everywhere.bench.ts [--commands N]
import { parseArgs } from 'node:util';
import { nodeId, type LogIndex } from '../src/machine/index.ts';
import { realClock } from '../src/runtime/clock.ts';
import { MemoryNetwork } from '../src/runtime/memory-network.ts';
import { MemoryStorage } from '../src/runtime/memory-storage.ts';
import { RaftNode } from '../src/runtime/node.ts';
import { seededRandom } from '../src/runtime/random.ts';

const { values } = parseArgs({ options: { commands: { type: 'string', default: '50' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('usage: npx tsx bench/apply-everywhere.bench.ts [--commands N]');
  process.exit(0);
}
const commands = Number(values.commands);
if (!Number.isInteger(commands) || commands < 1) {
  console.error('--commands takes a whole number ≥ 1');
  process.exit(2);
}

const random = seededRandom(1);
const net = new MemoryNetwork(realClock, random.fork());
const ids = [1, 2, 3, 4, 5].map(nodeId);
let current: { index: LogIndex; startedAt: number; leaderMs?: number; appliedBy: number } | undefined;
const leaderMs: number[] = [];
const allMs: number[] = [];
let finished: () => void = () => {};
const done = new Promise<void>((resolve) => { finished = resolve; });

const nodes = ids.map((id) => {
  const transport = net.attach(id);
  net.connect(id);
  const node: RaftNode = new RaftNode(id, ids.filter((x) => x !== id), transport, new MemoryStorage(), {
    random: random.fork(),
    apply: (a) => {
      if (a.type !== 'command' || current === undefined || a.index !== current.index) return;
      const ms = performance.now() - current.startedAt;
      if (node.getState().isLeader) current.leaderMs = ms;
      if (++current.appliedBy < ids.length) return;
      leaderMs.push(current.leaderMs ?? Number.NaN);
      allMs.push(ms);
      current = undefined;
      if (allMs.length === commands) finished();
      else setImmediate(propose);
    },
  });
  return node;
});

function propose(): void {
  const leader = nodes.find((n) => n.getState().isLeader);
  if (leader === undefined) throw new Error('no leader during the run');
  const r = leader.start(`c${allMs.length}`);
  current = { index: r.index, startedAt: performance.now(), appliedBy: 0 };
}

while (!nodes.some((n) => n.getState().isLeader)) await realClock.sleep(10);
await realClock.sleep(200); // the new leader's first heartbeats have settled every follower
propose();
await done;
for (const n of nodes) n.kill();

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `mean ${mean.toFixed(2)} ms, p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms`;
};
console.log(`5 nodes in one process, in-memory transport, real clock, ${commands} commands one at a time`);
console.log(`leader applied:    ${stats(leaderMs)}`);
console.log(`all five applied:  ${stats(allMs)}`);
