import { persist, resetElectionTimer, resetHeartbeatTimer, send } from '../effects.ts';
import {
  append, entriesBetween, entriesFrom, entryAt, firstIndexOfTermAt, lastIndex, lastIndexOfTerm, mergeEntries, termAt,
} from '../log.ts';
import { majorityMatchIndex } from '../quorum.ts';
import { copyOf, peersOf } from '../state.ts';
import {
  logIndex, term, type AppendEntries, type AppendEntriesReply, type Effect, type LogDurable, type LogIndex, type NodeId,
  type Propose, type RaftState, type Step, type Term,
} from '../types.ts';
import { applyCommitted } from './apply.ts';

/**
 * L.3 "If last log index ≥ nextIndex for a follower: send AppendEntries RPC with log entries
 * starting at nextIndex." What was sent is assumed to arrive (nextIndex moves past it), so
 * proposals pipeline; a lost request shows up as a rejected heartbeat and rewinds nextIndex (L.5).
 * A follower that needs entries the leader has compacted gets the snapshot instead (§7).
 * FC.1: to a peer being probed nextIndex stays where it is, so each retry starts at the probe.
 * FC.2: each pipelined AppendEntries with entries is counted until acknowledged.
 * FC.3: entries that do not fit one AppendEntries go in more, while the peer is neither probed
 * nor at its FC.2 quota; the rest wait for an acknowledgement or the next heartbeat.
 */
export function replicateTo(s: RaftState, peer: NodeId, effects: Effect[]): RaftState {
  const next = s.nextIndex[peer]!;
  if (next <= s.log.snapshotIndex) {
    effects.push(send({
      type: 'InstallSnapshot', term: s.currentTerm, from: s.id, to: peer,
      lastIncludedIndex: s.log.snapshotIndex, lastIncludedTerm: s.log.snapshotTerm, data: s.snapshot,
    }));
    return withNextIndex(s, peer, logIndex(s.log.snapshotIndex + 1));
  }
  s = appendEntriesTo(s, peer, effects);
  while (s.nextIndex[peer]! <= lastIndex(s.log) && !isProbing(s, peer) && !isPaused(s, peer)) s = appendEntriesTo(s, peer, effects);
  return s;
}

/** One AppendEntries to `peer` with the entries from its nextIndex that fit (FC.3). */
function appendEntriesTo(s: RaftState, peer: NodeId, effects: Effect[]): RaftState {
  const next = s.nextIndex[peer]!;
  const prevLogIndex = logIndex(next - 1);
  const through = lastToSend(s, next);
  effects.push(send({
    type: 'AppendEntries', term: s.currentTerm, from: s.id, to: peer,
    prevLogIndex, prevLogTerm: termAt(s.log, prevLogIndex)!,
    entries: through === lastIndex(s.log) ? entriesFrom(s.log, next) : entriesBetween(s.log, next, through),
    leaderCommit: s.commitIndex,
  }));
  if (next > through || isProbing(s, peer)) return s;
  // One copy of the state for both records: this runs for every follower on every proposal.
  const state = copyOf(s);
  if (s.maxInflightAppends !== undefined) state.inflight = withKey(s.inflight, peer, [...(s.inflight?.[peer] ?? []), through]);
  state.nextIndex = withKey(s.nextIndex, peer, logIndex(through + 1));
  return state;
}

/**
 * FC.3: the last index of the entries from `next` whose bytes stay within maxAppendBytes; at
 * least `next` itself, so an entry larger than the cap still goes, alone.
 */
function lastToSend(s: RaftState, next: LogIndex): LogIndex {
  const last = lastIndex(s.log);
  const limit = s.maxAppendBytes;
  if (limit === undefined || next >= last) return last;
  let bytes = limit.entryBytes(entryAt(s.log, next));
  let through = next;
  while (through < last) {
    const more = limit.entryBytes(entryAt(s.log, logIndex(through + 1)));
    if (bytes + more > limit.max) break;
    bytes += more;
    through++;
  }
  return logIndex(through);
}

const isProbing = (s: RaftState, peer: NodeId): boolean => s.probing?.[peer] === true;

/** FC.2: the follower has as many AppendEntries unacknowledged as it may. */
const isPaused = (s: RaftState, peer: NodeId): boolean =>
  s.maxInflightAppends !== undefined && (s.inflight?.[peer]?.length ?? 0) >= s.maxInflightAppends;

function withInflight(s: RaftState, peer: NodeId, lasts: readonly LogIndex[]): RaftState {
  const state = copyOf(s);
  state.inflight = withKey(s.inflight, peer, lasts);
  return state;
}

/** FC.2: an acknowledgement through `index` frees every AppendEntries that ended there or before. */
function acknowledgeInflight(s: RaftState, peer: NodeId, index: LogIndex): RaftState {
  const lasts = s.inflight?.[peer];
  if (lasts === undefined || lasts.length === 0 || lasts[0]! > index) return s;
  const left: LogIndex[] = [];
  for (const last of lasts) if (last > index) left.push(last);
  return withInflight(s, peer, left);
}

function withProbing(s: RaftState, peer: NodeId, probing: boolean): RaftState {
  if (s.probeUntilMatch !== true || isProbing(s, peer) === probing) return s;
  const state = copyOf(s);
  state.probing = withKey(s.probing, peer, probing);
  return state;
}

/**
 * A new leader's view of its followers' progress: FC.1, it knows no follower's log, so it probes
 * each until one AppendEntries succeeds; FC.2, nothing is in flight to any.
 */
export function freshProgress(s: RaftState): RaftState {
  const probing = s.probeUntilMatch === true ? { probing: Object.fromEntries(peersOf(s).map((p) => [p, true])) } : {};
  const inflight = s.maxInflightAppends === undefined ? {} : { inflight: {} };
  return { ...s, ...probing, ...inflight };
}

function withNextIndex(s: RaftState, peer: NodeId, index: LogIndex): RaftState {
  const state = copyOf(s);
  state.nextIndex = withKey(s.nextIndex, peer, index);
  return state;
}

/**
 * New entries or a new commitIndex to every follower; a follower being probed already has its
 * one AppendEntries in flight (FC.1), one with its quota unacknowledged (FC.2): it hears at the
 * next heartbeat or acknowledgement.
 */
function replicateToAll(s: RaftState, effects: Effect[]): RaftState {
  for (const peer of peersOf(s)) if (!isProbing(s, peer) && !isPaused(s, peer)) s = replicateTo(s, peer, effects);
  return s;
}

/**
 * L.1 "...repeat during idle periods to prevent election timeouts." To every follower, a probed
 * one too: its probe may have been lost.
 */
export function sendHeartbeats(s: RaftState): Step {
  const effects: Effect[] = [resetHeartbeatTimer];
  for (const peer of peersOf(s)) s = replicateTo(s, peer, effects);
  return { state: s, effects };
}

/**
 * L.2 "If command received from client: append entry to local log, respond after entry applied
 * to state machine." The entries go out at once. PW.1: with leaderWritesInParallel they are
 * sent while the leader's own write is under way, and the leader counts itself for them only
 * once LogDurable says they landed; otherwise the write holds back the sends and counts at once.
 */
export function appendCommands(s: RaftState, e: Propose): Step {
  if (e.commands.length === 0) return { state: s, effects: [] };
  const appended = copyOf(s);
  appended.log = append(s.log, e.commands.map((command) => ({ term: s.currentTerm, command })));
  let state: RaftState = appended;
  const last = lastIndex(state.log);
  const effects: Effect[] = [];
  if (s.leaderWritesInParallel === true) effects.push({ type: 'persistInParallel', term: s.currentTerm, index: last });
  else {
    effects.push(persist);
    state = withOwnMatch(state, last);
  }
  state = replicateToAll(state, effects);
  return { state: advanceCommitIndex(state, effects), effects };
}

/**
 * PW.1: the leader's own write of its log through `e.index`, asked for in term `e.term`, has
 * landed. A leader never rewrites its log within its term, so that prefix is the leader's own;
 * a report from an earlier term may describe entries since replaced, and is ignored.
 */
export function countOwnWrite(s: RaftState, e: LogDurable): Step {
  if (e.term !== s.currentTerm || e.index <= s.matchIndex[s.id]! || e.index > lastIndex(s.log)) return { state: s, effects: [] };
  const effects: Effect[] = [];
  return { state: advanceCommitIndex(withOwnMatch(s, e.index), effects), effects };
}

function withOwnMatch(s: RaftState, index: LogIndex): RaftState {
  const state = copyOf(s);
  state.matchIndex = withKey(s.matchIndex, s.id, index);
  return state;
}

/**
 * L.6 "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N, and
 * log[N].term == currentTerm: set commitIndex = N." Only entries of the leader's own term are
 * committed by counting (§5.4.2); earlier ones commit with them. The leader counts itself
 * through its own matchIndex: what it knows durable (PW.1).
 * CP.1: with announceCommits, the new commitIndex goes to every follower at once, right after
 * the leader's own apply: a host that steps what its service proposes on applying before sending
 * the announcement lets those entries, which carry the same commitIndex, stand in for it.
 */
function advanceCommitIndex(s: RaftState, effects: Effect[]): RaftState {
  const n = majorityMatchIndex(s.members.map((m) => s.matchIndex[m]!));
  if (n <= s.commitIndex || termAt(s.log, n) !== s.currentTerm) return s;
  const applied = applyCommitted(s, effects, s.log, n);
  return s.announceCommits === true ? replicateToAll(applied, effects) : applied;
}

/**
 * The receiver side of AppendEntries, AE.1–AE.5. A request of the current term comes from the
 * legitimate leader, so it also restarts the election timer (F.2).
 */
export function handleAppendEntries(s: RaftState, m: AppendEntries): Step {
  // AE.1 "Reply false if term < currentTerm."
  if (m.term < s.currentTerm) {
    return { state: s, effects: [reply(s, m, false, logIndex(0), logIndex(0), term(0))] };
  }
  // AE.2 "Reply false if log doesn't contain an entry at prevLogIndex whose term matches
  // prevLogTerm." The reply says where to retry: past our last entry if we have none there,
  // else at the start of our conflicting term, so the leader skips it in one round trip.
  // An index inside our snapshot is committed, hence matches.
  const ourPrevTerm = m.prevLogIndex < s.log.snapshotIndex ? m.prevLogTerm : termAt(s.log, m.prevLogIndex);
  if (ourPrevTerm !== m.prevLogTerm) {
    const conflict = ourPrevTerm === undefined
      ? reply(s, m, false, logIndex(0), logIndex(lastIndex(s.log) + 1), term(0))
      : reply(s, m, false, logIndex(0), firstIndexOfTermAt(s.log, m.prevLogIndex), ourPrevTerm);
    return { state: s, effects: [resetElectionTimer, conflict] };
  }
  // AE.3, AE.4: merge the entries (see mergeEntries).
  const log = mergeEntries(s.log, m.prevLogIndex, m.entries);
  const lastNew = logIndex(m.prevLogIndex + m.entries.length);
  // AE.5 "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)."
  const commitIndex = m.leaderCommit > s.commitIndex ? logIndex(Math.max(s.commitIndex, Math.min(m.leaderCommit, lastNew))) : s.commitIndex;
  const effects: Effect[] = log === s.log ? [resetElectionTimer] : [persist, resetElectionTimer];
  const state = applyCommitted(s, effects, log, commitIndex);
  effects.push(reply(s, m, true, lastNew, logIndex(0), term(0)));
  return { state, effects };
}

/**
 * The answer to `m`. A function of the module rather than a closure made per request: this runs
 * on every AppendEntries a follower gets, and the runtime names each closure it makes (keepNames).
 */
const reply = (s: RaftState, m: AppendEntries, success: boolean, matchIndex: LogIndex, conflictIndex: LogIndex, conflictTerm: Term): Effect =>
  send({ type: 'AppendEntriesReply', term: s.currentTerm, from: s.id, to: m.from, success, matchIndex, conflictIndex, conflictTerm });

/**
 * The leader side of AppendEntries. Replies from another term are stale and ignored (a newer
 * one has already made us a follower, S.2).
 * L.4 "If successful: update nextIndex and matchIndex for follower." matchIndex comes from what
 * the reply proved, never from nextIndex, and never moves back, so late replies are harmless.
 * L.5 "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry",
 * by a whole term at a time.
 */
export function handleAppendEntriesReply(s: RaftState, m: AppendEntriesReply): Step {
  if (m.term !== s.currentTerm) return { state: s, effects: [] };
  const effects: Effect[] = [];
  if (m.success) {
    // FC.1, FC.2: a match ends the probe and frees what it acknowledges; what was held back goes now.
    const held = isProbing(s, m.from) || isPaused(s, m.from);
    const freed = acknowledgeInflight(withProbing(s, m.from, false), m.from, m.matchIndex);
    const state = acknowledge(freed, m.from, m.matchIndex, effects);
    const more = held && !isPaused(state, m.from) && state.nextIndex[m.from]! <= lastIndex(state.log);
    return { state: more ? replicateTo(state, m.from, effects) : state, effects };
  }
  // A refusal restarts the follower's progress: nothing counts as in flight (late acknowledgements free nothing).
  const refused = s.maxInflightAppends === undefined ? s : withInflight(s, m.from, []);
  const state = withNextIndex(withProbing(refused, m.from, true), m.from, logIndex(Math.max(s.matchIndex[m.from]! + 1, retryIndex(s, m))));
  return { state: replicateTo(state, m.from, effects), effects };
}

/**
 * L.4 for both RPCs: `peer` holds our log through `index`. matchIndex never moves back, and
 * nextIndex stays ahead of it; then the commit index may advance (L.6).
 */
export function acknowledge(s: RaftState, peer: NodeId, index: LogIndex, effects: Effect[]): RaftState {
  // A follower can only hold what we sent; a claim past our log is not from a correct follower.
  if (index <= s.matchIndex[peer]! || index > lastIndex(s.log)) return s;
  const state = copyOf(s);
  state.matchIndex = withKey(s.matchIndex, peer, index);
  state.nextIndex = withKey(s.nextIndex, peer, logIndex(Math.max(s.nextIndex[peer]!, index + 1)));
  return advanceCommitIndex(state, effects);
}

/** Fast backtracking: skip past the follower's conflicting term, or to just past its log. */
function retryIndex(s: RaftState, m: AppendEntriesReply): LogIndex {
  if (m.conflictTerm === 0) return m.conflictIndex;
  const ours = lastIndexOfTerm(s.log, m.conflictTerm);
  return ours === undefined ? m.conflictIndex : logIndex(ours + 1);
}

/**
 * A copy of a per-peer record with `peer`'s entry set: copied, then one store, which V8 does in
 * half the time of a literal with a computed key, on every send and acknowledgement.
 */
function withKey<V>(record: Readonly<Record<number, V>> | undefined, peer: NodeId, value: V): Record<number, V> {
  const copy: Record<number, V> = { ...record };
  copy[peer] = value;
  return copy;
}
