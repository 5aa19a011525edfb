// Breadth-first search: every state at depth d before any at d + 1, so the first violation
// found has a shortest trace. Visited states are fingerprints; each keeps a parent link and the
// index of the action that reached it, and a trace is rebuilt by replaying those actions.
// Ids are handed out in the order states enter the queue, so the queue holds bare states: a
// state's id is its place in the queue, and its depth follows from where its level began.
import { FingerprintSet } from './fingerprint-set.ts';
import { Links, pathTo, pathVia } from './links.ts';
import type { Model } from './model.ts';
import { splitProperties, type CheckResult, type SearchOptions } from './result.ts';

export function bfs<S, A>(model: Model<S, A>, options: SearchOptions = {}): CheckResult<S, A> {
  const started = performance.now();
  const { always, sometimes } = splitProperties(model);
  const seen = new FingerprintSet();
  const links = new Links();
  /** For each sometimes-property seen: the state it was seen from and the action (-1: that state itself). */
  const reachedAt = new Map<string, { from: number; action: number }>();
  let unreached = [...sometimes];
  const watch = (state: S, from: number, action: number) => {
    for (const p of unreached) if (p.holds(state)) reachedAt.set(p.name, { from, action });
    if (reachedAt.size > sometimes.length - unreached.length) unreached = unreached.filter((p) => !reachedAt.has(p.name));
  };
  const roots = model.initialStates();
  let queue: S[] = [];
  let head = 0;
  /** The id of queue[0] (the queue drops what it has expanded now and then). */
  let firstId = 0;
  let generated = 0;
  let maxDepth = 0;
  let violation: { property: string; id: number } | undefined;
  let lastReport = started;

  const visit = (state: S, parent: number, action: number, depth: number): boolean => {
    const fp = model.fingerprint(state);
    const id = links.size;
    if (seen.insert(fp.hi, fp.lo, id) !== -1) return false;
    links.add(parent, action);
    maxDepth = Math.max(maxDepth, depth);
    for (const p of always) if (!p.holds(state)) { violation = { property: p.name, id }; return true; }
    queue.push(state);
    return false;
  };

  roots.forEach((s, i) => {
    if (violation !== undefined) return;
    watch(s, links.size, -1);
    visit(s, -1 - i, -1, 0);
  });
  let depth = 0;
  /** States with ids below this are at `depth`; the first one at or past it starts the next level. */
  let levelEnd = links.size;
  while (violation === undefined && head < queue.length) {
    if (options.maxStates !== undefined && seen.size >= options.maxStates) break;
    const id = firstId + head;
    if (id >= levelEnd) { depth++; levelEnd = links.size; }
    const state = queue[head++]!;
    if (head > 65536) { queue = queue.slice(head); firstId += head; head = 0; }
    if (options.maxDepth !== undefined && depth >= options.maxDepth) continue;
    const actions = model.actions(state);
    for (let k = 0; k < actions.length; k++) {
      const next = model.next(state, actions[k]!);
      if (next === undefined) continue;
      generated++;
      if (unreached.length > 0) watch(next, id, k);
      if (visit(next, id, k, depth + 1)) break;
    }
    if (options.onProgress && (generated & 0x3fff) === 0) {
      const now = performance.now();
      if (now - lastReport > 1000) {
        lastReport = now;
        options.onProgress({ distinct: seen.size, generated, depth: maxDepth, queued: queue.length - head, seconds: (now - started) / 1000 });
      }
    }
  }

  const complete = violation === undefined && head >= queue.length;
  return {
    strategy: 'bfs',
    distinct: seen.size,
    generated,
    maxDepth,
    seconds: (performance.now() - started) / 1000,
    complete,
    violation: violation && { property: violation.property, path: pathTo(model, roots, links.parent, links.action, violation.id) },
    reached: new Map(sometimes.map((p) => {
      const at = reachedAt.get(p.name);
      return [p.name, at === undefined ? undefined : pathVia(model, roots, links.parent, links.action, at.from, at.action)];
    })),
  };
}
