// The statechart drawn from the XState machine definition, never by hand: a Graphviz DOT
// rendering (to SVG through Graphviz compiled to WebAssembly) and the machine's configuration as
// JSON that Stately's editor imports. `npm run diagrams` writes both into docs/, and
// test/docs/diagrams.test.ts fails when the committed files no longer match the machine.
import { instance } from '@viz-js/viz';
import type { RaftMachine } from '../src/machine/index.ts';

type StateNode = RaftMachine['root'];
type TransitionDefinition = NonNullable<ReturnType<StateNode['transitions']['get']>>[number];

/** A transition in the machine's own vocabulary: names of the guard and actions, the target state's key. */
interface Transition {
  readonly event: string;
  readonly guard: string | undefined;
  readonly target: StateNode | undefined;
  readonly actions: readonly string[];
}

const nameOf = (ref: unknown): string => {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref && typeof ref.type === 'string') return ref.type;
  throw new Error(`the diagram needs named guards and actions, got ${String(ref)}`);
};

function transitionsOf(node: StateNode): Transition[] {
  return [...node.transitions.entries()].flatMap(([event, list]: [string, TransitionDefinition[]]) =>
    list.map((t) => ({
      event,
      guard: t.guard === undefined ? undefined : nameOf(t.guard),
      target: t.target?.[0],
      actions: t.actions.map(nameOf),
    })));
}

const childrenOf = (node: StateNode): StateNode[] => Object.values(node.states);

// ---- Stately ---------------------------------------------------------------------------------

interface StatelyTransition { target?: string; guard?: string; actions?: string[] }
interface StatelyState { id?: string; initial?: string; on?: Record<string, StatelyTransition[]>; states?: Record<string, StatelyState> }

/**
 * The machine as a plain configuration object, the argument of `createMachine(...)`: Stately's
 * editor imports it as code (Import from code: `createMachine(` + this JSON + `)`).
 */
export function statelyConfig(machine: RaftMachine): StatelyState {
  const targetFrom = (source: StateNode, target: StateNode): string =>
    target.parent === source.parent ? target.key : target.parent === source ? `.${target.key}` : `#${target.id}`;
  const stateConfig = (node: StateNode): StatelyState => {
    const on: Record<string, StatelyTransition[]> = {};
    for (const t of transitionsOf(node)) {
      (on[t.event] ??= []).push({
        ...(t.target ? { target: targetFrom(node, t.target) } : {}),
        ...(t.guard ? { guard: t.guard } : {}),
        ...(t.actions.length ? { actions: [...t.actions] } : {}),
      });
    }
    const children = childrenOf(node);
    return {
      ...(node.parent === undefined ? { id: node.id } : {}),
      ...(children.length ? { initial: String(node.config.initial) } : {}),
      ...(Object.keys(on).length ? { on } : {}),
      ...(children.length ? { states: Object.fromEntries(children.map((c) => [c.key, stateConfig(c)])) } : {}),
    };
  };
  return stateConfig(machine.root);
}

// ---- Graphviz --------------------------------------------------------------------------------

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const line = (t: Transition, withEvent = true) =>
  `${withEvent ? t.event : ''}${t.guard && withEvent ? ` [${t.guard}]` : ''}${t.actions.length ? ` / ${t.actions.join(', ')}` : ''}`.trim();

/**
 * DOT for the chart. Each state is a box listing the transitions that stay in it without leaving
 * (targetless: the handler runs, the role stays); transitions with a target are edges, one per
 * source, target and guard, labelled with every event that takes it. Nodes carry the SVG id
 * `state-<key>`, which the viewer uses to highlight where each node is.
 */
export function statechartDot(machine: RaftMachine): string {
  const root = machine.root;
  const states = childrenOf(root);
  const out = [
    'digraph raft {',
    '  rankdir=LR; nodesep=0.6; ranksep=1.1; bgcolor="transparent";',
    '  node [fontname="Helvetica", fontsize=11, shape=plain];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    '  start [shape=point, width=0.15, id="initial"];',
    `  start -> ${String(root.config.initial)};`,
  ];
  const rootInternal = transitionsOf(root).filter((t) => t.target === undefined);
  out.push(`  anyState [id="any-state", label=<<table border="1" style="dashed" cellborder="0" cellpadding="3"><tr><td><b>in every state</b></td></tr>${rootInternal.map((t) => `<tr><td align="left">${escapeHtml(line(t))}</td></tr>`).join('')}</table>>];`);
  for (const s of states) {
    const internal = transitionsOf(s).filter((t) => t.target === undefined);
    const rows = internal.map((t) => `<tr><td align="left">${escapeHtml(line(t))}</td></tr>`).join('');
    out.push(`  ${s.key} [id="state-${s.key}", label=<<table border="2" style="rounded" cellborder="0" cellpadding="3" bgcolor="#f4f6fb"><tr><td><b>${s.key}</b></td></tr>${rows}</table>>];`);
  }
  const edges = new Map<string, { from: string; to: string; guard: string | undefined; lines: string[] }>();
  const addEdges = (from: string, list: Transition[]) => {
    for (const t of list) {
      if (t.target === undefined) continue;
      const key = `${from}->${t.target.key}[${t.guard ?? ''}]`;
      const edge = edges.get(key) ?? { from, to: t.target.key, guard: t.guard, lines: [] };
      edge.lines.push(`${t.event}${line(t, false) ? ` ${line(t, false)}` : ''}`);
      edges.set(key, edge);
    }
  };
  addEdges('anyState', transitionsOf(root));
  for (const s of states) addEdges(s.key, transitionsOf(s));
  for (const e of edges.values()) {
    const label = [...(e.guard ? [`[${e.guard}]`] : []), ...e.lines].map(escapeHtml).join('<br align="left"/>');
    out.push(`  ${e.from} -> ${e.to} [label=<${label}<br align="left"/>>];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly: no system package, same bytes everywhere. */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg' });
}

/** Both diagram files, as they should be committed. */
export async function diagramFiles(machine: RaftMachine): Promise<{ svg: string; json: string }> {
  return {
    svg: await renderSvg(statechartDot(machine)),
    json: JSON.stringify(statelyConfig(machine), null, 2) + '\n',
  };
}
