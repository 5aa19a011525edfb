// The statechart drawn from the machine (docs/raft-machine.svg, the file `npm run diagrams`
// writes), with each state marked by the nodes in it and the selected node's state outlined.
import diagram from '../../docs/raft-machine.svg';
import type { Role } from '../../src/machine/index.ts';
import type { TraceNode } from '../../src/checker/trace-format.ts';

const roles: readonly Role[] = ['follower', 'candidate', 'leader'];

export class StatechartView {
  private readonly states = new Map<Role, { group: SVGGElement; badge: SVGTextElement }>();

  constructor(container: HTMLElement) {
    container.innerHTML = diagram.slice(diagram.indexOf('<svg'));
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

  render(nodes: readonly TraceNode[], selected: number | null): void {
    for (const [role, { group, badge }] of this.states) {
      const here = nodes.filter((n) => n.up && n.role === role);
      group.classList.toggle('occupied', here.length > 0);
      group.classList.toggle('selected', selected !== null && nodes[selected]?.up === true && nodes[selected]?.role === role);
      badge.textContent = here.map((n) => `n${n.id}`).join(' ');
      group.dataset['nodes'] = here.map((n) => n.id).join(',');
    }
  }
}
