// A canonical 64-bit fingerprint of a cluster state, field by field. Node hashes are cached per
// (immutable) state object, message hashes per message object, so an action that changes one
// node and one message rehashes little. The network is a multiset: its messages are combined by
// addition, which does not depend on their order.
import { match } from 'ts-pattern';
import type { Entry, Message, PersistentState, RaftState } from '../../machine/index.ts';
import { Hasher } from '../fingerprint-set.ts';
import type { ClusterState } from './cluster.ts';

const h = new Hasher();
const nodeCache = new WeakMap<RaftState, { hi: number; lo: number }>();
const messageCache = new WeakMap<Message, { hi: number; lo: number }>();
const ROLE = { follower: 1, candidate: 2, leader: 3 } as const;

/**
 * `perm[id - 1]` is the id node `id` is renamed to; the identity when symmetry is off. Every
 * node id inside the state is renamed, so states equal up to renaming hash alike.
 */
export function fingerprintCluster(s: ClusterState, perm: readonly number[] | undefined): { hi: number; lo: number } {
  const order = perm ? inverse(perm) : undefined;
  const out = new Hasher();
  for (let k = 0; k < s.nodes.length; k++) {
    const i = order ? order[k]! : k;
    const node = s.nodes[i]!;
    const nh = nodeHash(node.state, perm);
    out.add(ROLE[node.role]).add(nh.hi).add(nh.lo);
    const d = s.durable[i]!;
    if (!durableMatches(d, node.state)) { const dh = durableHash(d, perm); out.add(dh.hi).add(dh.lo); } else out.add(0);
  }
  let sumHi = 0, sumLo = 0;
  for (const m of s.network) { const mh = messageHash(m, perm); sumHi = (sumHi + mh.hi) | 0; sumLo = (sumLo + mh.lo) | 0; }
  out.add(s.network.length).add(sumHi).add(sumLo);
  const b = s.budget;
  out.add(b.drops).add(b.duplicates).add(b.crashes).add(b.proposals).add(b.snapshots);
  const hist = s.history;
  for (const l of hist.leaders) out.add(l === 0 ? 0 : rename(l, perm));
  out.add(hist.applied.length);
  hist.applied.forEach((c, k) => out.add(c as number).add(hist.appliedTerm[k]!).add(hist.appliedAt[k]!));
  out.add(renameFlags(hist.flags, perm, s.nodes.length));
  return out.digest();
}

const rename = (id: number, perm: readonly number[] | undefined) => (perm ? perm[id - 1]! : id);

function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((to, from) => { inv[to - 1] = from; });
  return inv;
}

function renameFlags(flags: number, perm: readonly number[] | undefined, n: number): number {
  if (!perm) return flags;
  let out = flags & 0xff;
  for (let i = 0; i < n; i++) if (flags & (1 << (8 + i))) out |= 1 << (8 + perm[i]! - 1);
  return out;
}

const durableMatches = (d: PersistentState, s: RaftState) =>
  d.currentTerm === s.currentTerm && d.votedFor === s.votedFor && d.log === s.log && d.snapshot === s.snapshot;

function nodeHash(s: RaftState, perm: readonly number[] | undefined): { hi: number; lo: number } {
  if (!perm) { const cached = nodeCache.get(s); if (cached) return cached; }
  h.reset(1);
  hashPersistent(s, perm);
  h.add(s.commitIndex).add(s.lastApplied);
  let votes = 0;
  for (const v of s.votesGranted) votes |= 1 << (rename(v, perm) - 1);
  h.add(votes);
  for (let k = 1; k <= s.members.length; k++) {
    const id = perm ? perm.indexOf(k) + 1 : k;
    h.add(s.nextIndex[id] ?? -1).add(s.matchIndex[id] ?? -1);
  }
  const result = h.digest();
  if (!perm) nodeCache.set(s, result);
  return result;
}

function durableHash(d: PersistentState, perm: readonly number[] | undefined): { hi: number; lo: number } {
  h.reset(2);
  hashPersistent(d, perm);
  return h.digest();
}

function hashPersistent(p: PersistentState, perm: readonly number[] | undefined): void {
  h.add(p.currentTerm).add(p.votedFor === null ? 0 : rename(p.votedFor, perm));
  h.add(p.log.snapshotIndex).add(p.log.snapshotTerm).add(p.log.entries.length);
  for (const e of p.log.entries) hashEntry(e);
  h.add(p.snapshot.length);
  for (const byte of p.snapshot) h.add(byte);
}

const hashEntry = (e: Entry) => h.add(e.term).add(e.command as number);

function messageHash(m: Message, perm: readonly number[] | undefined): { hi: number; lo: number } {
  if (!perm) { const cached = messageCache.get(m); if (cached) return cached; }
  h.reset(3).add(m.term).add(rename(m.from, perm)).add(rename(m.to, perm));
  match(m)
    .with({ type: 'RequestVote' }, (x) => h.add(1).add(x.lastLogIndex).add(x.lastLogTerm))
    .with({ type: 'RequestVoteReply' }, (x) => h.add(2).add(x.voteGranted ? 1 : 0))
    .with({ type: 'AppendEntries' }, (x) => { h.add(3).add(x.prevLogIndex).add(x.prevLogTerm).add(x.leaderCommit).add(x.entries.length); x.entries.forEach(hashEntry); })
    .with({ type: 'AppendEntriesReply' }, (x) => h.add(4).add(x.success ? 1 : 0).add(x.matchIndex).add(x.conflictIndex).add(x.conflictTerm))
    .with({ type: 'InstallSnapshot' }, (x) => { h.add(5).add(x.lastIncludedIndex).add(x.lastIncludedTerm).add(x.data.length); for (const byte of x.data) h.add(byte); })
    .with({ type: 'InstallSnapshotReply' }, (x) => h.add(6).add(x.matchIndex))
    .exhaustive();
  const result = h.digest();
  if (!perm) messageCache.set(m, result);
  return result;
}

