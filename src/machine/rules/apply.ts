import { entriesBetween } from '../log.ts';
import { logIndex, type Effect, type RaftState } from '../types.ts';

/** S.1 "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine." */
export function applyCommitted(s: RaftState, effects: Effect[]): RaftState {
  if (s.commitIndex <= s.lastApplied) return s;
  const first = logIndex(s.lastApplied + 1);
  effects.push({ type: 'applyEntries', first, entries: entriesBetween(s.log, first, s.commitIndex) });
  return { ...s, lastApplied: s.commitIndex };
}
