// Beyond the lab's faults: partitions into groups, duplication, lossy and slow links, crashes with
// the persister copy, snapshots, all at once, in simulated time. The properties are Raft's:
// at most one leader per term, applied logs agree index by index (across incarnations too), each
// incarnation applies in order without gaps, and after healing the cluster commits again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveStepper, logIndex, nodeId, type Command, type NodeId, type Stepper } from '../../src/machine/index.ts';
import { SimulatedClock } from '../../src/runtime/clock.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { MemoryStorage } from '../../src/runtime/memory-storage.ts';
import { RaftNode } from '../../src/runtime/node.ts';
import { seededRandom, type Random } from '../../src/runtime/random.ts';

const SIZE = 5;
/** Far more than a healthy cluster runs in 50 ms; more means a livelock. */
const MAX_CALLBACKS_PER_TICK = 100_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function chaos(seed: number, stepper?: Stepper): void {
  const clock = new SimulatedClock();
  const random = seededRandom(seed);
  const faults: Random = random.fork();
  const net = new MemoryNetwork(clock, random.fork());
  const ids: NodeId[] = Array.from({ length: SIZE }, (_, i) => nodeId(i + 1));
  const storages = ids.map(() => new MemoryStorage());
  const nodes: (RaftNode | null)[] = ids.map(() => null);
  /** Every command any incarnation applied, by index: all must agree. */
  const committed = new Map<number, Command>();
  const leaders = new Map<number, NodeId>();
  /** The next index each node's current incarnation expects to apply. */
  const nexts = ids.map(() => 1);
  const fail = (message: string): never => assert.fail(`seed ${seed} at ${clock.now()} ms: ${message}`);

  const start = (i: number) => {
    nodes[i]?.kill();
    net.crash(ids[i]!);
    storages[i] = storages[i]!.copy();
    // The service: a list of applied commands, snapshotted every 7 entries.
    let state: Command[] = [];
    nexts[i] = 1;
    const node: RaftNode = new RaftNode(ids[i]!, ids.filter((_, j) => j !== i), net.attach(ids[i]!), storages[i]!, {
      clock, random: random.fork(), ...(stepper === undefined ? {} : { stepper }),
      apply: (a) => {
        if (a.index !== nexts[i] && !(a.type === 'snapshot' && a.index >= nexts[i]! - 1)) fail(`node ${i} applied ${a.type} ${a.index}, expected ${nexts[i]}`);
        if (a.type === 'snapshot') {
          state = JSON.parse(decoder.decode(a.data)) as Command[];
          if (state.length !== a.index) fail(`snapshot at ${a.index} holds ${state.length} commands`);
          state.forEach((c, k) => check(k + 1, c));
        } else {
          check(a.index, a.command);
          state.push(a.command);
          if (a.index % 7 === 0) node.snapshot(logIndex(a.index), encoder.encode(JSON.stringify(state)));
        }
        nexts[i] = a.index + 1;
      },
    });
    nodes[i] = node;
  };
  const check = (index: number, command: Command) => {
    if (committed.has(index) && committed.get(index) !== command) fail(`index ${index}: ${String(committed.get(index))} != ${String(command)}`);
    committed.set(index, command);
  };
  const observe = () => {
    nodes.forEach((n, i) => {
      const s = n?.getState();
      if (s === undefined || !s.isLeader) return;
      const known = leaders.get(s.term);
      if (known !== undefined && known !== ids[i]) fail(`term ${s.term} has leaders ${known} and ${ids[i]}`);
      leaders.set(s.term, ids[i]!);
    });
  };

  ids.forEach((id, i) => { net.connect(id); start(i); });
  let proposed = 0;
  for (let t = 0; t < 20_000; t += 50) {
    if (t % 500 === 0) {
      const roll = faults.int(6);
      if (roll === 0) {
        const cut = 1 + faults.int(SIZE - 1);
        const shuffled = [...ids].sort(() => faults.next() - 0.5);
        net.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
      } else if (roll === 1) net.heal();
      else if (roll === 2) net.setDuplication(faults.next() * 0.3);
      else if (roll === 3) {
        const [a, b] = [ids[faults.int(SIZE)]!, ids[faults.int(SIZE)]!];
        net.setLinkRule(a, b, { loss: faults.next() * 0.5, delayMs: { min: 0, max: 300 } });
      } else if (roll === 4) start(faults.int(SIZE));
      else net.setReliable(faults.int(2) === 0);
    }
    for (const n of nodes) if (n?.getState().isLeader) n.start(++proposed);
    clock.advance(50, MAX_CALLBACKS_PER_TICK);
    observe();
  }
  // Heal everything; the cluster must commit a new command on every node.
  net.heal();
  net.setReliable(true);
  net.setDuplication(0);
  for (const a of ids) for (const b of ids) net.setLinkRule(a, b, null);
  let index = -1;
  const final = -1;
  for (let t = 0; t < 10_000 && index === -1; t += 100) {
    clock.advance(100, MAX_CALLBACKS_PER_TICK);
    for (const n of nodes) {
      const r = n!.start(final);
      if (r.isLeader) { index = r.index; break; }
    }
  }
  if (index === -1) fail('no leader after healing');
  clock.advance(3000, MAX_CALLBACKS_PER_TICK);
  observe();
  if (committed.get(index) !== final) fail(`the final command did not commit at ${index}`);
  nexts.forEach((n, i) => { if (n <= index) fail(`node ${i} applied only through ${n - 1} of ${index}`); });
  if (process.env['CHAOS_STATS']) console.log(`seed ${seed}: ${committed.size} committed of ${proposed} proposed, ${leaders.size} terms with a leader`);
  for (const n of nodes) n?.kill();
}

describe('RaftNode under partitions, duplication, lossy links, crashes and snapshots', () => {
  it('keeps Raft’s safety properties and recovers after healing', () => {
    // Every failure names its seed: CHAOS_SEED=n replays one run.
    const seeds = process.env['CHAOS_SEED'] ? [Number(process.env['CHAOS_SEED'])] : Array.from({ length: 12 }, (_, i) => i + 1);
    for (const seed of seeds) chaos(seed);
  });

  it('catches a node that forgets to persist', () => {
    const step = deriveStepper();
    const forgetful: Stepper = (node, event) => {
      const r = step(node, event);
      return { ...r, effects: r.effects.filter((e) => e.type !== 'persist') };
    };
    const caught = [1, 2, 3, 4].filter((seed) => {
      try {
        chaos(seed, forgetful);
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(caught.length > 0, 'a node without persistence passed under seeds 1..4');
  });
});
