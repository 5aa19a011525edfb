// Counterexamples for people and for the viewer: one line per step (who, what, which fields
// changed), and the TraceFile JSON (src/checker/trace-format.ts) with every state whole.
import type { NodeSnapshot } from '../../machine/index.ts';
import type { Path } from '../result.ts';
import type { TraceFile, TraceNode } from '../trace-format.ts';
import type { Bounds, ClusterAction, ClusterState } from './cluster.ts';
import { describeAction } from './model.ts';

const fieldsOf = (n: NodeSnapshot) => ({
  role: n.role,
  term: n.state.currentTerm,
  votedFor: n.state.votedFor ?? '-',
  log: n.state.log.entries.map((e) => `${e.term}:${String(e.command)}`).join(',') || '[]',
  snapshot: n.state.log.snapshotIndex,
  commit: n.state.commitIndex,
  applied: n.state.lastApplied,
});

export function traceText(path: Path<ClusterState, ClusterAction>): string {
  const lines: string[] = [];
  path.actions.forEach((action, k) => {
    const before = path.states[k]!, after = path.states[k + 1]!;
    const changes = after.nodes.flatMap((node, i) => {
      const was = fieldsOf(before.nodes[i]!), now = fieldsOf(node);
      const diff = (Object.keys(now) as (keyof typeof now)[]).filter((f) => was[f] !== now[f]).map((f) => `${f} ${String(was[f])}→${String(now[f])}`);
      return diff.length ? [`n${i + 1}: ${diff.join(', ')}`] : [];
    });
    lines.push(`${String(k + 1).padStart(3)}. ${describeAction(before, action)}${changes.length ? `   [${changes.join('; ')}]` : ''}`);
  });
  return lines.join('\n');
}

export function traceFile(path: Path<ClusterState, ClusterAction>, violated: string | null, bounds: Bounds, extra: Record<string, number | string | boolean> = {}): TraceFile {
  const nodesOf = (s: ClusterState): TraceNode[] => s.nodes.map(({ role, state }) => ({
    id: state.id, role, up: true, currentTerm: state.currentTerm, votedFor: state.votedFor, commitIndex: state.commitIndex,
    lastApplied: state.lastApplied, snapshotIndex: state.log.snapshotIndex, snapshotTerm: state.log.snapshotTerm, entries: state.log.entries,
  }));
  return {
    format: 'raft-ts-trace/1',
    members: path.states[0]!.nodes.map((n) => n.state.id),
    violated,
    bounds: { ...bounds, ...extra },
    steps: path.states.map((s, k) => ({
      action: k === 0 ? '' : describeAction(path.states[k - 1]!, path.actions[k - 1]!),
      nodes: nodesOf(s),
      inFlight: s.network,
    })),
  };
}
