// A simulated cluster on slow storage: every save takes a random while (a few take far longer),
// nodes crash at random moments, often in the middle of a save, and restart from what is on disk.
// Each incarnation runs under an effect-order checker; the service checks that applied commands
// agree across nodes and incarnations, and after the crashes stop the cluster commits again.
import assert from 'node:assert/strict';
import { logIndex, nodeId, type Command, type NodeId } from '../../src/machine/index.ts';
import { SimulatedClock } from '../../src/runtime/clock.ts';
import { MemoryNetwork } from '../../src/runtime/memory-network.ts';
import { RaftNode, labTimings } from '../../src/runtime/node.ts';
import { seededRandom } from '../../src/runtime/random.ts';
import { EffectOrderChecker } from './effect-order-checker.ts';
import { SlowStorage, type SlowStorageOptions } from './slow-storage.ts';

export interface SlowStorageRun {
  readonly steps: number;
  readonly effects: number;
  readonly afterPersist: number;
  readonly crashes: number;
  readonly crashesMidSave: number;
  readonly committed: number;
  /** After the crashes stopped, a new command committed. */
  readonly recovered: boolean;
  readonly violations: readonly string[];
  readonly fatal: readonly string[];
}

const TICK_MS = 5;

export async function slowStorageRun(seed: number, options: { readonly durationMs: number; readonly storage: SlowStorageOptions; readonly crashEveryMs: number }): Promise<SlowStorageRun> {
  const clock = new SimulatedClock();
  const random = seededRandom(seed);
  const faults = random.fork();
  const net = new MemoryNetwork(clock, random.fork());
  const ids: NodeId[] = [1, 2, 3].map(nodeId);
  const committed = new Map<number, Command>();
  const checkers: EffectOrderChecker[] = [];
  const fatal: string[] = [];
  const storages: SlowStorage[] = ids.map(() => new SlowStorage(clock, random.fork(), options.storage));
  const nodes: RaftNode[] = [];
  const current: EffectOrderChecker[] = [];
  let crashes = 0;
  let crashesMidSave = 0;
  const fail = (message: string): never => assert.fail(`seed ${seed} at ${clock.now()} ms: ${message}`);

  const start = (i: number) => {
    const checker = new EffectOrderChecker(`seed ${seed} node ${ids[i]} incarnation ${checkers.filter((c) => c.label.startsWith(`seed ${seed} node ${ids[i]} `)).length + 1}`);
    checkers.push(checker);
    current[i] = checker;
    storages[i]!.listener = checker;
    let next = 1;
    let service: Command[] = [];
    const node: RaftNode = new RaftNode(ids[i]!, ids.filter((_, j) => j !== i), checker.transport(net.attach(ids[i]!)), storages[i]!, {
      clock, random: random.fork(), timings: labTimings, stepper: checker.stepper(),
      onFatal: (e) => fatal.push(String(e)),
      apply: (a) => {
        checker.applied(a);
        if (a.type === 'snapshot') {
          service = JSON.parse(new TextDecoder().decode(a.data)) as Command[];
          next = a.index + 1;
          return;
        }
        if (a.index !== next) fail(`node ${ids[i]} applied ${a.index}, expected ${next}`);
        if (committed.has(a.index) && committed.get(a.index) !== a.command) fail(`index ${a.index}: ${String(committed.get(a.index))} != ${String(a.command)}`);
        committed.set(a.index, a.command);
        service.push(a.command);
        next++;
        if (a.index % 9 === 0) node.snapshot(logIndex(a.index), new TextEncoder().encode(JSON.stringify(service)));
      },
    });
    nodes[i] = node;
  };
  const crash = (i: number) => {
    crashes++;
    if (storages[i]!.saving) crashesMidSave++;
    current[i]!.crash();
    nodes[i]!.kill();
    storages[i] = storages[i]!.crash(faults.int(2) === 0);
    start(i);
  };

  ids.forEach((id, i) => { net.connect(id); start(i); });
  let proposed = 0;
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  for (let t = 0; t < options.durationMs; t += TICK_MS) {
    if (t % 20 === 0) nodes.find((n) => n.getState().isLeader)?.start(++proposed);
    if (faults.int(options.crashEveryMs / TICK_MS) === 0) crash(faults.int(ids.length));
    clock.advance(TICK_MS);
    await settle();
  }
  // No more crashes: a new command must commit. A leader stalled on its disk can be deposed before
  // it commits, so the command is proposed again until one copy commits.
  const finalCommitted = () => [...committed.values()].includes(-1);
  for (let t = 0; t < 20_000 && !finalCommitted(); t += TICK_MS) {
    if (t % 100 === 0) nodes.find((n) => n.getState().isLeader)?.start(-1);
    clock.advance(TICK_MS);
    await settle();
  }
  const recovered = finalCommitted();
  for (let t = 0; t < 1000; t += TICK_MS) {
    clock.advance(TICK_MS);
    await settle();
  }
  for (const n of nodes) n.kill();
  for (const c of current) {
    try {
      c.finish();
    } catch {
      // recorded in c.violation
    }
  }
  const total = (k: 'steps' | 'effects' | 'afterPersist') => checkers.reduce((sum, c) => sum + c.counts[k], 0);
  return {
    steps: total('steps'), effects: total('effects'), afterPersist: total('afterPersist'), crashes, crashesMidSave,
    committed: committed.size, recovered, violations: checkers.flatMap((c) => (c.violation === null ? [] : [c.violation.message])), fatal,
  };
}
