// fast-check arbitraries for machine events: small terms and indices, so random sequences hit
// the interesting cases (conflicts, stale replies, elections) instead of missing everything.
import fc from 'fast-check';
import {
  logIndex, nodeId, term,
  type Entry, type Message, type NodeId, type PersistentState, type RaftEvent,
} from '../../src/machine/index.ts';

export const MAX_TERM = 4;
export const MAX_INDEX = 6;

export const termArb = fc.integer({ min: 0, max: MAX_TERM }).map(term);
export const indexArb = fc.integer({ min: 0, max: MAX_INDEX }).map(logIndex);
export const commandArb = fc.oneof(fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 4 }));
export const entryArb: fc.Arbitrary<Entry> = fc.record({ term: fc.integer({ min: 1, max: MAX_TERM }).map(term), command: commandArb });
export const bytesArb = fc.uint8Array({ maxLength: 8 });

/** A message addressed to node 1 from another member of a cluster of `size`. */
export function messageArb(size: number): fc.Arbitrary<Message> {
  const from = fc.integer({ min: 2, max: Math.max(2, size) }).map(nodeId);
  const to = nodeId(1);
  return fc.oneof(
    fc.record({ type: fc.constant('RequestVote' as const), term: termArb, from, to: fc.constant(to), lastLogIndex: indexArb, lastLogTerm: termArb }),
    fc.record({ type: fc.constant('RequestVoteReply' as const), term: termArb, from, to: fc.constant(to), voteGranted: fc.boolean() }),
    fc.record({
      type: fc.constant('AppendEntries' as const), term: termArb, from, to: fc.constant(to), prevLogIndex: indexArb,
      prevLogTerm: termArb, entries: fc.array(entryArb, { maxLength: 3 }), leaderCommit: indexArb,
    }),
    fc.record({
      type: fc.constant('AppendEntriesReply' as const), term: termArb, from, to: fc.constant(to), success: fc.boolean(),
      matchIndex: indexArb, conflictIndex: indexArb, conflictTerm: termArb,
    }),
    fc.record({
      type: fc.constant('InstallSnapshot' as const), term: termArb, from, to: fc.constant(to), lastIncludedIndex: indexArb,
      lastIncludedTerm: termArb, data: bytesArb,
    }),
    fc.record({ type: fc.constant('InstallSnapshotReply' as const), term: termArb, from, to: fc.constant(to), matchIndex: indexArb }),
  );
}

/** "Restart" is resolved when the sequence runs: the node comes back with its own durable state. */
export type Scripted = RaftEvent | { readonly type: 'RestartFromDurable' };

export function eventArb(size: number): fc.Arbitrary<Scripted> {
  return fc.oneof(
    { weight: 6, arbitrary: messageArb(size) },
    { weight: 2, arbitrary: fc.constant({ type: 'ElectionTimeout' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'HeartbeatDue' as const }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('Propose' as const), commands: fc.array(commandArb, { maxLength: 2 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('Snapshot' as const), index: indexArb, data: bytesArb }) },
    { weight: 1, arbitrary: fc.constant({ type: 'RestartFromDurable' as const }) },
  );
}

export const clusterSizeArb = fc.constantFrom(1, 3, 5);

/** Records with Object's prototype, as decoders build them. */
const plain = { noNullPrototype: true } as const;

export const persistentStateArb: fc.Arbitrary<PersistentState> = fc.record({
  currentTerm: fc.nat().map(term),
  votedFor: fc.option(fc.integer({ min: 0, max: 1000 }).map((n): NodeId => nodeId(n)), { nil: null }),
  log: fc.record({
    snapshotIndex: fc.nat().map(logIndex),
    snapshotTerm: fc.nat().map(term),
    entries: fc.array(fc.record({
      term: fc.nat().map(term),
      command: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
    }, plain), { maxLength: 20 }),
  }, plain),
  snapshot: fc.uint8Array({ maxLength: 64 }),
}, plain);

/** Numbers near 0, around `limit` and at the top of the integers a double holds exactly: where bounds break. */
export const nearLimitsArb = (limit: number): fc.Arbitrary<number> => fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: limit - 3, max: limit + 3 }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 3, max: Number.MAX_SAFE_INTEGER }),
);
