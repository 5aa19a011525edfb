import { entriesBetween } from '../log.ts';
import { logIndex, type Effect, type LogIndex, type RaftLog, type RaftState } from '../types.ts';

/**
 * S.1 "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine."
 * Of `s` with `log` and `commitIndex` as given: a caller that changes them gets one copy of the
 * state, not two, on a path every AppendEntries and acknowledgement takes.
 */
export function applyCommitted(s: RaftState, effects: Effect[], log: RaftLog = s.log, commitIndex: LogIndex = s.commitIndex): RaftState {
  if (commitIndex <= s.lastApplied) return log === s.log && commitIndex === s.commitIndex ? s : { ...s, log, commitIndex };
  const first = logIndex(s.lastApplied + 1);
  effects.push({ type: 'applyEntries', first, entries: entriesBetween(log, first, commitIndex) });
  return { ...s, log, commitIndex, lastApplied: commitIndex };
}
