// Raft's safety properties over a cluster state, one function each (spec/properties.md states
// them). Those that are about histories read the history the model keeps; the rest read the
// nodes directly.
import { log, logIndex, type NodeSnapshot } from '../../machine/index.ts';
import type { Property } from '../model.ts';
import { Flag, type ClusterState } from './cluster.ts';

const noFlag = (flag: number) => (s: ClusterState) => (s.history.flags & flag) === 0;
const hasFlag = (flag: number) => (s: ClusterState) => (s.history.flags & flag) !== 0;

/** At most one leader per term, over the whole history (not only "two leaders at once"). */
export const electionSafety = noFlag(Flag.TwoLeadersInOneTerm);

/** A leader never overwrites or deletes entries in its log; it only appends. */
export const leaderAppendOnly = noFlag(Flag.LeaderLogRewritten);

/** If two logs contain an entry with the same index and term, the logs are identical up to it. */
export function logMatching(s: ClusterState): boolean {
  for (let a = 0; a < s.nodes.length; a++) {
    for (let b = a + 1; b < s.nodes.length; b++) if (!logsMatch(s.nodes[a]!, s.nodes[b]!)) return false;
  }
  return true;
}

function logsMatch(x: NodeSnapshot, y: NodeSnapshot): boolean {
  const lx = x.state.log, ly = y.state.log;
  const bottom = Math.max(lx.snapshotIndex, ly.snapshotIndex) + 1;
  let agreed = false;
  for (let i = Math.min(log.lastIndex(lx), log.lastIndex(ly)); i >= bottom; i--) {
    const ex = lx.entries[i - lx.snapshotIndex - 1]!, ey = ly.entries[i - ly.snapshotIndex - 1]!;
    if (!agreed && ex.term === ey.term) agreed = true;
    if (agreed && (ex.term !== ey.term || ex.command !== ey.command)) return false;
  }
  return true;
}

/**
 * If an entry is committed in a term, it is in the log of every leader of every later term. An
 * entry counts as committed in the term of the first node that applied it (that node learned of
 * the commit from a leader of at most that term, so the claim is never stronger than Raft's).
 */
export function leaderCompleteness(s: ClusterState): boolean {
  const { applied, appliedTerm, appliedAt } = s.history;
  for (const { role, state } of s.nodes) {
    if (role !== 'leader') continue;
    for (let i = 1; i <= applied.length; i++) {
      if (appliedAt[i - 1]! >= state.currentTerm) continue;
      if (i < state.log.snapshotIndex) continue; // compacted: covered by the snapshot check
      if (log.termAt(state.log, logIndex(i)) !== appliedTerm[i - 1]) return false;
    }
  }
  return true;
}

/** No two nodes apply different commands at the same index (from what each applied). */
export const stateMachineSafety = noFlag(Flag.DifferentCommandsApplied);

/** Each node applies every index once, in order: a snapshot only moves it forward (within one incarnation). */
export const appliesInOrder = noFlag(Flag.AppliedOutOfOrder);

/** Sanity: commitIndex never passes the last log index, and lastApplied never passes commitIndex. */
export const commitWithinLog = (s: ClusterState): boolean =>
  s.nodes.every(({ state }) => state.lastApplied <= state.commitIndex && state.commitIndex <= log.lastIndex(state.log));

/** Sanity: no node's currentTerm ever goes down, restarts included. */
export const termsNeverDecrease = noFlag(Flag.TermDecreased);

/** Sanity: every snapshot taken, installed or restored holds exactly the commands applied through its index. */
export const snapshotsAgree = noFlag(Flag.SnapshotDisagrees);

export const raftProperties: readonly Property<ClusterState>[] = [
  { name: 'ElectionSafety', expectation: 'always', holds: electionSafety },
  { name: 'LeaderAppendOnly', expectation: 'always', holds: leaderAppendOnly },
  { name: 'LogMatching', expectation: 'always', holds: logMatching },
  { name: 'LeaderCompleteness', expectation: 'always', holds: leaderCompleteness },
  { name: 'StateMachineSafety', expectation: 'always', holds: stateMachineSafety },
  { name: 'AppliesInOrder', expectation: 'always', holds: appliesInOrder },
  { name: 'CommitWithinLog', expectation: 'always', holds: commitWithinLog },
  { name: 'TermsNeverDecrease', expectation: 'always', holds: termsNeverDecrease },
  { name: 'SnapshotsAgree', expectation: 'always', holds: snapshotsAgree },
  { name: 'a leader is elected', expectation: 'sometimes', holds: (s) => s.history.leaders.some((l) => l !== 0) },
  { name: 'an entry is committed', expectation: 'sometimes', holds: (s) => s.history.applied.length > 0 },
  { name: 'a snapshot is installed', expectation: 'sometimes', holds: hasFlag(Flag.SnapshotInstalled) },
  { name: 'a crashed node recovers', expectation: 'sometimes', holds: hasFlag(Flag.CrashedNodeRecovered) },
];
