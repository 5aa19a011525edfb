// Breadth-first search on all cores. Worker threads share one visited set (exact counts) and
// one table of parent links (traces); each expands its part of a level, and between levels the
// coordinator moves states from the fullest parts to the emptiest, so the cores stay busy. States
// are packed (packed.ts) and cross between threads as content in transferred buffers.
// Levels are kept in step, so the first violation found still has a shortest trace.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { pathTo, pathVia } from './links.ts';
import { loadModel, type ModelSpec } from './model.ts';
import { Frontier, packedOf } from './packed.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.ts';
import { splitProperties, type CheckResult, type SearchOptions } from './result.ts';
import { SharedFingerprintSet } from './shared-fingerprint-set.ts';
import { workerScript } from './worker-script.ts';

export interface ParallelOptions extends SearchOptions {
  /** Worker threads; all cores by default. */
  readonly workers?: number;
  /** log2 of the visited table's slots (8 bytes each, plus 8 per state for links). */
  readonly tableBits?: number;
  /** Stops the search (mid-level) when aborted; the result is then incomplete. */
  readonly signal?: AbortSignal;
}

/** Below this many states in a level, rebalancing costs more than it saves. */
const REBALANCE_MIN = 64;

export async function parallelBfs<S, A>(spec: ModelSpec, options: ParallelOptions = {}): Promise<CheckResult<S, A>> {
  const started = performance.now();
  const model = await loadModel<S, A>(spec);
  const script = await workerScript(new URL('./parallel-worker.ts', import.meta.url), spec.module);
  const { always, sometimes } = splitProperties(model);
  const workerCount = Math.max(1, options.workers ?? availableParallelism());
  const bits = options.tableBits ?? (options.maxStates === undefined ? 25 : Math.max(16, Math.ceil(Math.log2(options.maxStates / 0.8))));
  const tableBuffers = SharedFingerprintSet.create(2 ** bits);
  const table = new SharedFingerprintSet(tableBuffers);
  const parentBuffer = new SharedArrayBuffer(table.capacity * 4);
  const actionBuffer = new SharedArrayBuffer(table.capacity * 4);
  const generatedBuffer = new SharedArrayBuffer(workerCount * 8);
  const parent = new Int32Array(parentBuffer);
  const action = new Int32Array(actionBuffer);
  const generated = new Float64Array(generatedBuffer);

  const roots = model.initialStates();
  const packed = packedOf(model);
  const rootWords = packed.initialStates();
  const reachedAt = new Map<string, { from: number; k: number }>();
  let violation: { property: string; id: number } | undefined;
  const rootStates = new Frontier(packed.width);
  roots.forEach((_, i) => {
    if (violation !== undefined) return;
    const fp = packed.fingerprint(rootWords, i * packed.width);
    const id = table.insert(fp.hi, fp.lo);
    if (id === -1) return;
    parent[id] = -1 - i;
    action[id] = -1;
    const state = packed.view(rootWords, i * packed.width);
    for (const p of sometimes) if (!reachedAt.has(p.name) && p.holds(state)) reachedAt.set(p.name, { from: id, k: -1 });
    const broken = always.find((p) => !p.holds(state));
    if (broken !== undefined) violation = { property: broken.name, id };
    rootStates.push(rootWords, i * packed.width, id);
  });

  const workers = Array.from({ length: workerCount }, (_, index) => startWorker(script, {
    spec, table: tableBuffers, parent: parentBuffer, action: actionBuffer, generated: generatedBuffer, index, maxStates: options.maxStates,
  }));
  options.signal?.addEventListener('abort', () => table.stop(), { once: true });
  const sumGenerated = () => generated.reduce((a, b) => a + b, 0);
  let depth = 0;
  let sizes = workers.map(() => 0);
  let workerBytes = workers.map(() => 0);
  const progress = options.onProgress && setInterval(() => options.onProgress!({
    distinct: table.size, generated: sumGenerated(), depth, queued: sizes.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000,
  }), 1000);

  try {
    await Promise.all(workers.map((w) => w.ready));
    const content = packed.exportStates(rootStates.words, rootStates.count);
    workers[0]!.post({ type: 'take', batch: { content, ids: rootStates.ids.slice(0, rootStates.count) } });
    sizes[0] = rootStates.count;
    let maxDepth = 0;
    while (violation === undefined && sizes.some((n) => n > 0) && !table.stopped) {
      if (options.maxDepth !== undefined && depth >= options.maxDepth) break;
      const unreached = sometimes.filter((p) => !reachedAt.has(p.name)).map((p) => p.name);
      const replies = await Promise.all(workers.map((w) => w.request({ type: 'expand', unreached }, 'expanded')));
      depth++;
      sizes = replies.map((r) => r.size);
      workerBytes = replies.map((r) => r.peakBytes);
      if (sizes.some((n) => n > 0)) maxDepth = depth;
      for (const r of replies) {
        for (const [name, from, k] of r.reached) if (!reachedAt.has(name)) reachedAt.set(name, { from, k });
        if (r.violation !== undefined && violation === undefined) violation = r.violation;
      }
      await rebalance(workers, sizes);
    }
    const limited = options.maxStates !== undefined && table.size >= options.maxStates;
    const complete = violation === undefined && !limited && !options.signal?.aborted && sizes.every((n) => n === 0);
    const path = (id: number) => pathTo(model, roots, parent, action, id);
    return {
      strategy: 'parallel-bfs',
      distinct: table.size,
      generated: sumGenerated(),
      maxDepth,
      seconds: (performance.now() - started) / 1000,
      complete,
      peakBytes: table.bytes + parentBuffer.byteLength + actionBuffer.byteLength + workerBytes.reduce((a, b) => a + b, 0),
      violation: violation && { property: violation.property, path: path(violation.id) },
      reached: new Map(sometimes.map((p) => {
        const at = reachedAt.get(p.name);
        return [p.name, at === undefined ? undefined : pathVia(model, roots, parent, action, at.from, at.k)];
      })),
    };
  } finally {
    if (progress) clearInterval(progress);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Moves states from parts above the mean to parts below it (sizes is updated in place): each
 * donor exports what it gives as content, which the receiver imports into its own tables.
 */
async function rebalance(workers: readonly WorkerHandle[], sizes: number[]): Promise<void> {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < REBALANCE_MIN * workers.length) return;
  const mean = Math.floor(total / workers.length);
  for (let d = 0; d < workers.length; d++) {
    for (let r = 0; r < workers.length && sizes[d]! - mean > REBALANCE_MIN; r++) {
      const count = Math.min(sizes[d]! - mean, mean - sizes[r]!);
      if (r === d || count <= 0) continue;
      const { batch } = await workers[d]!.request({ type: 'give', count }, 'given');
      workers[r]!.post({ type: 'take', batch }, [batch.content.buffer as ArrayBuffer, batch.ids.buffer as ArrayBuffer]);
      sizes[d] = sizes[d]! - count;
      sizes[r] = sizes[r]! + count;
    }
  }
}

interface WorkerHandle {
  readonly ready: Promise<void>;
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  request<T extends FromWorker['type']>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { type: T }>>;
  terminate(): Promise<number>;
}

function startWorker(script: URL, setup: WorkerSetup): WorkerHandle {
  const worker = new Worker(script, { workerData: { setup } });
  let failure: Error | undefined;
  const waiting: { answer: string; resolve: (m: FromWorker) => void; reject: (e: Error) => void }[] = [];
  const fail = (e: Error) => { failure = e; for (const w of waiting.splice(0)) w.reject(e); };
  worker.on('error', fail);
  worker.on('exit', (code) => { if (code !== 0) fail(new Error(`checker worker ${setup.index} exited with code ${code}`)); });
  worker.on('message', (m: FromWorker) => {
    const at = waiting.findIndex((w) => w.answer === m.type);
    if (at !== -1) waiting.splice(at, 1)[0]!.resolve(m);
  });
  const request = <T extends FromWorker['type']>(message: ToWorker | undefined, answer: T) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) => {
      if (failure) { reject(failure); return; }
      waiting.push({ answer, resolve: resolve as (m: FromWorker) => void, reject });
      if (message) worker.postMessage(message);
    });
  return {
    ready: request(undefined, 'ready').then(() => undefined),
    post: (message, transfer = []) => worker.postMessage(message, transfer),
    request,
    terminate: () => worker.terminate(),
  };
}
