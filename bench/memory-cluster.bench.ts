// A 3-node cluster in one process on the in-memory transport, no fsync (MemoryStorage keeps
// the state in memory). Closed-loop clients keep N proposals in flight at the leader; an
// operation counts when the leader has committed and applied it. Each node's service compacts
// its log every 1000 entries, as a real service would, so the log stays short.
//
// Rows:
//   runtime, real clock   RaftNodes on realClock: zero-delay messages go through setImmediate
//   runtime, simulated    the same nodes on the SimulatedClock, stepped in a tight loop
//   baseline: stepper     the bare machine (deriveStepper) on the same workload, messages handed
//                         over synchronously: what the runtime adds on top of the machine
// Run: npm run bench:memory   (options: --seconds S per row, --sizes 16,1024, --inflight 1,64,256,
// --compact-every N entries)
import {
  deriveStepper, initialNode, log, logIndex, nodeId,
  type Command, type LogIndex, type Message, type NodeId, type NodeSnapshot, type RaftEvent,
} from '../src/machine/index.ts';
import { realClock, SimulatedClock, type Clock } from '../src/runtime/clock.ts';
import { MemoryNetwork } from '../src/runtime/memory-network.ts';
import { MemoryStorage } from '../src/runtime/memory-storage.ts';
import { RaftNode } from '../src/runtime/node.ts';
import { seededRandom } from '../src/runtime/random.ts';
import { commandLine, refuse, wholeNumber } from '../scripts/command-line.ts';

const values = commandLine(`usage: npm run bench:memory [-- --seconds S] [--sizes 16,1024] [--inflight 1,64,256] [--compact-every N]
A 3-node cluster in one process (in-memory transport and storage): the runtime on the real clock,
on the simulated clock, and the bare stepper, with closed-loop clients.
  --seconds S          measured seconds per row (default 2)
  --sizes LIST         command sizes in bytes (default 16,1024)
  --inflight LIST      proposals kept in flight (default 1,64,256)
  --compact-every N    each node snapshots every N entries (default 1000)`, {
  seconds: { type: 'string' }, sizes: { type: 'string' }, inflight: { type: 'string' }, 'compact-every': { type: 'string' },
});
const seconds = values.seconds === undefined ? 2 : Number(values.seconds);
if (!(seconds > 0)) refuse(`--seconds must be a positive number, got "${values.seconds}"`);
const COMPACT_EVERY = wholeNumber('compact-every', values['compact-every'], { min: 1, fallback: 1000 });
const list = (name: string, raw: string) => raw.split(',').map((n) => wholeNumber(name, n, { min: 1 }));
const sizes = list('sizes', values.sizes ?? '16,1024');
const inflights = list('inflight', values.inflight ?? '1,64,256');

const snapshotData = new Uint8Array(8);

interface Result {
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly cpuUsPerOp: number;
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** Times a closed loop: `submit` proposes one command; the workload calls `done` when an op completes. */
class Meter {
  private readonly latencies: number[] = [];
  private t0 = 0;
  private cpu0 = process.cpuUsage();
  private measuring = false;
  stopped = false;

  constructor(private readonly warmupMs: number, private readonly durationMs: number) {}

  begin(): void {
    this.t0 = performance.now();
  }

  /** Records one completed op started at `startedAt`; returns false once the run is over. */
  done(startedAt: number): boolean {
    const now = performance.now();
    if (!this.measuring && now - this.t0 >= this.warmupMs) {
      this.measuring = true;
      this.t0 = now;
      this.cpu0 = process.cpuUsage();
    }
    if (this.measuring) this.latencies.push(now - startedAt);
    if (this.measuring && now - this.t0 >= this.durationMs) this.stopped = true;
    return !this.stopped;
  }

  result(): Result {
    const elapsed = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    const sorted = Float64Array.from(this.latencies).sort();
    const ops = sorted.length;
    return { ops, opsPerSec: ops / (elapsed / 1000), p50ms: percentile(sorted, 0.5), p99ms: percentile(sorted, 0.99), cpuUsPerOp: (cpu.user + cpu.system) / ops };
  }
}

const commandOf = (size: number): Command => new Uint8Array(size);

/** RaftNodes on the in-memory network. */
async function runtimeRun(clockKind: 'real' | 'simulated', inflight: number, size: number): Promise<Result> {
  const clock: Clock = clockKind === 'real' ? realClock : new SimulatedClock();
  const random = seededRandom(1);
  const net = new MemoryNetwork(clock, random.fork());
  const ids = [1, 2, 3].map(nodeId);
  const started = new Map<number, number>();
  const meter = new Meter(seconds * 250, seconds * 1000);
  let leader: RaftNode | undefined;
  const submit = () => {
    const r = leader!.start(commandOf(size));
    if (!r.isLeader) throw new Error('leader lost its leadership during the run');
    started.set(r.index, performance.now());
  };
  const nodes = ids.map((id) => {
    const transport = net.attach(id);
    net.connect(id);
    const node: RaftNode = new RaftNode(id, ids.filter((x) => x !== id), transport, new MemoryStorage(), {
      clock, random: random.fork(),
      apply: (a) => {
        if (a.type !== 'command') return;
        if (a.index % COMPACT_EVERY === 0) node.snapshot(a.index, snapshotData);
        if (node !== leader) return;
        const t = started.get(a.index);
        if (t === undefined) return;
        started.delete(a.index);
        if (meter.done(t)) submit();
      },
    });
    return node;
  });
  const sim = clock instanceof SimulatedClock ? clock : undefined;
  // Elect a leader first; the run starts once there is one.
  while ((leader = nodes.find((n) => n.getState().isLeader)) === undefined) {
    if (sim) sim.advance(10);
    else await realClock.sleep(10);
  }
  meter.begin();
  for (let i = 0; i < inflight; i++) submit();
  if (sim) {
    while (!meter.stopped) if (!sim.step().ran) throw new Error('simulated cluster went quiet');
  } else {
    while (!meter.stopped) await realClock.sleep(20);
  }
  const result = meter.result();
  for (const n of nodes) n.kill();
  return result;
}

/** The same workload on bare stepper nodes: no clock, no network, no storage, no node. */
function stepperRun(inflight: number, size: number): Result {
  const step = deriveStepper();
  const ids = [1, 2, 3].map(nodeId);
  const nodes = new Map<NodeId, NodeSnapshot>(ids.map((id) => [id, initialNode({ id, members: ids })]));
  const queue: Message[] = [];
  const started = new Map<number, number>();
  const meter = new Meter(seconds * 250, seconds * 1000);
  const leaderId = ids[0]!;
  let proposals: Command[] = [];
  const fire = (id: NodeId, event: RaftEvent) => {
    const r = step(nodes.get(id)!, event);
    nodes.set(id, r);
    let compactAt: LogIndex | undefined;
    for (const e of r.effects) {
      if (e.type === 'send') queue.push(e.message);
      else if (e.type === 'applyEntries') {
        for (let i = 0; i < e.entries.length; i++) {
          const index = e.first + i;
          if (index % COMPACT_EVERY === 0) compactAt = logIndex(index);
          if (id !== leaderId) continue;
          const t = started.get(index);
          if (t === undefined) continue;
          started.delete(index);
          if (meter.done(t)) propose();
        }
      }
    }
    if (compactAt !== undefined) fire(id, { type: 'Snapshot', index: compactAt, data: snapshotData });
  };
  const lastIndex = (): LogIndex => log.lastIndex(nodes.get(leaderId)!.state.log);
  const propose = () => {
    started.set(lastIndex() + proposals.length + 1, performance.now());
    proposals.push(commandOf(size));
  };
  fire(leaderId, { type: 'ElectionTimeout' });
  const drain = () => {
    while (queue.length > 0) {
      const m = queue.shift()!;
      fire(m.to, m);
    }
  };
  drain();
  meter.begin();
  for (let i = 0; i < inflight; i++) propose();
  while (!meter.stopped) {
    const commands = proposals;
    proposals = [];
    fire(leaderId, { type: 'Propose', commands });
    drain();
  }
  return meter.result();
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`3 nodes in one process, in-memory transport, no fsync; ${seconds} s per row after a ${seconds / 4} s warm-up; log compacted every ${COMPACT_EVERY} entries.`);
console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log('');
console.log('| command | in flight | path | ops/s | p50 latency | p99 latency | CPU µs/op |');
console.log('|---:|---:|---|---:|---:|---:|---:|');
for (const size of sizes) {
  for (const inflight of inflights) {
    const rows: [string, Result][] = [
      ['runtime, real clock', await runtimeRun('real', inflight, size)],
      ['runtime, simulated', await runtimeRun('simulated', inflight, size)],
      ['baseline: stepper', stepperRun(inflight, size)],
    ];
    for (const [path, r] of rows) {
      console.log(`| ${size} B | ${inflight} | ${path} | ${fmt(r.opsPerSec)} | ${fmt(r.p50ms * 1000, 0)} µs | ${fmt(r.p99ms * 1000, 0)} µs | ${fmt(r.cpuUsPerOp, 1)} |`);
    }
  }
}
