// Counterexamples for people and for the viewer: one line per step (who, what, which fields
// changed), and the TraceFile JSON (src/checker/trace-format.ts) with every state whole.
import { log, type NodeSnapshot } from '../../machine/index.ts';
import type { Model } from '../model.ts';
import type { Path } from '../result.ts';
import type { TraceFile, TraceNode } from '../trace-format.ts';
import type { Bounds, ClusterAction, ClusterState } from './cluster.ts';
import { describeAction } from './model.ts';
import { RECOVERS_AFTER_FAULTS } from './recovery.ts';

const fieldsOf = (n: NodeSnapshot) => ({
  role: n.role,
  term: n.state.currentTerm,
  votedFor: n.state.votedFor ?? '-',
  log: n.state.log.entries.map((e) => `${e.term}:${String(e.command)}`).join(',') || '[]',
  snapshot: n.state.log.snapshotIndex,
  commit: n.state.commitIndex,
  applied: n.state.lastApplied,
});

/** A path as numbered lines, each action with the node fields it changed: how the CLI prints a counterexample. */
export function traceText(path: Path<ClusterState, ClusterAction>): string {
  return stepLines(path).join('\n');
}

function stepLines(path: Path<ClusterState, ClusterAction>): string[] {
  return path.actions.map((action, k) => {
    const before = path.states[k]!, after = path.states[k + 1]!;
    const changes = after.nodes.flatMap((node, i) => {
      const was = fieldsOf(before.nodes[i]!), now = fieldsOf(node);
      const diff = (Object.keys(now) as (keyof typeof now)[]).filter((f) => was[f] !== now[f]).map((f) => `${f} ${String(was[f])}→${String(now[f])}`);
      return diff.length ? [`n${i + 1}: ${diff.join(', ')}`] : [];
    });
    return `${String(k + 1).padStart(3)}. ${describeAction(before, action)}${changes.length ? `   [${changes.join('; ')}]` : ''}`;
  });
}

/** The line a printed trace has where a walk's faults stop and the recovery check's healing begins. */
export const HEALING_MARKER = `     — faults stop here: healing (${RECOVERS_AFTER_FAULTS}) —`;

/**
 * A counterexample as a person reads it: {@link traceText}, with {@link HEALING_MARKER} after the
 * walk's `healedFrom` steps if healing followed them. A stall's healing spends its whole budget,
 * mostly on heartbeats that change nothing, so it is cut after its last step of progress and one
 * line says how many steps followed and where the cluster stood at the end.
 */
export function counterexampleText(path: Path<ClusterState, ClusterAction>, healedFrom: number | undefined, stalled: boolean): string {
  const lines = stepLines(path);
  if (healedFrom === undefined) return lines.join('\n');
  const total = path.actions.length;
  let shown = total;
  if (stalled) {
    shown = healedFrom;
    let before = progressOf(path.states[healedFrom]!);
    for (let k = healedFrom; k < total; k++) {
      const after = progressOf(path.states[k + 1]!);
      if (after !== before) shown = k + 1;
      before = after;
    }
  }
  const elided = total - shown;
  return [
    ...lines.slice(0, healedFrom), HEALING_MARKER, ...lines.slice(healedFrom, shown),
    ...(elided === 0 ? [] : [`     … ${elided} further healing step${elided === 1 ? '' : 's'} (${shown + 1}–${total}) changed no node's term, role, log length or last term, commitIndex or applied index, nor the leader's matchIndex; at the end: ${standing(path.states[total]!)}`]),
  ].join('\n');
}

/**
 * What a step must change to be progress towards recovery: every node's term, role, log end,
 * commit and applied indexes (its own and its service's), and a leader's matchIndex. Messages,
 * votes and flow-control counts are left out: heartbeats churn them without getting anywhere.
 */
function progressOf(s: ClusterState): string {
  return JSON.stringify(s.nodes.map((n) => [
    n.state.currentTerm, n.role, log.lastIndex(n.state.log), log.lastTerm(n.state.log), n.state.commitIndex, n.state.lastApplied, n.serviceApplied,
    n.role === 'leader' ? n.state.matchIndex : null,
  ]));
}

/** Each node's term, role, log end, commit and applied index, and each leader's matchIndex: where a stalled cluster stands. */
function standing(s: ClusterState): string {
  return s.nodes.map((n, i) => {
    const { currentTerm, commitIndex, log: l, matchIndex } = n.state;
    const match = n.role === 'leader' ? `, matchIndex ${Object.entries(matchIndex).map(([peer, m]) => `n${peer} ${m}`).join(' ')}` : '';
    return `n${i + 1} ${n.role} term ${currentTerm}: last index ${log.lastIndex(l)} (term ${log.lastTerm(l)}), commitIndex ${commitIndex}, applied ${n.serviceApplied}${match}`;
  }).join('; ');
}

type RaftModel = Model<ClusterState, ClusterAction>;

/** Each state of `path` whole, with the line that says what led to it (the viewer draws these). */
export function traceSteps(path: Path<ClusterState, ClusterAction>): TraceFile['steps'] {
  const nodesOf = (s: ClusterState): TraceNode[] => s.nodes.map(({ role, state }) => ({
    id: state.id, role, up: true, currentTerm: state.currentTerm, votedFor: state.votedFor, commitIndex: state.commitIndex,
    lastApplied: state.lastApplied, snapshotIndex: state.log.snapshotIndex, snapshotTerm: state.log.snapshotTerm, entries: state.log.entries,
  }));
  return path.states.map((s, k) => ({
    action: k === 0 ? '' : describeAction(path.states[k - 1]!, path.actions[k - 1]!),
    nodes: nodesOf(s),
    inFlight: s.network,
  }));
}

/**
 * A path as a {@link TraceFile}: every state whole, the `violated` property (null for a witness),
 * the bounds and any `extra` options as printed, and the choices that replay it in `model`.
 */
export function traceFile(model: RaftModel, path: Path<ClusterState, ClusterAction>, violated: string | null, bounds: Bounds, extra: Record<string, number | string | boolean> = {}): TraceFile {
  return {
    format: 'raft-ts-trace/1',
    members: path.states[0]!.nodes.map((n) => n.state.id),
    violated,
    bounds: { ...bounds, ...extra },
    steps: traceSteps(path),
    choices: path.actions.map((a, k) => {
      const key = JSON.stringify(a);
      return model.actions(path.states[k]!).findIndex((b) => JSON.stringify(b) === key);
    }),
  };
}

/**
 * Replays a trace file's choices through `model` (which must be built with the bounds and mutant
 * the file names), checking the safety properties at every step: what was violated where the
 * replay stopped, or null if every state passed.
 */
export function replayTrace(model: RaftModel, file: TraceFile): { path: Path<ClusterState, ClusterAction>; violated: string | null } {
  if (file.format !== 'raft-ts-trace/1') throw new Error(`not a raft-ts trace (format ${String(file.format)})`);
  let state = model.initialStates()[0]!;
  const states = [state];
  const actions: ClusterAction[] = [];
  const broken = (s: ClusterState) => model.properties.find((p) => p.expectation === 'always' && !p.holds(s))?.name ?? null;
  for (const [k, choice] of file.choices.entries()) {
    const action = model.actions(state)[choice];
    const next = action && model.next(state, action);
    if (next === undefined) throw new Error(`step ${k + 1} of the trace is not enabled in this model (choice ${choice}); check the bounds and mutant`);
    state = next;
    states.push(state);
    actions.push(action!);
    const violated = broken(state);
    if (violated !== null) return { path: { states, actions }, violated };
  }
  return { path: { states, actions }, violated: null };
}
