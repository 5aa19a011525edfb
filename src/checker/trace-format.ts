// The JSON a counterexample is written as: every state of the trace, whole, so a reader (the
// browser viewer, a test, a person) can step through it forwards and backwards without
// re-running anything. `action` says what led from the previous state to this one.
import type { Message, NodeId, Role, Term, LogIndex, Entry } from '../machine/index.ts';

/** One node in one state of a trace: its role, whether it is up, its Figure-2 state, and the log entries after its snapshot. */
export interface TraceNode {
  readonly id: NodeId;
  readonly role: Role;
  readonly up: boolean;
  readonly currentTerm: Term;
  readonly votedFor: NodeId | null;
  readonly commitIndex: LogIndex;
  readonly lastApplied: LogIndex;
  readonly snapshotIndex: LogIndex;
  readonly snapshotTerm: Term;
  readonly entries: readonly Entry[];
}

/** One state of a trace: every node and every message in flight, and the action that led here. */
export interface TraceStep {
  /** One line a person reads: "node 2 receives RequestVote from 1 (term 2)". Empty for the initial state. */
  readonly action: string;
  readonly nodes: readonly TraceNode[];
  readonly inFlight: readonly Message[];
}

/**
 * A counterexample or witness as `raft-ts-trace/1` JSON (`--json`): every state whole, so the viewer
 * can step through it both ways without re-running anything, and `choices` to replay it.
 */
export interface TraceFile {
  readonly format: 'raft-ts-trace/1';
  readonly members: readonly NodeId[];
  /** The property the last state violates, or null for a trace that shows something reachable. */
  readonly violated: string | null;
  /** The bounds and options the checker ran under, as it printed them. */
  readonly bounds: Readonly<Record<string, number | string | boolean>>;
  readonly steps: readonly TraceStep[];
  /** For replay: the index of each step's action among the actions the checker's model enables. */
  readonly choices: readonly number[];
}
