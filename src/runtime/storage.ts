// Where a node keeps its persistent state (Figure 2 plus the §7 snapshot). Implementations: an
// in-memory persister with the 6.5840 lab's semantics, and durable files with fsync.
import type { PersistentState } from '../machine/index.ts';

/**
 * A result that is either ready now or later. A storage that answers at once returns plain values:
 * in memory, so a simulated cluster runs without yielding to the event loop and stays
 * deterministic, and on disk, whose system calls are synchronous (file-system.ts says why). One
 * that waits on the event loop (the tests' slow storages) returns promises.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Where a node makes its persistent state durable before acting on it (Figure 2: "updated on stable
 * storage before responding to RPCs"): {@link MemoryStorage} for simulation, {@link FileStorage} on disk.
 */
export interface Storage {
  /** What was last made durable (raft state and snapshot together), or null if nothing was saved. */
  load(): MaybePromise<PersistentState | null>;
  /**
   * Makes `state` durable, the raft state and the snapshot atomically: after a crash, load()
   * returns this state or an earlier one, never a mix. Done when it returns, or when the promise
   * resolves. The node never overlaps calls: it waits for one save before starting the next, and
   * saves the newest state then, so saves that pile up during a slow one are merged into one.
   * `state.snapshot` is the same Uint8Array object for as long as the snapshot is unchanged, so an
   * implementation can tell by identity whether it must rewrite the snapshot.
   * A save that throws or rejects made nothing of `state` durable as far as the node knows, and the
   * node stops for good (nothing after the persist is sent or applied); the storage may refuse
   * every later save.
   */
  save(state: PersistentState): MaybePromise<void>;
  /** Bytes of the last saved raft state, snapshot excluded (the lab's RaftStateSize budget). */
  size(): number;
}
