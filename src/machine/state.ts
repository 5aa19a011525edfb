// Building node states: fresh, restored from durable storage, and the durable part of one.
import { emptyLog } from './log.ts';
import { logIndex, term, type NodeConfig, type PersistentState, type RaftState } from './types.ts';

const noSnapshot = new Uint8Array(0);

/** A node that has never run: term 0, no vote, empty log. */
export function initialState(config: NodeConfig): RaftState {
  return restoredState(config, { currentTerm: term(0), votedFor: null, log: emptyLog, snapshot: noSnapshot });
}

/**
 * A node after a crash: persistent state as it was made durable, volatile state reset. What the
 * snapshot covers is committed and applied, so both indices start there.
 */
export function restoredState(config: NodeConfig, persisted: PersistentState): RaftState {
  return {
    id: config.id,
    members: config.members,
    // Only when set, so a node without it has the very state it had before the option existed.
    ...(config.leaderWritesInParallel === true ? { leaderWritesInParallel: true } : {}),
    ...(config.announceCommits === true ? { announceCommits: true } : {}),
    ...(config.probeUntilMatch === true ? { probeUntilMatch: true } : {}),
    ...(config.maxInflightAppends === undefined ? {} : { maxInflightAppends: config.maxInflightAppends }),
    ...(config.maxAppendBytes === undefined ? {} : { maxAppendBytes: config.maxAppendBytes }),
    currentTerm: persisted.currentTerm,
    votedFor: persisted.votedFor,
    log: persisted.log,
    snapshot: persisted.snapshot,
    commitIndex: persisted.log.snapshotIndex,
    lastApplied: persisted.log.snapshotIndex,
    votesGranted: [],
    nextIndex: {},
    matchIndex: {},
  };
}

/** The part of a node's state Figure 2 requires on stable storage (plus the §7 snapshot): what a `persist` effect asks the host to write. */
export const persistentStateOf = (s: RaftState): PersistentState => ({
  currentTerm: s.currentTerm,
  votedFor: s.votedFor,
  log: s.log,
  snapshot: s.snapshot,
});

export const peersOf = (s: RaftState) => s.members.filter((m) => m !== s.id);

export const hasSnapshot = (s: RaftState): boolean => s.log.snapshotIndex > logIndex(0);
