import { persist, resetElectionTimer, resetHeartbeatTimer, send } from '../effects.ts';
import { isAtLeastAsUpToDate, lastIndex, lastTerm } from '../log.ts';
import { isMajority } from '../quorum.ts';
import { peersOf } from '../state.ts';
import { logIndex, term, type Effect, type LogIndex, type RaftState, type RequestVote, type RequestVoteReply, type Step } from '../types.ts';
import { freshProgress, replicateTo } from './replication.ts';

/**
 * C.1 "On conversion to candidate, start election: increment currentTerm, vote for self, reset
 * election timer, send RequestVote RPCs to all other servers."
 */
export function startElection(s: RaftState): Step {
  // No cap at MAX_TERM: only a forged datagram or 2^52 elections get a node there, a capped node could
  // never campaign again, and the 2^52 terms of room above it still write and read back exactly.
  const next: RaftState = { ...s, currentTerm: term(s.currentTerm + 1), votedFor: s.id, votesGranted: [s.id] };
  const effects: Effect[] = [persist, resetElectionTimer];
  for (const peer of peersOf(next)) {
    effects.push(send({
      type: 'RequestVote', term: next.currentTerm, from: s.id, to: peer,
      lastLogIndex: lastIndex(s.log), lastLogTerm: lastTerm(s.log),
    }));
  }
  return { state: next, effects };
}

/**
 * RV.1 "Reply false if term < currentTerm."
 * RV.2 "If votedFor is null or candidateId, and candidate's log is at least as up-to-date as
 * receiver's log, grant vote." Granting is persisted before the reply leaves and restarts the
 * election timer (F.2).
 */
export function handleRequestVote(s: RaftState, m: RequestVote): Step {
  const grant =
    m.term === s.currentTerm &&
    (s.votedFor === null || s.votedFor === m.from) &&
    isAtLeastAsUpToDate(s.log, m.lastLogTerm, m.lastLogIndex);
  const reply = send({ type: 'RequestVoteReply', term: s.currentTerm, from: s.id, to: m.from, voteGranted: grant });
  if (!grant) return { state: s, effects: [reply] };
  return { state: { ...s, votedFor: m.from }, effects: [persist, resetElectionTimer, reply] };
}

/** C.2, counting: a granted vote of the current term counts once per voter. */
export function countVote(s: RaftState, m: RequestVoteReply): Step {
  if (m.term !== s.currentTerm || !m.voteGranted || s.votesGranted.includes(m.from)) return { state: s, effects: [] };
  return { state: { ...s, votesGranted: [...s.votesGranted, m.from] }, effects: [] };
}

/** C.2 "If votes received from majority of servers: become leader." Guard for the statechart. */
export const winsElection = (s: RaftState, m: RequestVoteReply): boolean =>
  m.term === s.currentTerm && m.voteGranted &&
  isMajority(s.votesGranted.length + (s.votesGranted.includes(m.from) ? 0 : 1), s.members);

/**
 * L.1 "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server."
 * nextIndex starts just past the leader's log and matchIndex at 0 (Figure 2, leader state).
 * The leader's own matchIndex starts at its last index: its whole log was durable before it
 * asked for a vote (the persist of its new term holds back the requests), so before it could win.
 */
export function becomeLeader(s: RaftState): Step {
  const nextIndex: Record<number, LogIndex> = {};
  const matchIndex: Record<number, LogIndex> = { [s.id]: lastIndex(s.log) };
  for (const peer of peersOf(s)) {
    nextIndex[peer] = logIndex(lastIndex(s.log) + 1);
    matchIndex[peer] = logIndex(0);
  }
  let state: RaftState = freshProgress({ ...s, votesGranted: [], nextIndex, matchIndex });
  const effects: Effect[] = [resetHeartbeatTimer];
  for (const peer of peersOf(s)) state = replicateTo(state, peer, effects);
  return { state, effects };
}
