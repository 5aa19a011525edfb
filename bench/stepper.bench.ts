// Events per second through three doors to the same Figure-2 reducers, on one recorded trace:
//   bare reducers   the handlers each event runs, called directly (no dispatch at all)
//   fast stepper    deriveStepper(): the statechart's table, derived at start-up
//   xstate          xstate.transition(machine, snapshot, event), XState's own interpreter
// Run: npm run bench   (options: --events N, --rounds N)
import { transition } from 'xstate';
import {
  deriveStepper, handlers, initialNode, nodeId, persistentStateOf, raftMachine,
  type Handler, type HandlerName, type Message, type NodeSnapshot, type RaftEvent,
} from '../src/machine/index.ts';
import { commandLine, wholeNumber } from '../scripts/command-line.ts';

const values = commandLine(`usage: npm run bench [-- --events N] [--rounds N]
Compares bare reducers, the fast stepper and xstate.transition() on one recorded 3-node trace
(--events long, default 20000), the median of --rounds rounds (default 5).`, { events: { type: 'string' }, rounds: { type: 'string' } });
const wanted = wholeNumber('events', values.events, { min: 1, fallback: 20_000 });
const rounds = wholeNumber('rounds', values.rounds, { min: 1, fallback: 5 });

interface Recorded { node: NodeSnapshot; event: RaftEvent; ran: Handler[] }

/** A 3-node cluster driven deterministically: elections, batched proposals, replies, compaction, a crash. */
function record(count: number): Recorded[] {
  let ran: Handler[] = [];
  const spying = Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, ((s, e) => { ran.push(h); return h(s, e); }) as Handler])) as Record<HandlerName, Handler>;
  const step = deriveStepper({ handlers: spying });
  const members = [1, 2, 3].map(nodeId);
  const nodes = new Map(members.map((id) => [id, initialNode({ id, members })]));
  const out: Recorded[] = [];
  let inFlight: Message[] = [];
  const fire = (id: number, event: RaftEvent) => {
    const node = nodes.get(nodeId(id))!;
    ran = [];
    const r = step(node, event);
    out.push({ node, event, ran });
    nodes.set(nodeId(id), r);
    for (const e of r.effects) if (e.type === 'send') inFlight.push(e.message);
  };
  const deliver = () => { while (inFlight.length > 0) { const batch = inFlight; inFlight = []; for (const m of batch) fire(m.to, m); } };
  let leader = 1;
  for (let round = 0; out.length < count; round++) {
    if (round % 50 === 0) { leader = (round / 50) % 3 + 1; fire(leader, { type: 'ElectionTimeout' }); deliver(); }
    fire(leader, { type: 'Propose', commands: Array.from({ length: 1 + (round % 8) }, (_, i) => `cmd-${round}-${i}`) });
    deliver();
    if (round % 5 === 0) { fire(leader, { type: 'HeartbeatDue' }); deliver(); }
    if (round % 20 === 19) for (const id of members) {
      const s = nodes.get(id)!.state;
      fire(id, { type: 'Snapshot', index: s.lastApplied, data: new Uint8Array([round & 255]) });
    }
    if (round % 97 === 96) { const id = (leader % 3) + 1; fire(id, { type: 'Restart', persisted: persistentStateOf(nodes.get(nodeId(id))!.state) }); }
  }
  return out.slice(0, count);
}

function measure(name: string, trace: readonly Recorded[], body: () => void): { name: string; eventsPerSec: number; cpuUsPerEvent: number } {
  body(); // warm-up
  const rates: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    body();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    rates.push(trace.length / seconds);
    cpus.push((cpu.user + cpu.system) / trace.length);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { name, eventsPerSec: median(rates), cpuUsPerEvent: median(cpus) };
}

const trace = record(wanted);
const step = deriveStepper();
let sink = 0;

const bare = measure('bare reducers', trace, () => {
  for (const { node, event, ran } of trace) {
    let state = node.state;
    let effects = 0;
    for (const h of ran) { const r = h(state, event); state = r.state; effects += r.effects.length; }
    sink += effects;
  }
});
const fast = measure('fast stepper', trace, () => {
  for (const { node, event } of trace) sink += step(node, event).effects.length;
});
// XState needs its own snapshot objects; building them is not part of the timed step.
const xstateTrace = trace.slice(0, Math.min(trace.length, 4000));
const snapshots = xstateTrace.map(({ node }) => raftMachine.resolveState({ value: node.role, context: node.state }));
const xs = measure('xstate.transition()', xstateTrace, () => {
  xstateTrace.forEach(({ event }, i) => { sink += transition(raftMachine, snapshots[i]!, event)[1].length; });
});

console.log(`Recorded trace: ${trace.length} events of a 3-node cluster (xstate.transition() timed on the first ${xstateTrace.length}); median of ${rounds} rounds.`);
console.log('');
console.log('| path | events/s | CPU µs/event | relative to bare reducers |');
console.log('|---|---:|---:|---:|');
for (const r of [bare, fast, xs]) {
  console.log(`| ${r.name} | ${Math.round(r.eventsPerSec).toLocaleString('en-US')} | ${r.cpuUsPerEvent.toFixed(2)} | ${(bare.eventsPerSec / r.eventsPerSec).toFixed(2)}× slower |`);
}
console.log('');
console.log(`fast stepper vs bare reducers: ${(bare.eventsPerSec / fast.eventsPerSec).toFixed(2)}× (target: within 2×)`);
console.log(`fast stepper vs xstate.transition(): ${(fast.eventsPerSec / xs.eventsPerSec).toFixed(0)}× faster`);
if (sink < 0) console.log(sink);
