// What the workers of a parallel search share: each owns the states whose fingerprint falls to it
// (ownerOf), keeps its own visited set and parent links, and sends the successors it generates
// for another worker to that worker, in batches over a port of their own. Levels are kept in step
// by a barrier in shared memory; the coordinator only starts the workers and collects what they
// found. States cross as packed words with their values' content sent once (packed.ts).
import type { MessagePort } from 'node:worker_threads';
import type { ModelSpec } from './model.ts';

export interface WorkerSetup {
  readonly spec: ModelSpec;
  readonly index: number;
  readonly workers: number;
  /** Int32 words at the Control offsets. */
  readonly control: SharedArrayBuffer;
  /** Float64 per worker: successors generated, distinct states kept (for progress and --max-states). */
  readonly counts: SharedArrayBuffer;
  /** A port to each other worker (undefined at this worker's own index). */
  readonly peers: readonly (MessagePort | undefined)[];
  readonly maxStates: number | undefined;
  readonly maxDepth: number | undefined;
}

/** Offsets in the control words; Size and Mail are followed by one word per worker. */
export const enum Control {
  /** 1 once the search must stop: a violation, the state limit, or the coordinator aborting. */
  Stop,
  /** Workers arrived at the barrier, and the barrier's generation (bumped when all have). */
  Arrived,
  Generation,
  /** Stop as the last worker to arrive at the barrier saw it: what every worker decides on. */
  Decision,
  /** Bit i: the i-th sometimes-property has been seen by some worker. */
  Reached,
  /** The level being expanded. */
  Depth,
  Size,
}

export const controlWords = (workers: number): number => Control.Size + 2 * workers;
/** Per worker: batches posted to it (it waits on this word for more). */
export const mailOf = (workers: number, index: number): number => Control.Size + workers + index;

/** The worker that owns a fingerprint. */
export const ownerOf = (hi: number, workers: number): number => (hi >>> 0) % workers;

/**
 * Successors for the receiving worker: `records` holds `count` of them, each the fingerprint
 * (hi, lo), the parent's id, the action's index, then the packed words in the sender's ids, which
 * `definitions` (and earlier batches' definitions) let the receiver translate. `end`: the
 * sender has sent everything of this level.
 */
export interface Batch {
  readonly definitions: Int32Array;
  readonly records: Int32Array;
  readonly count: number;
  readonly end: boolean;
}

/** Record header words, before the packed state. */
export const RECORD_HEADER = 4;

/** What a worker reports when the search is over; its links are transferred. */
export interface WorkerResult {
  readonly generated: number;
  readonly distinct: number;
  readonly maxDepth: number;
  /** The last level was empty on every worker: the search ran to its end. */
  readonly exhausted: boolean;
  readonly violation: { readonly property: string; readonly id: number } | undefined;
  /** Sometimes-properties seen: on the successor that action index k leads to from state `from`, at `depth`. */
  readonly reached: readonly (readonly [name: string, from: number, k: number, depth: number])[];
  /** The most memory this worker's visited set, links, levels, batches and packing tables held. */
  readonly peakBytes: number;
  /** Its links: state id `i * workers + index` is at [i]. */
  readonly parent: Int32Array;
  readonly action: Int32Array;
}
