import { resetElectionTimer } from '../effects.ts';
import { restoredState } from '../state.ts';
import type { Effect, RaftState, Restart, Step } from '../types.ts';

/**
 * A crash loses volatile state; the node comes back as a follower with what it made durable.
 * The service is handed the snapshot first, so applying resumes at its index + 1.
 */
export function restart(s: RaftState, e: Restart): Step {
  const state = restoredState(s, e.persisted);
  const effects: Effect[] = [resetElectionTimer];
  const { snapshotIndex, snapshotTerm } = state.log;
  if (snapshotIndex > 0) effects.push({ type: 'applySnapshot', index: snapshotIndex, term: snapshotTerm, data: state.snapshot });
  return { state, effects };
}
