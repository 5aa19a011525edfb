// Parent links: for each state id, the id of the state it was first reached from (or -1 - i for
// the i-th initial state) and the index of the action that led there. A trace is rebuilt by
// replaying those action indices from the root, so no state is kept for it.
import type { Model } from './model.ts';
import type { Path } from './result.ts';

/** A search's parent links, by state id. */
export interface LinkTable {
  parentOf(id: number): number;
  actionOf(id: number): number;
}

/** Growable links, ids 0, 1, 2, ... in the order added. */
export class Links implements LinkTable {
  parent = new Int32Array(1 << 16);
  action = new Int32Array(1 << 16);
  size = 0;

  add(parent: number, action: number): void {
    if (this.size === this.parent.length) {
      const p = new Int32Array(this.size * 2); p.set(this.parent); this.parent = p;
      const a = new Int32Array(this.size * 2); a.set(this.action); this.action = a;
    }
    this.parent[this.size] = parent;
    this.action[this.size] = action;
    this.size++;
  }

  parentOf(id: number): number { return this.parent[id]!; }
  actionOf(id: number): number { return this.action[id]!; }

  get bytes(): number { return this.parent.byteLength + this.action.byteLength; }
}

/**
 * The path to the successor that action index `k` leads to from state `from`: how a search
 * reports a "sometimes" property it saw on a successor it did not keep (a duplicate by
 * fingerprint). With k < 0, the path to `from` itself.
 */
export function pathVia<S, A>(model: Model<S, A>, roots: readonly S[], links: LinkTable, from: number, k: number): Path<S, A> {
  const path = pathTo(model, roots, links, from);
  if (k < 0) return path;
  const last = path.states[path.states.length - 1]!;
  const next = model.actions(last)[k]!;
  return { states: [...path.states, model.next(last, next)!], actions: [...path.actions, next] };
}

/** Replays the recorded action indices from the root to rebuild the path to state `id`. */
export function pathTo<S, A>(model: Model<S, A>, roots: readonly S[], links: LinkTable, id: number): Path<S, A> {
  const choices: number[] = [];
  let at = id;
  while (links.parentOf(at) >= 0) { choices.push(links.actionOf(at)); at = links.parentOf(at); }
  let state = roots[-1 - links.parentOf(at)]!;
  const states: S[] = [state];
  const actions: A[] = [];
  for (const k of choices.reverse()) {
    const next = model.actions(state)[k]!;
    state = model.next(state, next)!;
    actions.push(next);
    states.push(state);
  }
  return { states, actions };
}
