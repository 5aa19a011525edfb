// A node's life as the storage sees it, for the storage fault tests: the states a node saves, one
// after the other, as fast-check picks them: appends, votes in new terms, a new leader's entries
// replacing a suffix, snapshots that compact the log.
import fc from 'fast-check';
import { logIndex, nodeId, term, type Entry, type PersistentState, type Term } from '../../src/machine/index.ts';

export type StorageAction =
  | { readonly type: 'append'; readonly n: number }
  | { readonly type: 'vote'; readonly for: number | null }
  | { readonly type: 'conflict'; readonly drop: number; readonly n: number }
  | { readonly type: 'compact'; readonly keep: number };

export const storageActionArb: fc.Arbitrary<StorageAction> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('append' as const), n: fc.integer({ min: 1, max: 4 }) }) },
  fc.record({ type: fc.constant('vote' as const), for: fc.option(fc.integer({ min: 1, max: 3 })) }),
  fc.record({ type: fc.constant('conflict' as const), drop: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ type: fc.constant('compact' as const), keep: fc.integer({ min: 0, max: 3 }) }),
);

const noSnapshot = new Uint8Array(0);

/** The states a node saves for `actions`, starting from an empty log in term 1. */
export function lifeOf(actions: readonly StorageAction[]): PersistentState[] {
  let s: PersistentState = { currentTerm: term(1), votedFor: null, log: { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: [] }, snapshot: noSnapshot };
  const out = [s];
  const appended = (entries: readonly Entry[], n: number, t: Term): Entry[] => {
    const first = s.log.snapshotIndex + entries.length + 1;
    return [...entries, ...Array.from({ length: n }, (_, k) => ({ term: t, command: { index: first + k, term: t, pad: 'x'.repeat((first + k) % 23) } }))];
  };
  for (const a of actions) {
    const { log } = s;
    if (a.type === 'append') s = { ...s, log: { ...log, entries: appended(log.entries, a.n, s.currentTerm) } };
    else if (a.type === 'vote') s = { ...s, currentTerm: term(s.currentTerm + 1), votedFor: a.for === null ? null : nodeId(a.for) };
    else if (a.type === 'conflict') {
      const t = term(s.currentTerm + 1);
      s = { ...s, currentTerm: t, votedFor: null, log: { ...log, entries: appended(log.entries.slice(0, Math.max(0, log.entries.length - a.drop)), a.n, t) } };
    } else {
      const upto = Math.max(0, log.entries.length - a.keep);
      if (upto === 0) continue;
      s = {
        ...s,
        log: { snapshotIndex: logIndex(log.snapshotIndex + upto), snapshotTerm: log.entries[upto - 1]!.term, entries: log.entries.slice(upto) },
        snapshot: Uint8Array.from({ length: 40 + upto }, (_, i) => (i * 7 + upto) & 0xff),
      };
    }
    out.push(s);
  }
  return out;
}
