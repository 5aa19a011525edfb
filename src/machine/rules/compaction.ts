import { persist, resetElectionTimer, send } from '../effects.ts';
import { compactThrough, installSnapshot } from '../log.ts';
import { acknowledge } from './replication.ts';
import {
  logIndex, type Effect, type InstallSnapshot, type LogIndex, type InstallSnapshotReply, type RaftState, type Snapshot, type Step,
} from '../types.ts';

/**
 * SN.1 Compaction (§7): the service has applied through `index` and hands over its state; the
 * log through `index` is replaced by that snapshot. A snapshot of what is not yet applied, or
 * not newer than the one we hold, is ignored.
 */
export function compact(s: RaftState, e: Snapshot): Step {
  if (e.index <= s.log.snapshotIndex || e.index > s.lastApplied) return { state: s, effects: [] };
  return { state: { ...s, log: compactThrough(s.log, e.index), snapshot: e.data }, effects: [persist] };
}

/**
 * The receiver side of InstallSnapshot (§7). The request comes from the current leader, so the
 * election timer restarts (F.2).
 */
export function handleInstallSnapshot(s: RaftState, m: InstallSnapshot): Step {
  const reply = (matchIndex: LogIndex) => send({ type: 'InstallSnapshotReply', term: s.currentTerm, from: s.id, to: m.from, matchIndex });
  // IS.1 "Reply immediately if term < currentTerm." The reply claims to hold nothing: it carries
  // our newer term, and a sender that is leader of that term by the time it arrives must not
  // take a snapshot we refused for one we hold.
  if (m.term < s.currentTerm) return { state: s, effects: [reply(logIndex(0))] };
  // SN.2 A snapshot that is not newer than what we have committed is ignored: our log already
  // holds that prefix (committed entries match the leader's), and installing it would move the
  // service backwards.
  if (m.lastIncludedIndex <= s.commitIndex) return { state: s, effects: [resetElectionTimer, reply(m.lastIncludedIndex)] };
  // IS.5 "Save snapshot file, discard any existing or partial snapshot with a smaller index."
  // IS.6 "If existing log entry has same index and term as snapshot's last included entry,
  // retain log entries following it and reply." IS.7 "Discard the entire log" otherwise.
  // IS.8 "Reset state machine using snapshot contents."
  const state: RaftState = {
    ...s,
    log: installSnapshot(s.log, m.lastIncludedIndex, m.lastIncludedTerm),
    snapshot: m.data,
    commitIndex: m.lastIncludedIndex,
    lastApplied: m.lastIncludedIndex,
  };
  return {
    state,
    effects: [
      persist,
      resetElectionTimer,
      { type: 'applySnapshot', index: m.lastIncludedIndex, term: m.lastIncludedTerm, data: m.data },
      reply(m.lastIncludedIndex),
    ],
  };
}

/** The leader side: the follower now holds everything through the snapshot (L.4). */
export function handleInstallSnapshotReply(s: RaftState, m: InstallSnapshotReply): Step {
  if (m.term !== s.currentTerm) return { state: s, effects: [] };
  const effects: Effect[] = [];
  return { state: acknowledge(s, m.from, m.matchIndex, effects), effects };
}
