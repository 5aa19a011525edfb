import { test } from 'node:test';
import assert from 'node:assert/strict';
import { log, logIndex, term } from '../../src/machine/index.ts';
import { majorityMatchIndex, isMajority } from '../../src/machine/quorum.ts';
import { entries, ids, logOf } from '../support/build.ts';

const I = logIndex;
const T = term;

test('indices continue past the snapshot', () => {
  const l = logOf([2, 3], 5, 1);
  assert.deepEqual([log.lastIndex(l), log.lastTerm(l)], [7, 3]);
  assert.deepEqual([log.termAt(l, I(4)), log.termAt(l, I(5)), log.termAt(l, I(6)), log.termAt(l, I(8))], [undefined, 1, 2, undefined]);
  assert.equal(log.lastTerm(logOf([], 5, 4)), 4);
  assert.deepEqual(log.entriesFrom(l, I(7)).map((e) => e.command), ['c7']);
  assert.deepEqual(log.entriesBetween(l, I(6), I(6)).map((e) => e.command), ['c6']);
});

test('mergeEntries appends, keeps agreeing entries, and truncates only at a conflict', () => {
  const l = logOf([1, 1, 2]);
  assert.equal(log.mergeEntries(l, I(1), entries([1, 2], 2)), l);
  assert.deepEqual(log.mergeEntries(l, I(3), entries([3], 4)).entries.map((e) => e.term), [1, 1, 2, 3]);
  assert.deepEqual(log.mergeEntries(l, I(1), entries([3], 2)).entries.map((e) => e.term), [1, 3]);
});

test('fast-backtracking helpers find term boundaries', () => {
  const l = logOf([1, 2, 2, 2, 4]);
  assert.equal(log.firstIndexOfTermAt(l, I(4)), 2);
  assert.equal(log.firstIndexOfTermAt(logOf([2, 2], 3, 2), I(5)), 4, 'stops at the snapshot');
  assert.equal(log.lastIndexOfTerm(l, T(2)), 4);
  assert.equal(log.lastIndexOfTerm(l, T(3)), undefined);
  assert.equal(log.lastIndexOfTerm(l, T(5)), undefined);
});

test('compaction and snapshot installation keep exactly the suffix after the snapshot', () => {
  const l = logOf([1, 1, 2, 2]);
  assert.deepEqual(log.compactThrough(l, I(2)), logOf([2, 2], 2, 1));
  assert.deepEqual(log.installSnapshot(l, I(3), T(2)), logOf([2], 3, 2));
  assert.deepEqual(log.installSnapshot(l, I(3), T(3)), logOf([], 3, 3));
});

test('up-to-date comparison per §5.4.1', () => {
  const l = logOf([1, 2]);
  assert.equal(log.isAtLeastAsUpToDate(l, T(3), I(1)), true);
  assert.equal(log.isAtLeastAsUpToDate(l, T(1), I(9)), false);
  assert.equal(log.isAtLeastAsUpToDate(l, T(2), I(2)), true);
  assert.equal(log.isAtLeastAsUpToDate(l, T(2), I(1)), false);
});

test('a majority is more than half of all members', () => {
  assert.deepEqual([1, 2, 3].map((n) => isMajority(n, ids(3))), [false, true, true]);
  assert.deepEqual([2, 3].map((n) => isMajority(n, ids(4))), [false, true]);
  assert.equal(isMajority(1, ids(1)), true);
});

test('the majority match index is the highest index a majority holds', () => {
  assert.equal(majorityMatchIndex([I(5), I(3), I(1)]), 3);
  assert.equal(majorityMatchIndex([I(5), I(5), I(1), I(0), I(0)]), 1);
  assert.equal(majorityMatchIndex([I(7)]), 7);
});

test('versions of a log share their entries yet never change: appends after a fork or a truncation copy', () => {
  const base = log.append(log.emptyLog, entries([1, 1]));
  const a = log.append(base, entries([1], 3));
  const b = log.append(base, entries([2], 3));
  const truncated = log.mergeEntries(a, I(1), entries([3], 2));
  const grown = log.append(a, entries([1], 4));
  assert.deepEqual(base.entries.map((e) => e.command), ['c1', 'c2']);
  assert.deepEqual(a.entries.map((e) => e.term), [1, 1, 1]);
  assert.deepEqual(b.entries.map((e) => e.term), [1, 1, 2]);
  assert.deepEqual(truncated.entries.map((e) => e.term), [1, 3]);
  assert.deepEqual(grown.entries.map((e) => e.term), [1, 1, 1, 1]);
  assert.deepEqual([log.lastIndex(base), log.termAt(base, I(3)), log.lastTerm(b), log.termAt(truncated, I(3))], [2, undefined, 2, undefined]);
  assert.deepEqual(log.entriesFrom(a, I(2)).map((e) => e.command), ['c2', 'c3']);
  assert.deepEqual({ ...grown }, { snapshotIndex: 0, snapshotTerm: 0, entries: grown.entries }, 'a spread is a plain log');
});
