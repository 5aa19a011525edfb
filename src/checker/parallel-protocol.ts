// The messages between a parallel search's coordinator and its workers, and what a worker is
// given when it starts. A frontier entry carries its state by structured clone.
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

export interface Entry<S> { readonly state: S; readonly id: number }

export type ToWorker<S> =
  | { readonly type: 'take'; readonly entries: readonly Entry<S>[] }
  | { readonly type: 'expand'; readonly unreached: readonly string[] }
  | { readonly type: 'give'; readonly count: number };

export type FromWorker<S> =
  | { readonly type: 'ready' }
  | {
      readonly type: 'expanded';
      /** States of the next level this worker now holds. */
      readonly size: number;
      readonly violation: { readonly property: string; readonly id: number } | undefined;
      /** Sometimes-properties seen: on the successor that action index k leads to from state `from`. */
      readonly reached: readonly (readonly [name: string, from: number, k: number])[];
    }
  | { readonly type: 'given'; readonly entries: readonly Entry<S>[] };
