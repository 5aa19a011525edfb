// What a search reports, whichever strategy ran it.
import type { Model } from './model.ts';

/** A behaviour: `states[0]` an initial state, and one action between each state and the next. */
export interface Path<S, A> {
  readonly states: readonly S[];
  /** actions[i] leads from states[i] to states[i + 1]. */
  readonly actions: readonly A[];
}

/** A counterexample: the `always` property (by name) that the last state of `path` breaks. */
export interface Violation<S, A> {
  readonly property: string;
  readonly path: Path<S, A>;
  /**
   * Where a recovery check's healing began (swarm walks): the steps of the walk before it, every
   * fault stopped after them. Absent for a violation the walk itself found.
   */
  readonly healedFrom?: number;
}

/** What a search did: how many states, how deep, how long (seconds of wall clock), and whether it finished. */
export interface SearchStats {
  readonly strategy: 'bfs' | 'parallel-bfs' | 'dfs' | 'simulate' | 'swarm';
  /** Distinct states (by fingerprint) visited. */
  readonly distinct: number;
  /** Successor states generated, duplicates included. */
  readonly generated: number;
  readonly maxDepth: number;
  readonly seconds: number;
  /** True when the whole bounded state space was explored (never for simulation). */
  readonly complete: boolean;
  /**
   * The most memory the search held at once, counted array by array: visited fingerprints,
   * parent links, frontier and the model's packing tables (BFS only).
   */
  readonly peakBytes?: number;
}

/**
 * What a search found, whichever strategy ran it: no `violation` with `complete` true means every
 * `always` property holds in every state within the model's bounds.
 */
export interface CheckResult<S, A> extends SearchStats {
  /** The first counterexample found for an `always` property, if any. */
  readonly violation: Violation<S, A> | undefined;
  /** For each `sometimes` property, a path to a state where it holds, or undefined if none was seen. */
  readonly reached: ReadonlyMap<string, Path<S, A> | undefined>;
}

/**
 * A running search's counts so far, handed to `onProgress` about once a second. `queued` depends on
 * the strategy: the BFS frontier, the DFS stack, the walks left (simulate) or the walks run (swarm).
 */
export interface Progress { distinct: number; generated: number; depth: number; queued: number; seconds: number }

/** Limits and hooks every search accepts; a search stopped by one reports itself incomplete. */
export interface SearchOptions {
  /** Stop after this many distinct states (the result is then incomplete). */
  readonly maxStates?: number;
  /** Do not expand states deeper than this. */
  readonly maxDepth?: number;
  /**
   * BFS only: sleep sets (docs/checker.md, "Sleep sets"), so that of actions that commute only
   * one order is taken. The same states are visited at the same depths; fewer are generated.
   */
  readonly reduction?: boolean;
  /**
   * Asked now and then (every few thousand states); true stops the search, which then reports
   * itself incomplete. How a caller bounds a synchronous search by time, memory or another
   * search's news.
   */
  readonly stop?: () => boolean;
  /** Called about once a second while the search runs. */
  readonly onProgress?: (p: Progress) => void;
}

/** The properties of a model split by expectation, for the search loops. */
export function splitProperties<S>(model: Model<S, unknown>) {
  return {
    always: model.properties.filter((p) => p.expectation === 'always'),
    sometimes: model.properties.filter((p) => p.expectation === 'sometimes'),
  };
}
