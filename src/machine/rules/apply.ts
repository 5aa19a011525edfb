import { entriesBetween } from '../log.ts';
import { copyOf } from '../state.ts';
import { logIndex, type Effect, type LogIndex, type RaftLog, type RaftState } from '../types.ts';

/**
 * S.1 "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine."
 * Of `s` with `log` and `commitIndex` as given: a caller that changes them gets one copy of the
 * state, not two, on a path every AppendEntries and acknowledgement takes.
 */
export function applyCommitted(s: RaftState, effects: Effect[], log: RaftLog = s.log, commitIndex: LogIndex = s.commitIndex): RaftState {
  const applies = commitIndex > s.lastApplied;
  if (!applies && log === s.log && commitIndex === s.commitIndex) return s;
  const state = copyOf(s);
  state.log = log;
  state.commitIndex = commitIndex;
  if (!applies) return state;
  const first = logIndex(s.lastApplied + 1);
  effects.push({ type: 'applyEntries', first, entries: entriesBetween(log, first, commitIndex) });
  state.lastApplied = commitIndex;
  return state;
}
