// Figure 2's rules as docs/figure2.md lists them (generated from spec/figure2.md and the comments
// in src/machine that quote each rule ID), and the rules a step exercised: those implemented by the
// handlers it ran and the guard that chose its transition.
import type { Taken } from './transitions.ts';

export interface Rule {
  readonly id: string;
  readonly text: string;
  /** Functions and guards of src/machine whose comments quote the rule. */
  readonly implementedBy: readonly string[];
}

/** The rule rows of docs/figure2.md: `| **ID** | rule | implemented in | tests |`. */
export function figure2Rules(markdown: string): Rule[] {
  return markdown.split('\n').flatMap((line) => {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const id = /^\*\*([A-Z]{1,2}\.\d+)\*\*$/.exec(cells[1] ?? '')?.[1];
    if (id === undefined) return [];
    const implementedBy = [...(cells[3] ?? '').matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]!);
    return [{ id, text: cells[2]!.replace(/\\\|/g, '|'), implementedBy }];
  });
}

/** The rules the steps exercised, each once, in Figure 2's order. */
export function rulesExercised(taken: readonly Taken[], rules: readonly Rule[]): Rule[] {
  const names = new Set<string>(taken.flatMap((t) => [...t.handlers, ...(t.guard === null ? [] : [t.guard])]));
  return rules.filter((r) => r.implementedBy.some((f) => names.has(f)));
}
