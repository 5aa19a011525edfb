// Small builders for machine tests: states, logs and messages with readable defaults.
import {
  deriveStepper, initialState, log, logIndex, nodeId, term,
  type AppendEntries, type AppendEntriesReply, type Effect, type Entry, type InstallSnapshot, type Message,
  type NodeSnapshot, type RaftEvent, type RaftLog, type RaftState, type RequestVote, type RequestVoteReply,
  type Role, type StepResult,
} from '../../src/machine/index.ts';

export const step = deriveStepper();

export const ids = (n: number) => Array.from({ length: n }, (_, i) => nodeId(i + 1));

/** Entries with the given terms; commands are "c<index>" so a test can tell them apart. */
export const entries = (terms: readonly number[], firstIndex = 1): Entry[] =>
  terms.map((t, i) => ({ term: term(t), command: `c${firstIndex + i}` }));

export const logOf = (terms: readonly number[], snapshotIndex = 0, snapshotTerm = 0): RaftLog => ({
  snapshotIndex: logIndex(snapshotIndex),
  snapshotTerm: term(snapshotTerm),
  entries: entries(terms, snapshotIndex + 1),
});

type StateFields = Partial<Omit<RaftState, 'log'>> & { log?: RaftLog; terms?: readonly number[] };

/** A node of a `size`-member cluster in `role`, with the given fields. */
export function nodeIn(role: Role, fields: StateFields = {}, size = 3): NodeSnapshot {
  const { terms, ...rest } = fields;
  const base = initialState({ id: fields.id ?? nodeId(1), members: ids(size) });
  const state: RaftState = { ...base, ...(terms ? { log: logOf(terms) } : {}), ...rest };
  return { role, state };
}

export const sent = (effects: readonly Effect[]): Message[] =>
  effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));

export const sentOf = <T extends Message['type']>(effects: readonly Effect[], type: T) =>
  sent(effects).filter((m): m is Extract<Message, { type: T }> => m.type === type);

export const has = (effects: readonly Effect[], type: Effect['type']) => effects.some((e) => e.type === type);

/** Index of the first effect of `type`, or -1. */
export const position = (effects: readonly Effect[], type: Effect['type']) => effects.findIndex((e) => e.type === type);

export const run = (node: NodeSnapshot, ...events: RaftEvent[]): StepResult => {
  let r: StepResult = { ...node, effects: [] };
  for (const e of events) r = step(r, e);
  return r;
};

export const rv = (f: Partial<RequestVote> = {}): RequestVote => ({
  type: 'RequestVote', term: term(1), from: nodeId(2), to: nodeId(1), lastLogIndex: logIndex(0), lastLogTerm: term(0), ...f,
});

export const rvReply = (f: Partial<RequestVoteReply> = {}): RequestVoteReply => ({
  type: 'RequestVoteReply', term: term(1), from: nodeId(2), to: nodeId(1), voteGranted: true, ...f,
});

export const ae = (f: Partial<AppendEntries> = {}): AppendEntries => ({
  type: 'AppendEntries', term: term(1), from: nodeId(2), to: nodeId(1),
  prevLogIndex: logIndex(0), prevLogTerm: term(0), entries: [], leaderCommit: logIndex(0), ...f,
});

export const aeReply = (f: Partial<AppendEntriesReply> = {}): AppendEntriesReply => ({
  type: 'AppendEntriesReply', term: term(1), from: nodeId(2), to: nodeId(1), success: true,
  matchIndex: logIndex(0), conflictIndex: logIndex(0), conflictTerm: term(0), ...f,
});

export const is = (f: Partial<InstallSnapshot> = {}): InstallSnapshot => ({
  type: 'InstallSnapshot', term: term(1), from: nodeId(2), to: nodeId(1),
  lastIncludedIndex: logIndex(1), lastIncludedTerm: term(1), data: new Uint8Array([7]), ...f,
});

/**
 * A leader of a `size`-node cluster; followers' progress defaults to "nothing known" (P.3), and
 * its own matchIndex to its last index (its log durable since its election) unless given.
 */
export function leader(fields: StateFields, size = 3): NodeSnapshot {
  const { state } = nodeIn('leader', fields, size);
  const next = logIndex(log.lastIndex(state.log) + 1);
  const peers = state.members.filter((p) => p !== state.id);
  return {
    role: 'leader',
    state: {
      ...state,
      votedFor: state.id,
      nextIndex: fields.nextIndex ?? Object.fromEntries(peers.map((p) => [p, next])),
      matchIndex: { [state.id]: log.lastIndex(state.log), ...(fields.matchIndex ?? Object.fromEntries(peers.map((p) => [p, logIndex(0)]))) },
    },
  };
}
