// The messages between a parallel search's coordinator and its workers, and what a worker is
// given when it starts. States travel packed, as exported content (packed.ts): each worker has
// its own packing tables, so ids mean nothing across threads, but content does. Buffers are
// transferred, not copied.
import type { ModelSpec } from './model.ts';
import type { SharedTableBuffers } from './shared-fingerprint-set.ts';

export interface WorkerSetup {
  readonly spec: ModelSpec;
  readonly table: SharedTableBuffers;
  /** Shared Int32 arrays, indexed by state id: the parent's id and the action index (links.ts). */
  readonly parent: SharedArrayBuffer;
  readonly action: SharedArrayBuffer;
  /** Shared Float64 array: successors generated so far by each worker, for the progress line. */
  readonly generated: SharedArrayBuffer;
  readonly index: number;
  readonly maxStates: number | undefined;
}

/** Packed states as exported content, and their ids. */
export interface Batch { readonly content: Int32Array; readonly ids: Int32Array }

export type ToWorker =
  | { readonly type: 'take'; readonly batch: Batch }
  | { readonly type: 'expand'; readonly unreached: readonly string[] }
  | { readonly type: 'give'; readonly count: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'expanded';
      /** States of the next level this worker now holds. */
      readonly size: number;
      readonly violation: { readonly property: string; readonly id: number } | undefined;
      /** Sometimes-properties seen: on the successor that action index k leads to from state `from`. */
      readonly reached: readonly (readonly [name: string, from: number, k: number])[];
      /** The most memory the worker's frontier and packing tables have held. */
      readonly peakBytes: number;
    }
  | { readonly type: 'given'; readonly batch: Batch };
