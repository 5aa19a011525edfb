// Where a node keeps its persistent state (Figure 2 plus the §7 snapshot). Implementations: an
// in-memory persister with the 6.5840 lab's semantics, and durable files with fsync.
import type { PersistentState } from '../machine/index.ts';

export interface Storage {
  /** What was last made durable, or null if this node never saved anything. */
  load(): Promise<PersistentState | null>;
  /**
   * Makes `state` durable, atomically: after a crash, load() returns this state or an earlier
   * one, never a mix. Resolves once it is durable. Calls are not overlapped by the node: it
   * awaits one save before starting the next, so an implementation may batch what piled up.
   */
  save(state: PersistentState): Promise<void>;
  /** Bytes the last saved state occupies (the lab's RaftStateSize budget). */
  size(): number;
}
