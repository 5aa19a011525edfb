// One worker of a parallel breadth-first search. It expands the frontier it holds one level at a
// time, claims successors in the shared visited set, and keeps the ones it claimed as its part of
// the next level; the coordinator rebalances the parts between levels.
import { parentPort, workerData } from 'node:worker_threads';
import { match } from 'ts-pattern';
import { loadModel } from './model.ts';
import type { Entry, FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.ts';
import { splitProperties } from './result.ts';
import { SharedFingerprintSet } from './shared-fingerprint-set.ts';

const setup = (workerData as { setup: WorkerSetup }).setup;
const port = parentPort!;
const model = await loadModel<unknown, unknown>(setup.spec);
const { always, sometimes } = splitProperties(model);
const table = new SharedFingerprintSet(setup.table);
const parent = new Int32Array(setup.parent);
const action = new Int32Array(setup.action);
const generated = new Float64Array(setup.generated);
let frontier: Entry<unknown>[] = [];

const reply = (message: FromWorker<unknown>) => port.postMessage(message);

function expand(unreached: readonly string[]): void {
  const next: Entry<unknown>[] = [];
  const watch = sometimes.filter((p) => unreached.includes(p.name));
  const reached: [string, number, number][] = [];
  let violation: { property: string; id: number } | undefined;
  let count = generated[setup.index]!;
  for (let i = 0; i < frontier.length && violation === undefined; i++) {
    if ((i & 63) === 0 && (table.stopped || (setup.maxStates !== undefined && table.size >= setup.maxStates))) break;
    const { state, id: from } = frontier[i]!;
    const actions = model.actions(state);
    for (let k = 0; k < actions.length; k++) {
      const successor = model.next(state, actions[k]!);
      if (successor === undefined) continue;
      count++;
      // Sometimes-properties are looked for before duplicates are dropped (see bfs.ts).
      for (let p = watch.length - 1; p >= 0; p--) if (watch[p]!.holds(successor)) { reached.push([watch[p]!.name, from, k]); watch.splice(p, 1); }
      const fp = model.fingerprint(successor);
      const id = table.insert(fp.hi, fp.lo);
      if (id === -1) continue;
      parent[id] = from;
      action[id] = k;
      const broken = always.find((p) => !p.holds(successor));
      if (broken !== undefined) { violation = { property: broken.name, id }; table.stop(); break; }
      next.push({ state: successor, id });
    }
    generated[setup.index] = count;
  }
  frontier = next;
  reply({ type: 'expanded', size: next.length, violation, reached });
}

port.on('message', (message: ToWorker<unknown>) => {
  match(message)
    .with({ type: 'take' }, ({ entries }) => { for (const e of entries) frontier.push(e); })
    .with({ type: 'expand' }, ({ unreached }) => expand(unreached))
    .with({ type: 'give' }, ({ count }) => reply({ type: 'given', entries: frontier.splice(frontier.length - count, count) }))
    .exhaustive();
});
reply({ type: 'ready' });
