// A canonical 64-bit fingerprint of a cluster state, field by field. The parts of a node or a
// message that do not mention node ids are hashed once, when the node or message is created
// (ClusterNode.hash, ClusterState.messageHashes); the id-bearing fields are mixed in per renaming,
// so symmetry reduction over node ids costs a few multiplications per permutation, not a rehash. The network is a
// multiset: messages combine by addition, whatever their order.
import type { Message, PersistentState, RaftState } from '../../machine/index.ts';
import { avalancheHi, avalancheLo, Hasher } from '../fingerprint-set.ts';
import { coverageFlags, type ClusterState } from './cluster.ts';

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

/** Hashes the whole state; reused, as a fingerprint is taken for every successor. */
const out = new Hasher();

/**
 * The fingerprint under a renaming of node ids. Nodes are hashed in the order of their new ids.
 * Plain loops over the renaming's arrays: this runs once per successor and renaming.
 */
export function fingerprintCluster(s: ClusterState, { to, from }: Renaming): Pair {
  const n = s.nodes.length;
  out.reset(0);
  for (let k = 1; k <= n; k++) {
    const i = from[k - 1]! - 1;
    const { role, state, durable: d, serviceApplied, hash: base } = s.nodes[i]!;
    out.add(ROLE[role]).add(base.hi).add(base.lo).add(serviceApplied).add(state.votedFor === null ? 0 : to[state.votedFor - 1]!);
    let votes = 0;
    for (const v of state.votesGranted) votes |= 1 << (to[v - 1]! - 1);
    out.add(votes);
    if (role === 'leader') {
      for (let j = 1; j <= n; j++) {
        const peer = from[j - 1]!;
        out.add(state.nextIndex[peer] ?? -1).add(state.matchIndex[peer] ?? -1);
      }
    }
    if (d.currentTerm === state.currentTerm && d.votedFor === state.votedFor && d.log === state.log && d.snapshot === state.snapshot) out.add(0);
    else {
      h.reset(2); persistentBase(d);
      out.add(1).add(avalancheHi(h.hi)).add(avalancheLo(h.lo)).add(d.votedFor === null ? 0 : to[d.votedFor - 1]!);
    }
  }
  let sumHi = 0, sumLo = 0;
  for (let k = 0; k < s.network.length; k++) {
    const m = s.network[k]!;
    const base = s.messageHashes[k]!;
    // Each message is hashed whole before the sum; summing half-mixed parts would let two
    // messages trade senders without changing the total.
    h.reset(base.hi).add(base.lo).add(to[m.from - 1]!).add(to[m.to - 1]!);
    sumHi = (sumHi + avalancheHi(h.hi)) | 0;
    sumLo = (sumLo + avalancheLo(h.lo)) | 0;
  }
  out.add(s.network.length).add(sumHi).add(sumLo);
  const b = s.budget;
  out.add(b.drops).add(b.duplicates).add(b.crashes).add(b.proposals).add(b.snapshots);
  const hist = s.history;
  for (const l of hist.leaders) out.add(l === 0 ? 0 : to[l - 1]!);
  out.add(hist.applied.length);
  for (let k = 0; k < hist.applied.length; k++) out.add(hist.applied[k] as number).add(hist.appliedTerm[k]!).add(hist.appliedAt[k]!);
  let restarted = 0;
  for (let i = 0; i < n; i++) if (hist.restarted & (1 << i)) restarted |= 1 << (to[i]! - 1);
  out.add(hist.flags & ~coverageFlags).add(restarted);
  return out.digest();
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
