// Vote and commit counting. A majority is strictly more than half of all members.
import type { LogIndex, NodeId } from './types.ts';

/** Whether `count` votes or copies are a majority of `members` (strictly more than half, all members counted). */
export const isMajority = (count: number, members: readonly NodeId[]): boolean => count * 2 > members.length;

/**
 * The highest index that a majority of members hold: sort the match indices (the leader's own
 * last index included) in descending order and take the one at position ⌊n/2⌋.
 */
export function majorityMatchIndex(matchIndices: readonly LogIndex[]): LogIndex {
  const sorted = [...matchIndices].sort((a, b) => b - a);
  return sorted[Math.floor(sorted.length / 2)]!;
}
