// A model small enough to count by hand: two processes each read a shared counter and then
// write back what they read plus one. The classic lost update breaks "both done means 2".
import type { Model } from '../../src/checker/model.ts';
import { Hasher } from '../../src/checker/fingerprint-set.ts';

export interface ToyState { readonly pc: readonly number[]; readonly read: readonly number[]; readonly x: number }
export type ToyAction = number;
export interface ToyOptions { readonly processes: number; readonly atomic: boolean }

const hasher = new Hasher();

export function toyModel({ processes, atomic }: ToyOptions): Model<ToyState, ToyAction> {
  return {
    initialStates: () => [{ pc: new Array<number>(processes).fill(0), read: new Array<number>(processes).fill(0), x: 0 }],
    actions: (s) => s.pc.flatMap((pc, i) => (pc < 2 ? [i] : [])),
    next: (s, i) => {
      const pc = [...s.pc], read = [...s.read];
      if (atomic) { pc[i] = 2; return { pc, read, x: s.x + 1 }; }
      if (s.pc[i] === 0) { pc[i] = 1; read[i] = s.x; return { pc, read, x: s.x }; }
      pc[i] = 2;
      return { pc, read, x: s.read[i]! + 1 };
    },
    fingerprint: (s) => {
      hasher.reset().add(s.x);
      for (let i = 0; i < s.pc.length; i++) hasher.add(s.pc[i]!).add(s.read[i]!);
      return hasher.digest();
    },
    properties: [
      { name: 'NoLostUpdate', expectation: 'always', holds: (s) => s.pc.some((pc) => pc < 2) || s.x === s.pc.length },
      { name: 'all done', expectation: 'sometimes', holds: (s) => s.pc.every((pc) => pc === 2) },
    ],
    describeAction: (_, i) => `process ${i} steps`,
  };
}

/** Distinct states counted the naive way (JSON strings in a Set), as a reference for the searches. */
export function naiveCount(model: Model<ToyState, ToyAction>): number {
  const seen = new Set<string>();
  const stack = model.initialStates();
  while (stack.length > 0) {
    const s = stack.pop()!;
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const a of model.actions(s)) { const n = model.next(s, a); if (n) stack.push(n); }
  }
  return seen.size;
}
