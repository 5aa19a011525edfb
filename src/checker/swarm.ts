// Swarm testing (Groce, Zhang, Eide, Chen, Regehr: "Swarm testing", ISSTA 2012): random walks
// where each walk first draws its own configuration, here its bounds and a weight per kind of
// action, some kinds left out altogether. One fixed mix of everything makes every walk look
// alike: a walk that never drops a message or that crashes three times in a row is rare under it,
// and some bugs need exactly that. Each walk is reproducible from (seed, walk number) alone.
import type { Model } from './model.ts';
import { shrink, type Shrunk } from './shrink.ts';
import { seededRandom } from './random.ts';
import { splitProperties, type CheckResult, type Path, type Progress, type Violation } from './result.ts';

/** What a walk draws from: a configuration (for Raft, bounds) and the model it gives. */
export interface SwarmSpace<S, A, C> {
  /** Draws a walk's configuration from the walk's generator. */
  readonly draw: (random: () => number) => C;
  /** The model a walk runs in; built once per distinct configuration (by JSON text). */
  readonly model: (config: C) => Model<S, A>;
  /** Kinds (Model.actionKind) no walk leaves out, because without them a walk gets nowhere. */
  readonly essential?: (kind: string) => boolean;
  /** A liveness check run from the state each walk ends in, if no safety property broke in the walk. */
  readonly recovery?: Recovery<S, A, C>;
}

/**
 * A liveness check by healing: from where a walk ended, a continuation with every fault stopped
 * (drawn from the walk's own generator, so the walk's number replays it) that must reach a goal
 * within a bounded number of steps. Its states are checked against the `always` properties too;
 * not reaching the goal is a violation of `property`, with the walk and the continuation as its path.
 */
export interface Recovery<S, A, C> {
  readonly property: string;
  /**
   * The configuration the continuation runs in (wider bounds than the walk's): a safety break
   * found while healing is reported, shrunk and replayed in its model.
   */
  readonly lift: (config: C) => C;
  /** The continuation from `end` (its states[0]), and whether it reached the goal. */
  readonly run: (config: C, end: S, random: () => number) => { readonly path: Path<S, A>; readonly recovered: boolean };
}

/** How long a {@link swarm} run goes (walks, seconds, or one walk to reproduce), how deep each walk, and its seed. */
export interface SwarmOptions {
  readonly seed: number;
  /** Steps per walk at most. */
  readonly depth: number;
  /** Stop after this many walks. */
  readonly walks?: number;
  /** Stop once this many seconds have passed (looked at between walks). */
  readonly seconds?: number;
  /** Asked between walks: true stops the run (another search found something, or time is up). */
  readonly stop?: () => boolean;
  /** Run this walk only: a failure is reported with its walk number, and this reproduces it. */
  readonly walk?: number;
  /** Called about once a second while walks run. */
  readonly onProgress?: (p: Progress) => void;
}

/** What a walk drew: its configuration and the weight of each kind it met (0: left out). */
export interface WalkPlan<C> {
  readonly walk: number;
  readonly config: C;
  readonly weights: ReadonlyMap<string, number>;
}

/** A {@link swarm} run's result; a violation comes with the walk that found it, to replay with `walk`. */
export interface SwarmResult<S, A, C> extends CheckResult<S, A> {
  readonly seed: number;
  /** Walks run. */
  readonly walks: number;
  /**
   * The walk that broke a property, and the model it ran in (to shrink and replay the path in);
   * `drawn` is the configuration the walk drew, which `config` lifts when healing found it.
   */
  readonly failure: (WalkPlan<C> & { readonly model: Model<S, A>; readonly drawn: C }) | undefined;
  /** For each `sometimes` property reached, the first walk that reached it. */
  readonly reachedIn: ReadonlyMap<string, number>;
}

/** A kind that is not essential is left out of a walk with this probability. */
const LEAVE_OUT = 0.25;

/**
 * Swarm testing: random walks, each with its own configuration drawn from `space` and its own
 * weight per kind of action, some kinds left out. Reproducible from (seed, walk number); never complete.
 */
export function swarm<S, A, C>(space: SwarmSpace<S, A, C>, options: SwarmOptions): SwarmResult<S, A, C> {
  if (options.walk === undefined && options.walks === undefined && options.seconds === undefined) throw new Error('swarm needs walks, seconds or a walk to run');
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const models = new Map<string, Model<S, A>>();
  const modelOf = (config: C): Model<S, A> => { const key = JSON.stringify(config); return models.get(key) ?? models.set(key, space.model(config)).get(key)!; };
  const essential = space.essential ?? (() => false);
  const reached = new Map<string, Path<S, A> | undefined>();
  const reachedIn = new Map<string, number>();
  let steps = 0;
  let maxDepth = 0;
  let walks = 0;
  let lastReport = started;
  let violation: CheckResult<S, A>['violation'];
  let failure: SwarmResult<S, A, C>['failure'];

  const first = options.walk ?? 0;
  const last = options.walk !== undefined ? first + 1 : (options.walks ?? Infinity);
  for (let walk = first; walk < last && violation === undefined && performance.now() < deadline && !options.stop?.(); walk++) {
    walks++;
    const random = seededRandom(walkSeed(options.seed, walk));
    const config = space.draw(random);
    const model = modelOf(config);
    const { always, sometimes } = splitProperties(model);
    for (const p of sometimes) if (!reached.has(p.name)) reached.set(p.name, undefined);
    const weights = new Map<string, number>();
    const weightOf = (a: A): number => {
      if (model.actionKind === undefined) return 1; // one kind: nothing to weight or leave out
      const kind = model.actionKind(a);
      let w = weights.get(kind);
      if (w === undefined) {
        // Log-uniform over [1/8, 8]: one kind may come up 64 times as often as another.
        w = !essential(kind) && random() < LEAVE_OUT ? 0 : 2 ** (6 * random() - 3);
        weights.set(kind, w);
      }
      return w;
    };

    const roots = model.initialStates();
    const root = Math.floor(random() * roots.length);
    let state: S = roots[root]!;
    const states: S[] = [state];
    const actions: A[] = [];
    /** The walk's own steps, once healing has begun. */
    let healedFrom: number | undefined;
    const broke = (property: string, within = config): true => {
      // Found while healing: the path again as one of the lifted model, to shrink and replay there.
      const path = within === config ? undefined : rerun(modelOf(within), root, actions);
      violation = { property, path: path ?? { states, actions }, ...(healedFrom === undefined ? {} : { healedFrom }) };
      failure = { walk, config: path ? within : config, drawn: config, weights, model: path ? modelOf(within) : model };
      return true;
    };
    const safe = (within = config): boolean => {
      const broken = always.find((p) => !p.holds(state));
      return broken === undefined || !broke(broken.name, within);
    };
    const check = (): boolean => {
      for (const p of sometimes) {
        if (reached.get(p.name) === undefined && p.holds(state)) { reached.set(p.name, { states: [...states], actions: [...actions] }); reachedIn.set(p.name, walk); }
      }
      return !safe();
    };
    if (check()) break;
    for (let d = 0; d < options.depth; d++) {
      const enabled = model.actions(state);
      const w = enabled.map(weightOf);
      let total = w.reduce((a, b) => a + b, 0);
      let chosen: { action: A; next: S } | undefined;
      // An action that leads outside the bounds is struck out and another one drawn.
      while (chosen === undefined && total > 0) {
        const i = pick(w, random() * total);
        if (i < 0) break;
        const next = model.next(state, enabled[i]!);
        if (next === undefined) { total -= w[i]!; w[i] = 0; } else chosen = { action: enabled[i]!, next };
      }
      if (chosen === undefined) break; // nothing in this walk's mix is enabled: the walk is over
      steps++;
      state = chosen.next;
      states.push(state);
      actions.push(chosen.action);
      maxDepth = Math.max(maxDepth, actions.length);
      if (check()) break;
    }
    // Coverage is the walk's alone: the continuation runs past its bounds.
    if (violation === undefined && space.recovery !== undefined) {
      const healing = space.recovery.run(config, state, random);
      const lifted = space.recovery.lift(config);
      healedFrom = actions.length;
      for (let k = 0; k < healing.path.actions.length && violation === undefined; k++) {
        state = healing.path.states[k + 1]!;
        states.push(state);
        actions.push(healing.path.actions[k]!);
        safe(lifted);
      }
      if (violation === undefined && !healing.recovered) broke(space.recovery.property);
    }
    if (options.onProgress && performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      options.onProgress({ distinct: steps, generated: steps, depth: maxDepth, queued: walks, seconds: (lastReport - started) / 1000 });
    }
  }
  return {
    strategy: 'swarm', distinct: steps, generated: steps, maxDepth, seconds: (performance.now() - started) / 1000, complete: false,
    violation, reached, seed: options.seed, walks, failure, reachedIn,
  };
}

/**
 * A shorter way to the same bug: walks in the bounds of the walk that found it (each with its own
 * mix of actions), capped below the best length so far, round after round. A found walk is
 * seldom the shortest way to its violation, and shrinking a long one stalls where removing any
 * one step changes what follows; a shorter walk gives the shrinker less to do. Deterministic:
 * round r walks seed `seed + r`, at most `walks` walks, and stops at the first round that finds
 * nothing shorter (or finds another property broken first).
 */
export function shorterWalk<S, A, C>(space: SwarmSpace<S, A, C>, config: C, violation: Violation<S, A>, options: { readonly seed: number; readonly walks: number; readonly rounds: number }): Violation<S, A> {
  let best = violation;
  // Healing is for a liveness violation only: a safety one must not be cut short by a stall.
  const { recovery, ...rest } = space;
  const fixed: SwarmSpace<S, A, C> = { ...rest, draw: () => config, ...(recovery?.property === violation.property ? { recovery } : {}) };
  for (let round = 0; round < options.rounds && best.path.actions.length > 1; round++) {
    const r = swarm(fixed, { seed: options.seed + round, walks: options.walks, depth: best.path.actions.length - 1 });
    if (r.violation === undefined || r.violation.property !== violation.property) break;
    best = r.violation;
  }
  return best;
}

/**
 * A walk's violation made short: shrunk as found, and a shorter walk of its bounds shrunk too
 * (each can stall where the other does not); the shorter of the two, with the walk's length as
 * `from`. Deterministic for a given walk.
 */
export function shrinkWalk<S, A, C>(space: SwarmSpace<S, A, C>, failure: { readonly config: C; readonly model: Model<S, A> }, violation: Violation<S, A>): Shrunk<S, A> {
  const asFound = shrink(failure.model, violation);
  const resampled = shrink(failure.model, shorterWalk(space, failure.config, violation, { seed: RESAMPLE_SEED, walks: 2000, rounds: 8 }));
  return resampled.path.actions.length < asFound.path.actions.length ? { ...resampled, from: asFound.from } : asFound;
}

/** The seeds resampling walks from: apart from any a user would pick for the walks themselves. */
const RESAMPLE_SEED = 1_000_001;

/** `actions` from `model`'s root of index `root`, as a path of `model`; undefined if one leads outside its bounds. */
function rerun<S, A>(model: Model<S, A>, root: number, actions: readonly A[]): Path<S, A> | undefined {
  const states: S[] = [model.initialStates()[root]!];
  for (const a of actions) {
    const next = model.next(states.at(-1)!, a);
    if (next === undefined) return undefined;
    states.push(next);
  }
  return { states, actions };
}

/** The index whose share of the weights' running sum holds `r`, never one of weight 0; -1 if all are 0. */
function pick(weights: readonly number[], r: number): number {
  let chosen = -1;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) continue;
    chosen = i;
    if (r < weights[i]!) break;
    r -= weights[i]!;
  }
  return chosen;
}

/** Each walk's generator is seeded from (seed, walk) alone, so any walk can be rerun by itself. */
const walkSeed = (seed: number, walk: number) => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(walk + 1, 0x85ebca6b)) >>> 0;
