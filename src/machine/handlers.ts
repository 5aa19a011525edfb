// The named handlers and guards the statechart refers to. The XState machine and the fast
// stepper both resolve names here, so there is one implementation of each rule.
import { adoptTerm } from './rules/terms.ts';
import { becomeLeader, countVote, handleRequestVote, startElection, winsElection } from './rules/election.ts';
import { appendCommands, countOwnWrite, handleAppendEntries, handleAppendEntriesReply, sendHeartbeats } from './rules/replication.ts';
import { compact, handleInstallSnapshot, handleInstallSnapshotReply } from './rules/compaction.ts';
import { restart } from './rules/restart.ts';
import type { EventType, Message, RaftEvent, RaftState, Step } from './types.ts';

/** A rule as a pure reducer: state and event in, next state and effects out. */
export type Handler = (s: RaftState, e: RaftEvent) => Step;
/** A pure predicate the statechart consults to choose between transitions for the same event. */
export type Guard = (s: RaftState, e: RaftEvent) => boolean;

const MESSAGE_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'RequestVote', 'RequestVoteReply', 'AppendEntries', 'AppendEntriesReply', 'InstallSnapshot', 'InstallSnapshotReply',
]);
/** Whether an event is one of the six RPC messages (and so carries a term, `from` and `to`), not a local event. */
export const isMessage = (e: RaftEvent): e is Message => MESSAGE_TYPES.has(e.type);

/** Narrows the event for a handler written for one event type; the statechart decides routing. */
function forEvent<T extends EventType>(type: T, h: (s: RaftState, e: Extract<RaftEvent, { type: T }>) => Step): Handler {
  return (s, e) => {
    if (e.type !== type) throw new Error(`statechart routed ${e.type} to a handler for ${type}`);
    return h(s, e as Extract<RaftEvent, { type: T }>);
  };
}

function forMessage(h: (s: RaftState, m: Message) => Step): Handler {
  return (s, e) => {
    if (!isMessage(e)) throw new Error(`statechart routed ${e.type} to a message handler`);
    return h(s, e);
  };
}

/**
 * Every rule of the machine by the name the statechart's actions use. The XState machine and
 * {@link deriveStepper} both resolve names here; mutants replace entries through {@link Overrides}.
 */
export const handlers = {
  adoptTerm: forMessage(adoptTerm),
  /** A follower or candidate whose election timer fired starts an election in a new term. */
  startElection: (s) => startElection(s),
  handleRequestVote: forEvent('RequestVote', handleRequestVote),
  countVote: forEvent('RequestVoteReply', countVote),
  /** A candidate that won a majority takes office: leader state set up, first heartbeats sent. */
  becomeLeader: (s) => becomeLeader(s),
  /** A leader's heartbeat timer fired: AppendEntries to every follower, carrying what it lacks as flow control allows. */
  sendHeartbeats: (s) => sendHeartbeats(s),
  appendCommands: forEvent('Propose', appendCommands),
  countOwnWrite: forEvent('LogDurable', countOwnWrite),
  handleAppendEntries: forEvent('AppendEntries', handleAppendEntries),
  handleAppendEntriesReply: forEvent('AppendEntriesReply', handleAppendEntriesReply),
  handleInstallSnapshot: forEvent('InstallSnapshot', handleInstallSnapshot),
  handleInstallSnapshotReply: forEvent('InstallSnapshotReply', handleInstallSnapshotReply),
  compact: forEvent('Snapshot', compact),
  restart: forEvent('Restart', restart),
} satisfies Record<string, Handler>;

/** Every guard of the statechart by name, resolved as {@link handlers} are. */
export const guards = {
  /** S.2: the message carries a term newer than ours. */
  hasNewerTerm: (s, e) => isMessage(e) && e.term > s.currentTerm,
  /** C.3: a leader's request of our own term means that leader won this term. */
  isFromCurrentLeader: (s, e) => isMessage(e) && e.term === s.currentTerm,
  /** C.2: this vote completes a majority. */
  winsElection: (s, e) => e.type === 'RequestVoteReply' && winsElection(s, e),
  /** A one-node cluster is its own majority. */
  isSoleMember: (s) => s.members.length === 1,
} satisfies Record<string, Guard>;

/** The name of a rule in {@link handlers}: what {@link Overrides} can replace. */
export type HandlerName = keyof typeof handlers;
/** The name of a guard in {@link guards}: what {@link Overrides} can replace. */
export type GuardName = keyof typeof guards;

