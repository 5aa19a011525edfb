// The vocabulary of Raft as Figure 2 names it. Brands keep a term from being
// passed where an index is expected; they cost nothing at run time.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/**
 * An election term (§5.1): 0 before the first election, and a node's only grows. The brand keeps a
 * term from being passed where an index or a node id is expected.
 */
export type Term = Brand<number, 'Term'>;
/**
 * A position in the log, from 1; 0 stands for "before the first entry" (an empty log, an empty
 * snapshot). The brand keeps an index from being passed where a term or a node id is expected.
 */
export type LogIndex = Brand<number, 'LogIndex'>;
/**
 * A cluster member's id: a non-negative integer, fixed in {@link NodeConfig}. The brand keeps an id
 * from being passed where a term or an index is expected.
 */
export type NodeId = Brand<number, 'NodeId'>;

/** Brands a number as a {@link Term}: no check and no cost at run time, so the caller vouches for it. */
export const term = (n: number): Term => n as Term;
/** Brands a number as a {@link LogIndex}: no check and no cost at run time, so the caller vouches for it. */
export const logIndex = (n: number): LogIndex => n as LogIndex;
/** Brands a number as a {@link NodeId}: no check and no cost at run time, so the caller vouches for it. */
export const nodeId = (n: number): NodeId => n as NodeId;

/**
 * The largest term and index a node accepts from the wire: half the integers a double holds
 * exactly, so whatever a node does from there (a candidate's term + 1 at each election, an index
 * grown by each appended batch) stays exact, and what it writes it can read back, for 2^52 steps.
 */
export const MAX_TERM = term(2 ** 52);
/** The largest log index a node accepts from the wire, 2^52, for the reason given at {@link MAX_TERM}. */
export const MAX_INDEX = logIndex(2 ** 52);

/** A client command. Opaque to the machine: it is stored, replicated and applied, never read. */
export type Command = unknown;

/** A service snapshot. Opaque to the machine: it is stored, sent and applied, never read. */
export type SnapshotData = Uint8Array;

/** One log entry: the client command and the term of the leader that first appended it. */
export interface Entry {
  readonly term: Term;
  readonly command: Command;
}

/**
 * The log with its compaction offset (§7): entries 1..snapshotIndex live only in the
 * snapshot; entries[0] is the entry at snapshotIndex + 1.
 */
export interface RaftLog {
  readonly snapshotIndex: LogIndex;
  readonly snapshotTerm: Term;
  readonly entries: readonly Entry[];
}

/** The three roles of Figure 2 (§5.1); the statechart's active state. */
export type Role = 'follower' | 'candidate' | 'leader';

// ---- Messages: the three RPCs of Figure 2 and §7 and their replies -------------------------

interface Envelope {
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * Sent by a candidate to gather votes (Figure 2, RequestVote RPC); its last log index and term let
 * the voter refuse a candidate whose log is less up-to-date than its own (§5.4.1).
 */
export interface RequestVote extends Envelope {
  readonly type: 'RequestVote';
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
}

/** The answer to a {@link RequestVote}, carrying the voter's current term so a stale candidate steps down. */
export interface RequestVoteReply extends Envelope {
  readonly type: 'RequestVoteReply';
  readonly voteGranted: boolean;
}

/**
 * Sent by the leader to replicate entries and as a heartbeat (Figure 2, AppendEntries RPC): `entries`
 * follow the entry at prevLogIndex/prevLogTerm, which the follower must hold for it to accept them.
 */
export interface AppendEntries extends Envelope {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  readonly entries: readonly Entry[];
  readonly leaderCommit: LogIndex;
}

/** The answer to an {@link AppendEntries}: success, or where the leader should retry from. */
export interface AppendEntriesReply extends Envelope {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** On success: the last index this request proved to match (prevLogIndex + entries). */
  readonly matchIndex: LogIndex;
  /** On failure: where the leader should retry (fast backtracking, §5.3). */
  readonly conflictIndex: LogIndex;
  /** On failure: the term of the follower's entry at prevLogIndex, or 0 if it has none there. */
  readonly conflictTerm: Term;
}

/**
 * Sent by the leader to a follower that needs entries it has compacted away (§7): the whole snapshot
 * in one message, standing for every entry through lastIncludedIndex.
 */
export interface InstallSnapshot extends Envelope {
  readonly type: 'InstallSnapshot';
  readonly lastIncludedIndex: LogIndex;
  readonly lastIncludedTerm: Term;
  readonly data: SnapshotData;
}

/** The answer to an {@link InstallSnapshot}: the follower's term, and how far its log now reaches. */
export interface InstallSnapshotReply extends Envelope {
  readonly type: 'InstallSnapshotReply';
  /** The index the follower now holds through, so a late reply cannot move matchIndex wrongly. */
  readonly matchIndex: LogIndex;
}

/** Everything nodes send each other; each carries the sender's term, `from` and `to`. */
export type Message =
  | RequestVote
  | RequestVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply;

/** The `type` tag of a {@link Message}. */
export type MessageType = Message['type'];

// ---- Events: everything that can happen to a node. Time is an event too. --------------------

/**
 * The host's election timer fired: a follower or candidate starts an election (§5.2). The host
 * draws the randomized timeout; the machine only hears that it elapsed.
 */
export interface ElectionTimeout { readonly type: 'ElectionTimeout' }
/**
 * The host's heartbeat timer fired: a leader sends AppendEntries to every follower so none times
 * out. Other roles ignore it.
 */
export interface HeartbeatDue { readonly type: 'HeartbeatDue' }
/** Client commands, batched: one event can carry many, and they replicate together. */
export interface Propose { readonly type: 'Propose'; readonly commands: readonly Command[] }
/** The service has applied through `index` and hands over its state for compaction. */
export interface Snapshot { readonly type: 'Snapshot'; readonly index: LogIndex; readonly data: SnapshotData }
/** The node comes back from a crash with what it had made durable. */
export interface Restart { readonly type: 'Restart'; readonly persisted: PersistentState }
/**
 * The write a `persistInParallel` effect asked for has landed: the log through `index`, as the
 * node held it as leader of `term`, is durable (PW.1).
 */
export interface LogDurable { readonly type: 'LogDurable'; readonly term: Term; readonly index: LogIndex }

/**
 * Every input a node steps: messages, timer firings, client commands, snapshots, restarts and
 * the leader's parallel writes landing.
 */
export type RaftEvent = Message | ElectionTimeout | HeartbeatDue | Propose | Snapshot | Restart | LogDurable;
/** The `type` tag of a {@link RaftEvent}: the statechart routes on it. */
export type EventType = RaftEvent['type'];

// ---- State exactly as Figure 2 ----------------------------------------------------------------

/** Who this node is and who is in the cluster (including itself). Fixed for the node's life. */
export interface NodeConfig {
  readonly id: NodeId;
  readonly members: readonly NodeId[];
  /**
   * PW.1 (thesis §10.2.1): as leader, write new entries to storage in parallel with sending them
   * (`persistInParallel`, answered by `LogDurable`) rather than before. Without it the leader's
   * write holds back what follows it, as every `persist` does: simpler hosts need nothing more.
   */
  readonly leaderWritesInParallel?: boolean;
  /**
   * CP.1: as leader, send AppendEntries (empty if nothing is new) to every follower as soon as
   * commitIndex moves, so followers apply within a round trip, not at the next heartbeat.
   */
  readonly announceCommits?: boolean;
  /**
   * FC.1 (etcd's probe state): as leader, after a follower refuses an AppendEntries, and after
   * election, keep one AppendEntries in flight to it until one succeeds, instead of pipelining
   * to a follower whose log is not known to match.
   */
  readonly probeUntilMatch?: boolean;
  /**
   * FC.2 (etcd's MaxInflightMsgs): as leader, at most this many AppendEntries carrying entries
   * unacknowledged per follower; new entries wait for an acknowledgement (or the next heartbeat)
   * rather than pile up for a slow follower.
   */
  readonly maxInflightAppends?: number;
  /**
   * FC.3 (etcd's MaxSizePerMsg): as leader, at most `max` bytes of entries per AppendEntries, an
   * entry's bytes as the host's `entryBytes` measures them (the machine never reads a command);
   * a single entry larger than that still goes alone. Without it one AppendEntries carries all
   * the entries a follower lacks.
   */
  readonly maxAppendBytes?: AppendBytesLimit;
}

/** FC.3: a cap on the bytes of entries in one AppendEntries, and how the host measures an entry. */
export interface AppendBytesLimit {
  /** The most bytes of entries in one AppendEntries. */
  readonly max: number;
  /** The bytes `entry` counts for; pure, as the machine is. */
  readonly entryBytes: (entry: Entry) => number;
}

/** Figure 2, "Persistent state on all servers", plus the §7 snapshot. */
export interface PersistentState {
  readonly currentTerm: Term;
  readonly votedFor: NodeId | null;
  readonly log: RaftLog;
  readonly snapshot: SnapshotData;
}

export interface RaftState extends NodeConfig, PersistentState {
  // Volatile state on all servers.
  readonly commitIndex: LogIndex;
  readonly lastApplied: LogIndex;
  // Candidates: who granted us their vote in currentTerm.
  readonly votesGranted: readonly NodeId[];
  // Leaders, reinitialised after election. Keyed by peer id; matchIndex also by the leader's own
  // id: how far the leader knows its own log durable, which is what it counts for itself (L.6, PW.1).
  readonly nextIndex: Readonly<Record<number, LogIndex>>;
  readonly matchIndex: Readonly<Record<number, LogIndex>>;
  /** With probeUntilMatch (FC.1): the peers whose log is not known to match ours, keyed by id. */
  readonly probing?: Readonly<Record<number, boolean>>;
  /** With maxInflightAppends (FC.2): per peer, the last index of each unacknowledged AppendEntries. */
  readonly inflight?: Readonly<Record<number, readonly LogIndex[]>>;
}

// ---- Effects: what the host must do, in order ---------------------------------------------

/**
 * Effects are executed in list order. `persist` asks for the node's persistent state, as it is
 * after this step, to be durable before any later effect runs: every message after it may
 * depend on it (Figure 2: "updated on stable storage before responding to RPCs").
 * `persistInParallel` (a leader's new entries, PW.1) asks for the same write, in order with the
 * other persists, but later effects need not wait for it; once it is durable the host steps
 * `LogDurable` with its `term` and `index`.
 */
export type Effect =
  | { readonly type: 'persist' }
  | { readonly type: 'persistInParallel'; readonly term: Term; readonly index: LogIndex }
  | { readonly type: 'send'; readonly message: Message }
  | { readonly type: 'applyEntries'; readonly first: LogIndex; readonly entries: readonly Entry[] }
  | { readonly type: 'applySnapshot'; readonly index: LogIndex; readonly term: Term; readonly data: SnapshotData }
  | { readonly type: 'resetElectionTimer' }
  | { readonly type: 'resetHeartbeatTimer' };

/** What every handler returns: the next state and the effects, as data. */
export interface Step {
  readonly state: RaftState;
  readonly effects: readonly Effect[];
}
