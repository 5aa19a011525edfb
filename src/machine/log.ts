// Log arithmetic, kept out of the handlers. Indices are Raft's (1-based, continuing past the
// snapshot); the array offset is hidden here and nowhere else.
//
// A log's cost must not grow with its length: a leader appends on every proposal. Logs made here
// keep their entries in the first `length` slots of an array that successive versions share
// (`Backing`). Slots are only ever added at the end of that array, and only by a version that
// ends where the array ends, so what any version holds never changes: states stay immutable
// values (the model checker stores and compares them) while append costs what it appends. A
// version that was truncated, or that another version has already grown past (the checker steps
// one state many ways), copies its slots before it appends. `entries`, the plain array of the
// `RaftLog` interface, is made on first read and kept: readers of a whole log (encoding it,
// fingerprinting it, tests) see an ordinary array, and the hot path never reads it.
import { logIndex, term, type Entry, type LogIndex, type RaftLog, type Term } from './types.ts';

/** The log of a node that has never run: no entries, no snapshot (index and term 0). */
export const emptyLog: RaftLog = { snapshotIndex: logIndex(0), snapshotTerm: term(0), entries: [] };

/** `entries` memoises the plain array of the first `length` slots, made on first read. */
interface Backing { readonly slots: Entry[]; readonly length: number; entries: readonly Entry[] | undefined }

const BACKING = Symbol('backing');
type Backed = RaftLog & { readonly [BACKING]?: Backing };

/** One accessor shared by every backed log: a getter literal per log cost a closure and a slow object each. */
const ENTRIES: PropertyDescriptor = {
  enumerable: true,
  get(this: Backed): readonly Entry[] {
    const b = this[BACKING]!;
    return (b.entries ??= b.slots.slice(0, b.length));
  },
};

/**
 * A log over the first `length` of `slots`, which must be an array no one but logs made here
 * holds. The backing is a non-enumerable property, so a spread or a structured clone of the log
 * is a plain log with its entries as an array, and comparing logs compares their entries.
 */
function backed(snapshotIndex: LogIndex, snapshotTerm: Term, slots: Entry[], length: number): RaftLog {
  const made = { snapshotIndex, snapshotTerm };
  Object.defineProperty(made, BACKING, { value: { slots, length, entries: undefined } satisfies Backing });
  return Object.defineProperty(made, 'entries', ENTRIES) as RaftLog;
}

const backingOf = (log: RaftLog): Backing | undefined => (log as Backed)[BACKING];
const slotsOf = (log: RaftLog): readonly Entry[] => backingOf(log)?.slots ?? log.entries;
const sizeOf = (log: RaftLog): number => backingOf(log)?.length ?? log.entries.length;

/** The index of the last entry, or the snapshot's last included index when no entry follows it. */
export const lastIndex = (log: RaftLog): LogIndex => logIndex(log.snapshotIndex + sizeOf(log));

/** The term of the last entry, or the snapshot's last included term when no entry follows it (§5.4.1 compares these). */
export const lastTerm = (log: RaftLog): Term => {
  const size = sizeOf(log);
  return size === 0 ? log.snapshotTerm : slotsOf(log)[size - 1]!.term;
};

/** The term of the entry at `index`, or undefined if it was compacted away or does not exist yet. */
export function termAt(log: RaftLog, index: LogIndex): Term | undefined {
  if (index === log.snapshotIndex) return log.snapshotTerm;
  if (index < log.snapshotIndex) return undefined;
  const k = index - log.snapshotIndex - 1;
  return k < sizeOf(log) ? slotsOf(log)[k]!.term : undefined;
}

/** Entries from `from` to the end; `from` must be past the snapshot. */
export const entriesFrom = (log: RaftLog, from: LogIndex): readonly Entry[] =>
  slotsOf(log).slice(from - log.snapshotIndex - 1, sizeOf(log));

/** The entry at `index`, which must be past the snapshot and in the log. */
export const entryAt = (log: RaftLog, index: LogIndex): Entry => slotsOf(log)[index - log.snapshotIndex - 1]!;

/** Entries first..last inclusive; both must be past the snapshot. */
export const entriesBetween = (log: RaftLog, first: LogIndex, last: LogIndex): readonly Entry[] =>
  slotsOf(log).slice(first - log.snapshotIndex - 1, Math.min(last - log.snapshotIndex, sizeOf(log)));

/** Costs what it appends, except after a truncation or a fork, where it copies once. */
export function append(log: RaftLog, entries: readonly Entry[]): RaftLog {
  if (entries.length === 0) return log;
  const b = backingOf(log);
  const atTheEnd = b !== undefined && b.slots.length === b.length;
  const slots = atTheEnd ? b.slots : slotsOf(log).slice(0, sizeOf(log));
  for (const e of entries) slots.push(e);
  return backed(log.snapshotIndex, log.snapshotTerm, slots, slots.length);
}

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

/** Keeps entries up to and including `index`: a shorter view of the same slots (append copies them). */
function truncateAfter(log: RaftLog, index: LogIndex): RaftLog {
  const b = backingOf(log);
  const length = index - log.snapshotIndex;
  return b === undefined
    ? { ...log, entries: log.entries.slice(0, length) }
    : backed(log.snapshotIndex, log.snapshotTerm, b.slots, length);
}

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
export function compactThrough(log: RaftLog, index: LogIndex): RaftLog {
  const slots = slotsOf(log).slice(index - log.snapshotIndex, sizeOf(log));
  return backed(index, termAt(log, index)!, slots, slots.length);
}

/**
 * InstallSnapshot rules 6 and 7: if the log has the snapshot's last included entry, keep what
 * follows it; otherwise the whole log is superseded.
 */
export function installSnapshot(log: RaftLog, index: LogIndex, t: Term): RaftLog {
  if (termAt(log, index) === t) return compactThrough(log, index);
  return { snapshotIndex: index, snapshotTerm: t, entries: [] };
}
