// Breadth-first search: every state at depth d before any at d + 1, so the first violation
// found has a shortest trace. It runs on packed states (packed.ts): a level is a flat array of
// them, the visited set holds fingerprints only, and each state keeps a parent link and the
// index of the action that reached it, from which a trace is rebuilt by replaying the actions.
// Ids are handed out in the order states are found, so a level's states have consecutive ids.
import { FingerprintSet } from './fingerprint-set.ts';
import { Links, pathTo, pathVia } from './links.ts';
import type { Model } from './model.ts';
import { Frontier, packedOf, Visited } from './packed.ts';
import { splitProperties, type CheckResult, type SearchOptions } from './result.ts';
import { SleepSets } from './sleep-sets.ts';

/**
 * Exhaustive breadth-first search on one thread: the first violation it reports has a shortest
 * trace. Memory grows with the distinct states (see `peakBytes`); bound it with `maxStates`.
 */
export function bfs<S, A>(model: Model<S, A>, options: SearchOptions = {}): CheckResult<S, A> {
  const started = performance.now();
  const { always, sometimes } = splitProperties(model);
  const packed = packedOf(model);
  if (options.reduction && packed.sleepingSuccessors === undefined) throw new Error('this model offers no sleep sets: search it without the reduction');
  const sleep = options.reduction ? new SleepSets() : undefined;
  const none: Int32Array = new Int32Array(0);
  const seen = new FingerprintSet();
  const links = new Links();
  /** For each sometimes-property seen: the state it was seen from and the action (-1: that state itself). */
  const reachedAt = new Map<string, { from: number; action: number }>();
  let unreached = [...sometimes];
  // Sometimes-properties are looked for on every successor, before duplicates are dropped: the
  // fingerprint leaves out what only they read (the coverage flags, raft/cluster.ts).
  const watch = (words: Int32Array, from: number, action: number) => {
    const state = packed.view(words, 0);
    for (const p of unreached) if (p.holds(state)) reachedAt.set(p.name, { from, action });
    if (reachedAt.size > sometimes.length - unreached.length) unreached = unreached.filter((p) => !reachedAt.has(p.name));
  };
  const roots = model.initialStates();
  let level = new Frontier(packed.width);
  let next = new Frontier(packed.width);
  let generated = 0;
  let maxDepth = 0;
  let depth = 0;
  let parent = -1;
  let violation: { property: string; id: number } | undefined;
  let peakBytes = 0;
  let lastReport = started;

  const check = (words: Int32Array, id: number): Visited => {
    const state = packed.view(words, 0);
    for (const p of always) if (!p.holds(state)) { violation = { property: p.name, id }; return Visited.Stop; }
    return Visited.Kept;
  };
  const visit = (action: number, words: Int32Array, hi: number, lo: number, asleep = none, count = 0): Visited => {
    generated++;
    if (unreached.length > 0) watch(words, parent, action);
    if (!seen.insert(hi, lo)) {
      sleep?.again(hi, lo, words, next.words, packed.width, asleep, count);
      return Visited.Duplicate;
    }
    const id = links.size;
    links.add(parent, action);
    maxDepth = depth + 1;
    sleep?.kept(next.count, hi, lo, asleep, count);
    next.push(words, 0, id);
    return check(words, id);
  };

  const rootWords = packed.initialStates();
  const root = new Int32Array(packed.width);
  for (let i = 0; i < roots.length && violation === undefined; i++) {
    root.set(rootWords.subarray(i * packed.width, (i + 1) * packed.width));
    const fp = packed.fingerprint(root, 0);
    watch(root, links.size, -1);
    if (!seen.insert(fp.hi, fp.lo)) continue;
    links.add(-1 - i, -1);
    sleep?.kept(next.count, fp.hi, fp.lo, none, 0);
    next.push(root, 0, links.size - 1);
    check(root, links.size - 1);
  }

  let stopped = false;
  while (violation === undefined && next.count > 0) {
    [level, next] = [next, level];
    next.count = 0;
    sleep?.advance();
    peakBytes = Math.max(peakBytes, seen.bytes + links.bytes + level.bytes + next.bytes + packed.bytes);
    if (options.maxDepth !== undefined && depth >= options.maxDepth) break;
    for (let i = 0; i < level.count; i++) {
      if (options.maxStates !== undefined && seen.size >= options.maxStates) { stopped = true; break; }
      parent = level.ids[i]!;
      const stop = sleep === undefined
        ? packed.successors(level.words, i * packed.width, visit)
        : packed.sleepingSuccessors!(level.words, i * packed.width, sleep.asleep(i), sleep.asleep(i).length, visit);
      if (stop) break;
      if ((i & 0xfff) === 0 && options.stop?.()) { stopped = true; break; }
      if (options.onProgress && (i & 0xfff) === 0) {
        const now = performance.now();
        if (now - lastReport > 1000) {
          lastReport = now;
          options.onProgress({ distinct: seen.size, generated, depth: maxDepth, queued: level.count - i + next.count, seconds: (now - started) / 1000 });
        }
      }
    }
    if (stopped) break;
    depth++;
  }
  peakBytes = Math.max(peakBytes, seen.bytes + links.bytes + level.bytes + next.bytes + packed.bytes);

  const complete = violation === undefined && !stopped && next.count === 0;
  return {
    strategy: 'bfs',
    distinct: seen.size,
    generated,
    maxDepth,
    seconds: (performance.now() - started) / 1000,
    complete,
    peakBytes,
    violation: violation && { property: violation.property, path: pathTo(model, roots, links, violation.id) },
    reached: new Map(sometimes.map((p) => {
      const at = reachedAt.get(p.name);
      return [p.name, at === undefined ? undefined : pathVia(model, roots, links, at.from, at.action)];
    })),
  };
}
