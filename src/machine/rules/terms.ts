import { persist } from '../effects.ts';
import type { Message, RaftState, Step } from '../types.ts';

/**
 * S.2 "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert
 * to follower." The vote and any role state belong to the old term and are dropped with it.
 */
export const adoptTerm = (s: RaftState, m: Message): Step => ({
  state: { ...s, currentTerm: m.term, votedFor: null, votesGranted: [], nextIndex: {}, matchIndex: {} },
  effects: [persist],
});
