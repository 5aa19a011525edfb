// Depth-first search: memory for the visited fingerprints and one path, not a frontier. The
// trace of a violation is the current stack, so it is not necessarily the shortest.
import { FingerprintSet } from './fingerprint-set.ts';
import type { Model } from './model.ts';
import { splitProperties, type CheckResult, type Path, type SearchOptions } from './result.ts';

interface Frame<S, A> { state: S; actions: A[]; next: number; via: A | undefined }

/**
 * Exhaustive depth-first search: memory for the visited fingerprints and one path only, but a
 * violation's trace is the current stack, not necessarily the shortest.
 */
export function dfs<S, A>(model: Model<S, A>, options: SearchOptions = {}): CheckResult<S, A> {
  const started = performance.now();
  const { always, sometimes } = splitProperties(model);
  const seen = new FingerprintSet();
  const reached = new Map<string, Path<S, A> | undefined>(sometimes.map((p) => [p.name, undefined]));
  let generated = 0;
  let maxDepth = 0;
  let lastReport = started;
  let stopped = false;
  let violation: CheckResult<S, A>['violation'];
  const stack: Frame<S, A>[] = [];
  const pathOfStack = (): Path<S, A> => ({
    states: stack.map((f) => f.state),
    actions: stack.slice(1).map((f) => f.via!),
  });

  let unreached = [...sometimes];
  /** Marks `state` visited and checks it; true if the search must stop. */
  const enter = (state: S, via: A | undefined): boolean => {
    // Sometimes-properties are looked for before duplicates are dropped (see bfs.ts).
    if (unreached.some((p) => p.holds(state))) {
      const path = pathOfStack();
      const to = via === undefined ? { states: [state], actions: [] } : { states: [...path.states, state], actions: [...path.actions, via] };
      for (const p of unreached) if (p.holds(state)) reached.set(p.name, to);
      unreached = unreached.filter((p) => reached.get(p.name) === undefined);
    }
    const fp = model.fingerprint(state);
    if (!seen.insert(fp.hi, fp.lo)) return false;
    const deep = options.maxDepth !== undefined && stack.length >= options.maxDepth;
    stack.push({ state, actions: deep ? [] : model.actions(state), next: 0, via });
    maxDepth = Math.max(maxDepth, stack.length - 1);
    for (const p of always) if (!p.holds(state)) { violation = { property: p.name, path: pathOfStack() }; return true; }
    return false;
  };

  for (const root of model.initialStates()) {
    if (enter(root, undefined)) break;
    while (stack.length > 0 && violation === undefined) {
      if (options.maxStates !== undefined && seen.size >= options.maxStates) { stopped = true; break; }
      const top = stack[stack.length - 1]!;
      if (top.next >= top.actions.length) { stack.pop(); continue; }
      const action = top.actions[top.next++]!;
      const next = model.next(top.state, action);
      if (next === undefined) continue;
      generated++;
      if (enter(next, action)) break;
      if (options.onProgress && (generated & 0x3fff) === 0) {
        const now = performance.now();
        if (now - lastReport > 1000) {
          lastReport = now;
          options.onProgress({ distinct: seen.size, generated, depth: maxDepth, queued: stack.length, seconds: (now - started) / 1000 });
        }
      }
    }
    if (violation !== undefined || stopped) break;
    stack.length = 0;
  }

  return {
    strategy: 'dfs',
    distinct: seen.size,
    generated,
    maxDepth,
    seconds: (performance.now() - started) / 1000,
    complete: violation === undefined && !stopped,
    violation,
    reached,
  };
}
