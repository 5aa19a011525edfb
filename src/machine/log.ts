// Log arithmetic, kept out of the handlers. Indices are Raft's (1-based, continuing past the
// snapshot); the array offset is hidden here and nowhere else.
import { logIndex, term, type Entry, type LogIndex, type RaftLog, type Term } from './types.ts';

export const emptyLog: RaftLog = { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: [] };

export const lastIndex = (log: RaftLog): LogIndex => logIndex(log.snapshotIndex + log.entries.length);

export const lastTerm = (log: RaftLog): Term =>
  log.entries.length === 0 ? log.snapshotTerm : log.entries[log.entries.length - 1]!.term;

/** The term of the entry at `index`, or undefined if it was compacted away or does not exist yet. */
export function termAt(log: RaftLog, index: LogIndex): Term | undefined {
  if (index === log.snapshotIndex) return log.snapshotTerm;
  if (index < log.snapshotIndex) return undefined;
  return log.entries[index - log.snapshotIndex - 1]?.term;
}

/** Entries from `from` to the end; `from` must be past the snapshot. */
export const entriesFrom = (log: RaftLog, from: LogIndex): readonly Entry[] =>
  log.entries.slice(from - log.snapshotIndex - 1);

/** Entries first..last inclusive; both must be past the snapshot. */
export const entriesBetween = (log: RaftLog, first: LogIndex, last: LogIndex): readonly Entry[] =>
  log.entries.slice(first - log.snapshotIndex - 1, last - log.snapshotIndex);

export const append = (log: RaftLog, entries: readonly Entry[]): RaftLog =>
  entries.length === 0 ? log : { ...log, entries: log.entries.concat(entries) };

/** §5.4.1: a log is at least as up-to-date if its last term is later, or equal with a last index as long. */
export const isAtLeastAsUpToDate = (log: RaftLog, otherLastTerm: Term, otherLastIndex: LogIndex): boolean =>
  otherLastTerm !== lastTerm(log) ? otherLastTerm > lastTerm(log) : otherLastIndex >= lastIndex(log);

/**
 * AppendEntries rules 3 and 4: the entries starting after `prevIndex` are merged in. An existing
 * entry that conflicts (same index, other term) is deleted with all that follow it; entries
 * already present are left alone, so a late or duplicated request cannot shorten the log.
 * Entries at or before the snapshot are committed and skipped.
 */
export function mergeEntries(log: RaftLog, prevIndex: LogIndex, entries: readonly Entry[]): RaftLog {
  const skip = Math.max(0, log.snapshotIndex - prevIndex);
  for (let i = skip; i < entries.length; i++) {
    const index = logIndex(prevIndex + 1 + i);
    const existing = termAt(log, index);
    if (existing === undefined) return append(log, entries.slice(i));
    if (existing !== entries[i]!.term) {
      return append(truncateAfter(log, logIndex(index - 1)), entries.slice(i));
    }
  }
  return log;
}

/** Keeps entries up to and including `index`. */
const truncateAfter = (log: RaftLog, index: LogIndex): RaftLog => ({
  ...log,
  entries: log.entries.slice(0, index - log.snapshotIndex),
});

/** Fast backtracking: the first index of the run of `t`-entries that ends at `index`. */
export function firstIndexOfTermAt(log: RaftLog, index: LogIndex): LogIndex {
  const t = termAt(log, index);
  let first = index;
  while (first - 1 > log.snapshotIndex && termAt(log, logIndex(first - 1)) === t) first--;
  return logIndex(first);
}

/** Fast backtracking, leader side: the last index holding an entry of term `t`, if any. */
export function lastIndexOfTerm(log: RaftLog, t: Term): LogIndex | undefined {
  for (let i = lastIndex(log); i > log.snapshotIndex; i--) {
    const ti = termAt(log, logIndex(i))!;
    if (ti === t) return logIndex(i);
    if (ti < t) return undefined;
  }
  return undefined;
}

/** Compaction (§7): everything through `index` is replaced by a snapshot; later entries stay. */
export const compactThrough = (log: RaftLog, index: LogIndex): RaftLog => ({
  snapshotIndex: index,
  snapshotTerm: termAt(log, index)!,
  entries: log.entries.slice(index - log.snapshotIndex),
});

/**
 * InstallSnapshot rules 6 and 7: if the log has the snapshot's last included entry, keep what
 * follows it; otherwise the whole log is superseded.
 */
export function installSnapshot(log: RaftLog, index: LogIndex, t: Term): RaftLog {
  if (termAt(log, index) === t) return compactThrough(log, index);
  return { snapshotIndex: index, snapshotTerm: t, entries: [] };
}
