// The viewer page: a live cluster on simulated time, or a checker counterexample replayed step by
// step; both drawn from frames by the same views.
import figure2 from '../../docs/figure2.md';
import { LiveCluster, parseGroups } from '../live-cluster.ts';
import { TracePlayer } from '../trace-player.ts';
import type { Frame } from '../frame.ts';
import { figure2Rules, rulesExercised } from '../rules.ts';
import type { Taken } from '../transitions.ts';
import { ClusterView } from './cluster-view.ts';
import { StatechartView } from './statechart-view.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page lacks #${id}`);
  return el as T;
};
const on = (id: string, handler: () => void) => $(id).addEventListener('click', handler);

const seed = Number(new URLSearchParams(location.search).get('seed') ?? '1');
let mode: 'live' | 'trace' = 'live';
let live = new LiveCluster(Number($<HTMLSelectElement>('size').value), seed);
let player: TracePlayer | null = null;
let running = true;
let lastWall = performance.now();

const statechart = new StatechartView($('diagram'));
const view = new ClusterView(document.getElementById('ring') as unknown as SVGSVGElement, $<HTMLTableElement>('nodes').tBodies[0]!, $('caption'), $('violation'), {
  onSelectNode: (i) => { view.selected = i; draw(); },
  onClickMessage: (k) => { if (mode === 'live') { live.drop(k); draw(); } },
});

const rules = figure2Rules(figure2);
$('rule-list').replaceChildren(...rules.flatMap((r) => [
  Object.assign(document.createElement('dt'), { id: `rule-${r.id}`, textContent: r.id }),
  Object.assign(document.createElement('dd'), { textContent: r.text }),
]));

/** Links to the rules a step exercised, for a list item or the caption. */
function ruleLinks(taken: readonly Taken[]): HTMLAnchorElement[] {
  return rulesExercised(taken, rules).map((r) => Object.assign(document.createElement('a'), {
    className: 'rule', href: `#rule-${r.id}`, textContent: r.id, title: r.text,
  }));
}

function currentFrame(): Frame | null {
  return mode === 'live' ? live.frame() : player?.frame() ?? null;
}

function draw(): void {
  const frame = currentFrame();
  const events = $('events');
  if (frame === null) {
    $('ring').replaceChildren();
    events.replaceChildren();
    return;
  }
  const cut = (a: number, b: number) => mode === 'live' && live.partition !== null && live.partition[a] !== live.partition[b];
  view.render(frame, cut);
  statechart.render(frame.step.nodes, view.selected, frame.taken);
  const stepRules = ruleLinks(frame.taken);
  $('step-rules').replaceChildren(...(stepRules.length > 0 ? [document.createTextNode('rules exercised:'), ...stepRules] : []));
  $('selected').textContent = view.selected === null ? '(click one)' : `n${view.selected + 1}`;
  const items = mode === 'live'
    ? live.history.slice(-40).map((l) => Object.assign(document.createElement('li'), { textContent: l }))
    : player!.trace.steps.slice(1, player!.position + 1).map((s, k) => {
      const li = Object.assign(document.createElement('li'), { textContent: `${k + 1}. ${s.action}` });
      li.append(...ruleLinks(player!.takenAt(k + 1)));
      return li;
    });
  events.replaceChildren(...items.reverse());
  if (mode === 'trace') {
    const scrub = $<HTMLInputElement>('scrub');
    scrub.max = String(player!.last);
    scrub.value = String(player!.position);
  }
}

function tick(now: number): void {
  const wall = Math.min(100, now - lastWall); // a hidden tab must not jump the simulation
  lastWall = now;
  if (mode === 'live' && running) {
    live.advance(wall * Number($<HTMLSelectElement>('speed').value));
    draw();
  }
  requestAnimationFrame(tick);
}

function setMode(next: 'live' | 'trace'): void {
  mode = next;
  $('mode-live').classList.toggle('active', mode === 'live');
  $('mode-trace').classList.toggle('active', mode === 'trace');
  $('live-controls').hidden = mode !== 'live';
  $('trace-controls').hidden = mode !== 'trace';
  draw();
}

// Live controls.
on('run', () => { running = !running; $('run').textContent = running ? 'Pause' : 'Run'; });
on('step', () => { live.stepOnce(); draw(); });
on('reset', () => { live = new LiveCluster(Number($<HTMLSelectElement>('size').value), seed); view.selected = null; draw(); });
on('propose', () => { if (!live.propose()) live.history.push('no leader to propose to'); draw(); });
on('drop', () => {
  const { progress } = live.frame();
  const nearest = progress.indexOf(Math.max(...progress));
  if (nearest >= 0) live.drop(nearest);
  draw();
});
const selectedOr = (f: (i: number) => void) => () => { if (view.selected !== null) { f(view.selected); draw(); } };
on('crash', selectedOr((i) => live.crash(i)));
on('restart', selectedOr((i) => live.restart(i)));
on('isolate', selectedOr((i) => live.isolate(i)));
on('snapshot', selectedOr((i) => live.snapshot(i)));
on('partition', () => {
  const groups = parseGroups($<HTMLInputElement>('groups').value, live.state.nodes.length);
  $('partition-error').textContent = typeof groups === 'string' ? groups : '';
  if (typeof groups !== 'string') live.partitionInto(groups);
  draw();
});
on('heal', () => { live.partitionInto(null); $('partition-error').textContent = ''; draw(); });

// Trace controls.
on('mode-live', () => setMode('live'));
on('mode-trace', () => setMode('trace'));
$<HTMLInputElement>('trace-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file === undefined) return;
  try {
    player = TracePlayer.parse(await file.text());
    $('trace-error').textContent = '';
    view.selected = null;
  } catch (err) {
    player = null;
    $('trace-error').textContent = err instanceof Error ? err.message : String(err);
  }
  draw();
});
const seek = (to: (p: TracePlayer) => number) => () => { if (player !== null) { player.seek(to(player)); draw(); } };
on('first', seek(() => 0));
on('back', seek((p) => p.position - 1));
on('forward', seek((p) => p.position + 1));
on('last', seek((p) => p.last));
$<HTMLInputElement>('scrub').addEventListener('input', (e) => seek(() => Number((e.target as HTMLInputElement).value))());
document.addEventListener('keydown', (e) => {
  if (mode !== 'trace') return;
  if (e.key === 'ArrowLeft') seek((p) => p.position - 1)();
  if (e.key === 'ArrowRight') seek((p) => p.position + 1)();
});

setMode('live');
requestAnimationFrame(tick);
