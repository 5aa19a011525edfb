// Draws a frame: the nodes on a ring with the messages in flight between them, the table of each
// node's Figure-2 state, and the violated property when a trace ends in one.
import type { Message } from '../../src/machine/index.ts';
import type { TraceNode } from '../../src/checker/trace-format.ts';
import type { Frame } from '../frame.ts';

const SVG = 'http://www.w3.org/2000/svg';
const RADIUS = 160;

export interface ClusterViewOptions {
  readonly onSelectNode: (index: number) => void;
  readonly onClickMessage: (index: number) => void;
}

export class ClusterView {
  selected: number | null = null;
  private glyphs: SVGGElement[] = [];
  private links: { line: SVGLineElement; a: number; b: number }[] = [];
  private messages: SVGGElement = svg('g', {});

  constructor(
    private readonly ring: SVGSVGElement,
    private readonly table: HTMLTableSectionElement,
    private readonly caption: HTMLElement,
    private readonly violation: HTMLElement,
    private readonly options: ClusterViewOptions,
  ) {}

  render(frame: Frame, cut: (from: number, to: number) => boolean = () => false): void {
    const { nodes, inFlight } = frame.step;
    if (this.glyphs.length !== nodes.length) this.layout(nodes.length);
    this.links.forEach(({ line, a, b }) => line.setAttribute('class', `link${cut(a, b) ? ' cut' : ''}`));
    nodes.forEach((n, i) => this.updateNode(this.glyphs[i]!, n, i, frame.electionTimers?.[i] ?? null));
    this.messages.replaceChildren(...inFlight.map((m, k) => this.messageGlyph(m, k, frame.progress[k] ?? 0, this.at(m.from - 1), this.at(m.to - 1))));
    this.renderTable(nodes);
    this.caption.textContent = frame.caption;
    this.violation.hidden = frame.violated === null;
    this.violation.textContent = frame.violated === null ? '' : `Violated: ${frame.violated}`;
    this.violation.dataset['property'] = frame.violated ?? '';
  }

  private at(i: number): { x: number; y: number } {
    const angle = (2 * Math.PI * i) / this.glyphs.length - Math.PI / 2;
    return { x: RADIUS * Math.cos(angle), y: RADIUS * Math.sin(angle) };
  }

  /**
   * Nodes and links are made once per cluster size and then only updated: an element replaced
   * between a press and its release would swallow the click.
   */
  private layout(count: number): void {
    this.glyphs = Array.from({ length: count }, (_, i) => {
      const g = svg('g', {});
      // The election timer, as the arc of the circle still to run (RaftScope draws it the same way).
      g.append(svg('circle', { class: 'timer', r: 40, pathLength: 100, transform: 'rotate(-90)' }), svg('circle', { class: 'body', r: 34 }), text('', { class: 'name', y: -6 }), text('', { y: 12 }), text('', { y: 50 }));
      g.addEventListener('click', () => this.options.onSelectNode(i));
      return g;
    });
    this.links = [];
    for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) this.links.push({ line: svg('line', { class: 'link' }), a, b });
    this.messages = svg('g', { class: 'messages' });
    this.ring.replaceChildren(...this.links.map((l) => l.line), ...this.glyphs, this.messages);
    this.glyphs.forEach((g, i) => g.setAttribute('transform', `translate(${this.at(i).x} ${this.at(i).y})`));
    this.links.forEach(({ line, a, b }) => {
      const p = this.at(a), q = this.at(b);
      for (const [k, v] of Object.entries({ x1: p.x, y1: p.y, x2: q.x, y2: q.y })) line.setAttribute(k, String(v));
    });
  }

  private updateNode(g: SVGGElement, n: TraceNode, i: number, timer: number | null): void {
    const attrs: Record<string, string> = {
      class: `node ${n.up ? n.role : 'down'}${this.selected === i ? ' selected' : ''}`, id: `node-${n.id}`,
      'data-role': n.role, 'data-term': String(n.currentTerm), 'data-commit': String(n.commitIndex), 'data-up': String(n.up),
    };
    for (const [k, v] of Object.entries(attrs)) if (g.getAttribute(k) !== v) g.setAttribute(k, v);
    const [arc, , name, term, role] = g.children;
    arc!.setAttribute('stroke-dasharray', timer === null ? '0 100' : `${(timer * 100).toFixed(1)} 100`);
    name!.textContent = `n${n.id}`;
    term!.textContent = `term ${n.currentTerm}`;
    role!.textContent = n.up ? n.role : 'down';
  }

  private messageGlyph(m: Message, k: number, progress: number, from: { x: number; y: number }, to: { x: number; y: number }): SVGElement {
    // Start and end at the rims, not the centres.
    const dx = to.x - from.x, dy = to.y - from.y, len = Math.hypot(dx, dy) || 1, rim = 34 / len;
    const f = rim + (1 - 2 * rim) * progress;
    const isReply = m.type.endsWith('Reply');
    const c = svg('circle', {
      class: `message ${isReply ? 'reply' : m.type}`, 'data-index': k, 'data-type': m.type,
      cx: from.x + dx * f, cy: from.y + dy * f, r: isReply ? 6 : 8,
    });
    const title = document.createElementNS(SVG, 'title');
    title.textContent = describeMessage(m);
    c.append(title);
    // Messages are redrawn every frame: they act on press, as a click needs the same element at release.
    c.addEventListener('pointerdown', (e) => { e.stopPropagation(); this.options.onClickMessage(k); });
    return c;
  }

  private renderTable(nodes: readonly TraceNode[]): void {
    this.table.replaceChildren(...nodes.map((n, i) => {
      const tr = document.createElement('tr');
      tr.className = `${n.up ? '' : 'down'}${this.selected === i ? ' selected' : ''}`;
      tr.dataset['node'] = String(n.id);
      const cells = [`n${n.id}`, n.up ? n.role : `down (${n.role} on restart)`, String(n.currentTerm), n.votedFor === null ? '–' : `n${n.votedFor}`, String(n.commitIndex)];
      for (const c of cells) tr.append(Object.assign(document.createElement('td'), { textContent: c }));
      const logCell = document.createElement('td');
      if (n.snapshotIndex > 0) logCell.append(Object.assign(document.createElement('span'), { className: 'entry compacted', textContent: `≤${n.snapshotIndex}` }));
      n.entries.forEach((e, k) => {
        const index = n.snapshotIndex + k + 1;
        logCell.append(Object.assign(document.createElement('span'), {
          className: `entry${index <= n.commitIndex ? ' committed' : ''}`, textContent: `${e.term}:${String(e.command)}`, title: `index ${index}`,
        }));
      });
      tr.append(logCell);
      tr.addEventListener('pointerdown', () => this.options.onSelectNode(i));
      return tr;
    }));
  }
}

export function describeMessage(m: Message): string {
  const head = `${m.type} n${m.from}→n${m.to}, term ${m.term}`;
  switch (m.type) {
    case 'RequestVote': return `${head}, last log ${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'RequestVoteReply': return `${head}, ${m.voteGranted ? 'granted' : 'refused'}`;
    case 'AppendEntries': return `${head}, prev ${m.prevLogIndex}/${m.prevLogTerm}, ${m.entries.length} entries, commit ${m.leaderCommit}`;
    case 'AppendEntriesReply': return `${head}, ${m.success ? `ok through ${m.matchIndex}` : `refused, retry at ${m.conflictIndex}`}`;
    case 'InstallSnapshot': return `${head}, through ${m.lastIncludedIndex}`;
    case 'InstallSnapshotReply': return `${head}, holds through ${m.matchIndex}`;
  }
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function text(content: string, attrs: Record<string, string | number>): SVGTextElement {
  const t = svg('text', attrs);
  t.textContent = content;
  return t;
}
