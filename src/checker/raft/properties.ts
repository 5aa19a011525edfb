// Raft's safety properties over a cluster state, one function each (spec/properties.md states
// them). Those that are about histories read the history the model keeps; the rest read the
// nodes directly. Where a property can be judged from outside the machine (what the service
// was handed, what is durable, what was sent), it is: a machine that mis-tracks its own
// bookkeeping must not be able to vouch for itself.
import { logIndex, type Message, type NodeSnapshot, type PersistentState, type RaftLog } from '../../machine/index.ts';
// Named imports, not the `log` namespace: these run for every state the checker visits, and a
// namespace re-export costs a getter call per use once bundled.
import { isAtLeastAsUpToDate, lastIndex, lastTerm, termAt } from '../../machine/log.ts';
import { isMajority } from '../../machine/quorum.ts';
import type { Property } from '../model.ts';
import { Flag, type ClusterNode, type ClusterState } from './cluster.ts';

const noFlag = (flag: number) => (s: ClusterState) => (s.history.flags & flag) === 0;
const hasFlag = (flag: number) => (s: ClusterState) => (s.history.flags & flag) !== 0;

/** At most one leader per term, over the whole history (not only "two leaders at once"). */
export const electionSafety = noFlag(Flag.TwoLeadersInOneTerm);

/** A leader never overwrites or deletes entries in its log; it only appends. */
export const leaderAppendOnly = noFlag(Flag.LeaderLogRewritten);

/**
 * If two logs contain an entry with the same index and term, the logs are identical up to it; and
 * each log, a copy of leaders' logs, has terms that never decrease along it, its snapshot's included.
 */
export function logMatching(s: ClusterState): boolean {
  for (let a = 0; a < s.nodes.length; a++) {
    if (!termsAscend(s.nodes[a]!.state.log)) return false;
    for (let b = a + 1; b < s.nodes.length; b++) if (!logsMatch(s.nodes[a]!, s.nodes[b]!)) return false;
  }
  return true;
}

/**
 * A node can hold no other log: each leader appends entries of its own term, which no earlier
 * leader's exceeds, and a follower's log is a prefix of a leader's. An install that keeps the
 * entries after a snapshot of a later term is the bug this catches where no other log shows it.
 */
function termsAscend(l: RaftLog): boolean {
  let previous: number = l.snapshotTerm;
  for (const e of l.entries) {
    if (e.term < previous) return false;
    previous = e.term;
  }
  return true;
}

function logsMatch(x: NodeSnapshot, y: NodeSnapshot): boolean {
  const lx = x.state.log, ly = y.state.log;
  const bottom = Math.max(lx.snapshotIndex, ly.snapshotIndex) + 1;
  let agreed = false;
  for (let i = Math.min(lastIndex(lx), lastIndex(ly)); i >= bottom; i--) {
    const ex = lx.entries[i - lx.snapshotIndex - 1]!, ey = ly.entries[i - ly.snapshotIndex - 1]!;
    if (!agreed && ex.term === ey.term) agreed = true;
    if (agreed && (ex.term !== ey.term || ex.command !== ey.command)) return false;
  }
  // The higher snapshot's last included entry is still a position both logs know the term of (one
  // as its snapshotTerm): an install that kept a suffix after an entry of another term differs only there.
  const boundary = logIndex(bottom - 1);
  return !agreed || boundary === 0 || termAt(lx, boundary) === undefined || termAt(lx, boundary) === termAt(ly, boundary);
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
      if (termAt(state.log, logIndex(i)) !== appliedTerm[i - 1]) return false;
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
  s.nodes.every(({ state }) => state.lastApplied <= state.commitIndex && state.commitIndex <= lastIndex(state.log));

/** Sanity: no node's currentTerm ever goes down, restarts included. */
export const termsNeverDecrease = noFlag(Flag.TermDecreased);

/** Sanity: every snapshot taken, installed or restored holds exactly the commands applied through its index. */
export const snapshotsAgree = noFlag(Flag.SnapshotDisagrees);

/**
 * The machine's claim of what it applied is what its service was handed: lastApplied equals the
 * service's own cursor, which only the apply effects move and a crash resets.
 */
export const serviceAgreesWithMachine = (s: ClusterState): boolean =>
  s.nodes.every((n) => n.state.lastApplied === n.serviceApplied);

/** A majority of the cluster's nodes holds: the machine's own quorum rule. */
const majorityOf = (s: ClusterState, holds: (n: ClusterNode) => boolean): boolean => {
  let count = 0;
  for (const n of s.nodes) if (holds(n)) count++;
  return isMajority(count, s.nodes[0]!.state.members);
};

/** The durable state holds entry `index` of term `t`: in its log, or inside its snapshot. */
const holdsDurably = (d: PersistentState, index: number, t: number): boolean =>
  index <= d.log.snapshotIndex || termAt(d.log, logIndex(index)) === t;

/**
 * Every entry counted as committed, as (index, term): each entry applied anywhere (the history),
 * and each entry a node holds as committed (up to its commitIndex, past its snapshot). False as
 * soon as `holds` fails for one.
 */
function everyCommittedEntry(s: ClusterState, holds: (index: number, t: number) => boolean): boolean {
  const { applied, appliedTerm } = s.history;
  for (let i = 1; i <= applied.length; i++) if (!holds(i, appliedTerm[i - 1]!)) return false;
  for (const { state } of s.nodes) {
    for (let i = state.log.snapshotIndex + 1; i <= Math.min(state.commitIndex, lastIndex(state.log)); i++) {
      if (!holds(i, termAt(state.log, logIndex(i))!)) return false;
    }
  }
  return true;
}

/**
 * What every safety argument rests on (§5.4): an entry that is committed is durable on a
 * majority, for good. Judged against the nodes' durable state, not their memory.
 */
export const committedIsDurable = (s: ClusterState): boolean =>
  everyCommittedEntry(s, (index, t) => majorityOf(s, (n) => holdsDurably(n.durable, index, t)));

/**
 * No node that lacks a committed entry could win an election (§5.4.1, §5.4.3: the argument behind
 * Leader Completeness, checked on every state rather than when a leader shows up). A node can win
 * only with the votes of a majority, and a voter grants only to a log at least as up-to-date as its
 * own (the machine's own rule, log.isAtLeastAsUpToDate); so a node is electable when its last
 * entry is at least as up-to-date as the logs of a majority, itself included. Raft keeps every
 * such node holding every committed entry; a commit that breaks this (Figure 8's, by counting an
 * earlier term's replicas) is caught when it happens, not elections later when the entry is
 * overwritten.
 */
export const committedSurvivesElection = (s: ClusterState): boolean =>
  everyCommittedEntry(s, (index, t) => s.nodes.every(({ state: { log: l } }) => {
    if (index <= l.snapshotIndex || termAt(l, logIndex(index)) === t) return true;
    const [candidateTerm, candidateIndex] = [lastTerm(l), lastIndex(l)];
    return !majorityOf(s, ({ state: voter }) => isAtLeastAsUpToDate(voter.log, candidateTerm, candidateIndex));
  }));

/** The voter has durably granted its vote in `t` to `candidate`, or durably moved past `t`. */
const voteIsDurable = (voter: ClusterNode, t: number, candidate: number): boolean =>
  voter.durable.currentTerm > t || (voter.durable.currentTerm === t && voter.durable.votedFor === candidate);

/** What message `m` promises about its sender is in the sender's durable state (Figure 2: "before responding"). */
function promiseIsDurable(sender: ClusterNode, m: Message): boolean {
  const d = sender.durable;
  if (d.currentTerm < m.term) return false;
  if (m.type === 'RequestVoteReply' && m.voteGranted) return voteIsDurable(sender, m.term, m.to);
  if (m.type === 'RequestVote') return voteIsDurable(sender, m.term, m.from);
  if (d.currentTerm > m.term) return true;
  if (m.type === 'AppendEntriesReply' && m.success) return m.matchIndex <= d.log.snapshotIndex || termAt(d.log, m.matchIndex) !== undefined;
  if (m.type === 'InstallSnapshotReply') return m.matchIndex <= lastIndex(d.log);
  return true;
}

/**
 * Every promise a node has made is durable: a term it speaks in, a vote it granted or cast for
 * itself, entries it acknowledged. Judged on the messages in flight and on the votes a
 * candidate has counted, against each sender's durable state, so a reply that left before its
 * persist (or a persist that never happened) is caught at once, without waiting for a crash to
 * turn it into two leaders or a lost entry.
 */
export function promisesAreDurable(s: ClusterState): boolean {
  for (const m of s.network) if (!promiseIsDurable(s.nodes[m.from - 1]!, m)) return false;
  for (const { role, state } of s.nodes) {
    if (role !== 'candidate') continue;
    for (const v of state.votesGranted) if (!voteIsDurable(s.nodes[v - 1]!, state.currentTerm, state.id)) return false;
  }
  return true;
}

/**
 * A leader's matchIndex is true (what L.4 and L.6 count on): while a peer is still durably in
 * the leader's term, its durable log holds the leader's entry at matchIndex[peer]. The leader's
 * own entry (PW.1) is left to CommittedIsDurable, which judges what the leader is counted for.
 */
export function matchIndexIsTrue(s: ClusterState): boolean {
  for (const { role, state } of s.nodes) {
    if (role !== 'leader') continue;
    for (const [peer, match] of Object.entries(state.matchIndex)) {
      if (match === 0 || Number(peer) === state.id) continue;
      const d = s.nodes[Number(peer) - 1]!.durable;
      if (d.currentTerm !== state.currentTerm || match <= d.log.snapshotIndex) continue;
      const ours = termAt(state.log, match);
      if (ours !== undefined && termAt(d.log, match) !== ours) return false;
    }
  }
  return true;
}

/** Two nodes hold different commands at one index: the seed of every log-conflict bug. */
function conflictingEntries(s: ClusterState): boolean {
  for (let a = 0; a < s.nodes.length; a++) {
    for (let b = a + 1; b < s.nodes.length; b++) {
      const la = s.nodes[a]!.state.log, lb = s.nodes[b]!.state.log;
      for (let i = Math.max(la.snapshotIndex, lb.snapshotIndex) + 1; i <= Math.min(lastIndex(la), lastIndex(lb)); i++) {
        if (la.entries[i - la.snapshotIndex - 1]!.command !== lb.entries[i - lb.snapshotIndex - 1]!.command) return true;
      }
    }
  }
  return false;
}

/**
 * The properties every Raft model is checked against: Figure 3's five safety properties, further
 * invariants (in-order apply, durability of what was promised or committed, true matchIndex), and
 * `sometimes` coverage properties that show the bounds reach the situations bugs need.
 */
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
  { name: 'ServiceAgreesWithMachine', expectation: 'always', holds: serviceAgreesWithMachine },
  { name: 'CommittedIsDurable', expectation: 'always', holds: committedIsDurable },
  { name: 'PromisesAreDurable', expectation: 'always', holds: promisesAreDurable },
  { name: 'MatchIndexIsTrue', expectation: 'always', holds: matchIndexIsTrue },
  { name: 'CommittedSurvivesElection', expectation: 'always', holds: committedSurvivesElection },
  { name: 'a leader is elected', expectation: 'sometimes', holds: (s) => s.history.leaders.some((l) => l !== 0) },
  { name: 'an entry is committed', expectation: 'sometimes', holds: (s) => s.history.applied.length > 0 },
  { name: 'a snapshot is installed', expectation: 'sometimes', holds: hasFlag(Flag.SnapshotInstalled) },
  { name: 'a crashed node recovers', expectation: 'sometimes', holds: hasFlag(Flag.CrashedNodeRecovered) },
  // Coverage: the situations realistic bugs need before they can show. A run that never reaches
  // one cannot have caught a bug that needs it, and says so.
  { name: 'two commands at one index', expectation: 'sometimes', holds: conflictingEntries },
  { name: 'a third term', expectation: 'sometimes', holds: (s) => s.nodes.some((n) => n.state.currentTerm >= 3) },
  { name: "a follower's log truncated", expectation: 'sometimes', holds: hasFlag(Flag.LogTruncated) },
  { name: 'a snapshot installed over a log', expectation: 'sometimes', holds: hasFlag(Flag.SnapshotOverLog) },
  { name: 'a restart after a snapshot', expectation: 'sometimes', holds: hasFlag(Flag.RestartedWithSnapshot) },
  { name: 'a stale message after a term change', expectation: 'sometimes', holds: hasFlag(Flag.StaleMessageDelivered) },
  { name: 'an earlier term committed by counting', expectation: 'sometimes', holds: hasFlag(Flag.EarlierTermCommitted) },
];
