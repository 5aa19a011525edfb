// Breadth-first search on all cores. Each worker thread owns the states whose fingerprint falls
// to it, with its own visited set and parent links, and sends the successors it generates for
// another worker to that one (parallel-protocol.ts, parallel-worker.ts): no shared table, nothing
// to rebalance, and each state is checked by exactly one worker. The workers keep their levels in
// step among themselves, so the first violation found still has a shortest trace; this thread
// starts them and puts together what they found.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { pathTo, pathVia, type LinkTable } from './links.ts';
import { loadModel, type ModelSpec } from './model.ts';
import { Control, controlWords, type WorkerResult, type WorkerSetup } from './parallel-protocol.ts';
import { splitProperties, type CheckResult, type SearchOptions } from './result.ts';
import { workerScript } from './worker-script.ts';

/** {@link SearchOptions} plus the thread count; {@link parallelBfs} honours maxStates, maxDepth and onProgress (not reduction or stop). */
export interface ParallelOptions extends SearchOptions {
  /** Worker threads; all cores by default. */
  readonly workers?: number;
}

/**
 * Breadth-first search on worker threads, each owning the states whose fingerprint falls to it;
 * the first violation still has a shortest trace. The model is given as a {@link ModelSpec} since
 * each thread builds its own; at most 31 `sometimes` properties.
 */
export async function parallelBfs<S, A>(spec: ModelSpec, options: ParallelOptions = {}): Promise<CheckResult<S, A>> {
  const started = performance.now();
  const [model, script] = await Promise.all([loadModel<S, A>(spec), workerScript('parallel-worker', spec.module)]);
  const { sometimes } = splitProperties(model);
  if (sometimes.length > 31) throw new Error('a parallel search tracks at most 31 sometimes-properties');
  const workerCount = Math.max(1, options.workers ?? availableParallelism());
  const controlBuffer = new SharedArrayBuffer(controlWords(workerCount) * 4);
  const countsBuffer = new SharedArrayBuffer(workerCount * 2 * 8);
  const control = new Int32Array(controlBuffer);
  const counts = new Float64Array(countsBuffer);
  const peers = portMesh(workerCount);
  const workers = peers.map((ports, index) => runWorker(script, {
    spec, index, workers: workerCount, control: controlBuffer, counts: countsBuffer, peers: ports,
    maxStates: options.maxStates, maxDepth: options.maxDepth,
  }));
  const sum = (k: 0 | 1) => { let n = 0; for (let w = 0; w < workerCount; w++) n += counts[2 * w + k]!; return n; };
  const progress = options.onProgress && setInterval(() => {
    let queued = 0;
    for (let w = 0; w < workerCount; w++) queued += Atomics.load(control, Control.Size + w);
    options.onProgress!({ distinct: sum(1), generated: sum(0), depth: Atomics.load(control, Control.Depth), queued, seconds: (performance.now() - started) / 1000 });
  }, 1000);

  try {
    const results = await Promise.all(workers.map((w) => w.result));
    const distinct = results.reduce((n, r) => n + r.distinct, 0);
    const violation = results.find((r) => r.violation !== undefined)?.violation;
    const limited = options.maxStates !== undefined && distinct >= options.maxStates;
    const links = new StripedLinks(results);
    const roots = model.initialStates();
    const reachedAt = new Map<string, { from: number; k: number; depth: number }>();
    for (const r of results) {
      for (const [name, from, k, depth] of r.reached) {
        const known = reachedAt.get(name);
        if (known === undefined || depth < known.depth) reachedAt.set(name, { from, k, depth });
      }
    }
    return {
      strategy: 'parallel-bfs',
      distinct,
      generated: results.reduce((n, r) => n + r.generated, 0),
      maxDepth: Math.max(...results.map((r) => r.maxDepth)),
      seconds: (performance.now() - started) / 1000,
      complete: violation === undefined && !limited && results.every((r) => r.exhausted),
      peakBytes: results.reduce((n, r) => n + r.peakBytes, 0),
      violation: violation && { property: violation.property, path: pathTo(model, roots, links, violation.id) },
      reached: new Map(sometimes.map((p) => {
        const at = reachedAt.get(p.name);
        return [p.name, at === undefined ? undefined : pathVia(model, roots, links, at.from, at.k)];
      })),
    };
  } finally {
    if (progress) clearInterval(progress);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The workers' links as one table: state id i * workers + w is worker w's i-th. */
class StripedLinks implements LinkTable {
  constructor(private readonly parts: readonly WorkerResult[]) {}
  parentOf(id: number): number { return this.parts[id % this.parts.length]!.parent[Math.floor(id / this.parts.length)]!; }
  actionOf(id: number): number { return this.parts[id % this.parts.length]!.action[Math.floor(id / this.parts.length)]!; }
}

/** A channel between every two workers: ports[w][v] is w's end of the one to v. */
function portMesh(count: number): (MessagePort | undefined)[][] {
  const ports: (MessagePort | undefined)[][] = Array.from({ length: count }, () => Array<MessagePort | undefined>(count).fill(undefined));
  for (let w = 0; w < count; w++) {
    for (let v = w + 1; v < count; v++) {
      const { port1, port2 } = new MessageChannel();
      ports[w]![v] = port1;
      ports[v]![w] = port2;
    }
  }
  return ports;
}

interface WorkerHandle {
  readonly result: Promise<WorkerResult>;
  terminate(): Promise<number>;
}

function runWorker(script: URL, setup: WorkerSetup): WorkerHandle {
  const transfer = setup.peers.filter((p): p is MessagePort => p !== undefined);
  // The bundle is plain JavaScript: no TypeScript loader (a parent's --import tsx) in the worker.
  const worker = new Worker(script, { workerData: { setup }, transferList: transfer, execArgv: [] });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`checker worker ${setup.index} exited with code ${code} before it reported`)));
  });
  return { result, terminate: () => worker.terminate() };
}
