// Swarm walks on a thread of their own, beside the portfolio's exhaustive search (portfolio.ts):
// on 2 cores one runs BFS while the other samples. The thread runs walks of one seed until its
// time is up, it finds a violation, or the shared stop word is set; it reports what it did as
// plain data. A violation is reported by its walk number only: the coordinator replays that walk
// itself (a walk is reproducible from seed and number) to get the path and shrink it.
// The worker's code is a bundle (worker-script.ts) that calls serveWorker with the module that
// exports the swarm space's factory.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelSpec } from './model.ts';
import { swarm, type SwarmSpace } from './swarm.ts';

export interface SwarmWorkerSetup {
  /** A module and the name of its factory of a SwarmSpace, with the factory's options. */
  readonly space: ModelSpec;
  readonly seed: number;
  readonly depth: number;
  readonly seconds: number;
  readonly walks?: number;
  /** Int32 word 0: set to 1 by anyone to stop every search of the portfolio. */
  readonly stop: SharedArrayBuffer;
}

export interface SwarmWorkerReport {
  readonly walks: number;
  readonly steps: number;
  readonly maxDepth: number;
  readonly seconds: number;
  /** The walk that broke a property, and which. */
  readonly failure: { readonly walk: number; readonly property: string } | undefined;
  /** For each sometimes-property reached: the first walk that reached it and in how many steps. */
  readonly reached: readonly (readonly [name: string, walk: number, steps: number])[];
}

export function spaceFrom<S, A, C>(exports: Record<string, unknown>, spec: ModelSpec): SwarmSpace<S, A, C> {
  const factory = exports[spec.factory];
  if (typeof factory !== 'function') throw new Error(`${spec.module} exports no swarm space factory named ${spec.factory}`);
  return (factory as (options: unknown) => SwarmSpace<S, A, C>)(spec.options);
}

export function serveWorker(exports: Record<string, unknown>): void {
  const setup = (workerData as { setup: SwarmWorkerSetup }).setup;
  const stop = new Int32Array(setup.stop);
  const r = swarm(spaceFrom(exports, setup.space), {
    seed: setup.seed, depth: setup.depth, seconds: setup.seconds, walks: setup.walks, stop: () => Atomics.load(stop, 0) !== 0,
  });
  if (r.violation !== undefined) Atomics.store(stop, 0, 1);
  const report: SwarmWorkerReport = {
    walks: r.walks, steps: r.generated, maxDepth: r.maxDepth, seconds: r.seconds,
    failure: r.violation && r.failure && { walk: r.failure.walk, property: r.violation.property },
    reached: [...r.reachedIn].map(([name, walk]) => [name, walk, r.reached.get(name)!.actions.length] as const),
  };
  parentPort!.postMessage(report);
}
