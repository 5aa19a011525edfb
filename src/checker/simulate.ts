// Random simulation: many random walks from the initial states, each up to a depth, checking
// the properties on every state. No visited set, so it goes deep on large models; it proves
// nothing exhaustive, and every walk is reproducible from the seed.
import type { Model } from './model.ts';
import { seededRandom } from './random.ts';
import { splitProperties, type CheckResult, type Path, type SearchOptions } from './result.ts';

/** How many random walks, how many steps each at most, and the seed that makes them reproducible. */
export interface SimulationOptions extends SearchOptions {
  readonly walks: number;
  readonly depth: number;
  readonly seed: number;
}

/**
 * Random walks from the initial states, checking the properties at every state. No visited set,
 * so it goes deep on models too large to search; it proves nothing, and its result is never complete.
 */
export function simulate<S, A>(model: Model<S, A>, options: SimulationOptions): CheckResult<S, A> {
  const started = performance.now();
  const { always, sometimes } = splitProperties(model);
  const random = seededRandom(options.seed);
  const reached = new Map<string, Path<S, A> | undefined>(sometimes.map((p) => [p.name, undefined]));
  const roots = model.initialStates();
  let generated = 0;
  let maxDepth = 0;
  let violation: CheckResult<S, A>['violation'];
  let lastReport = started;

  for (let walk = 0; walk < options.walks && violation === undefined; walk++) {
    let state: S = roots[Math.floor(random() * roots.length)]!;
    const states: S[] = [state];
    const actions: A[] = [];
    for (let d = 0; d < options.depth; d++) {
      const enabled = model.actions(state);
      if (enabled.length === 0) break;
      const action = enabled[Math.floor(random() * enabled.length)]!;
      const next = model.next(state, action);
      if (next === undefined) continue;
      generated++;
      state = next;
      states.push(state);
      actions.push(action);
      maxDepth = Math.max(maxDepth, actions.length);
      for (const p of sometimes) if (reached.get(p.name) === undefined && p.holds(state)) reached.set(p.name, { states: [...states], actions: [...actions] });
      const broken = always.find((p) => !p.holds(state));
      if (broken) { violation = { property: broken.name, path: { states, actions } }; break; }
    }
    if (options.onProgress && performance.now() - lastReport > 1000) {
      lastReport = performance.now();
      options.onProgress({ distinct: generated, generated, depth: maxDepth, queued: options.walks - walk, seconds: (lastReport - started) / 1000 });
    }
  }
  return {
    strategy: 'simulate', distinct: generated, generated, maxDepth,
    seconds: (performance.now() - started) / 1000, complete: false, violation, reached,
  };
}
