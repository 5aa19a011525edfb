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

  constructor(
    private readonly ring: SVGSVGElement,
    private readonly table: HTMLTableSectionElement,
    private readonly caption: HTMLElement,
    private readonly violation: HTMLElement,
    private readonly options: ClusterViewOptions,
  ) {}

  render(frame: Frame, cut: (from: number, to: number) => boolean = () => false): void {
    const { nodes, inFlight } = frame.step;
    const at = (i: number) => {
      const angle = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
      return { x: RADIUS * Math.cos(angle), y: RADIUS * Math.sin(angle) };
    };
    this.ring.replaceChildren();
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const p = at(a), q = at(b);
        this.ring.append(svg('line', { class: `link${cut(a, b) ? ' cut' : ''}`, x1: p.x, y1: p.y, x2: q.x, y2: q.y }));
      }
    }
    nodes.forEach((n, i) => this.ring.append(this.nodeGlyph(n, i, at(i))));
    inFlight.forEach((m, k) => this.ring.append(this.messageGlyph(m, k, frame.progress[k] ?? 0, at(m.from - 1), at(m.to - 1))));
    this.renderTable(nodes);
    this.caption.textContent = frame.caption;
    this.violation.hidden = frame.violated === null;
    this.violation.textContent = frame.violated === null ? '' : `Violated: ${frame.violated}`;
    this.violation.dataset['property'] = frame.violated ?? '';
  }

  private nodeGlyph(n: TraceNode, i: number, p: { x: number; y: number }): SVGGElement {
    const g = svg('g', {
      class: `node ${n.up ? n.role : 'down'}${this.selected === i ? ' selected' : ''}`, id: `node-${n.id}`,
      'data-role': n.role, 'data-term': n.currentTerm, 'data-commit': n.commitIndex, 'data-up': String(n.up),
      transform: `translate(${p.x} ${p.y})`,
    });
    g.append(svg('circle', { class: 'body', r: 34 }));
    g.append(text(`n${n.id}`, { class: 'name', y: -6 }));
    g.append(text(`term ${n.currentTerm}`, { y: 12 }));
    g.append(text(n.up ? n.role : 'down', { y: 50 }));
    g.addEventListener('click', () => this.options.onSelectNode(i));
    return g;
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
    c.addEventListener('click', (e) => { e.stopPropagation(); this.options.onClickMessage(k); });
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
      tr.addEventListener('click', () => this.options.onSelectNode(i));
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
