// A canonical 64-bit fingerprint of a cluster state, field by field. The parts of a node or a
// message that do not mention node ids are hashed once, when the node or message is created
// (ClusterState.hashes); the id-bearing fields are mixed in per renaming, so symmetry reduction
// over node ids costs a few multiplications per permutation, not a rehash. The network is a
// multiset: messages combine by addition, whatever their order.
import type { Message, PersistentState, RaftState } from '../../machine/index.ts';
import { Hasher } from '../fingerprint-set.ts';
import type { ClusterState } from './cluster.ts';

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

/**
 * The fingerprint under a renaming of node ids: `perm[id - 1]` is the new id of node `id`
 * (undefined: no renaming). Nodes are hashed in the order of their new ids.
 */
export function fingerprintCluster(s: ClusterState, perm: readonly number[] | undefined): Pair {
  const n = s.nodes.length;
  const rename = (id: number) => (perm ? perm[id - 1]! : id);
  const out = new Hasher();
  for (let k = 1; k <= n; k++) {
    const i = perm ? perm.indexOf(k) : k - 1;
    const { role, state } = s.nodes[i]!;
    const base = s.hashes.nodes[i]!;
    out.add(ROLE[role]).add(base.hi).add(base.lo).add(state.votedFor === null ? 0 : rename(state.votedFor));
    let votes = 0;
    for (const v of state.votesGranted) votes |= 1 << (rename(v) - 1);
    out.add(votes);
    if (role === 'leader') {
      for (let j = 1; j <= n; j++) {
        const peer = perm ? perm.indexOf(j) + 1 : j;
        out.add(state.nextIndex[peer] ?? -1).add(state.matchIndex[peer] ?? -1);
      }
    }
    const d = s.durable[i]!;
    if (d.currentTerm === state.currentTerm && d.votedFor === state.votedFor && d.log === state.log && d.snapshot === state.snapshot) out.add(0);
    else { h.reset(2); persistentBase(d); const dh = h.digest(); out.add(1).add(dh.hi).add(dh.lo).add(d.votedFor === null ? 0 : rename(d.votedFor)); }
  }
  let sumHi = 0, sumLo = 0;
  for (let k = 0; k < s.network.length; k++) {
    const m = s.network[k]!;
    const base = s.hashes.messages[k]!;
    // Each message is hashed whole before the sum; summing half-mixed parts would let two
    // messages trade senders without changing the total.
    const mh = h.reset(base.hi).add(base.lo).add(rename(m.from)).add(rename(m.to)).digest();
    sumHi = (sumHi + mh.hi) | 0;
    sumLo = (sumLo + mh.lo) | 0;
  }
  out.add(s.network.length).add(sumHi).add(sumLo);
  const b = s.budget;
  out.add(b.drops).add(b.duplicates).add(b.crashes).add(b.proposals).add(b.snapshots);
  const hist = s.history;
  for (const l of hist.leaders) out.add(l === 0 ? 0 : rename(l));
  out.add(hist.applied.length);
  for (let k = 0; k < hist.applied.length; k++) out.add(hist.applied[k] as number).add(hist.appliedTerm[k]!).add(hist.appliedAt[k]!);
  let flags = hist.flags & 0xff;
  for (let i = 0; i < n; i++) if (hist.flags & (1 << (8 + i))) flags |= 1 << (8 + rename(i + 1) - 1);
  out.add(flags);
  return out.digest();
}
