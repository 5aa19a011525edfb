// Breadth-first search on all cores. Worker threads share one visited set (exact counts) and
// one table of parent links (traces); each expands its part of a level, and between levels the
// coordinator moves states from the fullest parts to the emptiest, so the cores stay busy.
// Levels are kept in step, so the first violation found still has a shortest trace.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { pathTo } from './links.ts';
import { loadModel, type ModelSpec } from './model.ts';
import type { Entry, FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.ts';
import { splitProperties, type CheckResult, type SearchOptions } from './result.ts';
import { SharedFingerprintSet } from './shared-fingerprint-set.ts';

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
  const reachedAt = new Map<string, number>();
  let violation: { property: string; id: number } | undefined;
  const rootEntries: Entry<S>[] = [];
  roots.forEach((state, i) => {
    if (violation !== undefined) return;
    const fp = model.fingerprint(state);
    const id = table.insert(fp.hi, fp.lo);
    if (id === -1) return;
    parent[id] = -1 - i;
    action[id] = -1;
    for (const p of sometimes) if (!reachedAt.has(p.name) && p.holds(state)) reachedAt.set(p.name, id);
    const broken = always.find((p) => !p.holds(state));
    if (broken !== undefined) violation = { property: broken.name, id };
    rootEntries.push({ state, id });
  });

  const workers = Array.from({ length: workerCount }, (_, index) => startWorker<S>({
    spec, table: tableBuffers, parent: parentBuffer, action: actionBuffer, generated: generatedBuffer, index, maxStates: options.maxStates,
  }));
  options.signal?.addEventListener('abort', () => table.stop(), { once: true });
  const sumGenerated = () => generated.reduce((a, b) => a + b, 0);
  let depth = 0;
  let sizes = workers.map(() => 0);
  const progress = options.onProgress && setInterval(() => options.onProgress!({
    distinct: table.size, generated: sumGenerated(), depth, queued: sizes.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000,
  }), 1000);

  try {
    await Promise.all(workers.map((w) => w.ready));
    workers[0]!.post({ type: 'take', entries: rootEntries });
    sizes[0] = rootEntries.length;
    let maxDepth = 0;
    while (violation === undefined && sizes.some((n) => n > 0) && !table.stopped) {
      if (options.maxDepth !== undefined && depth >= options.maxDepth) break;
      const unreached = sometimes.filter((p) => !reachedAt.has(p.name)).map((p) => p.name);
      const replies = await Promise.all(workers.map((w) => w.request({ type: 'expand', unreached }, 'expanded')));
      depth++;
      sizes = replies.map((r) => r.size);
      if (sizes.some((n) => n > 0)) maxDepth = depth;
      for (const r of replies) {
        for (const [name, id] of r.reached) if (!reachedAt.has(name)) reachedAt.set(name, id);
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
      violation: violation && { property: violation.property, path: path(violation.id) },
      reached: new Map(sometimes.map((p) => {
        const id = reachedAt.get(p.name);
        return [p.name, id === undefined ? undefined : path(id)];
      })),
    };
  } finally {
    if (progress) clearInterval(progress);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Moves states from parts above the mean to parts below it (sizes is updated in place). */
async function rebalance<S>(workers: readonly WorkerHandle<S>[], sizes: number[]): Promise<void> {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < REBALANCE_MIN * workers.length) return;
  const mean = Math.floor(total / workers.length);
  const donors = sizes.map((n, i) => ({ i, surplus: n - mean })).filter((d) => d.surplus > REBALANCE_MIN);
  for (const d of donors) {
    const { entries } = await workers[d.i]!.request({ type: 'give', count: d.surplus }, 'given');
    sizes[d.i] = sizes[d.i]! - entries.length;
    let from = 0;
    for (let j = 0; j < workers.length && from < entries.length; j++) {
      const want = Math.min(mean - sizes[j]!, entries.length - from);
      if (want <= 0) continue;
      workers[j]!.post({ type: 'take', entries: entries.slice(from, from + want) });
      sizes[j] = sizes[j]! + want;
      from += want;
    }
    if (from < entries.length) { workers[d.i]!.post({ type: 'take', entries: entries.slice(from) }); sizes[d.i] = sizes[d.i]! + entries.length - from; }
  }
}

interface WorkerHandle<S> {
  readonly ready: Promise<void>;
  post(message: ToWorker<S>): void;
  request<T extends FromWorker<S>['type']>(message: ToWorker<S>, answer: T): Promise<Extract<FromWorker<S>, { type: T }>>;
  terminate(): Promise<number>;
}

function startWorker<S>(setup: WorkerSetup): WorkerHandle<S> {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./parallel-worker.ts', import.meta.url).href, setup },
  });
  let failure: Error | undefined;
  const waiting: { answer: string; resolve: (m: FromWorker<S>) => void; reject: (e: Error) => void }[] = [];
  const fail = (e: Error) => { failure = e; for (const w of waiting.splice(0)) w.reject(e); };
  worker.on('error', fail);
  worker.on('exit', (code) => { if (code !== 0) fail(new Error(`checker worker ${setup.index} exited with code ${code}`)); });
  worker.on('message', (m: FromWorker<S>) => {
    const at = waiting.findIndex((w) => w.answer === m.type);
    if (at !== -1) waiting.splice(at, 1)[0]!.resolve(m);
  });
  const request = <T extends FromWorker<S>['type']>(message: ToWorker<S> | undefined, answer: T) =>
    new Promise<Extract<FromWorker<S>, { type: T }>>((resolve, reject) => {
      if (failure) { reject(failure); return; }
      waiting.push({ answer, resolve: resolve as (m: FromWorker<S>) => void, reject });
      if (message) worker.postMessage(message);
    });
  return {
    ready: request(undefined, 'ready').then(() => undefined),
    post: (message) => worker.postMessage(message),
    request,
    terminate: () => worker.terminate(),
  };
}
