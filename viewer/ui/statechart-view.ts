// The statechart drawn from the machine (docs/raft-machine.svg, the file `npm run diagrams`
// writes), with each state marked by the nodes in it, the selected node's state outlined, and the
// transition the last step took highlighted: its edge, or its row inside a state for one that
// stays in the state.
import diagram from '../../docs/raft-machine.svg';
import type { Role } from '../../src/machine/index.ts';
import type { TraceNode } from '../../src/checker/trace-format.ts';
import type { Taken } from '../transitions.ts';

const roles: readonly Role[] = ['follower', 'candidate', 'leader'];

export class StatechartView {
  private readonly states = new Map<Role, { group: SVGGElement; badge: SVGTextElement }>();
  /** Edges by their Graphviz title, "follower->candidate" (two edges can share one: their guards differ). */
  private readonly edges = new Map<string, SVGGElement[]>();

  constructor(private readonly container: HTMLElement) {
    container.innerHTML = diagram.slice(diagram.indexOf('<svg'));
    for (const edge of container.querySelectorAll<SVGGElement>('g.edge')) {
      const title = edge.querySelector('title')?.textContent ?? '';
      this.edges.set(title, [...(this.edges.get(title) ?? []), edge]);
    }
    for (const role of roles) {
      const group = container.querySelector<SVGGElement>(`#state-${role}`);
      if (group === null) throw new Error(`the diagram has no state ${role}: regenerate it with npm run diagrams`);
      const box = group.getBBox();
      const badge = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      badge.setAttribute('class', 'badge');
      badge.setAttribute('x', String(box.x + box.width));
      badge.setAttribute('y', String(box.y - 4));
      badge.setAttribute('text-anchor', 'end');
      group.append(badge);
      this.states.set(role, { group, badge });
    }
  }

  /**
   * Marks where `t` is drawn: each transition is a line "Event / handler, handler" on its edge, or
   * in its state's box when it stays in the state; one from any state is drawn from "in every state".
   * Returns false if the diagram has no such line (a diagram older than the machine).
   */
  private mark(t: Taken): boolean {
    const line = `${t.event} / ${t.handlers.join(', ')}`;
    const places: Element[] = [
      ...(this.edges.get(`${t.from}->${t.to}`) ?? []),
      ...(t.from === t.to ? [this.states.get(t.from)?.group].filter((g) => g !== undefined) : []),
      ...(this.edges.get(`anyState->${t.to}`) ?? []),
      ...[this.container.querySelector('#any-state')].filter((g) => g !== null),
    ];
    for (const place of places) {
      const text = [...place.querySelectorAll('text')].find((x) => x.textContent === line);
      if (text === undefined) continue;
      text.classList.add('taken');
      place.classList.add('taken');
      return true;
    }
    return false;
  }

  render(nodes: readonly TraceNode[], selected: number | null, taken: readonly Taken[] = []): void {
    for (const old of this.container.querySelectorAll('.taken')) old.classList.remove('taken');
    for (const t of taken) if (t.handlers.length > 0) this.mark(t);
    for (const [role, { group, badge }] of this.states) {
      const here = nodes.filter((n) => n.up && n.role === role);
      group.classList.toggle('occupied', here.length > 0);
      group.classList.toggle('selected', selected !== null && nodes[selected]?.up === true && nodes[selected]?.role === role);
      badge.textContent = here.map((n) => `n${n.id}`).join(' ');
      group.dataset['nodes'] = here.map((n) => n.id).join(',');
    }
  }
}
