// A canonical 64-bit fingerprint of a cluster state, part by part: each node, each message and
// the history hash on their own under a renaming of node ids, and the parts fold into the state's
// fingerprint. The parts of a node or a message that do not mention node ids are hashed once,
// when the node or message is created (ClusterNode.hash, ClusterState.messageHashes). The network
// is a multiset: messages combine by addition, whatever their order. The packed model caches each
// part per interned node, message and history, so a successor's fingerprint is a fold of a few
// cached words.
import type { Message, PersistentState, RaftState } from '../../machine/index.ts';
import { avalancheHi, avalancheLo, Hasher } from '../fingerprint-set.ts';
import { coverageFlags, type Budget, type ClusterNode, type ClusterState, type History } from './cluster.ts';

export interface Pair { readonly hi: number; readonly lo: number }

const h = new Hasher();
const ROLE = { follower: 1, candidate: 2, leader: 3 } as const;

/** The id-free part of a node's state. */
export function nodeBaseHash(s: RaftState): Pair {
  h.reset(1);
  persistentBase(s);
  return h.add(s.commitIndex).add(s.lastApplied).digest();
}

/** The id-free part of a message: everything but from and to. */
export function messageBaseHash(m: Message): Pair {
  h.reset(3).add(m.term);
  // A switch, not ts-pattern: this runs for every message the checker creates.
  switch (m.type) {
    case 'RequestVote': h.add(1).add(m.lastLogIndex).add(m.lastLogTerm); break;
    case 'RequestVoteReply': h.add(2).add(m.voteGranted ? 1 : 0); break;
    case 'AppendEntries': h.add(3).add(m.prevLogIndex).add(m.prevLogTerm).add(m.leaderCommit).add(m.entries.length); for (const e of m.entries) h.add(e.term).add(e.command as number); break;
    case 'AppendEntriesReply': h.add(4).add(m.success ? 1 : 0).add(m.matchIndex).add(m.conflictIndex).add(m.conflictTerm); break;
    case 'InstallSnapshot': h.add(5).add(m.lastIncludedIndex).add(m.lastIncludedTerm).add(m.data.length); for (const b of m.data) h.add(b); break;
    case 'InstallSnapshotReply': h.add(6).add(m.matchIndex); break;
    default: { const never: never = m; throw new Error(`unhashed message ${String(never)}`); }
  }
  return h.digest();
}

function persistentBase(p: PersistentState): void {
  h.add(p.currentTerm).add(p.log.snapshotIndex).add(p.log.snapshotTerm).add(p.log.entries.length);
  for (const e of p.log.entries) h.add(e.term).add(e.command as number);
  h.add(p.snapshot.length);
  for (const b of p.snapshot) h.add(b);
}

/** A renaming of node ids: `to[id - 1]` is the new id of node `id`; `from[k - 1]` is the node renamed to k. */
export interface Renaming { readonly to: readonly number[]; readonly from: readonly number[] }

export function renaming(to: readonly number[]): Renaming {
  const from: number[] = [];
  to.forEach((k, i) => { from[k - 1] = i + 1; });
  return { to, from };
}

/**
 * A node's part of the fingerprint under a renaming: its hashed state with the ids it mentions
 * renamed; its own id is not in it (where it is folded in says that). Plain loops over the
 * renaming's arrays: this runs for every node of every successor and renaming, or once per
 * interned node and renaming.
 */
export function nodeFingerprint({ role, state, durable: d, serviceApplied, hash: base }: ClusterNode, { to, from }: Renaming): Pair {
  const n = to.length;
  part.reset(4).add(ROLE[role]).add(base.hi).add(base.lo).add(serviceApplied).add(state.votedFor === null ? 0 : to[state.votedFor - 1]!);
  let votes = 0;
  for (const v of state.votesGranted) votes |= 1 << (to[v - 1]! - 1);
  part.add(votes);
  if (role === 'leader') {
    for (let j = 1; j <= n; j++) {
      const peer = from[j - 1]!;
      part.add(state.nextIndex[peer] ?? -1).add(state.matchIndex[peer] ?? -1);
      // Flow control's per-follower state (FC.1, FC.2): leaders that differ only here act differently.
      if (state.probing !== undefined) part.add(state.probing[peer] === true ? 1 : 0);
      const sent = state.inflight?.[peer];
      if (sent !== undefined) { part.add(sent.length); for (const i of sent) part.add(i); }
    }
  }
  if (d.currentTerm === state.currentTerm && d.votedFor === state.votedFor && d.log === state.log && d.snapshot === state.snapshot) part.add(0);
  else {
    h.reset(2); persistentBase(d);
    part.add(1).add(avalancheHi(h.hi)).add(avalancheLo(h.lo)).add(d.votedFor === null ? 0 : to[d.votedFor - 1]!);
  }
  return part.digest();
}

/**
 * A message's part under a renaming: its id-free hash (messageBaseHash) with its sender and
 * addressee renamed, hashed whole, since the network sums these: summing half-mixed parts would
 * let two messages trade senders without changing the total.
 */
export function messageFingerprint(m: Message, base: Pair, { to }: Renaming): Pair {
  return h.reset(base.hi).add(base.lo).add(to[m.from - 1]!).add(to[m.to - 1]!).digest();
}

/**
 * The history's part under a renaming (it names leaders and restarted nodes). Coverage flags are
 * left out (cluster.ts says why).
 */
export function historyFingerprint(hist: History, { to }: Renaming): Pair {
  part.reset(5);
  for (const l of hist.leaders) part.add(l === 0 ? 0 : to[l - 1]!);
  part.add(hist.applied.length);
  for (let k = 0; k < hist.applied.length; k++) part.add(hist.applied[k] as number).add(hist.appliedTerm[k]!).add(hist.appliedAt[k]!);
  let restarted = 0;
  for (let i = 0; i < to.length; i++) if (hist.restarted & (1 << i)) restarted |= 1 << (to[i]! - 1);
  return part.add(hist.flags & ~coverageFlags).add(restarted).digest();
}

/** Hashes one part (a node, the history); reused, as parts are hashed for every new one. */
const part = new Hasher();
/** Folds the parts into the fingerprint; reused, as a fingerprint is taken for every successor. */
const out = new Hasher();

/**
 * Folds the parts of a state into its fingerprint: each node's part in the order of the new ids,
 * the network as a sum (a multiset: order does not count), the budget, the history. The packed
 * model (packed.ts) folds the same parts, cached, so both give the same fingerprint.
 */
export function foldFingerprint(
  nodeParts: ArrayLike<number>, network: number, sumHi: number, sumLo: number, b: Budget, history: Pair, into: { hi: number; lo: number },
): void {
  out.reset(0);
  for (let k = 0; k < nodeParts.length; k++) out.add(nodeParts[k]!);
  out.add(network).add(sumHi).add(sumLo);
  out.add(b.drops).add(b.duplicates).add(b.crashes).add(b.proposals).add(b.snapshots);
  out.add(history.hi).add(history.lo);
  into.hi = avalancheHi(out.hi);
  into.lo = avalancheLo(out.lo);
}

const nodeParts: number[] = [];

/** The fingerprint under a renaming of node ids. */
export function fingerprintCluster(s: ClusterState, r: Renaming): Pair {
  const n = s.nodes.length;
  nodeParts.length = 2 * n;
  for (let k = 1; k <= n; k++) {
    const p = nodeFingerprint(s.nodes[r.from[k - 1]! - 1]!, r);
    nodeParts[2 * k - 2] = p.hi; nodeParts[2 * k - 1] = p.lo;
  }
  let sumHi = 0, sumLo = 0;
  for (let k = 0; k < s.network.length; k++) {
    const p = messageFingerprint(s.network[k]!, s.messageHashes[k]!, r);
    sumHi = (sumHi + p.hi) | 0;
    sumLo = (sumLo + p.lo) | 0;
  }
  const into = { hi: 0, lo: 0 };
  foldFingerprint(nodeParts, s.network.length, sumHi, sumLo, s.budget, historyFingerprint(s.history, r), into);
  return into;
}

/** The least fingerprint over the renamings: states equal up to one of them get the same one. */
export function smallestFingerprint(s: ClusterState, renamings: readonly Renaming[]): Pair {
  let best = fingerprintCluster(s, renamings[0]!);
  for (let k = 1; k < renamings.length; k++) {
    const f = fingerprintCluster(s, renamings[k]!);
    if (f.hi < best.hi || (f.hi === best.hi && f.lo < best.lo)) best = f;
  }
  return best;
}
