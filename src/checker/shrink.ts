// Shrinking a counterexample (after delta debugging, Zeller & Hildebrandt 2002, greedily): drop
// chunks of steps, then single steps, then the faults steps carry, and keep each change whenever
// the rest still replays to a state that breaks the same property. A random walk's trace is long
// and mostly beside the point; the shrunk one shows the bug.
//
// Steps are replayed by key (Model.actionKey), not by position: once a step is gone the actions
// of later states are listed differently (a message sits in another slot), so each remaining step
// is looked up again in the state the replay has reached. A step whose key is not enabled there
// is skipped. Deterministic: the same path and model give the same result, and a cap on replays
// (not on seconds) bounds the work.
import type { Model } from './model.ts';
import type { Path, Violation } from './result.ts';

/** Bounds on {@link shrink}'s work, counted in replays rather than seconds so a result is reproducible. */
export interface ShrinkOptions {
  /** Replays at most (each replays the whole candidate trace); the best trace so far is returned when they run out. */
  readonly maxReplays?: number;
}

/** A violation after {@link shrink}: a path no longer than the one given that breaks the same property first. */
export interface Shrunk<S, A> extends Violation<S, A> {
  /** Steps of the path given. */
  readonly from: number;
  readonly replays: number;
  /**
   * True when the last round found nothing to remove or weaken: no single step can be left out
   * (1-minimal) and no fault can be taken out of a step. False when the replays ran out first.
   */
  readonly minimal: boolean;
}

const DEFAULT_MAX_REPLAYS = 5000;

/**
 * Shrinks `violation` (a path from one of `model`'s initial states whose last state breaks
 * `violation.property`, the first `always` property in the model's order to break there). The
 * result's last state breaks the same property, first, and no state before it breaks any.
 */
export function shrink<S, A>(model: Model<S, A>, violation: Violation<S, A>, options: ShrinkOptions = {}): Shrunk<S, A> {
  const maxReplays = options.maxReplays ?? DEFAULT_MAX_REPLAYS;
  const from = violation.path.actions.length;
  const replayer = keyReplayer(model, violation.path.states[0]!, violation.property);
  if (replayer === undefined) return { ...violation, from, replays: 0, minimal: false };
  const { keyOf, replay } = replayer;
  let replays = 0;
  let exhausted = false;
  const attempt = (keys: readonly string[]) => {
    if (replays >= maxReplays) { exhausted = true; return undefined; }
    replays++;
    return replay(keys);
  };

  let best = attempt(violation.path.actions.map((a, k) => keyOf(violation.path.states[k]!, a)));
  if (best === undefined) return { ...violation, from, replays, minimal: false };
  let changed = true;
  while (changed && !exhausted) {
    changed = false;
    for (let size = 2 ** Math.floor(Math.log2(Math.max(1, best.keys.length / 2))); size >= 1; size = Math.floor(size / 2)) {
      for (let at = 0; at + size <= best.keys.length && !exhausted;) {
        const smaller = attempt([...best.keys.slice(0, at), ...best.keys.slice(at + size)]);
        if (smaller === undefined) at += 1;
        else { best = smaller; changed = true; }
      }
    }
    for (let k = 0; k < best.keys.length && !exhausted; k++) {
      const milder = model.withoutFault?.(best.path.actions[k]!);
      if (milder === undefined) continue;
      const mildKey = keyOf(best.path.states[k]!, milder);
      const weaker = attempt(best.keys.map((key, j) => (j === k ? mildKey : key)));
      if (weaker !== undefined) { best = weaker; changed = true; }
    }
  }
  // Milder faults keep every step where it was; only a path no shorter keeps where healing began.
  const kept = best.path.actions.length === from && violation.healedFrom !== undefined ? { healedFrom: violation.healedFrom } : {};
  return { property: violation.property, path: best.path, ...kept, from, replays, minimal: !exhausted };
}

/** Where a replay by action keys got to: the path it took, ending at the violation, and the keys it kept. */
export interface KeyReplay<S, A> {
  readonly path: Path<S, A>;
  /** The key of each step taken (a step whose key was not enabled is left out). */
  readonly keys: readonly string[];
}

/**
 * Replay by key from `root`: each key is looked up among the actions enabled where the replay
 * has got to (by its shape if no action has the key itself), and skipped if it is not there.
 * `replay` gives the replay when it ends at a state where `property` is the first `always`
 * property to break, cut there; undefined when another property breaks first or none does.
 * Undefined for a model without actionKey.
 */
export function keyReplayer<S, A>(model: Model<S, A>, root: S, property: string) {
  const { actionKey, actionShape } = model;
  if (actionKey === undefined) return undefined;
  const always = model.properties.filter((p) => p.expectation === 'always');
  /** The shape of each key met, to find a step whose exact key is no longer enabled. */
  const shapes = new Map<string, string>();
  /** The key of `action` in `state` (Model.actionKey), its shape remembered for a later lookup. */
  const keyOf = (state: S, action: A): string => {
    const key = actionKey.call(model, state, action);
    if (actionShape !== undefined && !shapes.has(key)) shapes.set(key, actionShape.call(model, state, action));
    return key;
  };
  const find = (state: S, key: string): A | undefined => {
    const enabled = model.actions(state);
    const shape = shapes.get(key);
    return enabled.find((a) => actionKey.call(model, state, a) === key)
      ?? (shape === undefined ? undefined : enabled.find((a) => actionShape!.call(model, state, a) === shape));
  };
  /** Replays `keys` from the root, skipping those not enabled where the replay has got to. */
  const replay = (keys: readonly string[]): KeyReplay<S, A> | undefined => {
    let state: S = root;
    const states: S[] = [state];
    const actions: A[] = [];
    const kept: string[] = [];
    for (const key of keys) {
      const action = find(state, key);
      const next = action === undefined ? undefined : model.next(state, action);
      if (next === undefined) continue;
      kept.push(keyOf(state, action!));
      state = next;
      states.push(state);
      actions.push(action!);
      const broken = always.find((p) => !p.holds(state));
      if (broken !== undefined) return broken.name === property ? { path: { states, actions }, keys: kept } : undefined;
    }
    return undefined;
  };
  return { keyOf, replay };
}
