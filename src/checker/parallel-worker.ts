// One worker of a parallel breadth-first search. It expands the packed frontier it holds one
// level at a time, claims successors in the shared visited set, and keeps the ones it claimed as
// its part of the next level; the coordinator moves states between workers between levels. The
// worker's code is a bundle (worker-script.ts) that calls serveWorker with the model's module.
import { parentPort, workerData } from 'node:worker_threads';
import { modelFrom } from './model.ts';
import { Frontier, packedOf, Visited } from './packed.ts';
import type { Batch, FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.ts';
import { splitProperties } from './result.ts';
import { SharedFingerprintSet } from './shared-fingerprint-set.ts';

export function serveWorker(exports: Record<string, unknown>): void {
  const setup = (workerData as { setup: WorkerSetup }).setup;
  const port = parentPort!;
  const model = modelFrom<unknown, unknown>(exports, setup.spec);
  const packed = packedOf(model);
  const width = packed.width;
  const { always, sometimes } = splitProperties(model);
  const table = new SharedFingerprintSet(setup.table);
  const parent = new Int32Array(setup.parent);
  const action = new Int32Array(setup.action);
  const generated = new Float64Array(setup.generated);
  let frontier = new Frontier(width);
  let next = new Frontier(width);
  let peakBytes = 0;

  const reply = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  function expand(unreached: readonly string[]): void {
    const watch = sometimes.filter((p) => unreached.includes(p.name));
    const reached: [string, number, number][] = [];
    let violation: { property: string; id: number } | undefined;
    let count = generated[setup.index]!;
    let from = -1;
    next.count = 0;
    const visit = (k: number, words: Int32Array, hi: number, lo: number): Visited => {
      count++;
      // Sometimes-properties are looked for before duplicates are dropped (see bfs.ts).
      if (watch.length > 0) {
        const state = packed.view(words, 0);
        for (let p = watch.length - 1; p >= 0; p--) if (watch[p]!.holds(state)) { reached.push([watch[p]!.name, from, k]); watch.splice(p, 1); }
      }
      const id = table.insert(hi, lo);
      if (id === -1) return Visited.Duplicate;
      parent[id] = from;
      action[id] = k;
      next.push(words, 0, id);
      const state = packed.view(words, 0);
      const broken = always.find((p) => !p.holds(state));
      if (broken === undefined) return Visited.Kept;
      violation = { property: broken.name, id };
      table.stop();
      return Visited.Stop;
    };
    for (let i = 0; i < frontier.count && violation === undefined; i++) {
      if ((i & 63) === 0 && (table.stopped || (setup.maxStates !== undefined && table.size >= setup.maxStates))) break;
      from = frontier.ids[i]!;
      packed.successors(frontier.words, i * width, visit);
      generated[setup.index] = count;
    }
    generated[setup.index] = count;
    peakBytes = Math.max(peakBytes, frontier.bytes + next.bytes + packed.bytes);
    [frontier, next] = [next, frontier];
    reply({ type: 'expanded', size: frontier.count, violation, reached, peakBytes });
  }

  function give(count: number): void {
    const first = frontier.count - count;
    const batch: Batch = {
      content: packed.exportStates(frontier.words.subarray(first * width), count),
      ids: frontier.ids.slice(first, frontier.count),
    };
    frontier.count = first;
    reply({ type: 'given', batch }, [batch.content.buffer as ArrayBuffer, batch.ids.buffer as ArrayBuffer]);
  }

  function take({ content, ids }: Batch): void {
    const words = packed.importStates(content);
    for (let j = 0; j < ids.length; j++) frontier.push(words, j * width, ids[j]!);
  }

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'take': take(message.batch); break;
      case 'expand': expand(message.unreached); break;
      case 'give': give(message.count); break;
    }
  });
  reply({ type: 'ready' });
}
